/** The golden vnpy case (test/fixtures/golden, a copy of ../shared/golden): bars and vnpy's report. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createBar, Exchange, Interval, type BarData } from "../../src/trader/index.js";

export const GOLDEN_DIR = fileURLToPath(new URL("../fixtures/golden/vnpy-double-ma/", import.meta.url));

export function goldenBars(): BarData[] {
  const lines = readFileSync(GOLDEN_DIR + "bars.csv", "utf8")
    .trim()
    .split("\n");
  return lines.slice(1).map((line) => {
    const [dt, o, h, l, c, v, t, oi] = line.split(",");
    return createBar({
      gatewayName: "DB",
      symbol: "rb2410",
      exchange: Exchange.SHFE,
      interval: Interval.MINUTE,
      datetime: Date.parse(dt),
      openPrice: Number(o),
      highPrice: Number(h),
      lowPrice: Number(l),
      closePrice: Number(c),
      volume: Number(v),
      turnover: Number(t),
      openInterest: Number(oi),
    });
  });
}

export interface GoldenReport {
  meta: { parameters: Record<string, number | string>; final_pos: number; order_count: number };
  statistics: Record<string, number | string>;
  trades: { tradeid: string; orderid: string; datetime: string; direction: string; offset: string; price: number; volume: number }[];
  orders: { orderid: string; datetime: string; direction: string; offset: string; price: number; volume: number; traded: number; status: string }[];
  daily: Record<string, number | string>[];
}

export function goldenReport(): GoldenReport {
  return JSON.parse(readFileSync(GOLDEN_DIR + "vnpy-report.json", "utf8")) as GoldenReport;
}

/** The golden parameters as setParameters takes them. */
export const GOLDEN_PARAMETERS = {
  vtSymbol: "rb2410.SHFE",
  interval: Interval.MINUTE,
  rate: 0.0001,
  slippage: 1,
  size: 10,
  pricetick: 1,
  capital: 1_000_000,
  riskFree: 0,
  annualDays: 240,
  halfLife: 120,
  timezone: "UTC",
} as const;

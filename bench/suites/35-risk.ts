/**
 * The risk engine's cost: sim order round trips (send → every pre-trade rule → match → order,
 * trade, position and account events handled) with every rule on, next to the same round trips
 * with no risk engine, in the same run. Limits are set so that no order is refused: the row
 * measures what checking costs, not what refusing saves.
 *
 * Each variant runs in a child process of its own, alternating: a process runs one of them, as a
 * trading process does; in one process the second variant inherits the first one's heap and the
 * JIT's view of shared code (MainEngine.sendOrder, the dispatch loop), which moved the ratio by
 * ±0.1. Rates are per second of the child's CPU time: the work is single-threaded and CPU-bound,
 * and on a shared machine the wall clock also counts time other processes held the cores.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { RiskApp } from "../../src/apps/risk/index.js";
import { SimGateway, type SimInstrument } from "../../src/gateways/sim/index.js";
import { Direction, Exchange, MainEngine, Offset, OrderType, Product, Status, createOrderRequest, createSubscribeRequest } from "../../src/trader/index.js";
import { type BenchRow, type BenchSuite } from "../harness.js";

const SUITE = "risk";
const START = Date.UTC(2024, 0, 2);
const DEEP: SimInstrument = {
  symbol: "DEEP",
  exchange: Exchange.SIM,
  name: "Deep",
  product: Product.FUTURES,
  priceTick: 1,
  size: 1,
  minVolume: 1,
  initialPrice: 1000,
  volatility: 0,
  drift: 0,
  marginRate: 0.1,
  commissionRate: 0,
  limitPct: 0,
  spreadTicks: 1,
  depth: 1e9,
  tickLots: 1,
  openInterest: 0,
  netPosition: false,
};

/** Every rule on, none of them reached by the benchmark's orders. */
export const ALL_RULES = {
  orderSizeLimit: 100,
  orderNotionalLimit: 1e9,
  orderFlowLimit: 1e9,
  orderFlowWindowMs: 1000,
  activeOrderLimit: 10_000,
  tradeLimit: 1e9,
  cancelLimit: 1000,
  priceBandPct: 5,
  priceBandTicks: 100,
  positionLimit: 1e6,
  selfTrade: true,
  dailyLossLimit: 1e12,
} as const;

async function roundTrips(n: number, withRisk: boolean): Promise<number> {
  const main = new MainEngine(undefined, { log: false, eventEngine: { interval: null } });
  main.addGateway(SimGateway);
  await main.connect({ seed: 1, startTime: START, tickRate: 2, instruments: [DEEP], capital: 1e12 }, "SIM");
  main.subscribe(createSubscribeRequest({ symbol: "DEEP", exchange: Exchange.SIM }), "SIM");
  if (withRisk) main.addApp(RiskApp).configure(ALL_RULES);
  await main.eventEngine.waitForIdle();
  let filled = 0;
  let trades = 0;
  main.eventEngine.register("eOrder.", (e) => {
    if (e.data.status === Status.ALLTRADED) filled++;
  });
  main.eventEngine.register("eTrade.", () => void trades++);
  // Marketable limits (priced, so the price band and notional rules read them): a chunk of opening
  // buys, then a chunk of closing sells. Alternating within a chunk would be a self-trade: the
  // engine counts an order working until its events say otherwise.
  const open = createOrderRequest({
    symbol: "DEEP",
    exchange: Exchange.SIM,
    direction: Direction.LONG,
    type: OrderType.LIMIT,
    price: 1010,
    volume: 1,
    offset: Offset.OPEN,
  });
  const close = createOrderRequest({
    symbol: "DEEP",
    exchange: Exchange.SIM,
    direction: Direction.SHORT,
    type: OrderType.LIMIT,
    price: 990,
    volume: 1,
    offset: Offset.CLOSE,
  });
  let sent = 0;
  const c0 = process.cpuUsage();
  for (let done = 0; done < n;) {
    const c = Math.min(500, n - done);
    const req = sent++ % 2 === 0 ? open : close;
    for (let i = 0; i < c; i++) main.sendOrder(req, "SIM");
    done += c;
    await main.eventEngine.waitForIdle();
  }
  const cpu = process.cpuUsage(c0);
  const rate = n / ((cpu.user + cpu.system) / 1e6);
  if (filled !== n || trades !== n) throw new Error(`round trips incomplete: ${filled} filled, ${trades} trades of ${n}`);
  await main.close();
  return rate;
}

/** One variant in a fresh process (this file, run with TICKWIRE_RISK_BENCH set). */
function inChild(variant: "on" | "off", n: number): number {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, TICKWIRE_RISK_BENCH: `${variant}:${n}` },
    encoding: "utf8",
  });
  const rate = Number(out.trim().split("\n").pop());
  if (!Number.isFinite(rate)) throw new Error(`the ${variant} run printed no rate:\n${out}`);
  return rate;
}

const child = process.env.TICKWIRE_RISK_BENCH;
if (child !== undefined) {
  const [variant, n] = child.split(":");
  await roundTrips(50_000, variant === "on"); // warm the JIT: a trading process runs for hours
  process.stdout.write(`${await roundTrips(Number(n), variant === "on")}\n`);
  process.exit(0);
}

const suite: BenchSuite = async ({ quick }) => {
  const runs = quick ? 1 : 5;
  const orders = quick ? 50_000 : 300_000;
  // Alternated, so both see the same machine: the best of each.
  let on = -Infinity;
  let off = -Infinity;
  for (let i = 0; i < runs; i++) {
    off = Math.max(off, inChild("off", orders));
    on = Math.max(on, inChild("on", orders));
  }
  const rows: BenchRow[] = [
    {
      suite: SUITE,
      name: "sim order round trips, every risk rule on",
      value: on,
      unit: "orders/s",
      peer: "same round trips, no risk engine",
      peerValue: off,
      ratio: on / off,
      target: ">= 0.9x off",
      met: on / off >= 0.9,
    },
  ];
  return rows;
};

export default suite;

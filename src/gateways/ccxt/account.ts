import type { Balances, Position } from "ccxt";
import { TickwireError } from "../../event/errors.js";
import { Direction, Interval } from "../../trader/constants.js";
import { createAccount, createBar, createPosition, type BarData, type HistoryRequest } from "../../trader/objects.js";
import { TW_CCXT_BAD_SYMBOL, TW_CCXT_RATE_LIMIT, mapCcxtError } from "./errors.js";
import type { CcxtSession } from "./session.js";
import { num } from "./util.js";
import { safeId } from "./venues.js";

// The account side of the ccxt gateway: balances as one account per currency, positions for
// swaps and futures, and bars from fetchOHLCV. Each takes the connected session.

const TIMEFRAMES: Partial<Record<Interval, string>> = {
  [Interval.MINUTE]: "1m",
  [Interval.HOUR]: "1h",
  [Interval.DAILY]: "1d",
  [Interval.WEEKLY]: "1w",
};

export async function queryAccount(s: CcxtSession): Promise<void> {
  const ex = s.exchange();
  if (!s.hasKeys()) return;
  await s.restReady();
  try {
    pushBalances(s, await ex.fetchBalance());
  } catch (e) {
    const err = mapCcxtError(e, "fetchBalance", s.secrets);
    if (err.code === TW_CCXT_RATE_LIMIT) s.pauseRest();
    throw err;
  }
}

/** One account per currency with a balance (or something frozen). */
export function pushBalances(s: CcxtSession, b: Balances): void {
  const total = (b.total ?? {}) as unknown as Record<string, number | undefined>;
  const used = (b.used ?? {}) as unknown as Record<string, number | undefined>;
  for (const [currency, amount] of Object.entries(total)) {
    if (typeof amount !== "number" || (amount === 0 && !num(used[currency]))) continue;
    s.gw.onAccount(
      createAccount({ gatewayName: s.gw.gatewayName, accountid: safeId(s.cfg!.accountPrefix + currency), balance: amount, frozen: num(used[currency]) }),
    );
  }
}

export async function queryPosition(s: CcxtSession): Promise<void> {
  const ex = s.exchange();
  const map = s.map!;
  // Spot holds balances, not positions: they are the accounts.
  if (!s.hasKeys() || s.cfg!.marketType === "spot" || !ex.has.fetchPositions) return;
  await s.restReady();
  let positions: Position[];
  try {
    positions = await ex.fetchPositions(map.symbols().map((sym) => map.unifiedOf(sym)!));
  } catch (e) {
    throw mapCcxtError(e, "fetchPositions", s.secrets);
  }
  for (const p of positions) {
    const symbol = map.symbolOf(p.symbol ?? "");
    if (!symbol) continue;
    const contracts = num(p.contracts);
    s.gw.onPosition(
      createPosition({
        gatewayName: s.gw.gatewayName,
        symbol,
        exchange: map.exchange,
        direction: Direction.NET,
        volume: p.side === "short" ? -contracts : contracts,
        price: num(p.entryPrice),
        pnl: num(p.unrealizedPnl),
      }),
    );
  }
}

export async function queryHistory(s: CcxtSession, req: HistoryRequest): Promise<BarData[]> {
  const ex = s.exchange();
  const unified = s.map!.unifiedOf(req.symbol);
  const timeframe = TIMEFRAMES[req.interval];
  if (!unified) throw new TickwireError(TW_CCXT_BAD_SYMBOL, `${req.vtSymbol} is not a contract of gateway ${s.gw.gatewayName}.`);
  if (!timeframe || !ex.has.fetchOHLCV) return [];
  const bars: BarData[] = [];
  let since = req.start;
  while (since < req.end) {
    await s.restReady();
    let rows: number[][];
    try {
      rows = (await ex.fetchOHLCV(unified, timeframe, since, 1000)) as number[][];
    } catch (e) {
      throw mapCcxtError(e, `fetchOHLCV ${unified}`, s.secrets);
    }
    if (rows.length === 0) break;
    for (const [t, o, h, l, c, v] of rows) {
      if (t >= req.end) break;
      bars.push(
        createBar({
          gatewayName: s.gw.gatewayName,
          symbol: req.symbol,
          exchange: req.exchange,
          datetime: t,
          interval: req.interval,
          openPrice: o,
          highPrice: h,
          lowPrice: l,
          closePrice: c,
          volume: v,
        }),
      );
    }
    const last = rows[rows.length - 1][0];
    if (last < since) break;
    since = last + 1;
  }
  return bars;
}

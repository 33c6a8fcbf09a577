import type { Database } from "../../data/types.js";
import type { HostedStrategy } from "../../strategy/StrategyHost.js";
import { Interval, LogLevel } from "../../trader/constants.js";
import { createHistoryRequest, type BarData, type TickData } from "../../trader/objects.js";
import type { MainEngine } from "../../trader/MainEngine.js";

const DAY_MS = 86_400_000;

type Log = (msg: string, source: string, level?: LogLevel) => void;

/** "Now" for a strategy's history: the latest tick's time when there is one (a sim on its own clock), else the wall clock. */
function now(mainEngine: MainEngine, vtSymbol: string): number {
  return mainEngine.getTick(vtSymbol)?.datetime ?? Date.now();
}

/**
 * Bars of the `days` before "now" (both ends included) from `database`, or from the gateway's
 * history when there is no database or it has none of them.
 */
export async function loadBars(
  mainEngine: MainEngine,
  database: Database | undefined,
  strategy: HostedStrategy,
  days: number,
  interval: Interval,
  log: Log,
): Promise<readonly BarData[]> {
  const end = now(mainEngine, strategy.vtSymbol);
  const start = end - days * DAY_MS;
  const contract = mainEngine.getContract(strategy.vtSymbol);
  const gatewayHistory = contract !== undefined && contract.historyData;
  if (database) {
    const stored = await database.loadBars({ vtSymbol: strategy.vtSymbol, interval, start, end });
    if (stored.length > 0 || !gatewayHistory) return stored;
    log(
      `no ${interval} bars of ${strategy.vtSymbol} in ${database.url} for the last ${days} days: asking ${contract.gatewayName}'s history`,
      strategy.strategyName,
    );
  } else if (!gatewayHistory) {
    log(`no history for ${strategy.vtSymbol}: configure a database or use a gateway with history`, strategy.strategyName, LogLevel.WARNING);
    return [];
  }
  const req = createHistoryRequest({ symbol: contract.symbol, exchange: contract.exchange, start, end, interval });
  return mainEngine.queryHistory(req, contract.gatewayName);
}

/** Ticks of the `days` before "now" from `database`; none without one. */
export function loadTicks(mainEngine: MainEngine, database: Database | undefined, strategy: HostedStrategy, days: number): Promise<readonly TickData[]> {
  if (!database) return Promise.resolve([]);
  const end = now(mainEngine, strategy.vtSymbol);
  return database.loadTicks({ vtSymbol: strategy.vtSymbol, start: end - days * DAY_MS, end });
}

/** The series keys and rows the SQLite and PostgreSQL stores share. */
import type { Exchange, Interval } from "../trader/constants.js";
import type { BarOverview, BarQuery, TickOverview, TickQuery } from "./types.js";
import { queryInterval, querySymbol } from "./validate.js";

/** symbol, exchange[, interval] of a query. */
export type SeriesKeyValues = [string, Exchange] | [string, Exchange, Interval];

export function barKey(query: BarQuery): SeriesKeyValues {
  const { symbol, exchange } = querySymbol(query?.vtSymbol);
  return [symbol, exchange, queryInterval(query.interval)];
}

export function tickKey(query: TickQuery): SeriesKeyValues {
  const { symbol, exchange } = querySymbol(query?.vtSymbol);
  return [symbol, exchange];
}

/** A row of a series table. */
export interface SeriesRow {
  id: number;
  symbol: string;
  exchange: Exchange;
  interval?: string;
  count: number;
  first_datetime: number;
  last_datetime: number;
}

/** The overview of one bar series from its row. */
export function barOverview(r: SeriesRow): BarOverview {
  return { ...tickOverview(r), interval: r.interval as Interval };
}

/** The overview of one tick series from its row. */
export function tickOverview(r: SeriesRow): TickOverview {
  return { vtSymbol: `${r.symbol}.${r.exchange}`, symbol: r.symbol, exchange: r.exchange, count: r.count, start: r.first_datetime, end: r.last_datetime };
}

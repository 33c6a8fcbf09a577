import type { Exchange, Interval } from "../trader/constants.js";
import { createTick, type BarData, type TickData } from "../trader/objects.js";

/*
 * How bars and ticks map to table rows, shared by both backends. A row holds the fields below in
 * this order; the series (symbol, exchange[, interval]) lives once in the overview table.
 */

export const BAR_FIELDS = [
  "datetime", "gatewayName", "volume", "turnover", "openInterest", "openPrice", "highPrice", "lowPrice", "closePrice",
] as const satisfies ReadonlyArray<keyof BarData>;

export const TICK_FIELDS = [
  "datetime", "gatewayName", "name", "volume", "turnover", "openInterest", "lastPrice", "lastVolume",
  "limitUp", "limitDown", "openPrice", "highPrice", "lowPrice", "preClose",
  "bidPrice1", "bidPrice2", "bidPrice3", "bidPrice4", "bidPrice5",
  "askPrice1", "askPrice2", "askPrice3", "askPrice4", "askPrice5",
  "bidVolume1", "bidVolume2", "bidVolume3", "bidVolume4", "bidVolume5",
  "askVolume1", "askVolume2", "askVolume3", "askVolume4", "askVolume5",
] as const satisfies ReadonlyArray<keyof TickData>;

/** snake_case column name of a field: openInterest -> open_interest, bidPrice1 -> bid_price_1. */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase()).replace(/(\d+)$/, "_$1");
}

export const BAR_COLUMNS: readonly string[] = BAR_FIELDS.map(columnOf);
export const TICK_COLUMNS: readonly string[] = TICK_FIELDS.map(columnOf);

/** The series a bar belongs to, as a map key. */
export function barSeriesKey(vtSymbol: string, interval: string): string {
  return vtSymbol + "|" + interval;
}

/** A bar from a row in BAR_FIELDS order, built in createBar's key order (one hidden class). */
export function barFromRow(r: unknown[], symbol: string, exchange: Exchange, vtSymbol: string, interval: Interval): BarData {
  return {
    gatewayName: r[1] as string,
    symbol,
    exchange,
    vtSymbol,
    datetime: r[0] as number,
    interval,
    volume: r[2] as number,
    turnover: r[3] as number,
    openInterest: r[4] as number,
    openPrice: r[5] as number,
    highPrice: r[6] as number,
    lowPrice: r[7] as number,
    closePrice: r[8] as number,
  };
}

/** A tick from a row in TICK_FIELDS order. */
export function tickFromRow(r: unknown[], symbol: string, exchange: Exchange): TickData {
  const init: Record<string, unknown> = { symbol, exchange };
  for (let i = 0; i < TICK_FIELDS.length; i++) init[TICK_FIELDS[i]] = r[i];
  return createTick(init as unknown as Parameters<typeof createTick>[0]);
}

/** One stored series: its row in the overview table. */
export interface SeriesInfo {
  id: number;
  symbol: string;
  exchange: Exchange;
  vtSymbol: string;
  /** Bars only. */
  interval: Interval;
}

/** What differs between bars and ticks for a backend: tables, columns, row mapping. */
export interface SeriesKind<T> {
  noun: "bar" | "tick";
  seriesTable: "bar_series" | "tick_series";
  dataTable: "bars" | "ticks";
  /** Identity columns of a series, after symbol and exchange: ["interval"] for bars. */
  extraKeyColumns: readonly string[];
  /** Data columns, in row order. */
  columns: readonly string[];
  /** Which text columns need escaping in COPY: indexes into `columns`. */
  textColumns: readonly number[];
  seriesKey(o: T): string;
  /** A row's values in `columns` order. */
  values(o: T): unknown[];
  fromRow(r: unknown[], s: SeriesInfo): T;
}

export const BAR_KIND: SeriesKind<BarData> = {
  noun: "bar",
  seriesTable: "bar_series",
  dataTable: "bars",
  extraKeyColumns: ["interval"],
  columns: BAR_COLUMNS,
  textColumns: [1],
  seriesKey: (b) => barSeriesKey(b.vtSymbol, b.interval),
  values: (b) => [b.datetime, b.gatewayName, b.volume, b.turnover, b.openInterest, b.openPrice, b.highPrice, b.lowPrice, b.closePrice],
  fromRow: (r, s) => barFromRow(r, s.symbol, s.exchange, s.vtSymbol, s.interval),
};

export const TICK_KIND: SeriesKind<TickData> = {
  noun: "tick",
  seriesTable: "tick_series",
  dataTable: "ticks",
  extraKeyColumns: [],
  columns: TICK_COLUMNS,
  textColumns: [1, 2],
  seriesKey: (t) => t.vtSymbol,
  values: (t) => TICK_FIELDS.map((f) => t[f]),
  fromRow: (r, s) => tickFromRow(r, s.symbol, s.exchange),
};

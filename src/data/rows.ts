import type { Exchange, Interval } from "../trader/constants.js";
import { createTick, type BarData, type TickData } from "../trader/objects.js";

/*
 * How bars and ticks map to table rows, shared by both backends. A row holds the fields below in
 * this order; the series (symbol, exchange[, interval]) lives once in the overview table.
 */

export const BAR_FIELDS = [
  "datetime",
  "gatewayName",
  "volume",
  "turnover",
  "openInterest",
  "openPrice",
  "highPrice",
  "lowPrice",
  "closePrice",
] as const satisfies ReadonlyArray<keyof BarData>;

export const TICK_FIELDS = [
  "datetime",
  "gatewayName",
  "name",
  "volume",
  "turnover",
  "openInterest",
  "lastPrice",
  "lastVolume",
  "limitUp",
  "limitDown",
  "openPrice",
  "highPrice",
  "lowPrice",
  "preClose",
  "bidPrice1",
  "bidPrice2",
  "bidPrice3",
  "bidPrice4",
  "bidPrice5",
  "askPrice1",
  "askPrice2",
  "askPrice3",
  "askPrice4",
  "askPrice5",
  "bidVolume1",
  "bidVolume2",
  "bidVolume3",
  "bidVolume4",
  "bidVolume5",
  "askVolume1",
  "askVolume2",
  "askVolume3",
  "askVolume4",
  "askVolume5",
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
  /** True when two rows belong to one series (cheaper than comparing keys: no string built). */
  sameSeries(a: T, b: T): boolean;
  /** A row's values in `columns` order. */
  values(o: T): unknown[];
  fromRow(r: unknown[], s: SeriesInfo): T;
  /** A line of COPY text format: series id, then `columns`, tab-separated. */
  copyLine(o: T, seriesId: number): string;
}

// COPY text format: backslash, tab, newline and carriage return are escaped in text fields.
const COPY_SPECIAL = /[\\\t\n\r]/;
export function copyText(s: string): string {
  return COPY_SPECIAL.test(s) ? s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r") : s;
}

export const BAR_KIND: SeriesKind<BarData> = {
  noun: "bar",
  seriesTable: "bar_series",
  dataTable: "bars",
  extraKeyColumns: ["interval"],
  columns: BAR_COLUMNS,
  textColumns: [1],
  seriesKey: (b) => barSeriesKey(b.vtSymbol, b.interval),
  sameSeries: (a, b) => a.vtSymbol === b.vtSymbol && a.interval === b.interval,
  values: (b) => [b.datetime, b.gatewayName, b.volume, b.turnover, b.openInterest, b.openPrice, b.highPrice, b.lowPrice, b.closePrice],
  fromRow: (r, s) => barFromRow(r, s.symbol, s.exchange, s.vtSymbol, s.interval),
  copyLine: (b, id) =>
    `${id}\t${b.datetime}\t${copyText(b.gatewayName)}\t${b.volume}\t${b.turnover}\t${b.openInterest}\t${b.openPrice}\t${b.highPrice}\t${b.lowPrice}\t${b.closePrice}\n`,
};

export const TICK_KIND: SeriesKind<TickData> = {
  noun: "tick",
  seriesTable: "tick_series",
  dataTable: "ticks",
  extraKeyColumns: [],
  columns: TICK_COLUMNS,
  textColumns: [1, 2],
  seriesKey: (t) => t.vtSymbol,
  sameSeries: (a, b) => a.vtSymbol === b.vtSymbol,
  // Written out: a map over TICK_FIELDS cost a recorder's save a tenth of its time.
  values: (t) => [
    t.datetime,
    t.gatewayName,
    t.name,
    t.volume,
    t.turnover,
    t.openInterest,
    t.lastPrice,
    t.lastVolume,
    t.limitUp,
    t.limitDown,
    t.openPrice,
    t.highPrice,
    t.lowPrice,
    t.preClose,
    t.bidPrice1,
    t.bidPrice2,
    t.bidPrice3,
    t.bidPrice4,
    t.bidPrice5,
    t.askPrice1,
    t.askPrice2,
    t.askPrice3,
    t.askPrice4,
    t.askPrice5,
    t.bidVolume1,
    t.bidVolume2,
    t.bidVolume3,
    t.bidVolume4,
    t.bidVolume5,
    t.askVolume1,
    t.askVolume2,
    t.askVolume3,
    t.askVolume4,
    t.askVolume5,
  ],
  fromRow: (r, s) => tickFromRow(r, s.symbol, s.exchange),
  copyLine: (t, id) => {
    const values = TICK_FIELDS.map((f) => t[f]);
    values[1] = copyText(values[1] as string);
    values[2] = copyText(values[2] as string);
    return `${id}\t${values.join("\t")}\n`;
  },
};

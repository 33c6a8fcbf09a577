/** Where a backtest's data comes from: history in memory or a store, and the windows read from it. */
import type { Interval } from "../../trader/constants.js";
import type { BarData, TickData } from "../../trader/objects.js";
import { DAY_MS, INTERVAL_MS, type Settings } from "./parameters.js";

/** A source of stored history: what `tickwire/data`'s Database offers. */
export interface HistorySource {
  streamBars(query: { vtSymbol: string; interval: Interval; start?: number; end?: number }): AsyncIterable<BarData[]>;
  streamTicks(query: { vtSymbol: string; start?: number; end?: number }): AsyncIterable<TickData[]>;
  loadBars(query: { vtSymbol: string; interval: Interval; start?: number; end?: number }): Promise<BarData[]>;
  loadTicks(query: { vtSymbol: string; start?: number; end?: number }): Promise<TickData[]>;
}

/** First index of sorted `h` at or after `t` (binary search). */
export function firstAtOrAfter(h: readonly { datetime: number }[], t: number): number {
  let lo = 0;
  let hi = h.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (h[mid].datetime < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A finite time, else undefined (an open end of a store query). */
function bound(t: number): number | undefined {
  return Number.isFinite(t) ? t : undefined;
}

/** The bars of the `days` before `start` (vnpy: [start − days, start − one interval]). */
export function barsBefore(
  p: Settings,
  history: readonly (BarData | TickData)[] | null,
  source: HistorySource | null,
  days: number,
  interval: Interval,
): readonly BarData[] | Promise<readonly BarData[]> {
  const from = p.start - days * DAY_MS;
  const to = p.start - (INTERVAL_MS[interval] ?? 60_000);
  if (source) {
    if (!Number.isFinite(p.start)) return [];
    return source.loadBars({ vtSymbol: p.vtSymbol, interval, start: from, end: to });
  }
  if (!history || p.mode !== "bar" || !Number.isFinite(p.start)) return [];
  return (history as readonly BarData[]).filter((b) => b.datetime >= from && b.datetime <= to);
}

/** The ticks of the `days` before `start`. */
export function ticksBefore(
  p: Settings,
  history: readonly (BarData | TickData)[] | null,
  source: HistorySource | null,
  days: number,
): readonly TickData[] | Promise<readonly TickData[]> {
  const from = p.start - days * DAY_MS;
  const to = p.start - 1;
  if (source) {
    if (!Number.isFinite(p.start)) return [];
    return source.loadTicks({ vtSymbol: p.vtSymbol, start: from, end: to });
  }
  if (!history || p.mode !== "tick" || !Number.isFinite(p.start)) return [];
  return (history as readonly TickData[]).filter((t) => t.datetime >= from && t.datetime <= to);
}

/** The bars from start to end: from the history given, or read again from the store. */
export async function replayedBars(p: Settings, history: readonly (BarData | TickData)[] | null, source: HistorySource | null): Promise<BarData[]> {
  if (p.mode !== "bar") return [];
  if (history) {
    const h = history as readonly BarData[];
    const out: BarData[] = [];
    for (let i = firstAtOrAfter(h, p.start); i < h.length && h[i].datetime <= p.end; i++) out.push(h[i]);
    return out;
  }
  if (!source) return [];
  return source.loadBars({ vtSymbol: p.vtSymbol, interval: p.interval, start: bound(p.start), end: bound(p.end) });
}

/** The data of a store to replay, in batches. */
export function streamed(p: Settings, source: HistorySource): AsyncIterable<(BarData | TickData)[]> {
  const q = { vtSymbol: p.vtSymbol, start: bound(p.start), end: bound(p.end) };
  return p.mode === "bar" ? source.streamBars({ ...q, interval: p.interval }) : source.streamTicks(q);
}

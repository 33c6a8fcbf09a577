import { TickwireError } from "../../event/errors.js";
import type { SimInstrument } from "./instruments.js";
import { InstrumentMarket } from "./InstrumentMarket.js";
import { MINUTE_MS } from "./PricePath.js";

/** A bar of the simulated market (plain numbers; the gateway turns it into BarData). */
export interface SimBar {
  /** Start of the bar, epoch ms. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  turnover: number;
  openInterest: number;
}

/** Upper bound on the ticks one history query may replay (≈ 1 s of work). */
export const MAX_HISTORY_TICKS = 60_000_000;

/**
 * Minute bars of `instrument` whose start lies in [start, end], built by replaying the very tick
 * path the live market runs (same seed, tick rate and anchor): so a bar here equals the bar of
 * the live ticks of that minute, to the last bit.
 */
export function simulateMinuteBars(
  instrument: SimInstrument,
  seed: number,
  ticksPerMinute: number,
  anchorMinute: number,
  start: number,
  end: number,
): SimBar[] {
  const first = Math.ceil(start / MINUTE_MS);
  const last = Math.floor(end / MINUTE_MS);
  if (last < first) return [];
  const count = last - first + 1;
  if (count * ticksPerMinute > MAX_HISTORY_TICKS) {
    throw new TickwireError(
      "TW_SIM_HISTORY_TOO_LONG",
      `A history of ${count} minutes at ${ticksPerMinute} ticks a minute is too much to simulate in one query: ask for a shorter range (at most ${Math.floor(MAX_HISTORY_TICKS / ticksPerMinute)} minutes) and page through it.`,
      { details: { minutes: count, ticksPerMinute } },
    );
  }
  const market = new InstrumentMarket(instrument, seed, ticksPerMinute, anchorMinute);
  const path = market.path;
  const logs = path.logPrices(first, count + 1);
  const size = instrument.size;
  const rules = market.rules;
  const bars: SimBar[] = new Array<SimBar>(count);
  for (let i = 0; i < count; i++) {
    path.beginMinute(first + i, logs[i], logs[i + 1]);
    let open = 0;
    let high = 0;
    let low = 0;
    let volume = 0;
    let turnover = 0;
    for (let k = 0; k < ticksPerMinute; k++) {
      market.advance();
      const p = market.lastPrice;
      if (k === 0) open = high = low = p;
      else if (p > high) high = p;
      else if (p < low) low = p;
      volume = rules.roundVolume(volume + market.lastVolume);
      turnover += p * market.lastVolume * size;
    }
    bars[i] = {
      time: (first + i) * MINUTE_MS,
      open,
      high,
      low,
      close: market.lastPrice,
      volume,
      turnover,
      openInterest: market.openInterest,
    };
  }
  return bars;
}

/** Merges consecutive minute bars into bars of `periodMs` (an hour, a day), aligned to epoch multiples. */
export function aggregateBars(bars: readonly SimBar[], periodMs: number, volumeRound: (v: number) => number): SimBar[] {
  const out: SimBar[] = [];
  let cur: SimBar | undefined;
  for (const b of bars) {
    const t = Math.floor(b.time / periodMs) * periodMs;
    if (!cur || cur.time !== t) {
      cur = { ...b, time: t };
      out.push(cur);
      continue;
    }
    if (b.high > cur.high) cur.high = b.high;
    if (b.low < cur.low) cur.low = b.low;
    cur.close = b.close;
    cur.volume = volumeRound(cur.volume + b.volume);
    cur.turnover += b.turnover;
    cur.openInterest = b.openInterest;
  }
  return out;
}

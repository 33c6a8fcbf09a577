import { hashNormal, hashString, hashUniform, hash32, Prng } from "./random.js";
import type { SimInstrument } from "./instruments.js";

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
/** The sim trades around the clock, so a year has every minute in it. */
const MINUTES_PER_YEAR = 525_600;

/**
 * The random walk of one instrument, in two resolutions that always agree:
 * - minute closes: log price L(m) at the start of minute m follows GBM increments
 *   r(m) = (drift − σ²/2)·dt + σ·√dt·Z(m), with Z(m) a function of (seed, symbol, m) only, anchored
 *   at L(anchor) = log(initialPrice); so any date's prices are computable without the ones before;
 * - ticks: inside minute m, `ticksPerMinute` steps of a Brownian bridge from L(m) to L(m+1), drawn
 *   from a generator seeded by (seed, symbol, m). The live stream and `queryHistory` both run this
 *   code, so the minute bars of history are exactly the bars of the live ticks.
 */
export class PricePath {
  readonly ticksPerMinute: number;
  readonly tickMs: number;
  readonly anchorMinute: number;
  readonly anchorLog: number;
  private readonly seed: number;
  private readonly key: number;
  private readonly muMinute: number;
  private readonly sigmaMinute: number;
  private readonly sigmaStep: number;
  /** bridgeScale[r] = √((r−1)/r): the bridge's noise shrinks as it nears its end point. */
  private readonly bridgeScale: Float64Array;
  private readonly openInterestBase: number;

  /** Per-tick generator of the price path (bridge noise, trade volume). */
  readonly pathRng = new Prng(0);
  /** Per-tick generator of everything history does not need (book side and depth). */
  readonly bookRng = new Prng(0);

  // Cursor: the tick last produced is tick (k − 1) of `minute`.
  minute = 0;
  k = 0;
  logStart = 0;
  logEnd = 0;
  /** Log price after the latest step. */
  x = 0;
  /** Time of the latest tick, epoch ms. */
  time = 0;
  /** Trade volume of the latest tick, in lots. */
  lots = 0;
  /** Open interest at the latest tick, in lots (0 when the instrument has none). */
  openInterest = 0;
  private oiStart = 0;
  private oiEnd = 0;

  constructor(instrument: SimInstrument, seed: number, ticksPerMinute: number, anchorMinute: number) {
    this.ticksPerMinute = ticksPerMinute;
    this.tickMs = MINUTE_MS / ticksPerMinute;
    this.anchorMinute = anchorMinute;
    this.anchorLog = Math.log(instrument.initialPrice);
    this.seed = seed >>> 0;
    this.key = hashString(instrument.symbol + "." + instrument.exchange);
    const dt = 1 / MINUTES_PER_YEAR;
    const sigma = instrument.volatility;
    this.muMinute = (instrument.drift - (sigma * sigma) / 2) * dt;
    this.sigmaMinute = sigma * Math.sqrt(dt);
    this.sigmaStep = this.sigmaMinute / Math.sqrt(ticksPerMinute);
    this.bridgeScale = new Float64Array(ticksPerMinute + 1);
    for (let r = 1; r <= ticksPerMinute; r++) this.bridgeScale[r] = Math.sqrt((r - 1) / r);
    this.openInterestBase = instrument.openInterest;
  }

  /** The log return of minute m. */
  minuteReturn(m: number): number {
    return this.muMinute + this.sigmaMinute * hashNormal(this.seed, this.key, m);
  }

  /**
   * L(m) for `count` consecutive minutes from `first`, computed the one canonical way (summing
   * from the anchor forwards, or backwards for minutes before it) so every caller gets the same bits.
   */
  logPrices(first: number, count: number): Float64Array {
    const out = new Float64Array(count);
    const last = first + count - 1;
    const A = this.anchorMinute;
    if (last >= A) {
      let l = this.anchorLog;
      for (let m = A; m < first; m++) l += this.minuteReturn(m);
      for (let m = Math.max(A, first); m <= last; m++) {
        out[m - first] = l;
        l += this.minuteReturn(m);
      }
    }
    if (first < A) {
      let l = this.anchorLog;
      for (let m = A - 1; m >= first; m--) {
        l -= this.minuteReturn(m);
        if (m <= last) out[m - first] = l;
      }
    }
    return out;
  }

  /** Open interest at the end of minute m: a bounded wobble around the instrument's typical value. */
  private openInterestAt(m: number): number {
    if (this.openInterestBase === 0) return 0;
    return Math.round(this.openInterestBase * (0.97 + 0.06 * hashUniform(this.seed, this.key, m)));
  }

  /** Positions the cursor before tick 0 of minute m, whose walk goes from logStart to logEnd. */
  beginMinute(m: number, logStart: number, logEnd: number): void {
    this.minute = m;
    this.k = 0;
    this.logStart = logStart;
    this.logEnd = logEnd;
    this.x = logStart;
    this.pathRng.reseed(hash32(this.seed, this.key, m));
    this.bookRng.reseed(hash32(this.key, this.seed ^ 0x6a09e667, m));
    this.oiStart = this.openInterestAt(m - 1);
    this.oiEnd = this.openInterestAt(m);
  }

  /** Produces the next tick (moving to the next minute after the last tick of this one). */
  next(tickLots: number): void {
    const K = this.ticksPerMinute;
    if (this.k === K) {
      // Forward from the anchor this is the same sum logPrices computes: l += r(m).
      const m = this.minute + 1;
      this.beginMinute(m, this.logEnd, this.logEnd + this.minuteReturn(m));
    }
    const k = this.k;
    const remaining = K - k;
    const z = this.pathRng.normal();
    this.x = remaining === 1 ? this.logEnd : this.x + (this.logEnd - this.x) / remaining + this.sigmaStep * this.bridgeScale[remaining] * z;
    const u = this.pathRng.next();
    this.lots = 1 + Math.floor(u * u * tickLots);
    this.time = this.minute * MINUTE_MS + Math.floor(k * this.tickMs);
    if (this.openInterestBase !== 0) {
      this.openInterest = Math.round(this.oiStart + ((this.oiEnd - this.oiStart) * (k + 1)) / K);
    }
    this.k = k + 1;
  }
}

import { TickwireError } from "../event/errors.js";
import type { BarData } from "../trader/objects.js";
import * as ta from "./talib.js";

export const TW_STRATEGY_ARRAY_SIZE = "TW_STRATEGY_ARRAY_SIZE";

/** A pair of series or of last values, e.g. `[up, down]` of `boll`. */
export type Pair<T> = [T, T];

/**
 * vnpy's ArrayManager: the last `size` bars as fixed-size series (zeros until filled, oldest
 * first) and TA-Lib's indicators over them. Each indicator returns its last value, or with
 * `array = true` the whole series (NaN over the lookback), as vnpy's do.
 *
 * Indicators whose last value depends only on the last n bars (sma, std, wma, mom, roc*, cci,
 * willr, donchian, aroon, mfi, bop, trange, ultosc) read only those bars; the recursive ones
 * (ema, rsi, atr, adx, macd, ...) depend on where the window starts in TA-Lib, so they are
 * computed over the window to give vnpy's numbers (ema, rsi, cmo, atr, natr without building
 * the series).
 */
export class ArrayManager {
  readonly size: number;
  count = 0;
  inited = false;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly turnover: Float64Array;
  readonly openInterest: Float64Array;

  constructor(size = 100) {
    if (!Number.isInteger(size) || size < 1) {
      throw new TickwireError(TW_STRATEGY_ARRAY_SIZE, `ArrayManager size must be a positive integer, got ${size}.`);
    }
    this.size = size;
    this.open = new Float64Array(size);
    this.high = new Float64Array(size);
    this.low = new Float64Array(size);
    this.close = new Float64Array(size);
    this.volume = new Float64Array(size);
    this.turnover = new Float64Array(size);
    this.openInterest = new Float64Array(size);
  }

  /** Append a bar, dropping the oldest (seven 8·size-byte memmoves). */
  updateBar(bar: BarData): void {
    this.count++;
    if (!this.inited && this.count >= this.size) this.inited = true;
    const last = this.size - 1;
    push(this.open, bar.openPrice, last);
    push(this.high, bar.highPrice, last);
    push(this.low, bar.lowPrice, last);
    push(this.close, bar.closePrice, last);
    push(this.volume, bar.volume, last);
    push(this.turnover, bar.turnover, last);
    push(this.openInterest, bar.openInterest, last);
  }

  private get last(): number {
    return this.size - 1;
  }

  sma(n: number): number;
  sma(n: number, array: true): Float64Array;
  sma(n: number, array = false): number | Float64Array {
    if (array) return ta.smaSeries(this.close, n);
    if (n < 1 || n > this.size) return NaN;
    let s = 0;
    for (let i = this.size - n; i < this.size; i++) s += this.close[i];
    return s / n;
  }

  ema(n: number): number;
  ema(n: number, array: true): Float64Array;
  ema(n: number, array = false): number | Float64Array {
    return array ? ta.emaSeries(this.close, n) : ta.emaLast(this.close, n);
  }

  kama(n: number): number;
  kama(n: number, array: true): Float64Array;
  kama(n: number, array = false): number | Float64Array {
    return out(ta.kamaSeries(this.close, n), array);
  }

  wma(n: number): number;
  wma(n: number, array: true): Float64Array;
  wma(n: number, array = false): number | Float64Array {
    if (array) return ta.wmaSeries(this.close, n);
    if (n < 1 || n > this.size) return NaN;
    let s = 0;
    for (let j = 0; j < n; j++) s += this.close[this.size - n + j] * (j + 1);
    return s / ((n * (n + 1)) / 2);
  }

  apo(fast: number, slow: number, matype?: number): number;
  apo(fast: number, slow: number, matype: number, array: true): Float64Array;
  apo(fast: number, slow: number, matype = 0, array = false): number | Float64Array {
    const [f, s] = fast <= slow ? [fast, slow] : [slow, fast];
    const a = ta.maSeries(this.close, f, matype);
    const b = ta.maSeries(this.close, s, matype);
    for (let i = 0; i < a.length; i++) a[i] = i < s - 1 ? NaN : a[i] - b[i];
    return out(a, array);
  }

  ppo(fast: number, slow: number, matype?: number): number;
  ppo(fast: number, slow: number, matype: number, array: true): Float64Array;
  ppo(fast: number, slow: number, matype = 0, array = false): number | Float64Array {
    const [f, s] = fast <= slow ? [fast, slow] : [slow, fast];
    const a = ta.maSeries(this.close, f, matype);
    const b = ta.maSeries(this.close, s, matype);
    for (let i = 0; i < a.length; i++) a[i] = i < s - 1 ? NaN : b[i] !== 0 ? ((a[i] - b[i]) / b[i]) * 100 : 0;
    return out(a, array);
  }

  cmo(n: number): number;
  cmo(n: number, array: true): Float64Array;
  cmo(n: number, array = false): number | Float64Array {
    return array ? ta.cmoSeries(this.close, n) : ta.cmoLast(this.close, n);
  }

  mom(n: number): number;
  mom(n: number, array: true): Float64Array;
  mom(n: number, array = false): number | Float64Array {
    return this.change(n, "mom", array);
  }

  roc(n: number): number;
  roc(n: number, array: true): Float64Array;
  roc(n: number, array = false): number | Float64Array {
    return this.change(n, "roc", array);
  }

  rocr(n: number): number;
  rocr(n: number, array: true): Float64Array;
  rocr(n: number, array = false): number | Float64Array {
    return this.change(n, "rocr", array);
  }

  rocp(n: number): number;
  rocp(n: number, array: true): Float64Array;
  rocp(n: number, array = false): number | Float64Array {
    return this.change(n, "rocp", array);
  }

  rocr100(n: number): number;
  rocr100(n: number, array: true): Float64Array;
  rocr100(n: number, array = false): number | Float64Array {
    return this.change(n, "rocr100", array);
  }

  private change(n: number, kind: ta.RocKind, array: boolean): number | Float64Array {
    return array ? ta.rocSeries(this.close, n, kind) : ta.rocAt(this.close, n, this.last, kind);
  }

  trix(n: number): number;
  trix(n: number, array: true): Float64Array;
  trix(n: number, array = false): number | Float64Array {
    return out(ta.trixSeries(this.close, n), array);
  }

  std(n: number, nbdev?: number): number;
  std(n: number, nbdev: number, array: true): Float64Array;
  std(n: number, nbdev = 1, array = false): number | Float64Array {
    return array ? ta.stdSeries(this.close, n, nbdev) : ta.stdAt(this.close, n, this.last, nbdev);
  }

  obv(): number;
  obv(array: true): Float64Array;
  obv(array = false): number | Float64Array {
    return out(ta.obvSeries(this.close, this.volume), array);
  }

  cci(n: number): number;
  cci(n: number, array: true): Float64Array;
  cci(n: number, array = false): number | Float64Array {
    return array ? this.series((i) => ta.cciAt(this.high, this.low, this.close, n, i)) : ta.cciAt(this.high, this.low, this.close, n, this.last);
  }

  atr(n: number): number;
  atr(n: number, array: true): Float64Array;
  atr(n: number, array = false): number | Float64Array {
    return array ? ta.atrSeries(this.high, this.low, this.close, n) : ta.atrLast(this.high, this.low, this.close, n);
  }

  natr(n: number): number;
  natr(n: number, array: true): Float64Array;
  natr(n: number, array = false): number | Float64Array {
    if (array) return ta.natrSeries(this.high, this.low, this.close, n);
    const atr = ta.atrLast(this.high, this.low, this.close, n);
    const c = this.close[this.last];
    return Number.isNaN(atr) ? atr : c !== 0 ? (atr / c) * 100 : 0;
  }

  rsi(n: number): number;
  rsi(n: number, array: true): Float64Array;
  rsi(n: number, array = false): number | Float64Array {
    return array ? ta.rsiSeries(this.close, n) : ta.rsiLast(this.close, n);
  }

  /** `[macd, signal, hist]`. */
  macd(fast: number, slow: number, signal: number): [number, number, number];
  macd(fast: number, slow: number, signal: number, array: true): [Float64Array, Float64Array, Float64Array];
  macd(fast: number, slow: number, signal: number, array = false): [number, number, number] | [Float64Array, Float64Array, Float64Array] {
    const r = ta.macdSeries(this.close, fast, slow, signal);
    if (array) return [r.macd, r.signal, r.hist];
    return [r.macd[this.last], r.signal[this.last], r.hist[this.last]];
  }

  adx(n: number): number;
  adx(n: number, array: true): Float64Array;
  adx(n: number, array = false): number | Float64Array {
    return out(this.directional(n).adx, array);
  }

  adxr(n: number): number;
  adxr(n: number, array: true): Float64Array;
  adxr(n: number, array = false): number | Float64Array {
    return out(ta.adxrSeries(this.high, this.low, this.close, n), array);
  }

  dx(n: number): number;
  dx(n: number, array: true): Float64Array;
  dx(n: number, array = false): number | Float64Array {
    return out(this.directional(n).dx, array);
  }

  minusDi(n: number): number;
  minusDi(n: number, array: true): Float64Array;
  minusDi(n: number, array = false): number | Float64Array {
    return out(this.directional(n).minusDI, array);
  }

  plusDi(n: number): number;
  plusDi(n: number, array: true): Float64Array;
  plusDi(n: number, array = false): number | Float64Array {
    return out(this.directional(n).plusDI, array);
  }

  minusDm(n: number): number;
  minusDm(n: number, array: true): Float64Array;
  minusDm(n: number, array = false): number | Float64Array {
    return out(this.directional(n).minusDM, array);
  }

  plusDm(n: number): number;
  plusDm(n: number, array: true): Float64Array;
  plusDm(n: number, array = false): number | Float64Array {
    return out(this.directional(n).plusDM, array);
  }

  private directional(n: number): ta.DirectionalSeries {
    return ta.directionalSeries(this.high, this.low, this.close, n);
  }

  willr(n: number): number;
  willr(n: number, array: true): Float64Array;
  willr(n: number, array = false): number | Float64Array {
    return array ? this.series((i) => ta.willrAt(this.high, this.low, this.close, n, i)) : ta.willrAt(this.high, this.low, this.close, n, this.last);
  }

  ultosc(p1?: number, p2?: number, p3?: number): number;
  ultosc(p1: number, p2: number, p3: number, array: true): Float64Array;
  ultosc(p1 = 7, p2 = 14, p3 = 28, array = false): number | Float64Array {
    const at = (i: number): number => ta.ultoscAt(this.high, this.low, this.close, p1, p2, p3, i);
    return array ? this.series(at) : at(this.last);
  }

  trange(): number;
  trange(array: true): Float64Array;
  trange(array = false): number | Float64Array {
    if (array) return ta.trangeSeries(this.high, this.low, this.close);
    const i = this.last;
    return i < 1 ? NaN : ta.trueRange(this.high[i], this.low[i], this.close[i - 1]);
  }

  /** Bollinger channel `[up, down]`: sma ± std × dev. */
  boll(n: number, dev: number): Pair<number>;
  boll(n: number, dev: number, array: true): Pair<Float64Array>;
  boll(n: number, dev: number, array = false): Pair<number> | Pair<Float64Array> {
    if (!array) {
      const mid = this.sma(n);
      const std = this.std(n);
      return [mid + std * dev, mid - std * dev];
    }
    const mid = this.sma(n, true);
    const std = this.std(n, 1, true);
    return bands(mid, std, dev);
  }

  /** Keltner channel `[up, down]`: sma ± atr × dev. */
  keltner(n: number, dev: number): Pair<number>;
  keltner(n: number, dev: number, array: true): Pair<Float64Array>;
  keltner(n: number, dev: number, array = false): Pair<number> | Pair<Float64Array> {
    if (!array) {
      const mid = this.sma(n);
      const atr = this.atr(n);
      return [mid + atr * dev, mid - atr * dev];
    }
    return bands(this.sma(n, true), this.atr(n, true), dev);
  }

  /** Donchian channel `[up, down]`: highest high and lowest low of n bars. */
  donchian(n: number): Pair<number>;
  donchian(n: number, array: true): Pair<Float64Array>;
  donchian(n: number, array = false): Pair<number> | Pair<Float64Array> {
    if (!array) return [ta.maxAt(this.high, n, this.last), ta.minAt(this.low, n, this.last)];
    return [this.series((i) => ta.maxAt(this.high, n, i)), this.series((i) => ta.minAt(this.low, n, i))];
  }

  /** Aroon `[up, down]`. */
  aroon(n: number): Pair<number>;
  aroon(n: number, array: true): Pair<Float64Array>;
  aroon(n: number, array = false): Pair<number> | Pair<Float64Array> {
    if (!array) return ta.aroonAt(this.high, this.low, n, this.last);
    const up = new Float64Array(this.size);
    const down = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) [up[i], down[i]] = ta.aroonAt(this.high, this.low, n, i);
    return [up, down];
  }

  aroonosc(n: number): number;
  aroonosc(n: number, array: true): Float64Array;
  aroonosc(n: number, array = false): number | Float64Array {
    return array ? this.series((i) => ta.aroonoscAt(this.high, this.low, n, i)) : ta.aroonoscAt(this.high, this.low, n, this.last);
  }

  mfi(n: number): number;
  mfi(n: number, array: true): Float64Array;
  mfi(n: number, array = false): number | Float64Array {
    const at = (i: number): number => ta.mfiAt(this.high, this.low, this.close, this.volume, n, i);
    return array ? this.series(at) : at(this.last);
  }

  ad(): number;
  ad(array: true): Float64Array;
  ad(array = false): number | Float64Array {
    return out(ta.adSeries(this.high, this.low, this.close, this.volume), array);
  }

  adosc(fast: number, slow: number): number;
  adosc(fast: number, slow: number, array: true): Float64Array;
  adosc(fast: number, slow: number, array = false): number | Float64Array {
    return out(ta.adoscSeries(this.high, this.low, this.close, this.volume, fast, slow), array);
  }

  bop(): number;
  bop(array: true): Float64Array;
  bop(array = false): number | Float64Array {
    const at = (i: number): number => ta.bopAt(this.open[i], this.high[i], this.low[i], this.close[i]);
    return array ? this.series(at) : at(this.last);
  }

  /** Stochastic `[k, d]` (matype 0 SMA, 1 EMA, 2 WMA). */
  stoch(fastk: number, slowk: number, slowkMatype: number, slowd: number, slowdMatype: number): Pair<number>;
  stoch(fastk: number, slowk: number, slowkMatype: number, slowd: number, slowdMatype: number, array: true): Pair<Float64Array>;
  stoch(fastk: number, slowk: number, slowkMatype: number, slowd: number, slowdMatype: number, array = false): Pair<number> | Pair<Float64Array> {
    const r = ta.stochSeries(this.high, this.low, this.close, fastk, slowk, slowkMatype, slowd, slowdMatype);
    return array ? [r.k, r.d] : [r.k[this.last], r.d[this.last]];
  }

  /** Parabolic SAR. */
  sar(acceleration: number, maximum: number): number;
  sar(acceleration: number, maximum: number, array: true): Float64Array;
  sar(acceleration: number, maximum: number, array = false): number | Float64Array {
    return out(ta.sarSeries(this.high, this.low, acceleration, maximum), array);
  }

  private series(at: (i: number) => number): Float64Array {
    const r = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) r[i] = at(i);
    return r;
  }
}

function push(a: Float64Array, v: number, last: number): void {
  a.copyWithin(0, 1);
  a[last] = v;
}

function out(series: Float64Array, array: boolean): number | Float64Array {
  return array ? series : series[series.length - 1];
}

function bands(mid: Float64Array, width: Float64Array, dev: number): Pair<Float64Array> {
  const up = new Float64Array(mid.length);
  const down = new Float64Array(mid.length);
  for (let i = 0; i < mid.length; i++) {
    up[i] = mid[i] + width[i] * dev;
    down[i] = mid[i] - width[i] * dev;
  }
  return [up, down];
}

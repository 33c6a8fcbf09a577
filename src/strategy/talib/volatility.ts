/** Volatility and ranges of TA-Lib: TRANGE, ATR, NATR, STDDEV, MAX, MIN. (After TA-Lib's C sources: see ../talib.ts.) */
import { type Series, isZero, nanArray, argMax, argMin } from "./common.js";

/** TRUE_RANGE of TA-Lib: the largest of high-low, |high-prevClose|, |low-prevClose|. */
export function trueRange(high: number, low: number, prevClose: number): number {
  let r = high - low;
  const a = Math.abs(high - prevClose);
  if (a > r) r = a;
  const b = Math.abs(low - prevClose);
  if (b > r) r = b;
  return r;
}

/** Population standard deviation over n at index i, times nbdev (TA-Lib STDDEV through VAR). */
export function stdAt(x: Series, n: number, i: number, nbdev = 1): number {
  if (i - n + 1 < 0 || n < 1) return NaN;
  let s = 0;
  let s2 = 0;
  for (let j = i - n + 1; j <= i; j++) {
    s += x[j];
    s2 += x[j] * x[j];
  }
  const mean = s / n;
  const v = s2 / n - mean * mean;
  return v > 0 && !isZero(v) ? Math.sqrt(v) * nbdev : 0;
}

export function stdSeries(x: Series, n: number, nbdev = 1): Series {
  const out = nanArray(x.length);
  if (n < 1 || n > x.length) return out;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i];
    s2 += x[i] * x[i];
    if (i >= n) {
      s -= x[i - n];
      s2 -= x[i - n] * x[i - n];
    }
    if (i >= n - 1) {
      const mean = s / n;
      const v = s2 / n - mean * mean;
      out[i] = v > 0 && !isZero(v) ? Math.sqrt(v) * nbdev : 0;
    }
  }
  return out;
}

export function maxAt(x: Series, n: number, i: number): number {
  if (i - n + 1 < 0) return NaN;
  return x[argMax(x, i - n + 1, i)];
}

export function minAt(x: Series, n: number, i: number): number {
  if (i - n + 1 < 0) return NaN;
  return x[argMin(x, i - n + 1, i)];
}

export function trangeSeries(high: Series, low: Series, close: Series): Series {
  const out = nanArray(close.length);
  for (let i = 1; i < close.length; i++) out[i] = trueRange(high[i], low[i], close[i - 1]);
  return out;
}

export function atrSeries(high: Series, low: Series, close: Series, n: number): Series {
  if (n <= 1) return trangeSeries(high, low, close);
  const out = nanArray(close.length);
  if (n >= close.length) return out;
  let atr = 0;
  for (let i = 1; i <= n; i++) atr += trueRange(high[i], low[i], close[i - 1]);
  atr /= n;
  out[n] = atr;
  for (let i = n + 1; i < close.length; i++) {
    atr = (atr * (n - 1) + trueRange(high[i], low[i], close[i - 1])) / n;
    out[i] = atr;
  }
  return out;
}

export function natrSeries(high: Series, low: Series, close: Series, n: number): Series {
  const atr = atrSeries(high, low, close, n);
  for (let i = 0; i < atr.length; i++) if (!Number.isNaN(atr[i])) atr[i] = close[i] !== 0 ? (atr[i] / close[i]) * 100 : 0;
  return atr;
}

export function atrLast(high: Series, low: Series, close: Series, n: number): number {
  const len = close.length;
  if (n <= 1) return len < 2 ? NaN : trueRange(high[len - 1], low[len - 1], close[len - 2]);
  if (n >= len) return NaN;
  let atr = 0;
  for (let i = 1; i <= n; i++) atr += trueRange(high[i], low[i], close[i - 1]);
  atr /= n;
  for (let i = n + 1; i < len; i++) atr = (atr * (n - 1) + trueRange(high[i], low[i], close[i - 1])) / n;
  return atr;
}

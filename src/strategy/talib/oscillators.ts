/** Oscillators of TA-Lib: RSI and CMO (Wilder smoothing), CCI, WILLR, ULTOSC, BOP, STOCH. (After TA-Lib's C sources: see ../talib.ts.) */
import { type Series, isZero, nanArray, firstValid } from "./common.js";
import { maSeries } from "./movingAverages.js";
import { trueRange, maxAt, minAt } from "./volatility.js";

/** Wilder-smoothed gains and losses (RSI and CMO share them); `f` turns (gain, loss) into the value. */
function wilderGainLoss(x: Series, n: number, f: (gain: number, loss: number) => number): Series {
  const out = nanArray(x.length);
  if (n < 2 || n >= x.length) return out;
  let prevValue = x[0];
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= n; i++) {
    const d = x[i] - prevValue;
    prevValue = x[i];
    if (d < 0) loss -= d;
    else gain += d;
  }
  loss /= n;
  gain /= n;
  out[n] = f(gain, loss);
  for (let i = n + 1; i < x.length; i++) {
    const d = x[i] - prevValue;
    prevValue = x[i];
    loss *= n - 1;
    gain *= n - 1;
    if (d < 0) loss -= d;
    else gain += d;
    loss /= n;
    gain /= n;
    out[i] = f(gain, loss);
  }
  return out;
}

export function rsiSeries(x: Series, n: number): Series {
  return wilderGainLoss(x, n, (g, l) => {
    const t = g + l;
    return isZero(t) ? 0 : 100 * (g / t);
  });
}

export function cmoSeries(x: Series, n: number): Series {
  return wilderGainLoss(x, n, (g, l) => {
    const t = g + l;
    return isZero(t) ? 0 : 100 * ((g - l) / t);
  });
}

function wilderLast(x: Series, n: number, f: (gain: number, loss: number) => number): number {
  if (n < 2 || n >= x.length) return NaN;
  let prevValue = x[0];
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= n; i++) {
    const d = x[i] - prevValue;
    prevValue = x[i];
    if (d < 0) loss -= d;
    else gain += d;
  }
  loss /= n;
  gain /= n;
  for (let i = n + 1; i < x.length; i++) {
    const d = x[i] - prevValue;
    prevValue = x[i];
    loss *= n - 1;
    gain *= n - 1;
    if (d < 0) loss -= d;
    else gain += d;
    loss /= n;
    gain /= n;
  }
  return f(gain, loss);
}

export function rsiLast(x: Series, n: number): number {
  return wilderLast(x, n, (g, l) => {
    const t = g + l;
    return isZero(t) ? 0 : 100 * (g / t);
  });
}

export function cmoLast(x: Series, n: number): number {
  return wilderLast(x, n, (g, l) => {
    const t = g + l;
    return isZero(t) ? 0 : 100 * ((g - l) / t);
  });
}

export function cciAt(high: Series, low: Series, close: Series, n: number, i: number): number {
  if (i - n + 1 < 0 || n < 2) return NaN;
  let sum = 0;
  for (let j = i - n + 1; j <= i; j++) sum += (high[j] + low[j] + close[j]) / 3;
  const avg = sum / n;
  let dev = 0;
  for (let j = i - n + 1; j <= i; j++) dev += Math.abs((high[j] + low[j] + close[j]) / 3 - avg);
  dev /= n;
  const diff = (high[i] + low[i] + close[i]) / 3 - avg;
  return diff !== 0 && dev !== 0 ? diff / (0.015 * dev) : 0;
}

export function willrAt(high: Series, low: Series, close: Series, n: number, i: number): number {
  if (i - n + 1 < 0 || n < 1) return NaN;
  let hh = -Infinity;
  let ll = Infinity;
  for (let j = i - n + 1; j <= i; j++) {
    if (high[j] > hh) hh = high[j];
    if (low[j] < ll) ll = low[j];
  }
  const diff = (hh - ll) / -100;
  return diff !== 0 ? (hh - close[i]) / diff : 0;
}

export function ultoscAt(high: Series, low: Series, close: Series, p1: number, p2: number, p3: number, i: number): number {
  const [a, b, c] = [p1, p2, p3].sort((u, v) => u - v);
  if (i - c < 0) return NaN;
  const sums = (p: number): [number, number] => {
    let bp = 0;
    let tr = 0;
    for (let j = i - p + 1; j <= i; j++) {
      const trueLow = Math.min(low[j], close[j - 1]);
      bp += close[j] - trueLow;
      tr += trueRange(high[j], low[j], close[j - 1]);
    }
    return [bp, tr];
  };
  const [a1, b1] = sums(a);
  const [a2, b2] = sums(b);
  const [a3, b3] = sums(c);
  let v = 0;
  if (!isZero(b1)) v += 4 * (a1 / b1);
  if (!isZero(b2)) v += 2 * (a2 / b2);
  if (!isZero(b3)) v += a3 / b3;
  return 100 * (v / 7);
}

export function bopAt(open: number, high: number, low: number, close: number): number {
  const range = high - low;
  return range > 0 && !isZero(range) ? (close - open) / range : 0;
}

export function stochSeries(
  high: Series,
  low: Series,
  close: Series,
  fastk: number,
  slowk: number,
  slowkMatype: number,
  slowd: number,
  slowdMatype: number,
): { k: Series; d: Series } {
  const len = close.length;
  const fk = nanArray(len);
  for (let i = fastk - 1; i < len; i++) {
    const hh = maxAt(high, fastk, i);
    const ll = minAt(low, fastk, i);
    const diff = (hh - ll) / 100;
    fk[i] = diff !== 0 ? (close[i] - ll) / diff : 0;
  }
  const k = maSeries(fk, slowk, slowkMatype, fastk - 1);
  const d = maSeries(k, slowd, slowdMatype, firstValid(k));
  // TA-Lib starts both outputs where D starts.
  const begin = firstValid(d);
  for (let i = 0; i < Math.min(begin, len); i++) k[i] = NaN;
  return { k, d };
}

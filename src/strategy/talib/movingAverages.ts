/** Moving averages of TA-Lib: SMA, EMA (SMA-seeded), WMA, KAMA, MA by type. (After TA-Lib's C sources: see ../talib.ts.) */
import { type Series, isZero, nanArray } from "./common.js";

export function smaSeries(x: Series, n: number, from = 0): Series {
  const out = nanArray(x.length);
  const start = from + n - 1;
  if (n < 1 || start >= x.length) return out;
  let total = 0;
  for (let i = from; i < start; i++) total += x[i];
  for (let i = start, trail = from; i < x.length; i++, trail++) {
    total += x[i];
    out[i] = total / n;
    total -= x[trail];
  }
  return out;
}

/** EMA seeded with the SMA of its first n inputs (from index `from`), k = 2/(n+1). */
export function emaSeries(x: Series, n: number, from = 0, k = 2 / (n + 1)): Series {
  const out = nanArray(x.length);
  const start = from + n - 1;
  if (n < 1 || start >= x.length) return out;
  let sum = 0;
  for (let i = from; i <= start; i++) sum += x[i];
  let prev = sum / n;
  out[start] = prev;
  for (let i = start + 1; i < x.length; i++) {
    prev = (x[i] - prev) * k + prev;
    out[i] = prev;
  }
  return out;
}

/** TA-Lib's MA by type: 0 SMA, 1 EMA, 2 WMA. */
export function maSeries(x: Series, n: number, matype: number, from = 0): Series {
  if (matype === 1) return emaSeries(x, n, from);
  if (matype === 2) return wmaSeries(x, n, from);
  return smaSeries(x, n, from);
}

export function wmaSeries(x: Series, n: number, from = 0): Series {
  const out = nanArray(x.length);
  const start = from + n - 1;
  if (n < 1 || start >= x.length) return out;
  const divider = (n * (n + 1)) / 2;
  for (let i = start; i < x.length; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += x[i - n + 1 + j] * (j + 1);
    out[i] = s / divider;
  }
  return out;
}

export function kamaSeries(x: Series, n: number): Series {
  const out = nanArray(x.length);
  if (n < 1 || n >= x.length) return out;
  const constMax = 2 / (30 + 1);
  const constDiff = 2 / (2 + 1) - constMax;
  let sumROC1 = 0;
  let today = 0;
  let trailingIdx = 0;
  for (let i = 0; i < n; i++, today++) sumROC1 += Math.abs(x[today] - x[today + 1]);
  let prevKAMA = x[today - 1];
  let tempReal = x[today];
  let tempReal2 = x[trailingIdx++];
  let periodROC = tempReal - tempReal2;
  let trailingValue = tempReal2;
  let er = sumROC1 <= periodROC || isZero(sumROC1) ? 1 : Math.abs(periodROC / sumROC1);
  let sc = er * constDiff + constMax;
  sc *= sc;
  prevKAMA = (x[today++] - prevKAMA) * sc + prevKAMA;
  out[today - 1] = prevKAMA;
  while (today < x.length) {
    tempReal = x[today];
    tempReal2 = x[trailingIdx++];
    periodROC = tempReal - tempReal2;
    sumROC1 -= Math.abs(trailingValue - tempReal2);
    sumROC1 += Math.abs(tempReal - x[today - 1]);
    trailingValue = tempReal2;
    er = sumROC1 <= periodROC || isZero(sumROC1) ? 1 : Math.abs(periodROC / sumROC1);
    sc = er * constDiff + constMax;
    sc *= sc;
    prevKAMA = (x[today++] - prevKAMA) * sc + prevKAMA;
    out[today - 1] = prevKAMA;
  }
  return out;
}

export function emaLast(x: Series, n: number): number {
  if (n < 1 || n > x.length) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  const k = 2 / (n + 1);
  let prev = sum / n;
  for (let i = n; i < x.length; i++) prev = (x[i] - prev) * k + prev;
  return prev;
}

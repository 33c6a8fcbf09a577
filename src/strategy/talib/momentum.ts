/** Momentum and trend of TA-Lib: MOM/ROC family, TRIX, MACD, directional movement (DI, DX, ADX, ADXR), SAR, AROON. (After TA-Lib's C sources: see ../talib.ts.) */
import { type Series, isZero, nanArray, firstValid, argMax, argMin } from "./common.js";
import { emaSeries } from "./movingAverages.js";
import { trueRange } from "./volatility.js";

export type RocKind = "mom" | "roc" | "rocp" | "rocr" | "rocr100";

/** The change over `n` bars at index i (MOM, ROC, ROCP, ROCR, ROCR100 of TA-Lib). */
export function rocAt(x: Series, n: number, i: number, kind: RocKind): number {
  if (i - n < 0 || n < 1) return NaN;
  const cur = x[i];
  const prev = x[i - n];
  switch (kind) {
    case "mom":
      return cur - prev;
    case "roc":
      return prev !== 0 ? (cur / prev - 1) * 100 : 0;
    case "rocp":
      return prev !== 0 ? (cur - prev) / prev : 0;
    case "rocr":
      return prev !== 0 ? cur / prev : 0;
    case "rocr100":
      return prev !== 0 ? (cur / prev) * 100 : 0;
  }
}

export function rocSeries(x: Series, n: number, kind: RocKind): Series {
  const out = nanArray(x.length);
  for (let i = n; i < x.length; i++) out[i] = rocAt(x, n, i, kind);
  return out;
}

export function trixSeries(x: Series, n: number): Series {
  const e1 = emaSeries(x, n);
  const e2 = emaSeries(e1, n, firstValid(e1));
  const e3 = emaSeries(e2, n, firstValid(e2));
  const out = nanArray(x.length);
  for (let i = firstValid(e3) + 1; i < x.length; i++) {
    const prev = e3[i - 1];
    out[i] = prev !== 0 ? (e3[i] / prev - 1) * 100 : 0;
  }
  return out;
}

export interface MacdSeries {
  macd: Series;
  signal: Series;
  hist: Series;
}

/** TA-Lib MACD: both EMAs start at index slow-1 (the fast one seeded on its own last `fast` inputs). */
export function macdSeries(x: Series, fast: number, slow: number, signal: number): MacdSeries {
  if (slow < fast) [fast, slow] = [slow, fast];
  const len = x.length;
  const macd = nanArray(len);
  const sig = nanArray(len);
  const hist = nanArray(len);
  const begin = slow - 1;
  const out = begin + signal - 1;
  if (out >= len) return { macd, signal: sig, hist };
  const slowE = emaSeries(x, slow, 0);
  const fastE = emaSeries(x, fast, begin - (fast - 1));
  const raw = nanArray(len);
  for (let i = begin; i < len; i++) raw[i] = fastE[i] - slowE[i];
  const s = emaSeries(raw, signal, begin);
  for (let i = out; i < len; i++) {
    macd[i] = raw[i];
    sig[i] = s[i];
    hist[i] = raw[i] - s[i];
  }
  return { macd, signal: sig, hist };
}

export interface DirectionalSeries {
  plusDM: Series;
  minusDM: Series;
  plusDI: Series;
  minusDI: Series;
  dx: Series;
  adx: Series;
}

/**
 * Wilder's directional movement (PLUS_DM, MINUS_DM, PLUS_DI, MINUS_DI, DX, ADX) in one pass,
 * each with TA-Lib's own start: DM from n-1, DI and DX from n, ADX from 2n-1.
 */
export function directionalSeries(high: Series, low: Series, close: Series, n: number): DirectionalSeries {
  const len = close.length;
  const r: DirectionalSeries = {
    plusDM: nanArray(len),
    minusDM: nanArray(len),
    plusDI: nanArray(len),
    minusDI: nanArray(len),
    dx: nanArray(len),
    adx: nanArray(len),
  };
  if (n < 2 || n >= len) return r;
  let pdm = 0;
  let mdm = 0;
  let tr = 0;
  let prevHigh = high[0];
  let prevLow = low[0];
  let prevClose = close[0];
  let sumDX = 0;
  let adx = 0;
  for (let today = 1; today < len; today++) {
    const diffP = high[today] - prevHigh;
    const diffM = prevLow - low[today];
    prevHigh = high[today];
    prevLow = low[today];
    const t = trueRange(prevHigh, prevLow, prevClose);
    prevClose = close[today];
    if (today < n) {
      if (diffM > 0 && diffP < diffM) mdm += diffM;
      else if (diffP > 0 && diffP > diffM) pdm += diffP;
      tr += t;
      if (today === n - 1) {
        r.plusDM[today] = pdm;
        r.minusDM[today] = mdm;
      }
      continue;
    }
    pdm -= pdm / n;
    mdm -= mdm / n;
    if (diffM > 0 && diffP < diffM) mdm += diffM;
    else if (diffP > 0 && diffP > diffM) pdm += diffP;
    tr = tr - tr / n + t;
    r.plusDM[today] = pdm;
    r.minusDM[today] = mdm;
    let dx = 0;
    let dxValid = false;
    if (!isZero(tr)) {
      const minusDI = 100 * (mdm / tr);
      const plusDI = 100 * (pdm / tr);
      r.minusDI[today] = minusDI;
      r.plusDI[today] = plusDI;
      const s = minusDI + plusDI;
      if (!isZero(s)) {
        dx = 100 * (Math.abs(minusDI - plusDI) / s);
        dxValid = true;
      }
    } else {
      r.minusDI[today] = 0;
      r.plusDI[today] = 0;
    }
    r.dx[today] = dx;
    if (today < 2 * n - 1) {
      if (dxValid) sumDX += dx;
    } else if (today === 2 * n - 1) {
      if (dxValid) sumDX += dx;
      adx = sumDX / n;
      r.adx[today] = adx;
    } else {
      if (dxValid) adx = (adx * (n - 1) + dx) / n;
      r.adx[today] = adx;
    }
  }
  return r;
}

export function adxrSeries(high: Series, low: Series, close: Series, n: number): Series {
  const adx = directionalSeries(high, low, close, n).adx;
  const out = nanArray(close.length);
  for (let i = 3 * n - 2; i < close.length; i++) out[i] = (adx[i] + adx[i - (n - 1)]) / 2;
  return out;
}

export function sarSeries(high: Series, low: Series, acceleration: number, maximum: number): Series {
  const len = high.length;
  const out = nanArray(len);
  if (len < 2) return out;
  let accel = acceleration;
  if (accel > maximum) accel = maximum;
  let af = accel;
  const diffP = high[1] - high[0];
  const diffM = low[0] - low[1];
  let isLong = !(diffM > 0 && diffP < diffM);
  let ep: number;
  let sar: number;
  if (isLong) {
    ep = high[1];
    sar = low[0];
  } else {
    ep = low[1];
    sar = high[0];
  }
  let newLow = low[1];
  let newHigh = high[1];
  for (let today = 1; today < len; today++) {
    const prevLow = newLow;
    const prevHigh = newHigh;
    newLow = low[today];
    newHigh = high[today];
    if (isLong) {
      if (newLow <= sar) {
        isLong = false;
        sar = ep;
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
        out[today] = sar;
        af = accel;
        ep = newLow;
        sar = sar + af * (ep - sar);
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
      } else {
        out[today] = sar;
        if (newHigh > ep) {
          ep = newHigh;
          af += accel;
          if (af > maximum) af = maximum;
        }
        sar = sar + af * (ep - sar);
        if (sar > prevLow) sar = prevLow;
        if (sar > newLow) sar = newLow;
      }
    } else if (newHigh >= sar) {
      isLong = true;
      sar = ep;
      if (sar > prevLow) sar = prevLow;
      if (sar > newLow) sar = newLow;
      out[today] = sar;
      af = accel;
      ep = newHigh;
      sar = sar + af * (ep - sar);
      if (sar > prevLow) sar = prevLow;
      if (sar > newLow) sar = newLow;
    } else {
      out[today] = sar;
      if (newLow < ep) {
        ep = newLow;
        af += accel;
        if (af > maximum) af = maximum;
      }
      sar = sar + af * (ep - sar);
      if (sar < prevHigh) sar = prevHigh;
      if (sar < newHigh) sar = newHigh;
    }
  }
  return out;
}

/** AROON over the n+1 bars ending at i: [up, down]. */
export function aroonAt(high: Series, low: Series, n: number, i: number): [number, number] {
  if (i - n < 0 || n < 2) return [NaN, NaN];
  const factor = 100 / n;
  const hi = argMax(high, i - n, i);
  const lo = argMin(low, i - n, i);
  return [factor * (n - (i - hi)), factor * (n - (i - lo))];
}

export function aroonoscAt(high: Series, low: Series, n: number, i: number): number {
  if (i - n < 0 || n < 2) return NaN;
  const factor = 100 / n;
  return factor * (argMax(high, i - n, i) - argMin(low, i - n, i));
}

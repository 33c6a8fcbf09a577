/** Volume indicators of TA-Lib: OBV, MFI, AD, ADOSC. (After TA-Lib's C sources: see ../talib.ts.) */
import { type Series, nanArray } from "./common.js";

export function obvSeries(close: Series, volume: Series): Series {
  const out = nanArray(close.length);
  if (close.length === 0) return out;
  let obv = volume[0];
  let prev = close[0];
  out[0] = obv;
  for (let i = 1; i < close.length; i++) {
    if (close[i] > prev) obv += volume[i];
    else if (close[i] < prev) obv -= volume[i];
    prev = close[i];
    out[i] = obv;
  }
  return out;
}

export function mfiAt(high: Series, low: Series, close: Series, volume: Series, n: number, i: number): number {
  if (i - n < 0 || n < 2) return NaN;
  let pos = 0;
  let neg = 0;
  let prevTp = (high[i - n] + low[i - n] + close[i - n]) / 3;
  for (let j = i - n + 1; j <= i; j++) {
    const tp = (high[j] + low[j] + close[j]) / 3;
    const mf = tp * volume[j];
    if (tp > prevTp) pos += mf;
    else if (tp < prevTp) neg += mf;
    prevTp = tp;
  }
  const total = pos + neg;
  return total < 1 ? 0 : 100 * (pos / total);
}

function adStep(ad: number, h: number, l: number, c: number, v: number): number {
  const range = h - l;
  return range > 0 ? ad + ((c - l - (h - c)) / range) * v : ad;
}

export function adSeries(high: Series, low: Series, close: Series, volume: Series): Series {
  const out = nanArray(close.length);
  let ad = 0;
  for (let i = 0; i < close.length; i++) {
    ad = adStep(ad, high[i], low[i], close[i], volume[i]);
    out[i] = ad;
  }
  return out;
}

/** TA-Lib ADOSC: both EMAs of the A/D line seeded with its first value, not an SMA. */
export function adoscSeries(high: Series, low: Series, close: Series, volume: Series, fast: number, slow: number): Series {
  const out = nanArray(close.length);
  const lookback = Math.max(fast, slow) - 1;
  if (close.length <= lookback) return out;
  const fk = 2 / (fast + 1);
  const sk = 2 / (slow + 1);
  let ad = adStep(0, high[0], low[0], close[0], volume[0]);
  let fe = ad;
  let se = ad;
  for (let i = 1; i < close.length; i++) {
    ad = adStep(ad, high[i], low[i], close[i], volume[i]);
    fe = fk * ad + (1 - fk) * fe;
    se = sk * ad + (1 - sk) * se;
    if (i >= lookback) out[i] = fe - se;
  }
  if (lookback === 0) out[0] = 0;
  return out;
}

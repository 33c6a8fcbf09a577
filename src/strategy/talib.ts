/*
 * TA-Lib's functions over a window of bars, written after TA-Lib's C sources (ta_*.c, default
 * "classic" compatibility, unstable periods 0), so ArrayManager returns the numbers vnpy gets
 * from talib on the same window. Each `*Series` returns a Float64Array as long as its input with
 * NaN over the lookback, as Python's talib does. Recursive indicators (EMA, RSI, ATR, ADX, ...)
 * depend on where the window starts, exactly as in vnpy, so they are computed over the window.
 */

type Series = Float64Array;

function isZero(v: number): boolean {
  return v > -1e-14 && v < 1e-14;
}

function nanArray(n: number): Series {
  return new Float64Array(n).fill(NaN);
}

/** TRUE_RANGE of TA-Lib: the largest of high-low, |high-prevClose|, |low-prevClose|. */
export function trueRange(high: number, low: number, prevClose: number): number {
  let r = high - low;
  const a = Math.abs(high - prevClose);
  if (a > r) r = a;
  const b = Math.abs(low - prevClose);
  if (b > r) r = b;
  return r;
}

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

/** First index holding a number (not NaN), or the length. */
export function firstValid(x: Series): number {
  let i = 0;
  while (i < x.length && Number.isNaN(x[i])) i++;
  return i;
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

/** Index of the highest (ties: latest) value of x over [i-n+1, i]. */
function argMax(x: Series, from: number, to: number): number {
  let k = from;
  for (let j = from; j <= to; j++) if (x[j] >= x[k]) k = j;
  return k;
}

function argMin(x: Series, from: number, to: number): number {
  let k = from;
  for (let j = from; j <= to; j++) if (x[j] <= x[k]) k = j;
  return k;
}

export function maxAt(x: Series, n: number, i: number): number {
  if (i - n + 1 < 0) return NaN;
  return x[argMax(x, i - n + 1, i)];
}

export function minAt(x: Series, n: number, i: number): number {
  if (i - n + 1 < 0) return NaN;
  return x[argMin(x, i - n + 1, i)];
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

// --- last values without building the series (same arithmetic, so the same bits) ------------

export function emaLast(x: Series, n: number): number {
  if (n < 1 || n > x.length) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  const k = 2 / (n + 1);
  let prev = sum / n;
  for (let i = n; i < x.length; i++) prev = (x[i] - prev) * k + prev;
  return prev;
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

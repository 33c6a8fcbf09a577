/*
 * The exact summation and moment rules of numpy 1.24 / pandas 1.5.3 / bottleneck that vnpy's
 * statistics go through, so the last bits match (../shared/golden/README.md, "Numerics").
 */

/** numpy's pairwise sum (`np.add.reduce` on a contiguous float64 array). */
export function pairwiseSum(a: ArrayLike<number>, from = 0, n = a.length - from): number {
  if (n < 8) {
    let r = 0;
    for (let i = 0; i < n; i++) r += a[from + i];
    return r;
  }
  if (n <= 128) {
    const r = [a[from], a[from + 1], a[from + 2], a[from + 3], a[from + 4], a[from + 5], a[from + 6], a[from + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[from + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[from + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
}

/** `Series.mean()`: pairwise sum / n. */
export function mean(a: ArrayLike<number>): number {
  return pairwiseSum(a) / a.length;
}

/** `Series.std()` through bottleneck's nanstd (ddof 1): naive sums, NaN below 2 values. */
export function stdBottleneck(a: ArrayLike<number>): number {
  const n = a.length;
  if (n - 1 <= 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  const m = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] - m;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

function zeroOutFpErr(v: number): number {
  return Math.abs(v) < 1e-14 ? 0 : v;
}

function deviations(a: ArrayLike<number>): Float64Array {
  const m = pairwiseSum(a) / a.length;
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - m;
  return d;
}

/** pandas `Series.skew()` (bias-corrected), NaN below 3 values. */
export function skew(a: ArrayLike<number>): number {
  const n = a.length;
  if (n < 3) return NaN;
  const d = deviations(a);
  const d2 = d.map((x) => x * x);
  const d3 = d2.map((x, i) => x * d[i]);
  const m2 = zeroOutFpErr(pairwiseSum(d2));
  const m3 = zeroOutFpErr(pairwiseSum(d3));
  if (m2 === 0) return 0;
  return ((n * Math.sqrt(n - 1)) / (n - 2)) * (m3 / Math.pow(m2, 1.5));
}

/** pandas `Series.kurt()` (excess, bias-corrected), NaN below 4 values. */
export function kurt(a: ArrayLike<number>): number {
  const n = a.length;
  if (n < 4) return NaN;
  const d = deviations(a);
  const d2 = d.map((x) => x * x);
  const d4 = d2.map((x) => x * x);
  const m2 = pairwiseSum(d2);
  const m4 = pairwiseSum(d4);
  const adj = (3 * ((n - 1) * (n - 1))) / ((n - 2) * (n - 3));
  const numer = zeroOutFpErr(n * (n + 1) * (n - 1) * m4);
  const denom = zeroOutFpErr((n - 2) * (n - 3) * (m2 * m2));
  if (denom === 0) return 0;
  return numer / denom - adj;
}

/** `1 - alpha` of pandas' `ewm(halflife)`. */
function ewmDecay(halfLife: number): number {
  const com = 1 / (1 - Math.exp(Math.log(0.5) / halfLife)) - 1;
  return 1 - 1 / (1 + com);
}

/** Last value of pandas `ewm(halflife).mean()` (adjust=True). */
export function ewmMeanLast(x: ArrayLike<number>, halfLife: number): number {
  if (x.length === 0) return NaN;
  const f = ewmDecay(halfLife);
  let m = x[0];
  let w = 1;
  for (let i = 1; i < x.length; i++) {
    w *= f;
    if (m !== x[i]) m = (w * m + x[i]) / (w + 1);
    w += 1;
  }
  return m;
}

/** Last value of pandas `ewm(halflife).std()` (adjust=True, bias-corrected). */
export function ewmStdLast(x: ArrayLike<number>, halfLife: number): number {
  if (x.length === 0) return NaN;
  const f = ewmDecay(halfLife);
  let mx = x[0];
  let cov = 0;
  let s = 1;
  let s2 = 1;
  let w = 1;
  for (let i = 1; i < x.length; i++) {
    const cur = x[i];
    s *= f;
    s2 *= f * f;
    w *= f;
    const old = mx;
    if (mx !== cur) mx = (w * old + cur) / (w + 1);
    cov = (w * (cov + (old - mx) * (old - mx)) + (cur - mx) * (cur - mx)) / (w + 1);
    s += 1;
    s2 += 1;
    w += 1;
  }
  const numerator = s * s;
  const denominator = numerator - s2;
  const v = denominator > 0 ? (numerator / denominator) * cov : NaN;
  return v >= 0 ? Math.sqrt(v) : Number.isNaN(v) ? NaN : 0;
}

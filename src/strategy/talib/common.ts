/** Shared by the talib files: the series type, the float zero test, NaN-filled arrays, index helpers. (After TA-Lib's C sources: see ../talib.ts.) */

export type Series = Float64Array;

export function isZero(v: number): boolean {
  return v > -1e-14 && v < 1e-14;
}

export function nanArray(n: number): Series {
  return new Float64Array(n).fill(NaN);
}

/** First index holding a number (not NaN), or the length. */
export function firstValid(x: Series): number {
  let i = 0;
  while (i < x.length && Number.isNaN(x[i])) i++;
  return i;
}

/** Index of the highest (ties: latest) value of x over [i-n+1, i]. */
export function argMax(x: Series, from: number, to: number): number {
  let k = from;
  for (let j = from; j <= to; j++) if (x[j] >= x[k]) k = j;
  return k;
}

export function argMin(x: Series, from: number, to: number): number {
  let k = from;
  for (let j = from; j <= to; j++) if (x[j] <= x[k]) k = j;
  return k;
}

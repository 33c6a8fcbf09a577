/**
 * The shape every benchmark suite reports in, so `npm run bench` prints one table and one JSON.
 * A row names what was measured, its value and unit, and, where the suite ran a peer in the same
 * run, the peer's name and the ratio ours/peer (ratios survive a noisy machine; absolutes don't).
 */
export interface BenchRow {
  suite: string;
  name: string;
  value: number;
  unit: string; // "ops/s", "µs", "x"
  peer?: string;
  peerValue?: number;
  ratio?: number; // value / peerValue (for latency: peer / ours, so > 1 is always better)
  target?: string; // the target, as text
  met?: boolean;
}

export type BenchSuite = (opts: { quick: boolean }) => Promise<BenchRow[]>;

export function now(): number {
  return performance.now();
}

/** Percentile of a sorted copy of `samples` (p in 0..100). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = Float64Array.from(samples).sort();
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

/** Run `fn` `runs` times and return the best (highest) value — the least disturbed run. */
export async function best(runs: number, fn: () => Promise<number> | number): Promise<number> {
  let top = -Infinity;
  for (let i = 0; i < runs; i++) top = Math.max(top, await fn());
  return top;
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(2) + "M";
  if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(1) + "k";
  if (Math.abs(n) >= 100) return n.toFixed(0);
  return n.toFixed(2);
}

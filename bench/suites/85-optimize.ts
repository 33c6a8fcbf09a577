/**
 * Optimization on worker threads (issue 12): the same grid of double-MA backtests on the golden
 * bars through 2 threads vs 1 (target ≥ 1.7× on this 2-core machine). Threads are started and
 * warmed (strategy imported, bars unpacked) before timing.
 */
import { fileURLToPath } from "node:url";
import { best, now, type BenchRow, type BenchSuite } from "../harness.js";
import { gridSettings, threadEvaluator, toJob } from "../../src/apps/backtest/index.js";
import { GOLDEN_PARAMETERS, goldenBars } from "../../test/apps/golden.js";

const SUITE = "optimize";
const STRATEGY = fileURLToPath(new URL("../../examples/strategies/double-ma.ts", import.meta.url));

async function setsPerSecond(threads: number, settings: Record<string, unknown>[], runs: number): Promise<number> {
  const job = toJob({ strategy: STRATEGY, parameters: { ...GOLDEN_PARAMETERS }, history: goldenBars() });
  const ev = threadEvaluator(job, "sharpeRatio", threads);
  try {
    await ev.evaluate(settings.slice(0, 4 * threads), () => {});
    return await best(runs, async () => {
      const t0 = now();
      await ev.evaluate(settings, () => {});
      return (settings.length * 1000) / (now() - t0);
    });
  } finally {
    await ev.close();
  }
}

const suite: BenchSuite = async ({ quick }) => {
  const settings = gridSettings({ fastWindow: { start: 2, end: quick ? 8 : 16, step: 2 }, slowWindow: [20, 30, 40, 60] });
  const runs = quick ? 1 : 3;
  const one = await setsPerSecond(1, settings, runs);
  const two = await setsPerSecond(2, settings, runs);
  const ratio = two / one;
  return [
    {
      suite: SUITE,
      name: `grid of ${settings.length} double-MA backtests (20k bars each), 2 threads`,
      value: two,
      unit: "sets/s",
      peer: "1 thread",
      peerValue: one,
      ratio,
      target: "≥ 1.7×",
      met: ratio >= 1.7,
    } satisfies BenchRow,
  ];
};

export default suite;

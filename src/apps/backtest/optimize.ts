/**
 * Parameter optimization (vnpy's run_bf_optimization / run_ga_optimization): every parameter set
 * is a fresh backtest run by an evaluator — worker threads by default, or RabbitMQ workers.
 */
import { availableParallelism } from "node:os";
import { TickwireError } from "../../event/errors.js";
import type { WorkerPool } from "../../workers/WorkerPool.js";
import type { BarData } from "../../trader/objects.js";
import type { StrategySetting } from "../../strategy/CtaTemplate.js";
import type { BacktestParameters } from "./BacktestingEngine.js";
import { TW_BACKTEST_OPTIMIZE, packBars, type OptimizationJob, type OptimizationResult } from "./evaluate.js";

export { TW_BACKTEST_OPTIMIZE, type OptimizationJob, type OptimizationResult } from "./evaluate.js";

/** A parameter's values: an explicit list, or an inclusive range `{ start, end, step }`. */
export type ParameterValues = readonly (number | string | boolean)[] | { start: number; end: number; step?: number };
/** `{ fastWindow: { start: 5, end: 20, step: 5 }, slowWindow: [20, 30, 60] }`. */
export type OptimizationSpace = Readonly<Record<string, ParameterValues>>;

/** Backtests parameter sets: in threads (`threadEvaluator`) or elsewhere (`tickwire/apps/backtest`'s bus optimizer). */
export interface Evaluator {
  evaluate(settings: StrategySetting[], onResult: (r: OptimizationResult) => void): Promise<OptimizationResult[]>;
  close(): Promise<void>;
  /** After a failed set: drop the sets still waiting instead of running them (default: close). */
  abort?(): Promise<void>;
}

export interface OptimizationOptions {
  /** The statistic to maximize (e.g. "sharpeRatio", "totalNetPnl"). */
  target: string;
  /** Worker threads; default: the CPU count. */
  threads?: number;
  /** Called after each backtest: sets done, sets planned, the best so far. */
  onProgress?: (done: number, total: number, best: OptimizationResult | undefined) => void;
  /** Run the sets with this instead of a thread pool (the caller closes it). */
  evaluator?: Evaluator;
}

export interface GeneticOptions extends OptimizationOptions {
  /** Individuals per generation; default 20. */
  population?: number;
  /** Generations after the first; default 10. */
  generations?: number;
  /** Chance that two parents are crossed (else the first is copied); default 0.9. */
  crossoverRate?: number;
  /** Chance per gene of a random new value; default 0.2. */
  mutationRate?: number;
  /** Best individuals kept unchanged each generation; default 2. */
  elite?: number;
  /** Seed of the random numbers: the same seed, space and data give the same search. Default 1. */
  seed?: number;
}

/** What to backtest: the strategy module, the engine's parameters, the history. */
export interface OptimizationTarget {
  strategy: string;
  className?: string;
  parameters: BacktestParameters;
  setting?: StrategySetting;
  /** Bars in memory, or a `tickwire/data` database URL each worker streams them from. */
  history: readonly BarData[] | { database: string };
}

export function toJob(t: OptimizationTarget): OptimizationJob {
  const { start, end } = t.parameters;
  // Dates become ISO text, so the job is JSON too (for RabbitMQ).
  const parameters: BacktestParameters = {
    ...t.parameters,
    start: start instanceof Date ? start.toISOString() : start,
    end: end instanceof Date ? end.toISOString() : end,
  };
  return {
    strategy: t.strategy,
    className: t.className,
    parameters,
    setting: t.setting,
    history: Array.isArray(t.history) ? packBars(t.history as BarData[]) : (t.history as { database: string }),
  };
}

function bad(message: string): never {
  throw new TickwireError(TW_BACKTEST_OPTIMIZE, message);
}

/** Each parameter's values, in order. */
export function expandSpace(space: OptimizationSpace): { names: string[]; values: (number | string | boolean)[][] } {
  const names = Object.keys(space);
  if (names.length === 0) bad("The optimization space is empty: give at least one parameter with its values.");
  const values = names.map((name) => {
    const v = space[name];
    if (Array.isArray(v)) {
      if (v.length === 0) bad(`The parameter "${name}" has no values.`);
      return [...(v as (number | string | boolean)[])];
    }
    const { start, end, step = 1 } = v as { start: number; end: number; step?: number };
    if (![start, end, step].every(Number.isFinite) || step <= 0 || end < start) {
      bad(`The range of "${name}" must have finite start ≤ end and a step > 0 (got ${String(start)}:${String(end)}:${String(step)}).`);
    }
    const out: number[] = [];
    // Counted in steps, then rounded to the step's decimals, so 0.1 steps give 0.3, not 0.30000000000000004.
    const decimals = Math.max(decimalsOf(start), decimalsOf(step));
    for (let i = 0; start + i * step <= end + 1e-9 * Math.abs(step); i++) out.push(Number((start + i * step).toFixed(decimals)));
    if (out.length > 1_000_000) bad(`The range of "${name}" has more than 1,000,000 values: use a larger step.`);
    return out;
  });
  return { names, values };
}

function decimalsOf(x: number): number {
  const s = String(x);
  const i = s.indexOf(".");
  return i < 0 ? 0 : s.length - i - 1;
}

/** Every combination of the space, the first parameter varying slowest (vnpy's order). */
export function gridSettings(space: OptimizationSpace): StrategySetting[] {
  const { names, values } = expandSpace(space);
  const total = values.reduce((n, v) => n * v.length, 1);
  if (total > 10_000_000) bad(`The grid has ${total} parameter sets: narrow the ranges or use the genetic search.`);
  let out: StrategySetting[] = [{}];
  names.forEach((name, k) => {
    const next: StrategySetting[] = [];
    for (const s of out) for (const v of values[k]) next.push({ ...s, [name]: v });
    out = next;
  });
  return out;
}

export function settingKey(s: StrategySetting): string {
  return JSON.stringify(
    Object.keys(s)
      .sort()
      .map((k) => [k, s[k]]),
  );
}

/** Results best first; ties keep the order of the sets. */
export function sortResults(results: OptimizationResult[]): OptimizationResult[] {
  return results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.target - a.r.target || a.i - b.i)
    .map((x) => x.r);
}

/** Worker threads, each importing the strategy module and backtesting one set per task. */
export function threadEvaluator(job: OptimizationJob, target: string, threads = availableParallelism()): Evaluator {
  // The pool (and piscina, ~130 ms to load) starts with the first evaluation, so importing
  // tickwire/apps/backtest for a plain backtest loads no worker library.
  let started: Promise<WorkerPool> | undefined;
  const start = (): Promise<WorkerPool> =>
    (started ??= import("../../workers/WorkerPool.js").then(
      ({ WorkerPool }) => new WorkerPool({ module: new URL("./optimizeWorker" + moduleExt(), import.meta.url), threads }),
    ));
  return {
    evaluate: (settings, onResult) =>
      Promise.all(
        settings.map(async (s) => {
          const pool = await start();
          const r = (await pool.submit("evaluate", job, s, target)) as OptimizationResult;
          onResult(r);
          return r;
        }),
      ),
    close: async () => {
      if (started) await (await started).stop();
    },
    abort: async () => {
      if (started) await (await started).kill();
    },
  };
}

function moduleExt(): string {
  return import.meta.url.endsWith(".ts") ? ".ts" : ".js";
}

async function withEvaluator<R>(t: OptimizationTarget, o: OptimizationOptions, fn: (ev: Evaluator) => Promise<R>): Promise<R> {
  const ev = o.evaluator ?? threadEvaluator(toJob(t), o.target, o.threads);
  let result: R;
  try {
    result = await fn(ev);
  } catch (err) {
    // One failed set fails the optimization: the sets still queued are not worth running.
    if (o.evaluator === undefined) await (ev.abort ?? ev.close)();
    throw err;
  }
  if (o.evaluator === undefined) await ev.close();
  return result;
}

/** Backtest every combination of the space; results sorted by the target, best first. */
export async function runGridOptimization(t: OptimizationTarget, space: OptimizationSpace, o: OptimizationOptions): Promise<OptimizationResult[]> {
  const settings = gridSettings(space);
  let done = 0;
  let best: OptimizationResult | undefined;
  const results = await withEvaluator(t, o, (ev) =>
    ev.evaluate(settings, (r) => {
      done++;
      if (best === undefined || r.target > best.target) best = r;
      o.onProgress?.(done, settings.length, best);
    }),
  );
  return sortResults(results);
}

/** mulberry32: small, fast and seeded, so a search can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A genetic search: tournament selection, uniform crossover, per-gene mutation, elitism; each
 * distinct set is backtested once (cached). Results (every set tried) sorted by the target.
 */
export async function runGeneticOptimization(t: OptimizationTarget, space: OptimizationSpace, o: GeneticOptions): Promise<OptimizationResult[]> {
  const { names, values } = expandSpace(space);
  const size = values.reduce((n, v) => n * v.length, 1);
  const population = o.population ?? 20;
  const generations = o.generations ?? 10;
  const crossoverRate = o.crossoverRate ?? 0.9;
  const mutationRate = o.mutationRate ?? 0.2;
  const elite = Math.min(o.elite ?? 2, population);
  if (!Number.isInteger(population) || population < 2) bad(`population must be a whole number ≥ 2 (got ${String(population)}).`);
  if (!Number.isInteger(generations) || generations < 0) bad(`generations must be a whole number ≥ 0 (got ${String(generations)}).`);
  const rnd = random(o.seed ?? 1);
  const pick = (n: number) => Math.floor(rnd() * n);
  const toSetting = (genes: number[]): StrategySetting => Object.fromEntries(names.map((n, k) => [n, values[k][genes[k]]]));

  const cache = new Map<string, OptimizationResult>();
  const total = Math.min(size, population * (generations + 1));
  let best: OptimizationResult | undefined;
  let evaluated = 0;

  return withEvaluator(t, o, async (ev) => {
    const score = async (pop: number[][]): Promise<number[]> => {
      const fresh = new Map<string, StrategySetting>();
      for (const g of pop) {
        const s = toSetting(g);
        const k = settingKey(s);
        if (!cache.has(k)) fresh.set(k, s);
      }
      const results = await ev.evaluate([...fresh.values()], (r) => {
        if (best === undefined || r.target > best.target) best = r;
        evaluated++;
        o.onProgress?.(evaluated, Math.max(total, evaluated), best);
      });
      for (const r of results) cache.set(settingKey(r.setting), r);
      return pop.map((g) => cache.get(settingKey(toSetting(g)))!.target);
    };

    let pop: number[][] = Array.from({ length: population }, () => values.map((v) => pick(v.length)));
    let fitness = await score(pop);
    for (let gen = 0; gen < generations && cache.size < size; gen++) {
      const order = pop.map((_, i) => i).sort((a, b) => fitness[b] - fitness[a]);
      const next: number[][] = order.slice(0, elite).map((i) => [...pop[i]]);
      const tournament = (): number[] => {
        let w = pick(pop.length);
        for (let k = 0; k < 2; k++) {
          const c = pick(pop.length);
          if (fitness[c] > fitness[w]) w = c;
        }
        return pop[w];
      };
      while (next.length < population) {
        const a = tournament();
        const b = tournament();
        const child = rnd() < crossoverRate ? a.map((g, k) => (rnd() < 0.5 ? g : b[k])) : [...a];
        for (let k = 0; k < child.length; k++) if (rnd() < mutationRate) child[k] = pick(values[k].length);
        next.push(child);
      }
      pop = next;
      fitness = await score(pop);
    }
    o.onProgress?.(evaluated, evaluated, best);
    return sortResults([...cache.values()]);
  });
}

/** `tickwire backtest` and `tickwire optimize`: a strategy module over the bars of the store. */
import { InvalidArgumentError, type Command } from "commander";
import cliProgress from "cli-progress";
import { writeFileSync } from "node:fs";
import { resolveDatabaseUrl } from "../data/openDatabase.js";
import { parseVtSymbol } from "../trader/ids.js";
import type { Interval } from "../trader/constants.js";
import type { StrategySetting } from "../strategy/CtaTemplate.js";
import { BacktestingEngine, type BacktestParameters } from "../apps/backtest/BacktestingEngine.js";
import { formatStatistics } from "../apps/backtest/format.js";
import { loadStrategyClass } from "../apps/backtest/strategyModule.js";
import {
  runGeneticOptimization,
  runGridOptimization,
  type OptimizationOptions,
  type OptimizationSpace,
  type ParameterValues,
} from "../apps/backtest/optimize.js";
import type { OptimizationResult } from "../apps/backtest/evaluate.js";

interface CommonOptions {
  symbol: string;
  interval: Interval;
  start?: string;
  end?: string;
  rate: number;
  slippage: number;
  size: number;
  pricetick: number;
  capital: number;
  timezone: string;
  fillModel: "vnpy" | "strict";
  class?: string;
  set: StrategySetting;
  database?: string;
  json?: boolean;
}

/** `5` → 5, `true` → true, anything else stays text (the strategy checks the type). */
function scalar(text: string): number | string | boolean {
  if (text === "true" || text === "false") return text === "true";
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) ? n : text;
}

function keyValue(value: string): [string, string] {
  const i = value.indexOf("=");
  if (i <= 0) throw new InvalidArgumentError("expected name=value");
  return [value.slice(0, i), value.slice(i + 1)];
}

function collectSet(value: string, acc: StrategySetting): StrategySetting {
  const [k, v] = keyValue(value);
  return { ...acc, [k]: scalar(v) };
}

/** `fastWindow=5:20:5` (start:end:step, inclusive) or `fastWindow=5,10,20` (a list). */
export function parseRange(value: string, acc: Record<string, ParameterValues>): Record<string, ParameterValues> {
  const [k, v] = keyValue(value);
  let values: ParameterValues;
  if (v.includes(":")) {
    const [start, end, step = "1"] = v.split(":").map((x) => x.trim());
    const r = { start: Number(start), end: Number(end), step: Number(step) };
    if (![r.start, r.end, r.step].every(Number.isFinite) || r.step <= 0 || r.end < r.start) {
      throw new InvalidArgumentError("expected name=start:end[:step] with numbers, start ≤ end and step > 0");
    }
    values = r;
  } else values = v.split(",").map((x) => scalar(x.trim()));
  return { ...acc, [k]: values };
}

function num(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError("expected a number");
  return n;
}

function whole(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return n;
}

function vtSymbol(value: string): string {
  try {
    parseVtSymbol(value);
  } catch {
    throw new InvalidArgumentError('expected symbol.exchange, e.g. "rb2410.SHFE"');
  }
  return value;
}

function interval(value: string): Interval {
  if (!["1m", "1h", "d", "w"].includes(value)) throw new InvalidArgumentError("expected 1m, 1h, d or w");
  return value as Interval;
}

function common(cmd: Command): Command {
  return cmd
    .requiredOption("--symbol <vtSymbol>", "instrument, e.g. rb2410.SHFE", vtSymbol)
    .option("--interval <interval>", "bar interval: 1m, 1h, d or w", interval, "1m" as Interval)
    .option("--start <time>", "first bar replayed (ISO date/time or epoch ms)")
    .option("--end <time>", "last bar replayed (inclusive)")
    .option("--rate <fraction>", "commission as a fraction of turnover", num, 0)
    .option("--slippage <money>", "slippage per unit of volume × size", num, 0)
    .option("--size <n>", "contract multiplier", num, 1)
    .option("--pricetick <tick>", "order prices are rounded to it", num, 0)
    .option("--capital <money>", "starting balance", num, 1_000_000)
    .option("--timezone <zone>", "IANA zone whose dates group the days", "UTC")
    .option("--fill-model <model>", "vnpy or strict", "vnpy")
    .option("--class <name>", "export name of the strategy class (default: the default export)")
    .option("--set <name=value>", "a strategy parameter (repeatable)", collectSet, {} as StrategySetting)
    .option("--database <url>", "the store (default: TICKWIRE_DATABASE, else sqlite:.tickwire/data.sqlite)")
    .option("--json", "print JSON instead of tables");
}

function parameters(o: CommonOptions): BacktestParameters {
  return {
    vtSymbol: o.symbol,
    interval: o.interval,
    start: o.start && /^-?\d+$/.test(o.start) ? Number(o.start) : o.start,
    end: o.end && /^-?\d+$/.test(o.end) ? Number(o.end) : o.end,
    rate: o.rate,
    slippage: o.slippage,
    size: o.size,
    pricetick: o.pricetick,
    capital: o.capital,
    timezone: o.timezone,
    fillModel: o.fillModel,
  };
}

/** A progress bar on a terminal, nothing otherwise (pipes and CI logs stay clean). */
function progressBar(label: string): { update(done: number, total: number | undefined): void; stop(): void } {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% {value}/{total}`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) bar.start(total ?? done, 0);
      started = true;
      if (total !== undefined) bar.setTotal(total);
      else if (done > bar.getTotal()) bar.setTotal(done);
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

interface BacktestOptions extends CommonOptions {
  report?: string;
}

async function backtestCommand(file: string, o: BacktestOptions): Promise<void> {
  const cls = await loadStrategyClass(file, o.class);
  const engine = new BacktestingEngine();
  try {
    engine.setParameters(parameters(o));
    engine.addStrategy(cls, o.set);
    await engine.loadData(o.database);
    const bar = progressBar("backtest");
    try {
      await engine.runBacktesting({ onProgress: (d, t) => bar.update(d, t) });
    } finally {
      bar.stop();
    }
    engine.calculateResult();
    const stats = engine.calculateStatistics();
    const analysis = engine.analyzeTrades();
    if (o.report) {
      await engine.writeReport(o.report, { title: `${cls.name} ${o.symbol}`, setting: o.set });
    }
    if (o.json) {
      const { roundTrips: _, ...summary } = analysis as unknown as Record<string, unknown>;
      process.stdout.write(JSON.stringify({ strategy: cls.name, setting: o.set, statistics: stats, trades: summary }, null, 2) + "\n");
    } else {
      process.stdout.write(`${cls.name} on ${o.symbol} ${o.interval}, setting ${JSON.stringify(o.set)}\n\n${formatStatistics(stats, analysis)}\n`);
      if (o.report) process.stdout.write(`\nreport written to ${o.report}\n`);
    }
  } finally {
    await engine.close();
  }
}

interface OptimizeOptions extends CommonOptions {
  range: Record<string, ParameterValues>;
  target: string;
  genetic?: boolean;
  population: number;
  generations: number;
  seed: number;
  threads?: number;
  top: number;
  bus?: string;
  queue?: string;
  output?: string;
}

async function optimizeCommand(file: string, o: OptimizeOptions): Promise<void> {
  if (Object.keys(o.range).length === 0) throw new InvalidArgumentError("give at least one --range name=start:end:step");
  // Fail here, not in every thread, on a bad module or class.
  await loadStrategyClass(file, o.class);
  const target = { strategy: file, className: o.class, parameters: parameters(o), setting: o.set, history: { database: resolveDatabaseUrl(o.database) } };
  const space: OptimizationSpace = o.range;
  const bar = progressBar(o.genetic ? "genetic" : "grid");
  const options: OptimizationOptions = { target: o.target, threads: o.threads, onProgress: (d, t) => bar.update(d, t) };
  let close = async () => {};
  if (o.bus) {
    const { busEvaluator } = await import("../apps/backtest/busOptimize.js");
    const { toJob } = await import("../apps/backtest/optimize.js");
    const ev = await busEvaluator(o.bus, toJob(target), o.target, { queue: o.queue });
    options.evaluator = ev;
    close = () => ev.close();
  }
  let results: OptimizationResult[];
  try {
    results = o.genetic
      ? await runGeneticOptimization(target, space, { ...options, population: o.population, generations: o.generations, seed: o.seed })
      : await runGridOptimization(target, space, options);
  } finally {
    bar.stop();
    await close();
  }
  if (o.output) writeFileSync(o.output, JSON.stringify(results, null, 2) + "\n");
  if (o.json) {
    process.stdout.write(
      JSON.stringify(
        results.map((r) => ({ setting: r.setting, target: r.target, statistics: r.statistics })),
        null,
        2,
      ) + "\n",
    );
    return;
  }
  process.stdout.write(formatResults(results.slice(0, o.top), o.target) + `\n${results.length} parameter sets backtested\n`);
}

export function formatResults(results: OptimizationResult[], target: string): string {
  const names = [...new Set(results.flatMap((r) => Object.keys(r.setting)))];
  const head = ["#", ...names, target, "totalNetPnl", "maxDdpercent", "totalTradeCount"];
  const rows = results.map((r, i) => [
    String(i + 1),
    ...names.map((n) => String(r.setting[n])),
    r.target.toFixed(4),
    r.statistics.totalNetPnl.toFixed(2),
    r.statistics.maxDdpercent.toFixed(2),
    String(r.statistics.totalTradeCount),
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  return [head, ...rows].map((r) => r.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join("  ")).join("\n");
}

interface WorkerCliOptions {
  bus: string;
  queue?: string;
}

async function workerCommand(o: WorkerCliOptions): Promise<void> {
  const { runBusWorker } = await import("../apps/backtest/busOptimize.js");
  const worker = await runBusWorker(o.bus, {
    queue: o.queue,
    onTask: (event, id, detail) => process.stdout.write(`${event} ${id}${detail ? ` ${detail}` : ""}\n`),
  });
  process.stdout.write(`worker ready on ${o.queue ?? "tickwire.optimize"}\n`);
  const stop = () => void worker.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await worker.closed;
}

export function register(program: Command): void {
  common(program.command("backtest <strategy>").description("backtest a strategy module (.ts or .js) on stored bars"))
    .option("--report <file.html>", "write the HTML report")
    .action((file: string, o: BacktestOptions) => backtestCommand(file, o));
  common(program.command("optimize <strategy>").description("search strategy parameters on worker threads or RabbitMQ workers"))
    .option("--range <name=spec>", "start:end[:step] or a,b,c (repeatable)", parseRange, {} as Record<string, ParameterValues>)
    .option("--target <statistic>", "statistic to maximize", "sharpeRatio")
    .option("--genetic", "genetic search instead of the full grid")
    .option("--population <n>", "genetic: individuals per generation", whole, 20)
    .option("--generations <n>", "genetic: generations", whole, 10)
    .option("--seed <n>", "genetic: random seed", whole, 1)
    .option("--threads <n>", "worker threads (default: CPU count)", whole)
    .option("--top <n>", "rows of the result table", whole, 20)
    .option("--bus <amqp-url>", "run the sets on `tickwire worker` processes over RabbitMQ")
    .option("--queue <name>", "RabbitMQ task queue (default tickwire.optimize)")
    .option("--output <file.json>", "write every result as JSON")
    .action((file: string, o: OptimizeOptions) => optimizeCommand(file, o));
  program
    .command("worker")
    .description("run optimization tasks from RabbitMQ (started by `tickwire optimize --bus`)")
    .requiredOption("--bus <amqp-url>", "RabbitMQ URL, e.g. amqp://guest:guest@127.0.0.1:5672")
    .option("--queue <name>", "task queue (default tickwire.optimize)")
    .action((o: WorkerCliOptions) => workerCommand(o));
}

import { InvalidArgumentError, type Command } from "commander";
import cliProgress from "cli-progress";
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { exportBarsCsv, importBarsCsv, parseColumnMapping } from "../data/csv.js";
import { openDatabase, resolveDatabaseUrl } from "../data/openDatabase.js";
import type { Database } from "../data/types.js";
import { SimGateway } from "../gateways/sim/SimGateway.js";
import { Interval } from "../trader/constants.js";
import { MainEngine } from "../trader/MainEngine.js";
import { createHistoryRequest } from "../trader/objects.js";
import { parseVtSymbol } from "../trader/ids.js";
import { TickwireError } from "../event/errors.js";

/** Files above this size get a progress bar on a terminal. */
const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;
const DAY_MS = 86_400_000;

interface DbOption {
  database?: string;
}

function interval(value: string): Interval {
  if (!["1m", "1h", "d", "w"].includes(value)) throw new InvalidArgumentError("expected 1m, 1h, d or w");
  return value as Interval;
}

function vtSymbol(value: string): string {
  try {
    parseVtSymbol(value);
  } catch {
    throw new InvalidArgumentError('expected symbol.exchange, e.g. "rb2410.SHFE"');
  }
  return value;
}

function time(value: string): number {
  const n = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected ISO 8601 ("2024-01-02T09:00:00Z") or epoch milliseconds');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number > 0");
  return n;
}

async function withDatabase<R>(opts: DbOption, fn: (db: Database) => Promise<R>): Promise<R> {
  const db = await openDatabase(opts.database);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const out = (text: string) => void process.stdout.write(text + "\n");

interface ImportOptions extends DbOption {
  symbol: string;
  interval: Interval;
  columns?: string;
  datetimeFormat?: string;
  timezone?: string;
  skipBad?: boolean;
}

async function importCommand(file: string, opts: ImportOptions): Promise<void> {
  const columns = opts.columns ? parseColumnMapping(opts.columns) : undefined;
  let bar: cliProgress.SingleBar | undefined;
  const result = await withDatabase(opts, (db) =>
    importBarsCsv(db, file, {
      vtSymbol: opts.symbol,
      interval: opts.interval,
      columns,
      datetimeFormat: opts.datetimeFormat,
      timezone: opts.timezone,
      skipBad: opts.skipBad,
      onProgress: (done, total) => {
        if (bar === undefined) {
          if (total < 2 * PROGRESS_MIN_BYTES || !process.stderr.isTTY) return;
          bar = new cliProgress.SingleBar(
            { stream: process.stderr, format: "import [{bar}] {percentage}% | {value}/{total} MB" },
            cliProgress.Presets.shades_classic,
          );
          bar.start(Math.ceil(total / 1e6), 0);
        }
        bar.update(Math.floor(done / 1e6));
      },
    }).finally(() => bar?.stop()),
  );
  for (const b of result.bad.slice(0, 50)) process.stderr.write(`skipped line ${b.line}: ${b.problem}\n`);
  if (result.bad.length > 50) process.stderr.write(`… and ${result.bad.length - 50} more bad lines\n`);
  const range = result.first === undefined ? "" : ` from ${iso(result.first)} to ${iso(result.last!)}`;
  out(
    `imported ${result.saved} bars of ${opts.symbol} ${opts.interval}${range} into ${resolveDatabaseUrl(opts.database)}` +
      (result.bad.length ? ` (${result.bad.length} bad lines skipped)` : ""),
  );
}

interface RangeOptions extends DbOption {
  symbol: string;
  interval: Interval;
  start?: number;
  end?: number;
}

async function exportCommand(opts: RangeOptions & { output?: string; timezone?: string }): Promise<void> {
  await withDatabase(opts, async (db) => {
    const target = opts.output ? createWriteStream(opts.output) : process.stdout;
    const n = await exportBarsCsv(db, { vtSymbol: opts.symbol, interval: opts.interval, start: opts.start, end: opts.end }, target, {
      timezone: opts.timezone,
    });
    if (opts.output) {
      target.end();
      await finished(target);
      out(`exported ${n} bars to ${opts.output}`);
    }
  });
}

async function listCommand(opts: DbOption & { json?: boolean }): Promise<void> {
  await withDatabase(opts, async (db) => {
    const bars = await db.barOverview();
    const ticks = await db.tickOverview();
    if (opts.json) {
      out(JSON.stringify({ bars, ticks }));
      return;
    }
    const rows = [
      ["vtSymbol", "interval", "count", "start", "end"],
      ...bars.map((o) => [o.vtSymbol, o.interval, String(o.count), iso(o.start), iso(o.end)]),
      ...ticks.map((o) => [o.vtSymbol, "tick", String(o.count), iso(o.start), iso(o.end)]),
    ];
    if (rows.length === 1) {
      out(`no data in ${db.url}; add some with tickwire data import or tickwire data fetch`);
      return;
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows)
      out(
        r
          .map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
          .join("  ")
          .trimEnd(),
      );
  });
}

async function deleteCommand(opts: DbOption & { symbol: string; interval?: Interval; ticks?: boolean; start?: number; end?: number }): Promise<void> {
  if (!opts.ticks && !opts.interval) throw new TickwireError("TW_DATA_INVALID_QUERY", "Give --interval (bars) or --ticks to say what to delete.");
  await withDatabase(opts, async (db) => {
    const range = { vtSymbol: opts.symbol, start: opts.start, end: opts.end };
    const n = opts.ticks ? await db.deleteTicks(range) : await db.deleteBars({ ...range, interval: opts.interval! });
    out(`deleted ${n} ${opts.ticks ? "ticks" : "bars"} of ${opts.symbol}${opts.ticks ? "" : " " + opts.interval}`);
  });
}

async function fetchCommand(opts: DbOption & { gateway: string; symbol: string; interval: Interval; days: number; seed?: number }): Promise<void> {
  if (opts.gateway !== "SIM") {
    throw new TickwireError(
      "TW_DATA_INVALID_QUERY",
      `No gateway ${JSON.stringify(opts.gateway)} to fetch from here; the CLI can fetch from SIM (the paper exchange).`,
    );
  }
  const { symbol, exchange } = parseVtSymbol(opts.symbol);
  // No log lines: stdout carries the one result line.
  const main = new MainEngine(undefined, { log: false });
  main.addGateway(SimGateway);
  try {
    await main.connect({ ...(opts.seed === undefined ? {} : { seed: opts.seed }), instruments: opts.symbol }, "SIM");
    const end = Math.floor(Date.now() / 60_000) * 60_000;
    const start = end - Math.round(opts.days * DAY_MS);
    const bars = await main.queryHistory(createHistoryRequest({ symbol, exchange, start, end, interval: opts.interval }), "SIM");
    const n = await withDatabase(opts, (db) => db.saveBars(bars));
    out(`fetched ${n} bars of ${opts.symbol} ${opts.interval} from SIM (${iso(start)} to ${iso(end)}) into ${resolveDatabaseUrl(opts.database)}`);
  } finally {
    await main.close();
  }
}

export function register(program: Command): void {
  const data = program.command("data").description("the market data store: import, export, list, delete, fetch bars");
  const dbOption = "--database <url>";
  const dbHelp = "sqlite:path/file.sqlite or postgres://user@host/db (default: $TICKWIRE_DATABASE or sqlite:.tickwire/data.sqlite)";

  data
    .command("import")
    .description("import bars from a CSV file (vnpy's header names: datetime,open,high,low,close,volume,turnover,open_interest)")
    .argument("<file>", "CSV file")
    .requiredOption("--symbol <vtSymbol>", "instrument, e.g. rb2410.SHFE", vtSymbol)
    .requiredOption("--interval <interval>", "bar interval: 1m, 1h, d, w", interval)
    .option("--columns <mapping>", "header names that differ, e.g. datetime=time,open_interest=oi")
    .option("--datetime-format <format>", 'datetime form: a luxon format ("yyyy-MM-dd HH:mm:ss"), epoch-ms or epoch-s (default ISO 8601)')
    .option("--timezone <zone>", "IANA zone of datetimes without an offset, e.g. Asia/Shanghai")
    .option("--skip-bad", "save the good rows and list the bad ones instead of stopping")
    .option(dbOption, dbHelp)
    .action((file: string, opts: ImportOptions) => importCommand(file, opts));

  data
    .command("export")
    .description("write bars as CSV (to stdout, or --output)")
    .requiredOption("--symbol <vtSymbol>", "instrument, e.g. rb2410.SHFE", vtSymbol)
    .requiredOption("--interval <interval>", "bar interval: 1m, 1h, d, w", interval)
    .option("--start <time>", "first bar (ISO 8601 or epoch ms), inclusive", time)
    .option("--end <time>", "last bar (ISO 8601 or epoch ms), inclusive", time)
    .option("--output <file>", "write to this file instead of stdout")
    .option("--timezone <zone>", "write datetimes in this IANA zone (default UTC)")
    .option(dbOption, dbHelp)
    .action((opts: RangeOptions & { output?: string; timezone?: string }) => exportCommand(opts));

  data
    .command("list")
    .description("what is stored: one row per bar series and per tick series")
    .option("--json", "print JSON")
    .option(dbOption, dbHelp)
    .action((opts: DbOption & { json?: boolean }) => listCommand(opts));

  data
    .command("delete")
    .description("delete the bars (or ticks) of one instrument, optionally in a time range")
    .requiredOption("--symbol <vtSymbol>", "instrument, e.g. rb2410.SHFE", vtSymbol)
    .option("--interval <interval>", "bar interval: 1m, 1h, d, w", interval)
    .option("--ticks", "delete ticks instead of bars")
    .option("--start <time>", "from (ISO 8601 or epoch ms), inclusive", time)
    .option("--end <time>", "to (ISO 8601 or epoch ms), inclusive", time)
    .option(dbOption, dbHelp)
    .action((opts: DbOption & { symbol: string; interval?: Interval; ticks?: boolean; start?: number; end?: number }) => deleteCommand(opts));

  data
    .command("fetch")
    .description("fetch history from a gateway's queryHistory into the store (SIM: the paper exchange)")
    .requiredOption("--symbol <vtSymbol>", "instrument, e.g. rb2410.SHFE", vtSymbol)
    .option("--gateway <name>", "gateway to fetch from", "SIM")
    .option("--interval <interval>", "bar interval: 1m, 1h, d", interval, Interval.MINUTE)
    .option("--days <n>", "how many days back from now", positive, 30)
    .option("--seed <n>", "the paper exchange's seed (same seed, same history)", positive)
    .option(dbOption, dbHelp)
    .action((opts: DbOption & { gateway: string; symbol: string; interval: Interval; days: number; seed?: number }) => fetchCommand(opts));
}

import { createReadStream, statSync } from "node:fs";
import type { Writable } from "node:stream";
import { parse } from "csv-parse";
import { DateTime } from "luxon";
import { TickwireError } from "../event/errors.js";
import type { Interval } from "../trader/constants.js";
import type { BarData } from "../trader/objects.js";
import { TW_DATA_CSV } from "./errors.js";
import { barFromRow } from "./rows.js";
import type { BarQuery, Database } from "./types.js";
import { barProblem, queryInterval, querySymbol } from "./validate.js";

/*
 * CSV import and export of bars, with the column names of vnpy's data manager by default.
 * A bad row saves nothing: a small file is checked and kept, then saved in one transaction; a large
 * one is read twice, first to check every row, then to save it in batches (no file held in memory).
 */

/** The bar fields a CSV file maps, with vnpy's header names as defaults. */
export const CSV_DEFAULT_COLUMNS = {
  datetime: "datetime",
  open: "open",
  high: "high",
  low: "low",
  close: "close",
  volume: "volume",
  turnover: "turnover",
  open_interest: "open_interest",
} as const;
export type CsvField = keyof typeof CSV_DEFAULT_COLUMNS;
const REQUIRED: readonly CsvField[] = ["datetime", "open", "high", "low", "close"];
/** Files up to this size are read once and saved in one transaction; larger ones are read twice. */
const IN_MEMORY_MAX_BYTES = 8 * 1024 * 1024;

export interface CsvImportOptions {
  vtSymbol: string;
  interval: Interval;
  /** Header names of the fields that differ from the defaults, e.g. `{ datetime: "time", open_interest: "oi" }`. */
  columns?: Partial<Record<CsvField, string>>;
  /**
   * How datetimes are written: omitted = ISO 8601 (an offset or Z, or `timezone` for times without
   * one); a luxon format such as "yyyy-MM-dd HH:mm:ss" (read in `timezone`); "epoch-ms"; "epoch-s".
   */
  datetimeFormat?: string;
  /** IANA zone of datetimes written without an offset, e.g. "Asia/Shanghai". */
  timezone?: string;
  /** Save the good rows and report the bad ones instead of stopping at the first. */
  skipBad?: boolean;
  /** gatewayName of the saved bars; default "CSV". */
  gatewayName?: string;
  /** Bars per saveBars call when a large file is read twice; default 50,000. */
  batchSize?: number;
  /** Files up to this size are read once and saved in one transaction; default 8 MiB. */
  maxInMemoryBytes?: number;
  /** Called as the file is read: bytes so far (of both passes) and in all (twice the file size). */
  onProgress?: (done: number, total: number) => void;
}

export interface CsvBadRow {
  /** Line number in the file (1 = the header). */
  line: number;
  problem: string;
}

export interface CsvImportResult {
  saved: number;
  /** Bad rows, in file order (only with `skipBad`; otherwise the import throws at the first). */
  bad: CsvBadRow[];
  first?: number;
  last?: number;
}

function csvError(message: string, details?: Record<string, unknown>, cause?: unknown): TickwireError {
  return new TickwireError(TW_DATA_CSV, message, { details, cause });
}

/** Parses `"datetime=time,open_interest=oi"` (the CLI's --columns). */
export function parseColumnMapping(text: string): Partial<Record<CsvField, string>> {
  const out: Partial<Record<CsvField, string>> = {};
  for (const pair of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf("=");
    const field = pair.slice(0, eq).trim();
    if (eq <= 0 || !(field in CSV_DEFAULT_COLUMNS)) {
      throw csvError(
        `Bad column mapping ${JSON.stringify(pair)}: write field=header with a field of ${Object.keys(CSV_DEFAULT_COLUMNS).join(", ")}, e.g. datetime=time,open_interest=oi.`,
      );
    }
    out[field as CsvField] = pair.slice(eq + 1).trim();
  }
  return out;
}

type DatetimeParser = (text: string) => number | string;

function datetimeParser(format: string | undefined, timezone: string | undefined): DatetimeParser {
  if (timezone !== undefined && !DateTime.local().setZone(timezone).isValid) {
    throw csvError(`Unknown time zone ${JSON.stringify(timezone)}: give an IANA name such as Asia/Shanghai or UTC.`);
  }
  if (format === "epoch-ms" || format === "epoch-s") {
    const scale = format === "epoch-ms" ? 1 : 1000;
    return (t) => (/^-?\d+(\.\d+)?$/.test(t) ? Math.round(Number(t) * scale) : `datetime ${JSON.stringify(t)} is not ${format}`);
  }
  if (format !== undefined) {
    const zone = timezone ?? "UTC";
    return (t) => {
      const dt = DateTime.fromFormat(t, format, { zone, setZone: true });
      return dt.isValid
        ? dt.toMillis()
        : `datetime ${JSON.stringify(t)} does not match ${JSON.stringify(format)} (${dt.invalidExplanation ?? dt.invalidReason})`;
    };
  }
  const hasOffset = /(Z|[+-]\d\d:?\d\d)$/i;
  return (t) => {
    if (hasOffset.test(t)) {
      const ms = Date.parse(t);
      if (Number.isFinite(ms)) return ms;
    } else if (timezone !== undefined) {
      const dt = DateTime.fromISO(t.replace(" ", "T"), { zone: timezone });
      if (dt.isValid) return dt.toMillis();
    } else if (Number.isFinite(Date.parse(t))) {
      return `datetime ${JSON.stringify(t)} has no UTC offset: give --timezone (e.g. Asia/Shanghai), or write the offset ("2024-01-02T09:00:00+08:00")`;
    }
    return `datetime ${JSON.stringify(t)} is not ISO 8601 ("2024-01-02T09:00:00Z"); give --datetime-format for other forms`;
  };
}

interface Pass {
  onBar: (bar: BarData, line: number) => Promise<void> | void;
  onBad: (line: number, problem: string) => void;
}

/** Imports bars from a CSV file into `db`. Throws TW_DATA_CSV at the first bad row unless `skipBad`. */
export async function importBarsCsv(db: Database, file: string, options: CsvImportOptions): Promise<CsvImportResult> {
  const { symbol, exchange } = querySymbol(options.vtSymbol);
  const interval = queryInterval(options.interval);
  const vtSymbol = `${symbol}.${exchange}`;
  const gatewayName = options.gatewayName ?? "CSV";
  const columns = { ...CSV_DEFAULT_COLUMNS, ...options.columns };
  const parseTime = datetimeParser(options.datetimeFormat, options.timezone);
  let size: number;
  try {
    size = statSync(file).size;
  } catch (cause) {
    throw csvError(`Cannot read ${file}: ${(cause as Error).message}.`, { file }, cause);
  }
  let readBefore = 0;
  const toBar = (record: Record<string, string>): BarData | string => {
    const t = parseTime(record[columns.datetime] ?? "");
    if (typeof t === "string") return t;
    const values: unknown[] = [t, gatewayName];
    for (const f of ["volume", "turnover", "open_interest", "open", "high", "low", "close"] as const) {
      const text = record[columns[f]];
      if (text === undefined) {
        values.push(0);
        continue;
      }
      const n = text.trim() === "" ? NaN : Number(text);
      if (!Number.isFinite(n)) return `${columns[f]} ${JSON.stringify(text)} is not a number`;
      values.push(n);
    }
    const bar = barFromRow(values, symbol, exchange, vtSymbol, interval);
    return barProblem(bar) ?? bar;
  };

  const pass = async ({ onBar, onBad }: Pass): Promise<void> => {
    const input = createReadStream(file);
    const parser = input.pipe(parse({ columns: true, info: true, skip_empty_lines: true, trim: true, bom: true }));
    input.on("error", (err) => parser.destroy(err));
    let checkedHeader = false;
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
        if (!checkedHeader) {
          checkedHeader = true;
          const missing = REQUIRED.filter((f) => !(columns[f] in record));
          if (missing.length > 0) {
            throw csvError(
              `${file} has no column ${missing.map((f) => JSON.stringify(columns[f])).join(", ")} (its header: ${Object.keys(record).join(", ")}). Map the names with --columns, e.g. --columns datetime=time. Nothing was saved.`,
              { file, missing },
            );
          }
        }
        const bar = toBar(record);
        if (typeof bar === "string") onBad(info.lines, bar);
        else await onBar(bar, info.lines);
        options.onProgress?.(readBefore + input.bytesRead, 2 * size);
      }
    } catch (err) {
      if (err instanceof TickwireError) throw err;
      const line = (err as { lines?: number }).lines;
      throw csvError(`${file}${line ? ` line ${line}` : ""}: ${(err as Error).message}. Nothing was saved.`, { file, line }, err);
    } finally {
      input.destroy();
    }
    readBefore += size;
  };

  // Pass 1: check every row; a small file is kept, and saved in one transaction.
  const keep = size <= (options.maxInMemoryBytes ?? IN_MEMORY_MAX_BYTES);
  const kept: BarData[] = [];
  const bad: CsvBadRow[] = [];
  let first: number | undefined;
  let last: number | undefined;
  const span = (bar: BarData) => {
    if (first === undefined || bar.datetime < first) first = bar.datetime;
    if (last === undefined || bar.datetime > last) last = bar.datetime;
  };
  await pass({
    onBar: (bar) => {
      if (!keep) return;
      kept.push(bar);
      span(bar);
    },
    onBad: (line, problem) => {
      if (!options.skipBad) {
        throw csvError(`${file} line ${line}: ${problem}. Nothing of the file was saved; fix the row, or pass --skip-bad to save the good rows.`, {
          file,
          line,
          problem,
        });
      }
      bad.push({ line, problem });
    },
  });
  if (keep) {
    options.onProgress?.(2 * size, 2 * size);
    return { saved: await db.saveBars(kept), bad, first, last };
  }

  // Pass 2 (large files): save in batches.
  const batchSize = options.batchSize ?? 50_000;
  let batch: BarData[] = [];
  let saved = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    saved += await db.saveBars(batch);
    batch = [];
  };
  await pass({
    onBar: async (bar) => {
      span(bar);
      batch.push(bar);
      if (batch.length >= batchSize) await flush();
    },
    onBad: () => undefined,
  });
  await flush();
  return { saved, bad, first, last };
}

export interface CsvExportOptions {
  /** IANA zone to write datetimes in (with their offset); default UTC ("…Z"). */
  timezone?: string;
}

/** Writes the bars of a query as CSV (vnpy's header names) to `out`; returns how many. */
export async function exportBarsCsv(db: Database, query: BarQuery, out: Writable, options: CsvExportOptions = {}): Promise<number> {
  const zone = options.timezone;
  if (zone !== undefined && !DateTime.local().setZone(zone).isValid) {
    throw csvError(`Unknown time zone ${JSON.stringify(zone)}: give an IANA name such as Asia/Shanghai or UTC.`);
  }
  const time = zone === undefined ? (ms: number) => new Date(ms).toISOString() : (ms: number) => DateTime.fromMillis(ms, { zone }).toISO()!;
  const write = (text: string) => (out.write(text) ? undefined : new Promise<void>((resolve) => out.once("drain", () => resolve())));
  await write(Object.values(CSV_DEFAULT_COLUMNS).join(",") + "\n");
  let n = 0;
  for await (const batch of db.streamBars(query)) {
    let text = "";
    for (const b of batch) {
      text += `${time(b.datetime)},${b.openPrice},${b.highPrice},${b.lowPrice},${b.closePrice},${b.volume},${b.turnover},${b.openInterest}\n`;
    }
    n += batch.length;
    await write(text);
  }
  return n;
}

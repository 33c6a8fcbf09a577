import { createRequire } from "node:module";
import type { DestinationStream, Level, Logger, StreamEntry, pino as Pino } from "pino";
import type PinoPretty from "pino-pretty";
import { TickwireError } from "../event/errors.js";
import type { Event } from "../event/Event.js";
import { BaseEngine } from "./BaseEngine.js";
import type { TraderEventEngine } from "./BaseGateway.js";
import { LogLevel } from "./constants.js";
import { EVENT_LOG } from "./events.js";
import type { MainEngine } from "./MainEngine.js";
import type { LogData } from "./objects.js";

/** Options of the LogEngine; every field has a default. */
export interface LogEngineOptions {
  /** Lowest level written. Default INFO. */
  level?: LogLevel;
  /** Console output: "pretty" (human, colored on a TTY), "json" (one JSON object per line) or
   * false (none). Default "pretty". */
  console?: "pretty" | "json" | false;
  /** Which console stream to write to. Default "stdout" (use "stderr" when stdout carries data). */
  consoleStream?: "stdout" | "stderr";
  /** Append JSON lines to this file (directories are created). Default: no file. */
  file?: string;
}

const PINO_LEVEL: Readonly<Record<LogLevel, "debug" | "info" | "warn" | "error" | "fatal">> = {
  DEBUG: "debug",
  INFO: "info",
  WARNING: "warn",
  ERROR: "error",
  CRITICAL: "fatal",
};

// pino and pino-pretty take ~160 ms to load: the first LogEngine loads them (both are CommonJS,
// so synchronously), not the import of tickwire/trader, and `log: false` never does.
const requireCjs = createRequire(import.meta.url);
let pinoModules: { pino: typeof Pino; pretty: typeof PinoPretty } | undefined;
function loadPino(): { pino: typeof Pino; pretty: typeof PinoPretty } {
  pinoModules ??= { pino: (requireCjs("pino") as { pino: typeof Pino }).pino, pretty: requireCjs("pino-pretty") as typeof PinoPretty };
  return pinoModules;
}

/** A destination that can be flushed and, for files, closed. */
interface Sink {
  stream: DestinationStream;
  level: string;
  close: () => void;
}

/**
 * Writes `eLog` events (and any type given to `registerLog`) through pino: pretty or JSON to the
 * console, JSON lines to a file. Every destination writes synchronously: log volume is small next
 * to market data, and a synchronous write needs no worker thread and leaves nothing pending, so
 * the logger never keeps the process alive or delays shutdown, and a line is on disk once its
 * event has been handled.
 */
export class LogEngine extends BaseEngine {
  static readonly engineName = "log";

  readonly level: LogLevel;
  private readonly logger: Logger;
  private readonly sinks: Sink[] = [];
  private readonly types = new Set<string>();
  private stampMs = 0;
  private closed = false;
  private readonly recentLogs: LogData[] = [];
  /** How many of the latest log records `recent()` keeps. */
  static readonly RECENT = 50;

  constructor(mainEngine: MainEngine, eventEngine: TraderEventEngine, options: LogEngineOptions = {}) {
    super(mainEngine, eventEngine, LogEngine.engineName);
    this.level = options.level ?? LogLevel.INFO;
    if (!Object.hasOwn(PINO_LEVEL, this.level)) {
      throw new TickwireError("TW_TRADER_BAD_OPTION", `Unknown log level ${JSON.stringify(this.level)}: use one of ${Object.keys(PINO_LEVEL).join(", ")}.`);
    }
    const { pino, pretty } = loadPino();
    const level = PINO_LEVEL[this.level];
    const fd = options.consoleStream === "stderr" ? 2 : 1;
    const consoleMode = options.console ?? "pretty";
    if (consoleMode === "pretty") {
      const stream = pretty({
        destination: fd,
        sync: true,
        colorize: fd === 1 ? process.stdout.isTTY === true : process.stderr.isTTY === true,
        ignore: "pid,hostname,source",
        messageFormat: "{source} | {msg}",
        translateTime: "SYS:HH:MM:ss.l",
      });
      this.sinks.push({ stream, level, close: () => undefined });
    } else if (consoleMode === "json") {
      const stream = pino.destination({ dest: fd, sync: true });
      this.sinks.push({ stream, level, close: () => stream.flushSync() });
    }
    if (options.file !== undefined) {
      const stream = pino.destination({ dest: options.file, sync: true, mkdir: true, append: true });
      this.sinks.push({ stream, level, close: () => stream.end() });
    }
    const entries: StreamEntry[] = this.sinks.map((s) => ({ stream: s.stream, level: s.level as Level }));
    this.logger = pino(
      {
        level,
        // The time of the LogData, not of the write (they differ when the queue is deep).
        timestamp: () => `,"time":${this.stampMs}`,
      },
      pino.multistream(entries),
    );
    this.registerLog(EVENT_LOG);
  }

  /** Also write events of `type` (whose data is LogData), e.g. an app's own "eCtaLog". */
  registerLog(type: string): void {
    if (this.types.has(type)) return;
    this.types.add(type);
    // App log types are outside TraderEvents; their payload is LogData by contract, like eLog's.
    this.eventEngine.register(type as typeof EVENT_LOG, this.processLog);
  }

  /** Writes one log record now (what the eLog handler does). */
  write(log: LogData): void {
    if (this.closed) return;
    this.recentLogs.push(log);
    if (this.recentLogs.length > LogEngine.RECENT) this.recentLogs.shift();
    const level = PINO_LEVEL[log.level] ?? "info";
    this.stampMs = typeof log.datetime === "number" ? log.datetime : Date.now();
    this.logger[level]({ source: log.gatewayName }, String(log.msg));
  }

  /** The latest log records written (at most LogEngine.RECENT, oldest first), e.g. for a view started late. */
  recent(): LogData[] {
    return [...this.recentLogs];
  }

  override close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const type of this.types) this.eventEngine.unregister(type as typeof EVENT_LOG, this.processLog);
    this.types.clear();
    for (const sink of this.sinks) sink.close();
  }

  private readonly processLog = (event: Event<LogData>): void => {
    this.write(event.data);
  };
}

import type { EventEngineOptions, StopOptions } from "../event/engineOptions.js";
import { TickwireError } from "../event/errors.js";
import type { TraderEventEngine } from "./BaseGateway.js";
import type { LogEngineOptions } from "./LogEngine.js";
import { describeValue } from "./requestChecks.js";

/** Options of MainEngine; every field has a default. */
export interface MainEngineOptions {
  /** Options of the LogEngine, or false for none. Default: pretty console at INFO. */
  log?: LogEngineOptions | false;
  /** Options of the EventEngine made when the constructor is not given one. Default interval 1 s. */
  eventEngine?: EventEngineOptions;
  /** How `close()` stops the event engine (drain deadline). */
  stop?: StopOptions;
}

/** Options of `MainEngine.run()`. */
export interface MainEngineRunOptions {
  /** The signals that end the run. Default: SIGINT and SIGTERM. */
  signals?: NodeJS.Signals[];
}

/** The source name of MainEngine's own log lines. */
export const MAIN_ENGINE_LOG_SOURCE = "MainEngine";

export function noop(): void {}

/** Throws TW_TRADER_BAD_OPTION for arguments `new MainEngine(eventEngine?, options?)` cannot take. */
export function checkMainEngineArguments(eventEngine: TraderEventEngine | undefined, options: MainEngineOptions): void {
  // Structural, not instanceof: an engine from another copy of tickwire works as well.
  const ee = eventEngine as unknown as Partial<Record<"register" | "put" | "start", unknown>> | null;
  if (
    eventEngine !== undefined &&
    (typeof ee !== "object" || ee === null || typeof ee.register !== "function" || typeof ee.put !== "function" || typeof ee.start !== "function")
  ) {
    const keys = typeof eventEngine === "object" && eventEngine !== null ? Object.keys(eventEngine) : [];
    const looksLikeOptions = keys.length > 0 && keys.every((k) => k === "log" || k === "eventEngine" || k === "stop");
    throw new TickwireError(
      "TW_TRADER_BAD_OPTION",
      looksLikeOptions
        ? `new MainEngine(eventEngine?, options?): the options go second — new MainEngine(undefined, { ${keys.join(", ")}: … }); the first argument is an EventEngine to use, or undefined for a new one.`
        : `new MainEngine(eventEngine?, options?): the first argument must be an EventEngine (from tickwire/event) or undefined, got ${describeValue(eventEngine)}.`,
      { details: { argument: "eventEngine" } },
    );
  }
  if (typeof options !== "object" || options === null) {
    throw new TickwireError(
      "TW_TRADER_BAD_OPTION",
      `new MainEngine(eventEngine?, options?): options must be an object such as { log: false }, got ${describeValue(options)}.`,
      {
        details: { argument: "options" },
      },
    );
  }
}

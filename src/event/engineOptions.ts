import type { Event } from "./Event.js";
import { TickwireError } from "./errors.js";

export type OverflowPolicy = "reject" | "drop-oldest" | "conflate";

export interface EventEngineOptions {
  /** Timer period in seconds (fractions allowed, > 0, finite); `null` for no timer. Default 1, as in vnpy.
   * Every option is checked at construction: out of range throws TW_EVENT_BAD_OPTION naming it. */
  interval?: number | null;
  /** A name for logs, sessions and `listen()` origins (non-empty). Default "engine-N". */
  name?: string;
  /** Receives every handler error (also put as an `eHandlerError` event). Default: console.error
   * unless a handler is registered for `eHandlerError`. */
  onError?: (error: unknown, info: { event: Event; handler: string }) => void;
  /** Bound on queued events: an integer >= 1, or Infinity. Default unbounded. */
  maxQueue?: number;
  /** What `put` does when `maxQueue` is reached. Default "reject". */
  overflow?: OverflowPolicy;
  /** With overflow "conflate": the key under which a newer event replaces a queued one
   * (e.g. type + symbol). Events with an undefined key are never conflated. Default: the type. */
  conflateKey?: (event: Event) => string | undefined;
  /** Time every handler call (costs ~2 clock reads per call): fills `stats().handlerTime.slowest`. */
  profile?: boolean;
  /** Report handlers slower than this (ms, >= 0) as `eSlowHandler` events; turns `profile` on. */
  slowHandlerMs?: number;
  /** Most events dispatched before yielding to I/O: an integer >= 1. Default 1024. */
  batchSize?: number;
  /** Most milliseconds spent in one batch before yielding to I/O (>= 0). Default 4. */
  batchTimeMs?: number;
  /** Keep `session()` valid after awaits for every event (enables AsyncLocalStorage, which taxes
   * every promise in the process). Without it, dispatch()/submit() and events with a context
   * still get it. Default false. */
  asyncContext?: boolean;
  /** The global session context, merged under each event's own. */
  context?: Record<string, unknown>;
}

export interface StopOptions {
  /** Most milliseconds to spend dispatching what is queued (and awaiting async handlers); >= 0,
   * Infinity for no deadline. What is left after it (queued events, async handlers still running)
   * is dropped, counted in `stats().abandoned` and reported as TW_EVENT_STOP_DEADLINE. Default 5000. */
  deadlineMs?: number;
}

/** Every EventEngine option, checked and with its default filled in. */
export interface ResolvedEngineOptions {
  name: string | undefined;
  interval: number | null;
  onError: EventEngineOptions["onError"];
  maxQueue: number;
  overflow: OverflowPolicy;
  conflateKey: (event: Event) => string | undefined;
  profile: boolean;
  slowHandlerMs: number;
  batchSize: number;
  batchTimeMs: number;
  asyncContext: boolean;
  context: Record<string, unknown>;
}

const OVERFLOWS: readonly OverflowPolicy[] = ["reject", "drop-oldest", "conflate"];

/** The one error for an option out of range: names the option, what it got and what it allows. */
export function badOption(option: string, value: unknown, allowed: string): TickwireError {
  const got = typeof value === "string" ? JSON.stringify(value) : String(value);
  return new TickwireError("TW_EVENT_BAD_OPTION", `EventEngine option ${option} must be ${allowed} (got ${got}).`, {
    details: { option, allowed },
  });
}

const isNumber = (v: unknown): v is number => typeof v === "number" && !Number.isNaN(v);

export function checkInterval(seconds: unknown, option = "interval"): number | null {
  if (seconds === null) return null;
  if (!isNumber(seconds) || !(seconds > 0) || !Number.isFinite(seconds))
    throw badOption(option, seconds, "a positive finite number of seconds, or null for no timer");
  return seconds;
}

/** stop()'s deadline: a number of ms >= 0; Infinity waits as long as it takes. */
export function checkDeadline(ms: unknown): number {
  if (!isNumber(ms) || ms < 0) throw badOption("deadlineMs", ms, "a number of milliseconds >= 0 (Infinity: no deadline)");
  return ms;
}

function optional<T>(options: EventEngineOptions, key: keyof EventEngineOptions, ok: (v: unknown) => boolean, allowed: string, dflt: T): T {
  const v = options[key];
  // null is "left out", as `??` treated it before: a Subprocess's options cross JSON, where Infinity becomes null
  if (v === undefined || v === null) return dflt;
  if (!ok(v)) throw badOption(key, v, allowed);
  return v as T;
}

const isFunction = (v: unknown): boolean => typeof v === "function";
const isBoolean = (v: unknown): boolean => typeof v === "boolean";

/** Checks every option in one place, so a bad one fails at construction and not as a hang later
 * (`batchSize: 0` spun for ever; `slowHandlerMs: -5` reported every call as slow). */
export function resolveEngineOptions(options: EventEngineOptions): ResolvedEngineOptions {
  if (options === null || typeof options !== "object") throw badOption("options", options, "an object");
  const maxQueue = optional(
    options,
    "maxQueue",
    (v) => v === Infinity || (Number.isInteger(v) && (v as number) >= 1),
    "an integer >= 1, or Infinity for no bound",
    Infinity,
  );
  const slowHandlerMs = optional(options, "slowHandlerMs", (v) => isNumber(v) && v >= 0, "a number of milliseconds >= 0", Infinity);
  return {
    name: optional<string | undefined>(options, "name", (v) => typeof v === "string" && v.length > 0, "a non-empty string", undefined),
    interval: options.interval === undefined ? 1 : checkInterval(options.interval),
    onError: optional(options, "onError", isFunction, "a function", undefined),
    maxQueue,
    overflow: optional(
      options,
      "overflow",
      (v) => OVERFLOWS.includes(v as OverflowPolicy),
      OVERFLOWS.map((o) => `"${o}"`).join(", "),
      "reject" as OverflowPolicy,
    ),
    conflateKey: optional(options, "conflateKey", isFunction, "a function of the event returning a string or undefined", (e: Event) => e.type),
    profile: optional(options, "profile", isBoolean, "true or false", false) || slowHandlerMs !== Infinity,
    slowHandlerMs,
    batchSize: optional(options, "batchSize", (v) => Number.isInteger(v) && (v as number) >= 1, "an integer >= 1", 1024),
    batchTimeMs: optional(options, "batchTimeMs", (v) => isNumber(v) && v >= 0, "a number of milliseconds >= 0", 4),
    asyncContext: optional(options, "asyncContext", isBoolean, "true or false", false),
    context: { ...optional(options, "context", (v) => v !== null && typeof v === "object", "an object", {}) },
  };
}

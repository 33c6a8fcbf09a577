import { pathToFileURL } from "node:url";
import { isAbsolute, resolve } from "node:path";
import type { Event } from "../event/Event.js";
import { TickwireError } from "../event/errors.js";
import { importModule, type ImportTrace } from "./importModule.js";

/**
 * A handler run away from the main thread. It gets the same `Event` an engine handler gets, so
 * one function can be registered on an EventEngine or run in a WorkerPool or Subprocess.
 * (`never` as the parameter lets handlers declare the event type they expect.)
 */
export type RemoteHandler = (event: never) => unknown;
/** A function callable by name with `submit`. */
export type RemoteFunction = (...args: never[]) => unknown;

const BRAND = Symbol.for("tickwire.handlerModule");

/**
 * What a handler module exports (as its default export): handlers per event type, run in order
 * by `dispatch`, and functions callable by name with `submit`. Functions cannot cross threads or
 * processes, so the worker or child imports the module itself.
 */
export interface HandlerModule<F extends Record<string, RemoteFunction> = Record<string, RemoteFunction>> {
  readonly [BRAND]: true;
  readonly events: Readonly<Record<string, readonly RemoteHandler[]>>;
  readonly functions: Readonly<F>;
}

export interface HandlerModuleSpec<F extends Record<string, RemoteFunction>> {
  /** Event type → a handler or handlers, run in this order. */
  events?: Record<string, RemoteHandler | readonly RemoteHandler[]>;
  /** Name → function, for `submit(name, ...args)`. */
  functions?: F;
}

/**
 * Declare a handler module:
 * ```ts
 * export default defineHandlers({
 *   events: { eCalc: [square, double] },
 *   functions: { hash, add },
 * });
 * ```
 */
export function defineHandlers<F extends Record<string, RemoteFunction> = Record<string, never>>(spec: HandlerModuleSpec<F>): HandlerModule<F> {
  const events: Record<string, readonly RemoteHandler[]> = Object.create(null) as Record<string, readonly RemoteHandler[]>;
  for (const [type, hs] of Object.entries(spec.events ?? {})) {
    const list = typeof hs === "function" ? [hs] : [...hs];
    for (const h of list) {
      if (typeof h !== "function") {
        throw new TickwireError("TW_WORKER_BAD_HANDLER", `The handler for "${type}" is not a function: pass functions only.`);
      }
    }
    events[type] = Object.freeze(list);
  }
  const functions = Object.create(null) as F;
  for (const [name, fn] of Object.entries(spec.functions ?? {})) {
    if (typeof fn !== "function") {
      throw new TickwireError("TW_WORKER_BAD_HANDLER", `The function "${name}" is not a function: pass functions only.`);
    }
    (functions as Record<string, RemoteFunction>)[name] = fn;
  }
  return Object.freeze({ [BRAND]: true as const, events: Object.freeze(events), functions: Object.freeze(functions) });
}

/** What a loaded handler module offers, as `ready()` reports it. */
export interface HandlerModuleInfo {
  /** Event types that have handlers. */
  events: string[];
  /** Names callable with `submit`. */
  functions: string[];
}

export function isHandlerModule(v: unknown): v is HandlerModule {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[BRAND] === true;
}

/** Where a handler module lives: a file URL, or a path (relative paths are taken from the current directory). */
export type ModuleLocation = string | URL;

/** The `file:` URL of a handler module, as `import()` wants it. */
export function moduleUrl(location: ModuleLocation): string {
  if (location instanceof URL) return location.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(location) && !isAbsolute(location)) return location;
  return pathToFileURL(isAbsolute(location) ? location : resolve(location)).href;
}

/** Import a handler module and check its default export. */
export async function loadHandlerModule(url: string): Promise<HandlerModule> {
  let mod: { default?: unknown };
  const trace: ImportTrace = { tried: [] };
  try {
    mod = (await importModule(url, trace)) as { default?: unknown };
  } catch (cause) {
    const details = { url, tried: trace.tried, found: trace.found ?? null };
    if (trace.found === undefined) {
      throw new TickwireError(
        "TW_WORKER_MODULE_LOAD",
        `Could not find the handler module: looked for ${trace.tried.join(" and ")}. Check the path (a URL such as new URL("./handlers.js", import.meta.url), or a path from the current directory ${process.cwd()}).`,
        { cause, details },
      );
    }
    if (trace.tsx === false) {
      throw new TickwireError(
        "TW_WORKER_MODULE_LOAD",
        `Could not import the handler module ${trace.found}: it is TypeScript and tsx could not be loaded. Install tsx (npm i -D tsx) and run with --import tsx, or compile the module to .js.`,
        { cause, details },
      );
    }
    throw new TickwireError(
      "TW_WORKER_MODULE_LOAD",
      `Could not import the handler module ${trace.found}: it failed while loading (${(cause as Error)?.message ?? String(cause)}). Check that it loads on its own.`,
      { cause, details },
    );
  }
  if (!isHandlerModule(mod.default)) {
    throw new TickwireError("TW_WORKER_MODULE_LOAD", `The handler module ${url} must have a default export made with defineHandlers({ events, functions }).`);
  }
  return mod.default;
}

/** Run every handler of `type` in order; each one's error takes its slot in place of a result. */
export async function runHandlers(mod: HandlerModule, event: Event): Promise<{ values: unknown[]; failed: number[] }> {
  const handlers = mod.events[event.type] ?? [];
  const values: unknown[] = new Array<unknown>(handlers.length);
  const failed: number[] = [];
  for (let i = 0; i < handlers.length; i++) {
    try {
      values[i] = await (handlers[i] as (e: Event) => unknown)(event);
    } catch (err) {
      values[i] = err;
      failed.push(i);
    }
  }
  return { values, failed };
}

export function unknownFunction(name: string, mod: HandlerModule): TickwireError {
  const known = Object.keys(mod.functions);
  return new TickwireError(
    "TW_WORKER_UNKNOWN_FUNCTION",
    `No function named "${name}" in the handler module; it has: ${known.length > 0 ? known.join(", ") : "(none)"}.`,
    { details: { name, known } },
  );
}

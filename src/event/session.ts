import { AsyncLocalStorage } from "node:async_hooks";
import type { Event } from "./Event.js";
import { TickwireError } from "./errors.js";

/** What a handler can learn about the dispatch it runs in. */
export interface Session {
  /** The engine dispatching the event (typed loosely: a session is read from anywhere). */
  readonly engine: SessionEngine;
  /** The event being handled (for `submit`, an internal event of type "eSubmit"). */
  readonly event: Event;
  /** The engine's global context with the event's own context merged over it. */
  readonly context: Readonly<Record<string, unknown>>;
}

/** The part of an engine a session exposes; keeps this module free of the engine's class. */
export interface SessionEngine {
  readonly name: string;
  readonly globalContext: Readonly<Record<string, unknown>>;
  /** @internal The event whose handlers run right now (synchronously), if any. */
  readonly currentEvent: Event | undefined;
}

interface Frame {
  engine: SessionEngine;
  event: Event;
}

// The synchronous part of a handler sees the engine that is draining (set once per batch) and
// its current event (one write per event, no allocation). After an `await` the loop has moved on,
// so only AsyncLocalStorage knows — and it is used only where asked for, because enabling it
// taxes every promise in the process.
let active: SessionEngine | undefined;
let als: AsyncLocalStorage<Frame> | undefined;

/** @internal Set by an engine's dispatch loop for the length of a batch; returns the previous one. */
export function activate(engine: SessionEngine | undefined): SessionEngine | undefined {
  const prev = active;
  active = engine;
  return prev;
}

let framed = false;

/**
 * @internal Gives what runs next a frame that survives awaits: promises created from here on
 * capture it. The frame stays until the next enterFrame or clearFrame, so a run of framed events
 * costs one store switch each; the engine clears it before an unframed event and after a batch.
 */
export function enterFrame(engine: SessionEngine, event: Event): void {
  als ??= new AsyncLocalStorage<Frame>();
  als.enterWith({ engine, event });
  framed = true;
}

/** @internal Leaves whatever frame the running code inherited (once per batch: it reads the store). */
export function resetFrame(): void {
  if (als !== undefined && (framed || als.getStore() !== undefined)) als.enterWith(undefined as unknown as Frame);
  framed = false;
}

/** @internal Ends the frame enterFrame set, if any. */
export function clearFrame(): void {
  if (!framed) return;
  framed = false;
  als!.enterWith(undefined as unknown as Frame);
}

function merged(engine: SessionEngine, event: Event): Readonly<Record<string, unknown>> {
  if (event.context === undefined) return engine.globalContext;
  return { ...engine.globalContext, ...event.context };
}

/** The session of the handler that is running, or undefined outside any handler. */
export function currentSession(): Session | undefined {
  let engine = active;
  let event = engine?.currentEvent;
  if (engine === undefined || event === undefined) {
    const frame = als?.getStore();
    if (frame === undefined) return undefined;
    engine = frame.engine;
    event = frame.event;
  }
  return { engine, event, context: merged(engine, event) };
}

/**
 * The session of the running handler: its engine, its event and the merged context. Works in the
 * synchronous part of every handler; after an `await` it works for `dispatch()`/`submit()` and for
 * events carrying a context, and for every event on an engine made with `asyncContext: true`.
 */
export function session(): Session {
  const s = currentSession();
  if (s === undefined)
    throw new TickwireError(
      "TW_EVENT_NO_SESSION",
      "session() was called outside a handler, or after an await on an engine without async context: " +
        "create the engine with { asyncContext: true }, or use dispatch()/put an event with a context.",
    );
  return s;
}

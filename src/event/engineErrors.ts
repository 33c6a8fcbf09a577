import { EVENT_HANDLER_ERROR, Event, type HandlerErrorData } from "./Event.js";
import type { EventEngineOptions } from "./engineOptions.js";
import type { Handler, HandlerTable } from "./HandlerTable.js";
import { handlerName } from "./EngineStats.js";
import { TickwireError } from "./errors.js";

/**
 * What an engine does with a handler that throws or rejects: count it, give it to `onError`
 * (or console.error when nobody listens for `eHandlerError`), and put an `eHandlerError` event.
 * Dispatch always goes on.
 */
export class HandlerErrors {
  count = 0;

  constructor(
    private readonly engineName: string,
    private readonly onError: EventEngineOptions["onError"],
    private readonly table: HandlerTable,
    /** Queues the `eHandlerError` event; may throw (full queue). */
    private readonly put: (event: Event) => void,
  ) {}

  /** Handler `h` failed on `ev` with `error`. */
  failed(error: unknown, h: Handler, ev: Event): void {
    this.count++;
    const handler = handlerName(h);
    this.report(error, { event: ev, handler });
    // An error in an error handler is reported but never put again: that could loop forever.
    if (ev.type === EVENT_HANDLER_ERROR) return;
    try {
      this.put(new Event(EVENT_HANDLER_ERROR, { event: ev, handler, error } satisfies HandlerErrorData));
    } catch {
      // queue full: the error was reported to onError; nothing else to do
    }
  }

  /** Reports an error without an event for it (the engine's own: a guard, a stop deadline). */
  report(error: unknown, info: { event: Event; handler: string }): void {
    if (this.onError !== undefined) {
      try {
        this.onError(error, info);
      } catch {
        // an onError that throws must not break dispatch
      }
      return;
    }
    if (!this.table.has(EVENT_HANDLER_ERROR) || info.event.type === EVENT_HANDLER_ERROR)
      console.error(`[tickwire] ${this.engineName}: handler "${info.handler}" failed on "${info.event.type}":`, error);
  }
}

/** What `put` throws for anything but an Event. */
export function notAnEvent(value: unknown): TickwireError {
  const what =
    value === null ? "null" : typeof value === "object" ? `an object (${Object.prototype.toString.call(value)})` : `${typeof value} ${String(value)}`;
  return new TickwireError(
    "TW_EVENT_BAD_EVENT",
    `put() takes an Event, made with new Event(type, data); got ${what}. (An Event from another copy of tickwire ` +
      `is not one either: import Event and EventEngine from the same module.)`,
  );
}

/** What stop() reports when its deadline passed with work left. */
export function stopDeadlineError(deadlineMs: number, queued: number, inFlight: number): TickwireError {
  return new TickwireError(
    "TW_EVENT_STOP_DEADLINE",
    `stop() gave up after ${deadlineMs} ms with ${queued} queued event(s) undispatched and ${inFlight} async handler(s) ` +
      `still running: give stop() a longer deadlineMs, or make handlers faster (or settle their promises).`,
    { details: { abandoned: queued + inFlight, queued, inFlight } },
  );
}

/** What a dispatch()/submit() left in the queue by a stop past its deadline rejects with. */
export function stoppedError(): TickwireError {
  return new TickwireError("TW_EVENT_STOPPED", "The engine stopped before this event was handled.");
}

import { EVENT_SLOW_HANDLER, Event, type SlowHandlerData } from "./Event.js";
import type { Handler, HandlerTable } from "./HandlerTable.js";
import { isThenable, type InFlight } from "./dispatchResults.js";
import type { EventQueue } from "./EventQueue.js";
import type { Overflow } from "./overflow.js";
import type { HandlerErrors } from "./engineErrors.js";

export interface EngineStats {
  name: string;
  running: boolean;
  queueDepth: number;
  highWater: number;
  put: number;
  dispatched: number;
  /** Per type: every type with handlers, and the first `MAX_COUNTED_UNHANDLED_TYPES` types seen without any. */
  dispatchedByType: Record<string, number>;
  /** Events of handler-less types seen after that many (keyed types such as `eOrder.<id>` are unbounded). */
  dispatchedOtherTypes: number;
  handlerErrors: number;
  /** Async handlers (and routed pools) whose promise has not settled yet. */
  inFlight: number;
  dropped: number;
  conflated: number;
  rejected: number;
  /** Dropped by stop() past its deadline: events still queued plus async handlers still running. */
  abandoned: number;
  slowHandlers: number;
  handlerTime: {
    /** Wall time spent dispatching, ms (whole batches; always measured). */
    totalMs: number;
    /** The slowest single handler call seen; only with `profile` or `slowHandlerMs`. */
    slowest: { handler: string; type: string; ms: number } | undefined;
  };
}

export function handlerName(h: (...args: never[]) => unknown): string {
  return h.name || "anonymous";
}

/**
 * Handler timing: the wall time of whole batches (always), and with `profile` or `slowHandlerMs`
 * the slowest handler call and an `eSlowHandler` event for each call over the threshold.
 */
export class Profiler {
  /** Wall time spent dispatching, ms. */
  totalMs = 0;
  slowCount = 0;
  private slowestCall: EngineStats["handlerTime"]["slowest"] = undefined;

  constructor(
    /** Time every handler call (~2 clock reads per call). */
    readonly enabled: boolean,
    private readonly slowHandlerMs: number,
    /** Queues the `eSlowHandler` event; may throw (full queue). */
    private readonly put: (event: Event) => void,
    private readonly table: HandlerTable,
    private readonly work: InFlight,
    private readonly failed: (error: unknown, h: Handler, ev: Event) => void,
  ) {}

  /** A plain event on an engine with `profile`: every handler call timed. */
  dispatch(ev: Event): void {
    const slot = this.table.slotFor(ev.type);
    slot.dispatched++;
    for (const h of slot.all) {
      const t0 = performance.now();
      try {
        const r = h(ev);
        if (r !== undefined && isThenable(r)) this.work.track(r, h, ev);
      } catch (e) {
        this.failed(e, h, ev);
      }
      this.note(h, ev, performance.now() - t0);
    }
  }

  get slowest(): EngineStats["handlerTime"]["slowest"] {
    return this.slowestCall === undefined ? undefined : { ...this.slowestCall };
  }

  /** One handler call of `ms` milliseconds. */
  note(h: Handler, ev: Event, ms: number): void {
    if (this.slowestCall === undefined || ms > this.slowestCall.ms) this.slowestCall = { handler: handlerName(h), type: ev.type, ms };
    if (ms > this.slowHandlerMs && ev.type !== EVENT_SLOW_HANDLER) {
      this.slowCount++;
      try {
        this.put(new Event(EVENT_SLOW_HANDLER, { type: ev.type, handler: handlerName(h), ms } satisfies SlowHandlerData));
      } catch {
        // queue full (overflow "reject"): the slow call is still counted
      }
    }
  }
}

/** What `stats()` reads: the engine's own counts and the parts that keep theirs. */
export interface StatsSources {
  name: string;
  running: boolean;
  dispatched: number;
  abandoned: number;
  highWater: number;
  queue: EventQueue;
  table: HandlerTable;
  errors: HandlerErrors;
  work: InFlight;
  overflow: Overflow | undefined;
  profiler: Profiler;
}

/** `engine.stats()`, gathered from the parts that count. */
export function collectStats(s: StatsSources): EngineStats {
  const counts = s.table.counts();
  const o = s.overflow;
  return {
    name: s.name,
    running: s.running,
    queueDepth: s.queue.length,
    highWater: s.highWater,
    put: s.queue.pushed,
    dispatched: s.dispatched,
    dispatchedByType: counts.byType,
    dispatchedOtherTypes: counts.otherTypes,
    handlerErrors: s.errors.count,
    inFlight: s.work.count,
    dropped: o?.dropped ?? 0,
    conflated: o?.conflated ?? 0,
    rejected: o?.rejected ?? 0,
    abandoned: s.abandoned,
    slowHandlers: s.profiler.slowCount,
    handlerTime: { totalMs: s.profiler.totalMs, slowest: s.profiler.slowest },
  };
}

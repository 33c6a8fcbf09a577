import {
  Event,
  EVENT_HANDLER_ERROR,
  EVENT_SLOW_HANDLER,
  EVENT_SUBMIT,
  EVENT_TIMER,
  type HandlerErrorData,
  type SlowHandlerData,
  type TimerData,
} from "./Event.js";
import { EventQueue } from "./EventQueue.js";
import { Pending } from "./Pending.js";
import { TickwireError } from "./errors.js";
import { checkDeadline, checkInterval, resolveEngineOptions } from "./engineOptions.js";
import { activate, clearFrame, enterFrame, resetFrame, type SessionEngine } from "./session.js";
import type { Mountable } from "./Blueprint.js";

/** Payload types by event type. Template-literal keys (`eTick.${string}`) are allowed. */
export type EventMap = Record<string, unknown>;

/** The events every engine knows, whatever its map says. */
export interface BuiltinEvents {
  eTimer: TimerData;
  eHandlerError: HandlerErrorData;
  eSlowHandler: SlowHandlerData;
}

export type AllEvents<M> = M & BuiltinEvents;
export type EventType<M> = keyof AllEvents<M> & string;
export type Handler<T = unknown, K extends string = string> = (event: Event<T, K>) => unknown;
/** A general handler sees every event, so its payload is the union of the map's payloads. */
export type GeneralHandler<M = EventMap> = (event: Event<AllEvents<M>[EventType<M>], EventType<M>>) => unknown;

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

export interface DispatchOptions {
  context?: Record<string, unknown>;
}

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

/** Something that runs handlers elsewhere (a worker pool, a child process) and returns results. */
export interface RemoteDispatcher {
  dispatch(type: string, data: unknown, options?: { context?: Readonly<Record<string, unknown>> }): PromiseLike<unknown[]>;
}

/** How many handler-less types stats() counts one by one; the rest are counted together. Keyed
 * types (`eOrder.` + every order id) would otherwise grow the engine without bound. */
export const MAX_COUNTED_UNHANDLED_TYPES = 1024;

const NO_HANDLERS: Handler[] = [];
/** The cursor of an engine that is not dispatching. */
const IDLE: { readonly event: undefined } = Object.freeze({ event: undefined });

interface TypeSlot {
  handlers: Handler[];
  /** The type's handlers then the general ones: the list a dispatch runs, rebuilt on change. */
  all: Handler[];
  dispatched: number;
}

const enum State {
  Stopped,
  Running,
  Stopping,
}

let engineCount = 0;

function handlerName(h: (...args: never[]) => unknown): string {
  return h.name || "anonymous";
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" && typeof (v as { then?: unknown }).then === "function";
}

/**
 * vnpy's EventEngine, kept simple and made robust: one FIFO queue, handlers of the exact type in
 * registration order then general handlers, a timer event. A throwing handler never stops dispatch;
 * stop() drains and the engine can start again; the queue drains in batches that yield to I/O.
 * On top, EventDriven's controller: dispatch() with results, submit(), sessions, blueprints, listen().
 */
export class EventEngine<M extends object = EventMap> implements SessionEngine {
  readonly name: string;
  readonly globalContext: Record<string, unknown>;
  /** @internal The event whose handlers run right now. */
  get currentEvent(): Event | undefined {
    return this.cursor.event;
  }

  private readonly queue = new EventQueue();
  /** Holds the event being dispatched. A fresh one per batch is a young object, so the store per
   * event skips the old-to-new write barrier that a field of the long-lived engine pays (measured
   * alone: ~5 ns an event, a tenth of what a producer-made event costs the engine in all). */
  private cursor: { event: Event | undefined } = IDLE;
  /** Types with handlers, in a null-prototype dictionary: on the hot path a keyed property load beats Map#get. */
  private readonly slots: Record<string, TypeSlot | undefined> = Object.create(null) as Record<string, TypeSlot | undefined>;
  /** Dispatch counts of types without handlers (bounded), each with the general handlers as its list. */
  private readonly unhandled = new Map<string, TypeSlot>();
  /** Handler-less types past the bound share this slot. */
  private readonly otherTypes: TypeSlot = { handlers: NO_HANDLERS, all: [], dispatched: 0 };
  private lastType: string | undefined = undefined;
  private lastSlot: TypeSlot | undefined = undefined;
  private general: Handler[] = [];
  private state = State.Stopped;
  private scheduled = false;

  private interval: number | null;
  private timer: NodeJS.Timeout | undefined = undefined;
  /** The timer event waiting in the queue, if any: at most one waits at a time. */
  private queuedTimer: Event | undefined = undefined;

  private readonly onError: EventEngineOptions["onError"];
  private readonly maxQueue: number;
  private readonly overflow: OverflowPolicy;
  private readonly conflateKey: (event: Event) => string | undefined;
  private readonly conflateIndex: Map<string, number> | undefined;
  private readonly profile: boolean;
  private readonly slowHandlerMs: number;
  private readonly batchSize: number;
  private readonly batchTimeMs: number;
  private readonly asyncContext: boolean;
  /** True when `put` has more to do than push: a bound or conflation. */
  private readonly bounded: boolean;

  private readonly mounted = new Map<Mountable, ReturnType<Mountable["entries"]>>();
  private idleWaiters: Array<() => void> = [];
  private stopWaiter: (() => void) | undefined = undefined;
  private stopping: Promise<void> | undefined = undefined;
  private restartAfterStop = false;
  /** Bumped when a stop gives up on async work, so a late settle cannot touch the next run's count. */
  private run = 0;
  /** dispatch()/submit() results waiting on async work: a stop past its deadline rejects them. */
  private readonly awaiting = new Set<Pending<unknown>>();

  // stats
  private nDispatched = 0;
  private nErrors = 0;
  private nInFlight = 0;
  private nDropped = 0;
  private nConflated = 0;
  private nRejected = 0;
  private nAbandoned = 0;
  private nSlow = 0;
  private highWater = 0;
  private totalMs = 0;
  private slowest: EngineStats["handlerTime"]["slowest"] = undefined;

  constructor(options: EventEngineOptions = {}) {
    const o = resolveEngineOptions(options);
    this.name = o.name ?? `engine-${++engineCount}`;
    this.interval = o.interval;
    this.onError = o.onError;
    this.maxQueue = o.maxQueue;
    this.overflow = o.overflow;
    this.conflateKey = o.conflateKey;
    this.conflateIndex = this.overflow === "conflate" && this.maxQueue !== Infinity ? new Map() : undefined;
    this.slowHandlerMs = o.slowHandlerMs;
    this.profile = o.profile;
    this.batchSize = o.batchSize;
    this.batchTimeMs = o.batchTimeMs;
    this.asyncContext = o.asyncContext;
    this.globalContext = o.context;
    this.bounded = this.maxQueue !== Infinity;
  }

  // ---------------------------------------------------------------- registration

  /** Adds `handler` for events of exactly `type`. Registering the same handler twice is a no-op. */
  register<K extends EventType<M>>(type: K, handler: Handler<AllEvents<M>[K], K>): void {
    const h = handler as Handler;
    const slot = this.slots[type];
    if (slot === undefined) {
      const counted = this.unhandled.get(type);
      this.unhandled.delete(type);
      this.slots[type] = { handlers: [h], all: [h, ...this.general], dispatched: counted?.dispatched ?? 0 };
      this.lastType = undefined;
      return;
    }
    if (slot.handlers.includes(h)) return;
    // Copy on write: a dispatch in progress keeps iterating the list it started with.
    slot.handlers = [...slot.handlers, h];
    slot.all = [...slot.handlers, ...this.general];
  }

  /** Removes `handler` from `type`; removing the last one removes the type. Unknown: no-op. */
  unregister<K extends EventType<M>>(type: K, handler: Handler<AllEvents<M>[K], K>): void {
    const slot = this.slots[type];
    if (slot === undefined) return;
    const i = slot.handlers.indexOf(handler as Handler);
    if (i < 0) return;
    if (slot.handlers.length === 1) {
      // The last handler: the type goes; its count stays with the handler-less ones.
      delete this.slots[type];
      this.lastType = undefined;
      const rest = this.countedUnhandled(type);
      rest.dispatched += slot.dispatched;
      return;
    }
    slot.handlers = slot.handlers.filter((_, j) => j !== i);
    slot.all = [...slot.handlers, ...this.general];
  }

  /** Adds a handler for every event, run after the type's own handlers. */
  registerGeneral(handler: GeneralHandler<M>): void {
    const h = handler as Handler;
    if (this.general.includes(h)) return;
    this.setGeneral([...this.general, h]);
  }

  unregisterGeneral(handler: GeneralHandler<M>): void {
    const i = this.general.indexOf(handler as Handler);
    if (i < 0) return;
    this.setGeneral(this.general.filter((_, j) => j !== i));
  }

  private setGeneral(list: Handler[]): void {
    this.general = list;
    for (const slot of Object.values(this.slots)) slot!.all = [...slot!.handlers, ...list];
    for (const slot of this.unhandled.values()) slot.all = list;
    this.otherTypes.all = list;
  }

  /** The types that have at least one handler. */
  types(): string[] {
    return Object.keys(this.slots);
  }

  /** The handlers of `type`, in the order they run (a copy). */
  handlersOf(type: string): Handler[] {
    return [...(this.slots[type]?.handlers ?? [])];
  }

  /** Registers every handler of a blueprint at once; `unmount` removes exactly those. */
  mount(bp: Mountable): void {
    if (this.mounted.has(bp)) return;
    const entries = bp.entries();
    for (const [type, h] of entries) {
      if (type === null) this.registerGeneral(h as GeneralHandler<M>);
      else this.register(type as EventType<M>, h as Handler<AllEvents<M>[EventType<M>], EventType<M>>);
    }
    this.mounted.set(bp, entries);
  }

  unmount(bp: Mountable): void {
    const entries = this.mounted.get(bp);
    if (entries === undefined) return;
    for (const [type, h] of entries) {
      if (type === null) this.unregisterGeneral(h as GeneralHandler<M>);
      else this.unregister(type as EventType<M>, h as Handler<AllEvents<M>[EventType<M>], EventType<M>>);
    }
    this.mounted.delete(bp);
  }

  /**
   * Sends events of `types` to a pool or child process: their results become this handler's
   * result (so `dispatch` returns them). Returns a function that removes the route.
   */
  route(types: readonly EventType<M>[], target: RemoteDispatcher): () => void {
    const handler: Handler = function routed(event) {
      return event.context === undefined
        ? target.dispatch(event.type, event.data)
        : target.dispatch(event.type, event.data, { context: event.context });
    };
    for (const t of types) this.register(t, handler as Handler<AllEvents<M>[EventType<M>], EventType<M>>);
    return () => {
      for (const t of types) this.unregister(t, handler as Handler<AllEvents<M>[EventType<M>], EventType<M>>);
    };
  }

  /**
   * Dispatches here every event of the allowed types that `other` dispatches, with
   * `context.origin` naming where it came from. Engines listening to each other never loop.
   * Returns a function that stops listening.
   */
  listen<N extends object>(
    other: EventEngine<N>,
    options: { allow?: readonly string[] | ((type: string) => boolean) } = {},
  ): () => void {
    const allow = options.allow;
    const allowed =
      allow === undefined ? () => true : typeof allow === "function" ? allow : (t: string) => allow.includes(t);
    const forward: Handler = (event) => {
      if (!allowed(event.type) || event.type === EVENT_TIMER) return;
      const route = (event.context?.route as readonly string[] | undefined) ?? [];
      if (route.includes(this.name)) return; // it came from here: forwarding it back would loop
      const context = { ...event.context, origin: other.name, route: [...route, other.name] };
      this.putEvent(new Event(event.type, event.data, context));
    };
    other.registerGeneral(forward as GeneralHandler<N>);
    return () => other.unregisterGeneral(forward as GeneralHandler<N>);
  }

  // ---------------------------------------------------------------- putting events

  /** Queues an event (fire and forget). Events put before `start()` wait for it. */
  put<K extends EventType<M>>(event: Event<AllEvents<M>[K], K>): void {
    // One map check: anything else (42, null, a look-alike object) would fail later in the drain.
    if (!(event instanceof Event)) throw notAnEvent(event);
    // the common case inlined: no bound, so just queue and make sure a drain is scheduled
    if (this.bounded) {
      this.putBounded(event as Event);
      return;
    }
    const n = this.queue.push(event as Event);
    if (n > this.highWater) this.highWater = n;
    if (!this.scheduled && this.state !== State.Stopped) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  /** Queues an event and returns a Pending of its handlers' results, in handler order; a handler
   * that failed has its error in its slot. Async handlers are awaited. */
  dispatch<K extends EventType<M>>(type: K, data: AllEvents<M>[K], options?: DispatchOptions): Pending<unknown[]> {
    const ev = new Event(type, data, options?.context) as Event;
    const pending = new Pending<unknown[]>();
    ev.job = pending as Pending<unknown>;
    try {
      this.putEvent(ev);
    } catch (e) {
      pending.reject(e);
    }
    return pending;
  }

  /** Runs `fn(...args)` on the engine, in FIFO order with the events; returns a Pending of its result. */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Pending<Awaited<R>> {
    const ev = new Event(EVENT_SUBMIT, new SubmitCall(fn as (...args: unknown[]) => unknown, args)) as Event;
    const pending = new Pending<Awaited<R>>();
    ev.job = pending as Pending<unknown>;
    try {
      this.putEvent(ev);
    } catch (e) {
      pending.reject(e);
    }
    return pending;
  }

  private putEvent(ev: Event): void {
    if (this.bounded) {
      this.putBounded(ev);
      return;
    }
    const n = this.queue.push(ev);
    if (n > this.highWater) this.highWater = n;
    if (!this.scheduled && this.state !== State.Stopped) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private putBounded(ev: Event): void {
    const q = this.queue;
    if (q.length >= this.maxQueue) {
      if (!this.overflowed(ev)) return;
    } else if (this.conflateIndex !== undefined && this.conflateInto(ev)) {
      return;
    }
    const n = q.push(ev);
    if (this.conflateIndex !== undefined) {
      const key = this.conflateKey(ev);
      if (key !== undefined) this.conflateIndex.set(key, q.pushed - 1);
    }
    if (n > this.highWater) this.highWater = n;
    if (!this.scheduled && this.state !== State.Stopped) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  /** Replaces a queued event with the same conflation key; true when it did. */
  private conflateInto(ev: Event): boolean {
    if (ev.job !== undefined) return false; // a dispatch() result must not vanish
    const key = this.conflateKey(ev);
    if (key === undefined) return false;
    const seq = this.conflateIndex!.get(key);
    if (seq === undefined || seq < this.queue.headSequence) return false;
    this.queue.replace(seq, ev);
    this.nConflated++;
    return true;
  }

  /** The queue is full: apply the policy. True when `ev` should still be queued. */
  private overflowed(ev: Event): boolean {
    if (this.overflow === "conflate" && this.conflateInto(ev)) return false;
    if (this.overflow === "drop-oldest") {
      const old = this.queue.shift();
      if (old !== undefined) {
        this.forgetConflated(old, this.queue.headSequence - 1);
        this.nDropped++;
        old.job?.reject(
          new TickwireError("TW_EVENT_QUEUE_DROPPED", "The event was dropped from a full queue (overflow: drop-oldest)."),
        );
        if (old === this.queuedTimer) this.queuedTimer = undefined;
      }
      return true;
    }
    this.nRejected++;
    throw new TickwireError(
      "TW_EVENT_QUEUE_FULL",
      `Event queue of "${this.name}" is full (${this.maxQueue} events): handlers are falling behind. ` +
        `Raise maxQueue, make handlers faster, or choose overflow "drop-oldest" or "conflate".`,
      { details: { type: ev.type, maxQueue: this.maxQueue } },
    );
  }

  private forgetConflated(ev: Event, seq: number): void {
    if (this.conflateIndex === undefined) return;
    let key: string | undefined;
    try {
      key = this.conflateKey(ev);
    } catch (e) {
      // a key that failed now was indexed when the event was put: a stale entry only skips one conflation
      this.reportError(e, { event: ev, handler: "conflateKey" });
      return;
    }
    if (key !== undefined && this.conflateIndex.get(key) === seq) this.conflateIndex.delete(key);
  }

  // ---------------------------------------------------------------- life cycle

  get running(): boolean {
    return this.state === State.Running;
  }

  /** Starts dispatching (and the timer). Events queued while stopped are dispatched now. */
  start(): void {
    if (this.state === State.Running) return;
    if (this.state === State.Stopping) {
      // A stop is draining: it finishes first (its callers see it finish), then the engine runs again.
      this.restartAfterStop = true;
      return;
    }
    this.state = State.Running;
    this.armTimer();
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  /**
   * Stops the timer, dispatches what is queued (and awaits async handlers) within the deadline,
   * then resolves. What is left after the deadline is dropped, counted and reported. `start()`
   * works again afterwards. Calls made while a stop is in progress share it; `start()` during a
   * stop takes effect once the stop has finished.
   */
  stop(options: StopOptions = {}): Promise<void> {
    try {
      if (options.deadlineMs !== undefined) checkDeadline(options.deadlineMs);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.stopping !== undefined) {
      // A stop asked for now wins over a start() made while the stop ran; and if the engine was
      // started again in the moment between the stop finishing and its callers waking, stop that too.
      this.restartAfterStop = false;
      return this.state === State.Running ? this.stopping.then(() => this.stop(options)) : this.stopping;
    }
    if (this.state === State.Stopped) return Promise.resolve();
    const stopping = this.stopNow(options).finally(() => {
      this.stopping = undefined;
      if (this.restartAfterStop) {
        this.restartAfterStop = false;
        this.start();
      }
    });
    this.stopping = stopping;
    return stopping;
  }

  private async stopNow(options: StopOptions): Promise<void> {
    const deadlineMs = options.deadlineMs ?? 5000;
    this.state = State.Stopping;
    this.disarmTimer();
    if (this.queue.length > 0 || this.nInFlight > 0) {
      if (!this.scheduled && this.queue.length > 0) {
        this.scheduled = true;
        setImmediate(this.drain);
      }
      await new Promise<void>((resolve) => {
        // setTimeout takes at most 2^31-1 ms (longer fires at once): past that, no deadline
        const timer = deadlineMs < 2 ** 31 ? setTimeout(() => {
          this.stopWaiter = undefined;
          resolve();
        }, deadlineMs) : undefined;
        this.stopWaiter = () => {
          clearTimeout(timer);
          this.stopWaiter = undefined;
          resolve();
        };
      });
    }
    this.state = State.Stopped;
    const queued = this.queue.length;
    const inFlight = this.nInFlight;
    if (queued > 0 || inFlight > 0) this.abandon(queued, inFlight, deadlineMs);
    this.settleIdle();
  }

  /** Past stop()'s deadline: drop what is queued, give up on async work still running (its
   * results reject, its late settle is ignored), count it all and report it. */
  private abandon(queued: number, inFlight: number, deadlineMs: number): void {
    const error = new TickwireError(
      "TW_EVENT_STOP_DEADLINE",
      `stop() gave up after ${deadlineMs} ms with ${queued} queued event(s) undispatched and ${inFlight} async handler(s) ` +
        `still running: give stop() a longer deadlineMs, or make handlers faster (or settle their promises).`,
      { details: { abandoned: queued + inFlight, queued, inFlight } },
    );
    if (queued > 0) {
      let ev: Event | undefined;
      while ((ev = this.queue.shift()) !== undefined) {
        ev.job?.reject(new TickwireError("TW_EVENT_STOPPED", "The engine stopped before this event was handled."));
      }
      this.conflateIndex?.clear();
      this.queuedTimer = undefined;
    }
    if (inFlight > 0) {
      this.run++;
      this.nInFlight = 0;
      const waiting = [...this.awaiting];
      this.awaiting.clear();
      for (const p of waiting) p.reject(error);
    }
    this.nAbandoned += queued + inFlight;
    this.reportError(error, { event: new Event("eStop"), handler: "stop" });
  }

  /** Resolves when the queue is empty and no async handler is still running. */
  waitForIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    if (this.state === State.Stopped && this.nInFlight === 0)
      return Promise.reject(
        new TickwireError("TW_EVENT_NOT_RUNNING", "waitForIdle() on a stopped engine with queued events: call start() first."),
      );
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Changes the timer period at run time (seconds), or stops the timer with `null`. */
  setTimerInterval(seconds: number | null): void {
    this.interval = checkInterval(seconds, "seconds");
    this.disarmTimer();
    if (this.state === State.Running) this.armTimer();
  }

  get timerInterval(): number | null {
    return this.interval;
  }

  private armTimer(): void {
    if (this.interval === null || this.timer !== undefined) return;
    const ms = this.interval * 1000;
    this.timer = setInterval(this.onTimer, ms);
    this.timer.unref(); // the engine alone never keeps a process alive; its producers do
  }

  private disarmTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private readonly onTimer = (): void => {
    if (this.queuedTimer !== undefined || this.state !== State.Running) return; // at most one waiting
    const ev = new Event(EVENT_TIMER, { time: Date.now(), interval: this.interval ?? 0 } satisfies TimerData);
    try {
      this.putEvent(ev);
      this.queuedTimer = ev;
    } catch {
      // a full queue: skip this tick
    }
  };

  // ---------------------------------------------------------------- dispatch loop

  private readonly drain = (): void => {
    this.scheduled = false;
    if (this.state === State.Stopped) return;
    const q = this.queue;
    const start = performance.now();
    const max = this.batchSize;
    const conflating = this.conflateIndex !== undefined;
    const plain = !this.asyncContext;
    const profile = this.profile;
    const cursor: { event: Event | undefined } = { event: undefined };
    this.cursor = cursor;
    const prevActive = activate(this);
    // This drain may have been scheduled from inside a framed handler (its put() made the
    // setImmediate), so it can start inside that frame: leave it once per batch.
    resetFrame();
    let n = 0;
    while (n < max) {
      const ev = q.shift();
      if (ev === undefined) break;
      n++;
      if (conflating) this.forgetConflated(ev, q.headSequence - 1);
      if (ev === this.queuedTimer) this.queuedTimer = undefined;
      cursor.event = ev;
      if (plain && ev.job === undefined && ev.context === undefined) {
        clearFrame(); // no-op unless the event before had a frame
        if (profile) this.dispatchTimed(ev);
        else this.dispatchPlain(ev);
      } else {
        this.dispatchGuarded(ev);
      }
      // Check the clock only now and then: a clock read costs more than dispatching an event.
      if ((n & 63) === 0 && performance.now() - start > this.batchTimeMs) break;
    }
    this.cursor = IDLE;
    clearFrame();
    activate(prevActive);
    this.nDispatched += n;
    this.totalMs += performance.now() - start;
    if (q.length > 0) {
      // a handler may have called stop(): read the state afresh
      if ((this.state as State) !== State.Stopped) {
        this.scheduled = true;
        setImmediate(this.drain); // yields to I/O and to callbacks already waiting
      }
    } else if (this.nInFlight === 0) {
      this.settleIdle();
    }
  };

  /** The slot of a type. Runs of one type (ticks) skip the Map lookup; every change of
   * registration clears that cache. A type without handlers gets a counting slot (bounded). */
  private slotFor(type: string): TypeSlot {
    if (type === this.lastType) return this.lastSlot!;
    const slot = this.slots[type] ?? this.countedUnhandled(type);
    this.lastType = type;
    this.lastSlot = slot;
    return slot;
  }

  private countedUnhandled(type: string): TypeSlot {
    let slot = this.unhandled.get(type);
    if (slot === undefined) {
      if (this.unhandled.size >= MAX_COUNTED_UNHANDLED_TYPES) return this.otherTypes;
      slot = { handlers: NO_HANDLERS, all: this.general, dispatched: 0 };
      this.unhandled.set(type, slot);
    }
    return slot;
  }

  /** The hot path: a plain `put` event, results discarded. */
  private dispatchPlain(ev: Event): void {
    const slot = this.slotFor(ev.type);
    slot.dispatched++;
    const hs = slot.all;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i];
      try {
        const r = h(ev);
        if (r !== undefined && isThenable(r)) this.track(r, h, ev);
      } catch (e) {
        this.handlerFailed(e, h, ev);
      }
    }
  }


  /** A plain event on an engine with `profile`: every handler call timed. */
  private dispatchTimed(ev: Event): void {
    const slot = this.slotFor(ev.type);
    slot.dispatched++;
    const hs = slot.all;
    for (let i = 0; i < hs.length; i++) this.callTimed(hs[i], ev);
  }

  private callTimed(h: Handler, ev: Event): void {
    const t0 = performance.now();
    try {
      const r = h(ev);
      if (r !== undefined && isThenable(r)) this.track(r, h, ev);
    } catch (e) {
      this.handlerFailed(e, h, ev);
    }
    this.noteTime(h, ev, performance.now() - t0);
  }

  /** Off the hot path, so a guard costs nothing: an event whose fields were overwritten (a `job`
   * that is not a Pending) is reported, never allowed to end the drain. */
  private dispatchGuarded(ev: Event): void {
    try {
      this.dispatchRich(ev);
    } catch (e) {
      this.nErrors++;
      this.reportError(e, { event: ev, handler: "engine" });
    }
  }

  /** dispatch()/submit() events, events with a context, and every event with asyncContext. */
  private dispatchRich(ev: Event): void {
    if (ev.job !== undefined && ev.data instanceof SubmitCall) {
      this.slotFor(EVENT_SUBMIT).dispatched++;
      enterFrame(this, ev);
      this.runSubmitted(ev);
    } else {
      enterFrame(this, ev);
      if (ev.job !== undefined) this.runCollect(ev);
      else if (this.profile) this.dispatchTimed(ev);
      else this.dispatchPlain(ev);
    }
  }

  /** Runs a dispatch()ed event's handlers and settles its Pending with their results. */
  private readonly runCollect = (ev: Event): void => {
    const pending = ev.job as Pending<unknown>;
    const slot = this.slotFor(ev.type);
    slot.dispatched++;
    const hs = slot.all;
    const n = hs.length;
    const results = new Array<unknown>(n);
    let waiting: Collect | undefined; // made only when a handler is async
    for (let i = 0; i < n; i++) {
      const h = hs[i];
      const t0 = this.profile ? performance.now() : 0;
      try {
        const r = h(ev);
        if (r !== undefined && isThenable(r)) (waiting ??= new Collect(this, this.run, results, pending)).follow(r, i, h, ev);
        else results[i] = r;
      } catch (e) {
        results[i] = e;
        this.handlerFailed(e, h, ev);
      }
      if (this.profile) this.noteTime(h, ev, performance.now() - t0);
    }
    if (waiting === undefined) pending.resolve(results);
    else waiting.seal();
  };

  private noteTime(h: Handler, ev: Event, ms: number): void {
    if (this.slowest === undefined || ms > this.slowest.ms) this.slowest = { handler: handlerName(h), type: ev.type, ms };
    if (ms > this.slowHandlerMs && ev.type !== EVENT_SLOW_HANDLER) {
      this.nSlow++;
      try {
        this.putEvent(new Event(EVENT_SLOW_HANDLER, { type: ev.type, handler: handlerName(h), ms } satisfies SlowHandlerData));
      } catch {
        // queue full (overflow "reject"): the slow call is still counted
      }
    }
  }

  private readonly runSubmitted = (ev: Event): void => {
    const pending = ev.job as Pending<unknown>;
    const call = ev.data as SubmitCall;
    try {
      const r = call.fn(...call.args);
      if (isThenable(r)) {
        this.nInFlight++;
        const run = this.run;
        this.awaiting.add(pending);
        r.then(
          (v) => {
            this.awaiting.delete(pending);
            pending.resolve(v);
            this.inFlightDone(run);
          },
          (e: unknown) => {
            this.awaiting.delete(pending);
            pending.reject(e);
            this.inFlightDone(run);
          },
        );
      } else pending.resolve(r);
    } catch (e) {
      pending.reject(e);
    }
  };

  /** @internal Called by Collect when it starts awaiting a handler. */
  asyncHandlerStarted(pending: Pending<unknown>): void {
    this.nInFlight++;
    this.awaiting.add(pending);
  }

  /** @internal Called by Collect when an awaited handler settles. */
  asyncHandlerSettled(run: number, error: unknown, failed: boolean, h: Handler, ev: Event): void {
    if (failed) this.handlerFailed(error, h, ev);
    this.inFlightDone(run);
  }

  /** @internal Called by Collect when the last awaited handler of a dispatch() has settled. */
  asyncDispatchDone(pending: Pending<unknown>): void {
    this.awaiting.delete(pending);
  }

  /** Follows an async handler's promise: its rejection is a handler error like a throw. */
  private track(p: PromiseLike<unknown>, h: Handler, ev: Event): void {
    this.nInFlight++;
    const run = this.run;
    p.then(
      () => this.inFlightDone(run),
      (e: unknown) => {
        this.handlerFailed(e, h, ev);
        this.inFlightDone(run);
      },
    );
  }

  /** One async handler (of run `run`) settled; a stop that gave up on it already took it off. */
  private inFlightDone(run: number): void {
    if (run !== this.run) return;
    if (--this.nInFlight === 0 && this.queue.length === 0) this.settleIdle();
  }

  private handlerFailed(error: unknown, h: Handler, ev: Event): void {
    this.nErrors++;
    const handler = handlerName(h);
    this.reportError(error, { event: ev, handler });
    // An error in an error handler is reported but never put again: that could loop forever.
    if (ev.type === EVENT_HANDLER_ERROR) return;
    try {
      this.putEvent(new Event(EVENT_HANDLER_ERROR, { event: ev, handler, error } satisfies HandlerErrorData));
    } catch {
      // queue full: the error was reported to onError; nothing else to do
    }
  }

  private reportError(error: unknown, info: { event: Event; handler: string }): void {
    if (this.onError !== undefined) {
      try {
        this.onError(error, info);
      } catch {
        // an onError that throws must not break dispatch
      }
      return;
    }
    const listened = this.slots[EVENT_HANDLER_ERROR] !== undefined;
    if (!listened || info.event.type === EVENT_HANDLER_ERROR)
      console.error(`[tickwire] ${this.name}: handler "${info.handler}" failed on "${info.event.type}":`, error);
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.nInFlight === 0;
  }

  private settleIdle(): void {
    if (!this.isIdle()) return;
    if (this.stopWaiter !== undefined) this.stopWaiter();
    if (this.idleWaiters.length === 0) return;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }

  // ---------------------------------------------------------------- observability

  stats(): EngineStats {
    const dispatchedByType: Record<string, number> = {};
    for (const [type, slot] of Object.entries(this.slots)) if (slot!.dispatched > 0) dispatchedByType[type] = slot!.dispatched;
    for (const [type, slot] of this.unhandled) if (slot.dispatched > 0) dispatchedByType[type] = slot.dispatched;
    return {
      name: this.name,
      running: this.state === State.Running,
      queueDepth: this.queue.length,
      highWater: this.highWater,
      put: this.queue.pushed,
      dispatched: this.nDispatched,
      dispatchedByType,
      dispatchedOtherTypes: this.otherTypes.dispatched,
      handlerErrors: this.nErrors,
      inFlight: this.nInFlight,
      dropped: this.nDropped,
      conflated: this.nConflated,
      rejected: this.nRejected,
      abandoned: this.nAbandoned,
      slowHandlers: this.nSlow,
      handlerTime: { totalMs: this.totalMs, slowest: this.slowest === undefined ? undefined : { ...this.slowest } },
    };
  }
}

function notAnEvent(value: unknown): TickwireError {
  const what = value === null ? "null" : typeof value === "object" ? `an object (${Object.prototype.toString.call(value)})` : `${typeof value} ${String(value)}`;
  return new TickwireError(
    "TW_EVENT_BAD_EVENT",
    `put() takes an Event, made with new Event(type, data); got ${what}. (An Event from another copy of tickwire ` +
      `is not one either: import Event and EventEngine from the same module.)`,
  );
}

/** The payload of the internal event that carries a submit()ted function. */
class SubmitCall {
  constructor(
    readonly fn: (...args: unknown[]) => unknown,
    readonly args: readonly unknown[],
  ) {}
}

interface CollectHost {
  asyncHandlerStarted(pending: Pending<unknown>): void;
  asyncHandlerSettled(run: number, error: unknown, failed: boolean, h: Handler, ev: Event): void;
  asyncDispatchDone(pending: Pending<unknown>): void;
}

/** Gathers a dispatch()'s results when some handlers are async; settles the Pending at the end. */
class Collect {
  private waiting = 1; // the synchronous pass counts as one until seal()

  constructor(
    private readonly engine: CollectHost,
    private readonly run: number,
    private readonly results: unknown[],
    private readonly pending: Pending<unknown>,
  ) {}

  follow(p: PromiseLike<unknown>, i: number, h: Handler, ev: Event): void {
    this.waiting++;
    this.engine.asyncHandlerStarted(this.pending);
    p.then(
      (v) => {
        this.results[i] = v;
        this.engine.asyncHandlerSettled(this.run, undefined, false, h, ev);
        this.done();
      },
      (e: unknown) => {
        this.results[i] = e;
        this.engine.asyncHandlerSettled(this.run, e, true, h, ev);
        this.done();
      },
    );
  }

  seal(): void {
    this.done();
  }

  private done(): void {
    if (--this.waiting > 0) return;
    this.engine.asyncDispatchDone(this.pending);
    this.pending.resolve(this.results);
  }
}

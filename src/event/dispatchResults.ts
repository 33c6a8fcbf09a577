import { EVENT_SUBMIT, type Event } from "./Event.js";
import type { Pending } from "./Pending.js";
import type { Handler, HandlerTable } from "./HandlerTable.js";
import type { Profiler } from "./EngineStats.js";

type Failed = (error: unknown, h: Handler, ev: Event) => void;

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" && typeof (v as { then?: unknown }).then === "function";
}

/** The payload of the internal event that carries a submit()ted function. */
export class SubmitCall {
  constructor(
    readonly fn: (...args: unknown[]) => unknown,
    readonly args: readonly unknown[],
  ) {}
}

/**
 * Async work still running: handlers whose promise has not settled, and dispatch()/submit()
 * results waiting on it. A stop past its deadline gives up on it (`abandon`): the results reject
 * and the late settles are ignored, because `run` moved on.
 */
export class InFlight {
  count = 0;
  /** Bumped when a stop gives up on async work, so a late settle cannot touch the next run's count. */
  run = 0;
  private readonly awaiting = new Set<Pending<unknown>>();

  constructor(
    private readonly failed: Failed,
    /** Called when the count falls to zero. */
    private readonly settled: () => void,
  ) {}

  /** Follows an async handler's promise: its rejection is a handler error like a throw. */
  track(p: PromiseLike<unknown>, h: Handler, ev: Event): void {
    this.count++;
    const run = this.run;
    p.then(
      () => this.done(run),
      (e: unknown) => {
        this.failed(e, h, ev);
        this.done(run);
      },
    );
  }

  /** Async work for `pending` started; call `done(run)` when it settles and `release` after the last. */
  start(pending: Pending<unknown>): void {
    this.count++;
    this.awaiting.add(pending);
  }

  release(pending: Pending<unknown>): void {
    this.awaiting.delete(pending);
  }

  /** One piece of async work (of run `run`) settled; a stop that gave up on it already took it off. */
  done(run: number): void {
    if (run !== this.run) return;
    if (--this.count === 0) this.settled();
  }

  /** Gives up on everything running: results waiting on it reject with `error`. */
  abandon(error: unknown): void {
    this.run++;
    this.count = 0;
    const waiting = [...this.awaiting];
    this.awaiting.clear();
    for (const p of waiting) p.reject(error);
  }
}

/** Runs the events of dispatch() and submit(): their handlers' results (or the function's) settle
 * the event's Pending. */
export class DispatchResults {
  constructor(
    private readonly table: HandlerTable,
    private readonly work: InFlight,
    private readonly profiler: Profiler,
    private readonly failed: Failed,
  ) {}

  run(ev: Event): void {
    if (ev.data instanceof SubmitCall) this.runSubmitted(ev, ev.data);
    else this.collect(ev);
  }

  /** Runs a dispatch()ed event's handlers and settles its Pending with their results. */
  private collect(ev: Event): void {
    const pending = ev.result as Pending<unknown>;
    const slot = this.table.slotFor(ev.type);
    slot.dispatched++;
    const hs = slot.all;
    const n = hs.length;
    const results = new Array<unknown>(n);
    const profile = this.profiler.enabled;
    let waiting: Collect | undefined; // made only when a handler is async
    for (let i = 0; i < n; i++) {
      const h = hs[i];
      const t0 = profile ? performance.now() : 0;
      try {
        const r = h(ev);
        if (r !== undefined && isThenable(r)) (waiting ??= new Collect(this.work, results, pending, this.failed)).follow(r, i, h, ev);
        else results[i] = r;
      } catch (e) {
        results[i] = e;
        this.failed(e, h, ev);
      }
      if (profile) this.profiler.note(h, ev, performance.now() - t0);
    }
    if (waiting === undefined) pending.resolve(results);
    else waiting.seal();
  }

  private runSubmitted(ev: Event, call: SubmitCall): void {
    const pending = ev.result as Pending<unknown>;
    this.table.slotFor(EVENT_SUBMIT).dispatched++;
    try {
      const r = call.fn(...call.args);
      if (!isThenable(r)) {
        pending.resolve(r);
        return;
      }
      const work = this.work;
      const run = work.run;
      work.start(pending);
      r.then(
        (v) => {
          work.release(pending);
          pending.resolve(v);
          work.done(run);
        },
        (e: unknown) => {
          work.release(pending);
          pending.reject(e);
          work.done(run);
        },
      );
    } catch (e) {
      pending.reject(e);
    }
  }
}

/** Gathers a dispatch()'s results when some handlers are async; settles the Pending at the end. */
class Collect {
  private waiting = 1; // the synchronous pass counts as one until seal()
  private readonly run: number;

  constructor(
    private readonly work: InFlight,
    private readonly results: unknown[],
    private readonly pending: Pending<unknown>,
    private readonly failed: Failed,
  ) {
    this.run = work.run;
  }

  follow(p: PromiseLike<unknown>, i: number, h: Handler, ev: Event): void {
    this.waiting++;
    this.work.start(this.pending);
    p.then(
      (v) => {
        this.results[i] = v;
        this.work.done(this.run);
        this.done();
      },
      (e: unknown) => {
        this.results[i] = e;
        this.failed(e, h, ev);
        this.work.done(this.run);
        this.done();
      },
    );
  }

  seal(): void {
    this.done();
  }

  private done(): void {
    if (--this.waiting > 0) return;
    this.work.release(this.pending);
    this.pending.resolve(this.results);
  }
}

import type { Pending } from "./Pending.js";

/** An event: a type (a string such as "eTick." or "eTick.rb2410.SHFE") and its payload. */
export class Event<T = unknown, K extends string = string> {
  readonly type: K;
  readonly data: T;
  /** Per-event session context given to `put`/`dispatch`; merged over the engine's global one. */
  context: Readonly<Record<string, unknown>> | undefined;
  /** Set by dispatch()/submit(): the Pending its results settle. Plain `put` leaves it undefined. */
  result: Pending<unknown> | undefined;

  constructor(type: K, data?: T, context?: Readonly<Record<string, unknown>>) {
    this.type = type;
    this.data = data as T;
    this.context = context;
    this.result = undefined;
  }

  /** @deprecated The old name of `result`. */
  get job(): Pending<unknown> | undefined {
    return this.result;
  }

  set job(pending: Pending<unknown> | undefined) {
    this.result = pending;
  }
}

/** Options of a `dispatch`, on an engine, a worker pool or a child process. */
export interface DispatchOptions {
  /** Per-event context, merged over the engine's global one; given to handlers as `event.context`
   * (it must be cloneable when it crosses to a worker or a child process). */
  context?: Readonly<Record<string, unknown>>;
  /** A worker pool's or child process's time limit for this call, ms (Infinity: none); an engine
   * in this process ignores it. */
  timeoutMs?: number;
}

/** The timer event, put every `interval` seconds while an engine runs. */
export const EVENT_TIMER = "eTimer";
/** Put when a handler throws or rejects: carries the event, the handler's name and the error. */
export const EVENT_HANDLER_ERROR = "eHandlerError";
/** Put when a handler ran longer than the engine's `slowHandlerMs`. */
export const EVENT_SLOW_HANDLER = "eSlowHandler";
/** The type of the internal event that carries a submit()ted function. */
export const EVENT_SUBMIT = "eSubmit";

export interface TimerData {
  /** When the timer fired, epoch milliseconds. */
  time: number;
  /** The timer period in force, seconds. */
  interval: number;
}

export interface HandlerErrorData {
  event: Event;
  handler: string;
  error: unknown;
}

export interface SlowHandlerData {
  type: string;
  handler: string;
  ms: number;
}

import type { Pending } from "./Pending.js";

/** An event: a type (a string such as "eTick." or "eTick.rb2410.SHFE") and its payload. */
export class Event<T = unknown, K extends string = string> {
  readonly type: K;
  readonly data: T;
  /** Per-event session context given to `put`/`dispatch`; merged over the engine's global one. */
  context: Readonly<Record<string, unknown>> | undefined;
  /** @internal Set by dispatch()/submit(): where the results go. Plain `put` leaves it undefined. */
  job: Pending<unknown> | undefined;

  constructor(type: K, data?: T, context?: Readonly<Record<string, unknown>>) {
    this.type = type;
    this.data = data as T;
    this.context = context;
    this.job = undefined;
  }
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

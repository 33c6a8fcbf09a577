/** An event: a type (a string such as "eTick." or "eTick.rb2410.SHFE") and its payload. */
export class Event<T = unknown, K extends string = string> {
  readonly type: K;
  readonly data: T;
  /** Per-event session context given to `put`/`dispatch`; merged over the engine's global one. */
  context: Readonly<Record<string, unknown>> | undefined;

  constructor(type: K, data?: T, context?: Readonly<Record<string, unknown>>) {
    this.type = type;
    this.data = data as T;
    this.context = context;
  }
}

/** The timer event, put every `interval` seconds while an engine runs. */
export const EVENT_TIMER = "eTimer";
/** Put when a handler throws or rejects: carries the event, the handler's name and the error. */
export const EVENT_HANDLER_ERROR = "eHandlerError";

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

export {
  Event,
  EVENT_TIMER,
  EVENT_HANDLER_ERROR,
  EVENT_SLOW_HANDLER,
  EVENT_SUBMIT,
  type TimerData,
  type HandlerErrorData,
  type SlowHandlerData,
  type DispatchOptions,
} from "./Event.js";
export { EventEngine } from "./EventEngine.js";
export type { EventEngineOptions, OverflowPolicy, StopOptions } from "./engineOptions.js";
export {
  MAX_COUNTED_UNHANDLED_TYPES,
  type EventMap,
  type BuiltinEvents,
  type AllEvents,
  type EventType,
  type Handler,
  type GeneralHandler,
} from "./HandlerTable.js";
export type { EngineStats } from "./EngineStats.js";
export type { RemoteDispatcher, ListenOptions } from "./wiring.js";
export { Pending } from "./Pending.js";
export { Blueprint, handles, type Mountable } from "./Blueprint.js";
export { session, currentSession, type Session, type SessionEngine } from "./session.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "./errors.js";
export { EVENT_ERRORS } from "./errorCodes.js";

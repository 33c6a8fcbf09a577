export {
  Event,
  EVENT_TIMER,
  EVENT_HANDLER_ERROR,
  EVENT_SLOW_HANDLER,
  EVENT_SUBMIT,
  type TimerData,
  type HandlerErrorData,
  type SlowHandlerData,
} from "./Event.js";
export {
  EventEngine,
  type EventEngineOptions,
  type EventMap,
  type BuiltinEvents,
  type AllEvents,
  type EventType,
  type Handler,
  type GeneralHandler,
  type OverflowPolicy,
  type StopOptions,
  type DispatchOptions,
  type EngineStats,
  type RemoteDispatcher,
  MAX_COUNTED_UNHANDLED_TYPES,
} from "./EventEngine.js";
export { Pending } from "./Pending.js";
export { Blueprint, handles, type Mountable } from "./Blueprint.js";
export { session, currentSession, type Session, type SessionEngine } from "./session.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "./errors.js";
export { EVENT_ERRORS } from "./errorCodes.js";
export * from "./workers/index.js";

/**
 * tickwire: an event-driven trading engine for TypeScript on Node.js.
 *
 * The root is the core, and importing it loads no transport, store, worker or web library: the
 * event engine (what `tickwire/event` has), the trading model
 * (`tickwire/trader`: objects, MainEngine, OmsEngine, LogEngine, BaseGateway) and the errors.
 * Everything else is behind its subpath: `tickwire/rpc` (ZeroMQ), `tickwire/bus` (RabbitMQ),
 * `tickwire/data` (SQLite, PostgreSQL), `tickwire/gateways/*`, `tickwire/strategy`, `tickwire/apps/*`,
 * and the workers (WorkerPool and Subprocess on piscina and child processes) with `tickwire/workers`.
 */
export {
  Event,
  EVENT_TIMER,
  EVENT_HANDLER_ERROR,
  EVENT_SLOW_HANDLER,
  EVENT_SUBMIT,
  type TimerData,
  type HandlerErrorData,
  type SlowHandlerData,
} from "./event/Event.js";
export { EventEngine } from "./event/EventEngine.js";
export type { EventEngineOptions, OverflowPolicy, StopOptions } from "./event/engineOptions.js";
export {
  type EventMap,
  type BuiltinEvents,
  type AllEvents,
  type EventType,
  type Handler,
  type GeneralHandler,
  MAX_COUNTED_UNHANDLED_TYPES,
} from "./event/HandlerTable.js";
export type { DispatchOptions } from "./event/Event.js";
export type { EngineStats } from "./event/EngineStats.js";
export type { RemoteDispatcher } from "./event/wiring.js";
export { Pending } from "./event/Pending.js";
export { Blueprint, handles, type Mountable } from "./event/Blueprint.js";
export { session, currentSession, type Session, type SessionEngine } from "./event/session.js";
export { EVENT_ERRORS } from "./event/errorCodes.js";
export * from "./trader/index.js";

/**
 * The messages between a Subprocess and its child, over Node's IPC channel with "advanced"
 * (structured clone) serialization. Each `send` carries a batch: a flat array of fixed-size
 * records, so many requests or results cost one message (and one syscall) instead of one each.
 */

/** Most records in one message; a bigger burst is sent as several. */
export const MAX_BATCH_RECORDS = 4096;

/** Parent → child records have 5 fields: [kind, id, a, b, c]. */
export const REQUEST_FIELDS = 5;
export const REQ_SUBMIT = 0; // [REQ_SUBMIT, id, name, args, -]
export const REQ_DISPATCH = 1; // [REQ_DISPATCH, id, type, data, context]
export const REQ_PUT = 2; // [REQ_PUT, 0, type, data, context]
export const REQ_IDLE = 3; // [REQ_IDLE, id, -, -, -]
export const REQ_SHUTDOWN = 4; // [REQ_SHUTDOWN, id, deadlineMs, -, -]

/** Child → parent records have 3 fields: [kind, id, payload]. */
export const REPLY_FIELDS = 3;
export const REP_OK = 0; // [REP_OK, id, value]
export const REP_ERROR = 1; // [REP_ERROR, id, SerializedError]
export const REP_DISPATCH = 2; // [REP_DISPATCH, id, [values, failedSlots]]
export const REP_READY = 3; // [REP_READY, 0, HandlerModuleInfo]
export const REP_START_FAILED = 4; // [REP_START_FAILED, 0, SerializedError]
export const REP_HANDLER_ERROR = 5; // [REP_HANDLER_ERROR, 0, [type, handler, SerializedError]]

/** What the child is told at start (JSON in argv). */
export interface ChildConfig {
  moduleUrl: string;
  engine: ChildEngineOptions;
}

/** The options of the child's EventEngine that can be given from the parent. */
export interface ChildEngineOptions {
  /** Timer period in seconds; `null` (the default here) for no timer. */
  interval?: number | null;
  /** The child engine's name. Default "subprocess". */
  name?: string;
  maxQueue?: number;
  overflow?: "reject" | "drop-oldest" | "conflate";
  batchSize?: number;
  batchTimeMs?: number;
  asyncContext?: boolean;
  /** The child engine's global session context (JSON data). */
  context?: Record<string, unknown>;
}

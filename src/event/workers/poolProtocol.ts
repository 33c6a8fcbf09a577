/**
 * The messages between a WorkerPool and its worker threads. Both directions are v8-serialized
 * bytes: serializing on the sending side turns an uncloneable payload into a typed error for that
 * one task, instead of an exception deep inside the pool's scheduler.
 */
export const TASK_DISPATCH = 0; // [TASK_DISPATCH, type, data, context]
export const TASK_SUBMIT = 1; // [TASK_SUBMIT, name, args]
export const TASK_DESCRIBE = 2; // [TASK_DESCRIBE]

export const REPLY_DISPATCH = 0; // [REPLY_DISPATCH, values, failedSlots] (failed slots hold SerializedError)
export const REPLY_OK = 1; // [REPLY_OK, value]
export const REPLY_ERROR = 2; // [REPLY_ERROR, SerializedError]

/** Where a worker finds its handler module (piscina passes it as workerData). */
export interface PoolWorkerData {
  moduleUrl: string;
}

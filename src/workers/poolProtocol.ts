/**
 * The messages between a WorkerPool and its worker threads. Both directions are v8-serialized
 * bytes: serializing on the sending side turns an uncloneable payload into a typed error for that
 * one task, instead of an exception deep inside the pool's scheduler.
 */
export const TASK_DISPATCH = 0; // [TASK_DISPATCH, watch, type, data, context]
export const TASK_SUBMIT = 1; // [TASK_SUBMIT, watch, name, args]
export const TASK_DESCRIBE = 2; // [TASK_DESCRIBE, watch]
// `watch` is 0, or the id of a task with a timeout: the thread then posts a TaskStarted message
// on its parentPort as the task starts, and the pool's clock for that task starts there.

/** What a thread posts (through piscina's 'message' event) when a task with a timeout starts. */
export interface TaskStarted {
  twTaskStarted: number;
}

export const REPLY_DISPATCH = 0; // [REPLY_DISPATCH, values, failedSlots] (failed slots hold SerializedError)
export const REPLY_OK = 1; // [REPLY_OK, value]
export const REPLY_ERROR = 2; // [REPLY_ERROR, SerializedError]

/** Where a worker finds its handler module (piscina passes it as workerData). */
export interface PoolWorkerData {
  moduleUrl: string;
}

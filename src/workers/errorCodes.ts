import type { ErrorCatalogue } from "../errorCodes.js";

/** The error codes of the workers (WorkerPool, Subprocess, handler modules). See docs/errors.md. */
export const WORKER_ERRORS = {
  TW_WORKER_BAD_OPTION: {
    meaning: "A WorkerPool or Subprocess option is out of range (threads, tasksPerThread, a timeout in ms).",
    fix: "Pass the option as the message says (docs/workers.md lists them).",
  },
  TW_WORKER_BAD_HANDLER: {
    meaning: "defineHandlers() was given something that is not a function for an event type.",
    fix: "Pass functions only.",
  },
  TW_WORKER_MODULE_LOAD: {
    meaning: "The handler module could not be imported, or has no defineHandlers() default export.",
    fix: "Check the path and that the module loads on its own (a .ts module needs tsx, or compile it).",
  },
  TW_WORKER_UNKNOWN_FUNCTION: {
    meaning: "The handler module has no function of that name; the message lists the ones it has.",
    fix: "Call one of the listed functions, or add it to the module's defineHandlers().",
  },
  TW_WORKER_CLOSED: {
    meaning: "The worker pool is closed and takes no more tasks.",
    fix: "Create a new WorkerPool.",
  },
  TW_WORKER_QUEUE_FULL: {
    meaning: "maxQueue tasks already wait for a thread.",
    fix: "Wait for results before sending more, or raise maxQueue.",
  },
  TW_WORKER_TIMEOUT: {
    meaning: "A task ran past its timeout; its thread was terminated and replaced.",
    fix: "Find what keeps the handler from finishing, or raise the timeout.",
  },
  TW_WORKER_CRASHED: {
    meaning: "A worker thread died while running the task; it has been replaced.",
    fix: "Find what exits or throws outside the handler's own promise.",
  },
  TW_WORKER_UNCLONEABLE: {
    meaning: "A task's arguments or result cannot be cloned to or from the thread.",
    fix: "Send and return plain data (no functions, sockets or class instances with private state).",
  },
  TW_WORKER_PROTOCOL: {
    meaning: "A worker thread got a message it does not know: two tickwire versions are mixed.",
    fix: "Run the pool and its worker from the same tickwire install.",
  },
  TW_WORKER_SUBPROCESS_START: {
    meaning: "The child process did not start, or was not ready within startTimeoutMs and was killed.",
    fix: "Check that the handler module loads on its own and does not hang while loading, or raise startTimeoutMs.",
  },
  TW_WORKER_SUBPROCESS_EXITED: {
    meaning: "The child process exited (or was killed for another request's timeout) before it answered.",
    fix: "Read the exit code and signal in details; send the request again if it is safe to.",
  },
  TW_WORKER_SUBPROCESS_TIMEOUT: {
    meaning: "A request to the child ran past its timeout; the child was killed and a new one started.",
    fix: "Find what keeps the handler from finishing, or raise the timeout.",
  },
  TW_WORKER_SUBPROCESS_CLOSED: {
    meaning: "The subprocess is shutting down and takes no more work.",
    fix: "Start a new Subprocess.",
  },
  TW_WORKER_SUBPROCESS_UNCLONEABLE: {
    meaning: "A request's arguments or result cannot be sent over the child's IPC channel.",
    fix: "Send and return plain data.",
  },
  TW_WORKER_SUBPROCESS_PROTOCOL: {
    meaning: "The child process got a message it does not know: two tickwire versions are mixed.",
    fix: "Run parent and child from the same tickwire install.",
  },
} as const satisfies ErrorCatalogue<"TW_WORKER_">;

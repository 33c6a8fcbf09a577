import type { ErrorCatalogue } from "../errorCodes.js";

/** The error codes of tickwire/event (EventEngine, Pending, session). See docs/errors.md. */
export const EVENT_ERRORS = {
  TW_EVENT_BAD_OPTION: {
    meaning: "An EventEngine option is out of range or of the wrong type; the message names it.",
    fix: "Pass the option as the message says (docs/event.md lists every option and its default).",
  },
  TW_EVENT_BAD_EVENT: {
    meaning: "put() was given something that is not an Event of this copy of tickwire.",
    fix: "Put `new Event(type, data)`, with Event imported from the same module as EventEngine.",
  },
  TW_EVENT_QUEUE_FULL: {
    meaning: 'The engine\'s queue holds maxQueue events (overflow "reject"): handlers are falling behind.',
    fix: 'Raise maxQueue, make handlers faster, or choose overflow "drop-oldest" or "conflate".',
  },
  TW_EVENT_QUEUE_DROPPED: {
    meaning: 'The event was dropped from a full queue (overflow "drop-oldest") before it was handled.',
    fix: "Expected under that policy; raise maxQueue or speed up handlers if the drops matter.",
  },
  TW_EVENT_STOPPED: {
    meaning: "The engine stopped before this event was handled.",
    fix: "Await the event's result before stop(), or put it again after start().",
  },
  TW_EVENT_STOP_DEADLINE: {
    meaning: "stop() gave up after deadlineMs with events undispatched or async handlers still running.",
    fix: "Give stop() a longer deadlineMs, or make handlers finish (an await that never settles).",
  },
  TW_EVENT_NOT_RUNNING: {
    meaning: "waitForIdle() was called on a stopped engine that has queued events.",
    fix: "Call start() first.",
  },
  TW_EVENT_PENDING_NOT_READY: {
    meaning: "A Pending's value was read before its result arrived.",
    fix: "Await the Pending, or call wait().",
  },
  TW_EVENT_PENDING_TIMEOUT: {
    meaning: "No result within the wait's timeout; the work goes on.",
    fix: "Wait again, or give a longer timeout.",
  },
  TW_EVENT_NO_SESSION: {
    meaning: "session() was called outside a handler (or after an await on an engine without async context).",
    fix: "Create the engine with { asyncContext: true }, or put/dispatch the event with a context.",
  },
} as const satisfies ErrorCatalogue<"TW_EVENT_">;

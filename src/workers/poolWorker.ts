/**
 * The code each WorkerPool thread runs (piscina's task function). It imports the user's handler
 * module once, runs one task per call and never throws: handler errors travel back as data, so a
 * rejected task at the pool always means the thread itself failed.
 */
import { parentPort, workerData } from "node:worker_threads";
import { deserialize, serialize } from "node:v8";
import { Event } from "../event/Event.js";
import { TickwireError } from "../event/errors.js";
import { loadHandlerModule, runHandlers, unknownFunction, type HandlerModule, type HandlerModuleInfo } from "./HandlerModule.js";
import { encodeError } from "./remoteError.js";
import { isPlainData } from "./plainData.js";
import { REPLY_DISPATCH, REPLY_ERROR, REPLY_OK, TASK_DESCRIBE, TASK_DISPATCH, TASK_SUBMIT, type PoolWorkerData, type TaskStarted } from "./poolProtocol.js";

let loading: Promise<HandlerModule> | undefined;

/** Takes a task as plain data or as v8-serialized bytes; answers likewise (see WorkerPool.run). */
export default async function runTask(input: unknown[] | Uint8Array): Promise<unknown[] | Uint8Array> {
  const task = input instanceof Uint8Array ? (deserialize(input) as unknown[]) : input;
  const watch = task[1] as number;
  // Posted before anything can block this thread: a message is queued at the receiver at once.
  if (watch !== 0) parentPort!.postMessage({ twTaskStarted: watch } satisfies TaskStarted);
  let mod: HandlerModule;
  try {
    mod = await (loading ??= loadHandlerModule((workerData as PoolWorkerData).moduleUrl));
  } catch (err) {
    return pack([REPLY_ERROR, encodeError(err)]);
  }
  switch (task[0]) {
    case TASK_DISPATCH: {
      const event = new Event(task[2] as string, task[3], task[4] as Record<string, unknown> | undefined);
      const { values, failed } = await runHandlers(mod, event);
      for (const i of failed) values[i] = encodeError(values[i]);
      return packDispatch(values, failed);
    }
    case TASK_SUBMIT: {
      const name = task[2] as string;
      const fn = Object.hasOwn(mod.functions, name) ? mod.functions[name] : undefined;
      if (fn === undefined) return pack([REPLY_ERROR, encodeError(unknownFunction(name, mod))]);
      try {
        const value = await (fn as (...a: unknown[]) => unknown)(...(task[3] as unknown[]));
        return pack([REPLY_OK, value]);
      } catch (err) {
        return pack([REPLY_ERROR, encodeError(err)]);
      }
    }
    case TASK_DESCRIBE: {
      const info: HandlerModuleInfo = { events: Object.keys(mod.events), functions: Object.keys(mod.functions) };
      return pack([REPLY_OK, info]);
    }
    default:
      return pack([REPLY_ERROR, encodeError(new TickwireError("TW_WORKER_PROTOCOL", `Unknown task kind ${String(task[0])}.`))]);
  }
}

function pack(reply: unknown[]): unknown[] | Uint8Array {
  // Plain data goes as is; anything else is serialized here, where a failure is still ours to report.
  if (isPlainData(reply)) return reply;
  try {
    return serialize(reply);
  } catch (cause) {
    return serialize([REPLY_ERROR, encodeError(uncloneable("The result", cause))]);
  }
}

/** One uncloneable result costs only its own slot. */
function packDispatch(values: unknown[], failed: number[]): unknown[] | Uint8Array {
  const reply = [REPLY_DISPATCH, values, failed];
  if (isPlainData(reply)) return reply;
  try {
    return serialize([REPLY_DISPATCH, values, failed]);
  } catch {
    const bad = new Set(failed);
    for (let i = 0; i < values.length; i++) {
      try {
        serialize(values[i]);
      } catch (cause) {
        values[i] = encodeError(uncloneable(`The result of handler #${i}`, cause));
        bad.add(i);
      }
    }
    return serialize([REPLY_DISPATCH, values, [...bad].sort((a, b) => a - b)]);
  }
}

function uncloneable(what: string, cause: unknown): TickwireError {
  return new TickwireError(
    "TW_WORKER_UNCLONEABLE",
    `${what} cannot be sent back from the worker (functions, class instances with private state, sockets cannot be cloned): return plain data.`,
    { cause },
  );
}

/**
 * The program a Subprocess forks: an EventEngine fed by the parent over IPC. It registers the
 * handler module's handlers, answers dispatch/submit requests with their results, and on
 * shutdown stops the engine (draining it) and exits 0. If the parent goes away it exits too.
 */
import { Event } from "../event/Event.js";
import { EventEngine } from "../event/EventEngine.js";
import type { Pending } from "../event/Pending.js";
import { TickwireError } from "../event/errors.js";
import { loadHandlerModule, unknownFunction, type HandlerModule } from "./HandlerModule.js";
import { encodeError } from "./remoteError.js";
import {
  REP_DISPATCH,
  REP_ERROR,
  REP_HANDLER_ERROR,
  REP_OK,
  REP_READY,
  REP_START_FAILED,
  REQ_DISPATCH,
  REQ_IDLE,
  REQ_PUT,
  REQ_SHUTDOWN,
  REQ_SUBMIT,
  REQUEST_FIELDS,
  REPLY_FIELDS,
  MAX_BATCH_RECORDS,
  type ChildConfig,
} from "./subprocessProtocol.js";

type Handler = (event: Event) => unknown;

const send = process.send?.bind(process);
if (send === undefined) {
  process.stderr.write("subprocessChild must be started by Subprocess (it needs an IPC channel).\n");
  process.exit(2);
}

let outbox: unknown[] = [];
let flushScheduled = false;
let engine: EventEngine | undefined;
let mod: HandlerModule | undefined;
let inbox: unknown[][] = []; // batches that arrive while the module loads
let ending = false;

function reply(kind: number, id: number, payload: unknown): void {
  outbox.push(kind, id, payload);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function flush(done?: () => void): void {
  flushScheduled = false;
  if (outbox.length === 0) {
    done?.();
    return;
  }
  const all = outbox;
  outbox = [];
  // Cut into chunks so a burst of results never becomes one huge message.
  const step = MAX_BATCH_RECORDS * REPLY_FIELDS;
  for (let i = 0; i < all.length; i += step) {
    const last = i + step >= all.length;
    sendBatch(all.length <= step ? all : all.slice(i, i + step), last ? done : undefined);
  }
}

function sendBatch(batch: unknown[], done: (() => void) | undefined): void {
  try {
    send!(batch, undefined, undefined, (err) => {
      if (err) process.exit(1); // the parent is gone: nobody to answer
      done?.();
    });
  } catch {
    // A result that cannot be cloned: send record by record so only that one fails.
    for (let i = 0; i < batch.length; i += REPLY_FIELDS) {
      const rec = [batch[i], batch[i + 1], batch[i + 2]];
      try {
        send!(rec);
      } catch (cause) {
        const err = new TickwireError(
          "TW_WORKER_SUBPROCESS_UNCLONEABLE",
          "The result cannot be sent back from the child process (functions, sockets and the like cannot be cloned): return plain data.",
          { cause },
        );
        send!([REP_ERROR, batch[i + 1], encodeError(err)]);
      }
    }
    done?.();
  }
}

function settleReply<T>(id: number, pending: Pending<T>): void {
  pending.onSettled(() => {
    let value: unknown;
    try {
      value = pending.value;
    } catch (err) {
      reply(REP_ERROR, id, encodeError(err));
      return;
    }
    reply(REP_OK, id, value);
  });
}

function dispatchReply(id: number, pending: Pending<unknown[]>): void {
  pending.onSettled(() => {
    let values: unknown[];
    try {
      values = pending.value;
    } catch (err) {
      reply(REP_ERROR, id, encodeError(err));
      return;
    }
    // Structured clone drops an error's name and code, so every Error in a slot travels encoded.
    const failed: number[] = [];
    for (let i = 0; i < values.length; i++) {
      if (values[i] instanceof Error) {
        values[i] = encodeError(values[i]);
        failed.push(i);
      }
    }
    reply(REP_DISPATCH, id, [values, failed]);
  });
}

function handle(batch: unknown[]): void {
  const eng = engine!;
  for (let i = 0; i + REQUEST_FIELDS <= batch.length; i += REQUEST_FIELDS) {
    const kind = batch[i] as number;
    const id = batch[i + 1] as number;
    try {
      switch (kind) {
        case REQ_SUBMIT: {
          const name = batch[i + 2] as string;
          const fn = Object.hasOwn(mod!.functions, name) ? mod!.functions[name] : undefined;
          if (fn === undefined) reply(REP_ERROR, id, encodeError(unknownFunction(name, mod!)));
          else settleReply(id, eng.submit(fn as (...a: unknown[]) => unknown, ...(batch[i + 3] as unknown[])));
          break;
        }
        case REQ_DISPATCH: {
          const context = batch[i + 4] as Record<string, unknown> | undefined;
          dispatchReply(id, eng.dispatch(batch[i + 2] as string, batch[i + 3], context === undefined ? {} : { context }));
          break;
        }
        case REQ_PUT:
          eng.put(new Event(batch[i + 2] as string, batch[i + 3], batch[i + 4] as Record<string, unknown> | undefined));
          break;
        case REQ_IDLE:
          eng.waitForIdle().then(
            () => reply(REP_OK, id, undefined),
            (err: unknown) => reply(REP_ERROR, id, encodeError(err)),
          );
          break;
        case REQ_SHUTDOWN:
          void end(id, batch[i + 2] as number | undefined);
          break;
        default:
          reply(REP_ERROR, id, encodeError(new TickwireError("TW_WORKER_SUBPROCESS_PROTOCOL", `Unknown request kind ${String(kind)}.`)));
      }
    } catch (err) {
      // e.g. TW_EVENT_QUEUE_FULL from a bounded engine: this request fails, the rest go on.
      if (kind === REQ_PUT) reportHandlerError(err, String(batch[i + 2]), "put");
      else reply(REP_ERROR, id, encodeError(err));
    }
  }
}

function reportHandlerError(error: unknown, type: string, handler: string): void {
  reply(REP_HANDLER_ERROR, 0, [type, handler, encodeError(error)]);
}

/** Stop the engine (it drains what is queued), send the last results, exit 0. */
async function end(id: number, deadlineMs: number | undefined): Promise<void> {
  if (ending) return;
  ending = true;
  await engine?.stop(deadlineMs === undefined ? {} : { deadlineMs });
  if (id !== 0) reply(REP_OK, id, undefined);
  flush(() => process.exit(0));
}

process.on("message", (batch: unknown[]) => {
  if (ending) return;
  if (engine === undefined) inbox.push(batch);
  else handle(batch);
});

// The parent died or closed the channel: nobody will read results, so stop.
process.on("disconnect", () => {
  if (ending) return;
  ending = true;
  void (engine?.stop({ deadlineMs: 1000 }) ?? Promise.resolve()).finally(() => process.exit(0));
});

async function start(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as ChildConfig;
  try {
    mod = await loadHandlerModule(config.moduleUrl);
    const opts = config.engine;
    engine = new EventEngine({
      ...opts,
      interval: opts.interval ?? null,
      name: opts.name ?? "subprocess",
      onError: (error, info) => reportHandlerError(error, info.event.type, info.handler),
    });
    for (const [type, handlers] of Object.entries(mod.events)) {
      for (const h of handlers) engine.register(type, h as Handler);
    }
    engine.start();
  } catch (err) {
    reply(REP_START_FAILED, 0, encodeError(err));
    flush(() => process.exit(1));
    return;
  }
  reply(REP_READY, 0, { events: Object.keys(mod.events), functions: Object.keys(mod.functions) });
  const early = inbox;
  inbox = [];
  for (const b of early) handle(b);
}

void start();

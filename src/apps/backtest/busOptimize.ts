/**
 * Optimization across machines over RabbitMQ: each parameter set is a persistent message on a
 * durable task queue; `tickwire worker`s take one at a time (prefetch 1), backtest it and ack
 * only after sending the result, so a worker killed mid-task leaves its task to another. A
 * result can then arrive twice (sent, then killed before the ack): it is counted once, by task id.
 */
import { randomUUID } from "node:crypto";
import type { ChannelModel, ConsumeMessage } from "amqplib";
import { TickwireError } from "../../event/errors.js";
import type { StrategySetting } from "../../strategy/CtaTemplate.js";
import { evaluateSetting, TW_BACKTEST_OPTIMIZE, type OptimizationJob, type OptimizationResult, type PackedBars } from "./evaluate.js";
import type { Evaluator } from "./optimize.js";
import type { TickwireErrorCode } from "../../errorCodes.js";

/** amqplib (~90 ms to load) is loaded by the first bus optimization, not by importing tickwire/apps/backtest. */
async function loadAmqp(): Promise<typeof import("amqplib")> {
  return (await import("amqplib")).default;
}

export const DEFAULT_TASK_QUEUE = "tickwire.optimize";

interface WireJob extends Omit<OptimizationJob, "history"> {
  history: { database: string } | (Omit<PackedBars, "columns"> & { columns: string });
}

interface TaskMessage {
  runId: string;
  taskId: string;
  job: WireJob;
  setting: StrategySetting;
  target: string;
}

interface ResultMessage {
  runId: string;
  taskId: string;
  result?: OptimizationResult;
  error?: { code?: string; message: string };
}

/** Packed bars travel as base64 of their columns (a database URL is far smaller: prefer it). */
function toWire(job: OptimizationJob): WireJob {
  const h = job.history;
  if ("database" in h) return { ...job, history: h };
  return { ...job, history: { ...h, columns: Buffer.from(h.columns.buffer, h.columns.byteOffset, h.columns.byteLength).toString("base64") } };
}

function fromWire(job: WireJob): OptimizationJob {
  const h = job.history;
  if ("database" in h) return { ...job, history: h };
  const bytes = Buffer.from(h.columns, "base64");
  const columns = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(columns.buffer).set(bytes);
  return { ...job, history: { ...h, columns } };
}

export interface BusEvaluatorOptions {
  /** Durable task queue shared with the workers; default "tickwire.optimize". */
  queue?: string;
}

export interface BusEvaluator extends Evaluator {
  /** The exclusive queue results come back on. */
  readonly replyQueue: string;
  /** Results that arrived again for a task already counted (and were ignored). */
  readonly duplicates: number;
}

/** An Evaluator whose backtests run on `tickwire worker` processes over RabbitMQ. */
export async function busEvaluator(url: string, job: OptimizationJob, target: string, options: BusEvaluatorOptions = {}): Promise<BusEvaluator> {
  const queue = options.queue ?? DEFAULT_TASK_QUEUE;
  let conn: ChannelModel;
  try {
    conn = await (await loadAmqp()).connect(url);
  } catch (cause) {
    throw new TickwireError("TW_BACKTEST_OPTIMIZE_BUS", `Could not connect to RabbitMQ at ${url}: check the URL and that the broker runs.`, { cause });
  }
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  const { queue: replyQueue } = await ch.assertQueue("", { exclusive: true, autoDelete: true });
  const runId = randomUUID();
  const wire = toWire(job);
  const waiting = new Map<string, { resolve: (r: OptimizationResult) => void; reject: (e: Error) => void }>();
  let duplicates = 0;
  let failure: Error | undefined;
  const failAll = (e: Error) => {
    failure ??= e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  conn.on("close", () =>
    failAll(new TickwireError("TW_BACKTEST_OPTIMIZE_BUS", "The RabbitMQ connection closed before every result came back: run the optimization again.")),
  );
  conn.on("error", () => {});
  await ch.consume(
    replyQueue,
    (msg: ConsumeMessage | null) => {
      if (msg === null) return;
      let m: ResultMessage;
      try {
        m = JSON.parse(msg.content.toString("utf8")) as ResultMessage;
      } catch {
        return; // not ours: ignore
      }
      if (m.runId !== runId) return;
      const w = waiting.get(m.taskId);
      if (w === undefined) {
        duplicates++;
        return;
      }
      waiting.delete(m.taskId);
      if (m.result) w.resolve(m.result);
      else
        w.reject(
          new TickwireError(
            (m.error?.code as TickwireErrorCode | undefined) ?? TW_BACKTEST_OPTIMIZE,
            `A worker failed on a parameter set: ${m.error?.message ?? "unknown error"}`,
          ),
        );
    },
    { noAck: true },
  );
  let next = 0;
  return {
    replyQueue,
    get duplicates() {
      return duplicates;
    },
    async evaluate(settings, onResult) {
      if (failure) throw failure;
      const promises = settings.map((setting) => {
        const taskId = `${runId}:${next++}`;
        const done = new Promise<OptimizationResult>((resolve, reject) => waiting.set(taskId, { resolve, reject }));
        const body: TaskMessage = { runId, taskId, job: wire, setting, target };
        ch.sendToQueue(queue, Buffer.from(JSON.stringify(body)), { persistent: true, replyTo: replyQueue, messageId: taskId, contentType: "application/json" });
        return done.then((r) => {
          onResult(r);
          return r;
        });
      });
      await ch.waitForConfirms();
      return Promise.all(promises);
    },
    async close() {
      try {
        await conn.close();
      } catch {
        // already closed
      }
    },
  };
}

export interface WorkerOptions {
  queue?: string;
  /** Called when a task starts and ends (the CLI logs it). */
  onTask?: (event: "start" | "done" | "error", taskId: string, detail?: string) => void;
}

export interface BusWorker {
  close(): Promise<void>;
  /** Settles when the connection ends. */
  closed: Promise<void>;
}

/** Take tasks from the queue one at a time; ack each only after its result is sent. */
export async function runBusWorker(url: string, options: WorkerOptions = {}): Promise<BusWorker> {
  const queue = options.queue ?? DEFAULT_TASK_QUEUE;
  let conn: ChannelModel;
  try {
    conn = await (await loadAmqp()).connect(url);
  } catch (cause) {
    throw new TickwireError("TW_BACKTEST_OPTIMIZE_BUS", `Could not connect to RabbitMQ at ${url}: check the URL and that the broker runs.`, { cause });
  }
  const closed = new Promise<void>((resolve) => conn.on("close", () => resolve()));
  conn.on("error", () => {});
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  await ch.prefetch(1);
  await ch.consume(queue, (msg) => {
    if (msg === null) {
      // The broker cancelled the consumer (the queue was deleted): nothing more will come.
      options.onTask?.("error", "-", `the queue ${queue} was deleted; the worker stops`);
      void conn.close().catch(() => {});
      return;
    }
    void (async () => {
      let task: TaskMessage;
      try {
        task = JSON.parse(msg.content.toString("utf8")) as TaskMessage;
      } catch {
        ch.nack(msg, false, false); // unreadable: drop it rather than loop on it
        return;
      }
      options.onTask?.("start", task.taskId);
      const reply: ResultMessage = { runId: task.runId, taskId: task.taskId };
      try {
        reply.result = await evaluateSetting(fromWire(task.job), task.setting, task.target);
        options.onTask?.("done", task.taskId);
      } catch (err) {
        reply.error = { code: (err as { code?: string }).code, message: err instanceof Error ? err.message : String(err) };
        options.onTask?.("error", task.taskId, reply.error.message);
      }
      if (msg.properties.replyTo) ch.sendToQueue(msg.properties.replyTo as string, Buffer.from(JSON.stringify(reply)), { contentType: "application/json" });
      ch.ack(msg);
    })();
  });
  return {
    closed,
    async close() {
      try {
        await conn.close();
      } catch {
        // already closed
      }
    },
  };
}

import { availableParallelism } from "node:os";
import { deserialize, serialize } from "node:v8";
import type { ResourceLimits } from "node:worker_threads";
import { Piscina } from "piscina";
import { Pending } from "../event/Pending.js";
import type { DispatchOptions } from "../event/Event.js";
import { TickwireError } from "../event/errors.js";
import { entryFile } from "./entryFile.js";
import { moduleUrl, type HandlerModule, type HandlerModuleInfo, type ModuleLocation } from "./HandlerModule.js";
import { decodeError, type SerializedError } from "./remoteError.js";
import { isPlainData } from "./plainData.js";
import { timeoutOption } from "./timeoutOption.js";
import { REPLY_DISPATCH, REPLY_OK, TASK_DESCRIBE, TASK_DISPATCH, TASK_SUBMIT, type PoolWorkerData, type TaskStarted } from "./poolProtocol.js";
import type { FunctionArgs, FunctionResult, FunctionName } from "./functionTypes.js";

export interface WorkerPoolOptions {
  /** The handler module (default export made with `defineHandlers`): a file URL or a path. */
  module: ModuleLocation;
  /** Worker threads, kept at this number (a crashed one is replaced). Default: the CPU count. */
  threads?: number;
  /** Tasks run at once in one thread; raise it for handlers that mostly await I/O. Default 1. */
  tasksPerThread?: number;
  /** Most tasks waiting for a thread; beyond it `dispatch`/`submit` reject with TW_WORKER_QUEUE_FULL. Default: no limit. */
  maxQueue?: number;
  /** Heap limits per thread (Node's Worker `resourceLimits`). */
  resourceLimits?: ResourceLimits;
  /** Called when a thread dies (its task, if any, rejects with the same TW_WORKER_CRASHED error). */
  onCrash?: (error: TickwireError) => void;
  /**
   * Longest a task may run, ms, counted from when a thread starts it (waiting for a thread does
   * not count). Past it the thread is terminated and replaced and the task rejects with
   * TW_WORKER_TIMEOUT; tasks on other threads go on. A call's `timeoutMs` overrides it.
   * Default Infinity (no limit).
   */
  taskTimeoutMs?: number;
}

/** Options of one task. */
export interface TaskOptions {
  /** This task's run-time limit, ms (see WorkerPoolOptions.taskTimeoutMs); Infinity for none. */
  timeoutMs?: number;
}

/** @deprecated The engine's `DispatchOptions` (from tickwire/event or tickwire/workers). */
export type WorkerDispatchOptions = DispatchOptions;

/** How `stop()` ends: by default it waits for every task; past `deadlineMs` it ends the rest as `kill()` does. */
export interface PoolCloseOptions {
  deadlineMs?: number;
}

export interface WorkerPoolStats {
  threads: number;
  /** Tasks sent and not yet settled (running or waiting for a thread). */
  inFlight: number;
  /** Tasks waiting for a thread. */
  queued: number;
  completed: number;
  crashed: number;
  /** Tasks ended by their timeout (each one's thread was replaced). */
  timedOut: number;
}

/** A task with a timeout: its clock starts when its thread says it started. */
interface Watch {
  readonly ms: number;
  readonly controller: AbortController;
  timer: NodeJS.Timeout | undefined;
  timedOut: boolean;
}

/**
 * A pool of worker threads (piscina) that runs the handlers of a handler module, so CPU-heavy
 * work does not stall the main event loop. `dispatch` and `submit` return `Pending`s; a handler
 * that throws gives an error result, a thread that dies is replaced and only its own task fails
 * (TW_WORKER_CRASHED).
 */
export class WorkerPool<H extends HandlerModule = HandlerModule> {
  private readonly piscina: Piscina;
  private readonly onCrash: ((error: TickwireError) => void) | undefined;
  private readonly maxQueue: number;
  private closed = false;
  private destroying = false;
  private inFlight = 0;
  private completed = 0;
  private crashed = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly taskTimeoutMs: number;
  private readonly watches = new Map<number, Watch>();
  private nextWatch = 1;
  private timedOut = 0;

  constructor(options: WorkerPoolOptions) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new TickwireError("TW_WORKER_BAD_OPTION", `threads must be a whole number ≥ 1, got ${String(threads)}.`);
    }
    const tasksPerThread = options.tasksPerThread ?? 1;
    if (!Number.isInteger(tasksPerThread) || tasksPerThread < 1) {
      throw new TickwireError("TW_WORKER_BAD_OPTION", `tasksPerThread must be a whole number ≥ 1, got ${String(tasksPerThread)}.`);
    }
    this.maxQueue = options.maxQueue ?? Infinity;
    this.taskTimeoutMs = timeoutOption("taskTimeoutMs", options.taskTimeoutMs);
    this.onCrash = options.onCrash;
    const workerData: PoolWorkerData = { moduleUrl: moduleUrl(options.module) };
    this.piscina = new Piscina({
      filename: entryFile("poolWorker"),
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: tasksPerThread,
      idleTimeout: Infinity,
      workerData,
      resourceLimits: options.resourceLimits,
    });
    // A thread that dies with no task of ours is reported here; unlistened, the 'error' event
    // would throw in the main thread.
    this.piscina.on("error", (err: unknown) => {
      if (!this.destroying) this.reportCrash(crashError(err));
    });
    this.piscina.on("message", this.onThreadMessage);
  }

  /** A thread started a task with a timeout: start its clock. */
  private readonly onThreadMessage = (msg: unknown): void => {
    const id = (msg as Partial<TaskStarted> | null)?.twTaskStarted;
    if (typeof id !== "number") return;
    const w = this.watches.get(id);
    // Absent: the task already settled (its reply and this message travel on different ports).
    if (w === undefined || w.timer !== undefined) return;
    w.timer = setTimeout(() => {
      w.timedOut = true;
      // piscina rejects the task and, as it is running, terminates its thread and starts another.
      w.controller.abort();
    }, w.ms);
    w.timer.unref();
  };

  /** Threads the pool keeps. */
  get threads(): number {
    return this.piscina.maxThreads;
  }

  /**
   * Run every handler of `type` in one worker thread, in order. Resolves to their results in
   * handler order, a throwing handler's error (an Error with the remote name, message and stack)
   * in its slot. Rejects only when the thread dies (TW_WORKER_CRASHED) or the pool is closed.
   */
  dispatch(type: string, data?: unknown, options?: DispatchOptions): Pending<unknown[]> {
    return this.run([TASK_DISPATCH, 0, type, data, options?.context], options?.timeoutMs, (reply, pending) => {
      if (reply[0] !== REPLY_DISPATCH) return rejectWith(reply, pending);
      const values = reply[1] as unknown[];
      for (const i of reply[2] as number[]) values[i] = decodeError(values[i] as SerializedError);
      pending.resolve(values);
    });
  }

  /** Call the module's function `name` in a worker thread; unknown names reject with TW_WORKER_UNKNOWN_FUNCTION. */
  submit<N extends FunctionName<H>>(name: N, ...args: FunctionArgs<H, N>): Pending<FunctionResult<H, N>> {
    return this.submitWith({}, name, ...args);
  }

  /** `submit` with options of this one task: `pool.submitWith({ timeoutMs: 500 }, "hash", 1000, "seed")`. */
  submitWith<N extends FunctionName<H>>(options: TaskOptions, name: N, ...args: FunctionArgs<H, N>): Pending<FunctionResult<H, N>> {
    return this.run([TASK_SUBMIT, 0, name, args], options.timeoutMs, (reply, pending) => {
      if (reply[0] !== REPLY_OK) return rejectWith(reply, pending);
      pending.resolve(reply[1] as FunctionResult<H, N>);
    });
  }

  /** Resolves once a thread has loaded the handler module, with what it offers; rejects with TW_WORKER_MODULE_LOAD if it cannot load. */
  ready(): Promise<HandlerModuleInfo> {
    return Promise.resolve(
      this.run<HandlerModuleInfo>([TASK_DESCRIBE, 0], undefined, (reply, pending) => {
        if (reply[0] !== REPLY_OK) return rejectWith(reply, pending);
        pending.resolve(reply[1] as HandlerModuleInfo);
      }),
    );
  }

  /** Resolves when no task is running or waiting. */
  waitForIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): WorkerPoolStats {
    return {
      threads: this.piscina.threads.length,
      inFlight: this.inFlight,
      queued: this.piscina.queueSize,
      completed: this.completed,
      crashed: this.crashed,
      timedOut: this.timedOut,
    };
  }

  /**
   * Take no more work, let every task already given finish, then end the threads. A task stuck
   * with no timeout would hold this for ever: past `deadlineMs` (default: no deadline) the
   * unfinished tasks reject with TW_WORKER_CLOSED and the threads are terminated.
   */
  async stop(options: PoolCloseOptions = {}): Promise<void> {
    const deadlineMs = timeoutOption("deadlineMs", options.deadlineMs);
    this.closed = true;
    if (deadlineMs === Infinity) await this.waitForIdle();
    else {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.waitForIdle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
      clearTimeout(timer);
    }
    this.destroying = true;
    await this.piscina.destroy();
  }

  /** End the threads now; tasks not finished reject with TW_WORKER_CLOSED. */
  async kill(): Promise<void> {
    this.closed = true;
    this.destroying = true;
    await this.piscina.destroy();
  }

  /** @deprecated The old name of `stop()` (a pool runs: start/stop, like the engine and a Subprocess). */
  close(options: PoolCloseOptions = {}): Promise<void> {
    return this.stop(options);
  }

  /** @deprecated The old name of `kill()`. */
  destroy(): Promise<void> {
    return this.kill();
  }

  private run<T>(task: unknown[], timeoutMs: number | undefined, settle: (reply: unknown[], pending: Pending<T>) => void): Pending<T> {
    if (this.closed) {
      return Pending.rejected(new TickwireError("TW_WORKER_CLOSED", "The worker pool is closed: create a new WorkerPool."));
    }
    if (this.piscina.queueSize >= this.maxQueue) {
      return Pending.rejected(
        new TickwireError(
          "TW_WORKER_QUEUE_FULL",
          `${this.piscina.queueSize} tasks are already waiting for a thread: wait for results before sending more, or raise maxQueue.`,
        ),
      );
    }
    let ms: number;
    try {
      ms = timeoutMs === undefined ? this.taskTimeoutMs : timeoutOption("timeoutMs", timeoutMs);
    } catch (err) {
      return Pending.rejected(err);
    }
    let watchId = 0;
    let watch: Watch | undefined;
    if (ms !== Infinity) {
      watchId = this.nextWatch++;
      watch = { ms, controller: new AbortController(), timer: undefined, timedOut: false };
      this.watches.set(watchId, watch);
      task[1] = watchId;
    }
    // Plain data is posted as is. Anything else is serialized here first: posting something
    // uncloneable would throw inside piscina's scheduler, far from this call.
    let input: unknown[] | Uint8Array = task;
    if (!isPlainData(task)) {
      try {
        input = serialize(task);
      } catch (cause) {
        this.watches.delete(watchId);
        return Pending.rejected(
          new TickwireError(
            "TW_WORKER_UNCLONEABLE",
            "The data or arguments cannot be sent to a worker thread (functions, sockets and the like cannot be cloned): send plain data.",
            { cause },
          ),
        );
      }
    }
    const pending = new Pending<T>();
    this.inFlight++;
    this.piscina.run(input, watch ? { signal: watch.controller.signal } : undefined).then(
      (out: unknown[] | Uint8Array) => {
        if (watch) this.unwatch(watchId, watch);
        this.completed++;
        try {
          settle(out instanceof Uint8Array ? (deserialize(out) as unknown[]) : out, pending);
        } catch (err) {
          pending.reject(err);
        }
        this.taskDone();
      },
      (err: unknown) => {
        if (watch) this.unwatch(watchId, watch);
        if (watch?.timedOut) {
          this.timedOut++;
          pending.reject(
            new TickwireError(
              "TW_WORKER_TIMEOUT",
              `The task ran longer than its timeout of ${watch.ms} ms; its thread was terminated and replaced. Find what keeps the handler from finishing (a loop, a promise that never settles), or raise the timeout.`,
              { cause: err, details: { timeoutMs: watch.ms } },
            ),
          );
        } else if (this.destroying) {
          pending.reject(new TickwireError("TW_WORKER_CLOSED", "The worker pool was destroyed before this task finished.", { cause: err }));
        } else {
          const crash = crashError(err);
          this.reportCrash(crash);
          pending.reject(crash);
        }
        this.taskDone();
      },
    );
    return pending;
  }

  private unwatch(id: number, w: Watch): void {
    clearTimeout(w.timer);
    this.watches.delete(id);
  }

  private reportCrash(error: TickwireError): void {
    this.crashed++;
    if (this.onCrash) {
      try {
        this.onCrash(error);
      } catch {
        // A failing crash callback must not take the pool down with it.
      }
    }
  }

  private taskDone(): void {
    if (--this.inFlight > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function rejectWith<T>(reply: unknown[], pending: Pending<T>): void {
  pending.reject(decodeError(reply[1] as SerializedError));
}

/** The worker's task function never throws, so a rejected task means the thread itself died. */
function crashError(cause: unknown): TickwireError {
  return new TickwireError(
    "TW_WORKER_CRASHED",
    `A worker thread died while running this task (${cause instanceof Error ? cause.message : String(cause)}); it has been replaced. Find what exits or throws outside the handler's own promise.`,
    { cause },
  );
}

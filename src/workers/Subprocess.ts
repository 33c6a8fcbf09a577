import { fork, type ChildProcess } from "node:child_process";
import { Pending } from "../event/Pending.js";
import type { DispatchOptions } from "../event/Event.js";
import { TickwireError } from "../event/errors.js";
import { entryFile } from "./entryFile.js";
import { moduleUrl, type HandlerModule, type HandlerModuleInfo } from "./HandlerModule.js";
import { decodeError, type SerializedError } from "./remoteError.js";
import type { FunctionArgs, FunctionName, FunctionResult } from "./functionTypes.js";
import {
  REP_HANDLER_ERROR,
  REP_READY,
  REP_START_FAILED,
  REPLY_FIELDS,
  REQUEST_FIELDS,
  MAX_BATCH_RECORDS,
  REQ_DISPATCH,
  REQ_IDLE,
  REQ_PUT,
  REQ_SHUTDOWN,
  REQ_SUBMIT,
  type ChildConfig,
} from "./subprocessProtocol.js";
import { timeoutOption } from "./timeoutOption.js";
import { startTimeoutOption, type SubprocessExit, type SubprocessOptions, type SubprocessRequestOptions, type SubprocessStats } from "./subprocessOptions.js";
import { SubprocessCalls } from "./SubprocessCalls.js";

export type { SubprocessDispatchOptions, SubprocessExit, SubprocessOptions, SubprocessRequestOptions, SubprocessStats } from "./subprocessOptions.js";

const enum State {
  Starting,
  Ready,
  Closing,
  Exited,
}

/**
 * A forked child process running its own EventEngine with a handler module. `dispatch` and
 * `submit` return Pendings across the process boundary, `put` is fire-and-forget, requests made
 * in the same tick travel in one IPC message. If the child dies, every pending result rejects
 * with TW_WORKER_SUBPROCESS_EXITED and `onExit` / `exited` report how it ended. A request past its
 * timeout (TW_WORKER_SUBPROCESS_TIMEOUT) gets the child killed and replaced by a fresh one.
 */
export class Subprocess<H extends HandlerModule = HandlerModule> {
  /** Resolves when the child has exited (never rejects). */
  readonly exited: Promise<SubprocessExit>;

  private child!: ChildProcess;
  private readonly options: SubprocessOptions;
  private readonly config: ChildConfig;
  private readonly startTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  /** The requests whose result has not come back, with their time limits. */
  private readonly calls = new SubprocessCalls((id, ms) => this.timedOut(id, ms));
  private nTimedOut = 0;
  private nRestarts = 0;
  private state = State.Starting;
  /** The child has its 'message' listener and engine; until then requests are held here. */
  private childReady = false;
  private startError: Error | undefined = undefined;
  private outbox: unknown[] = [];
  private flushScheduled = false;
  private readyPending = new Pending<HandlerModuleInfo>();
  private exitInfo: SubprocessExit | undefined = undefined;
  private resolveExited!: (exit: SubprocessExit) => void;
  private nSent = 0;
  private nBatches = 0;
  private startTimer: NodeJS.Timeout | undefined;

  constructor(options: SubprocessOptions) {
    const startTimeoutMs = startTimeoutOption(options.startTimeoutMs);
    this.requestTimeoutMs = timeoutOption("requestTimeoutMs", options.requestTimeoutMs);
    this.options = options;
    this.startTimeoutMs = startTimeoutMs;
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.config = { moduleUrl: moduleUrl(options.module), engine: options.engine ?? {} };
    this.spawn();
  }

  /** Forks a child; events of a child that was replaced are ignored. */
  private spawn(): void {
    const options = this.options;
    const child = fork(entryFile("subprocessChild"), [JSON.stringify(this.config)], {
      serialization: "advanced",
      execArgv: options.execArgv ?? process.execArgv,
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child = child;
    child.on("message", (msg: unknown) => {
      if (child === this.child) this.onMessage(msg);
    });
    // 'close' (not 'exit'): by then every message the child sent has been read.
    child.on("close", (code: number | null, signal: NodeJS.Signals | null) => {
      if (child === this.child) this.onClose(code, signal);
    });
    child.on("error", (err) => {
      // Spawn failure: 'close' may never come.
      if (child === this.child && child.pid === undefined) this.onClose(null, null, err);
    });
    const ms = this.startTimeoutMs;
    if (ms !== Infinity) {
      this.startTimer = setTimeout(() => this.startTimedOut(ms), ms);
      this.startTimer.unref();
    }
  }

  /** The child never said it was ready (a module that hangs while loading): end it. */
  private startTimedOut(ms: number): void {
    this.startTimer = undefined;
    if (this.childReady || this.state === State.Exited) return;
    this.startError = new TickwireError(
      "TW_WORKER_SUBPROCESS_START",
      `The child process was not ready within ${ms} ms and was killed: check that the handler module does not hang while loading, or raise startTimeoutMs.`,
    );
    this.readyPending.reject(this.startError);
    this.child.kill("SIGKILL");
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves once the child has loaded the module and started its engine; rejects with TW_WORKER_SUBPROCESS_START if it could not. */
  ready(): Promise<HandlerModuleInfo> {
    return this.readyPending.wait();
  }

  /**
   * Dispatch an event on the child's engine. Resolves to the handlers' results in handler order,
   * a failed handler's error (name, message, code, stack kept) in its slot.
   */
  dispatch(type: string, data?: unknown, options?: DispatchOptions): Pending<unknown[]> {
    return this.request(REQ_DISPATCH, type, data, options?.context, this.limitOf(options?.timeoutMs)) as Pending<unknown[]>;
  }

  /** Call the module's function `name` on the child's engine, in FIFO order with its events. */
  submit<N extends FunctionName<H>>(name: N, ...args: FunctionArgs<H, N>): Pending<FunctionResult<H, N>> {
    return this.submitWith({}, name, ...args);
  }

  /** `submit` with options of this one request: `sub.submitWith({ timeoutMs: 500 }, "add", 1, 2)`. */
  submitWith<N extends FunctionName<H>>(options: SubprocessRequestOptions, name: N, ...args: FunctionArgs<H, N>): Pending<FunctionResult<H, N>> {
    return this.request(REQ_SUBMIT, name, args, undefined, this.limitOf(options.timeoutMs)) as Pending<FunctionResult<H, N>>;
  }

  /** A call's time limit, or the error for a bad one. */
  private limitOf(timeoutMs: number | undefined): number | TickwireError {
    if (timeoutMs === undefined) return this.requestTimeoutMs;
    try {
      return timeoutOption("timeoutMs", timeoutMs);
    } catch (err) {
      return err as TickwireError;
    }
  }

  /** Put an event on the child's engine, fire and forget. Throws TW_WORKER_SUBPROCESS_EXITED / _CLOSED when it can take no more. */
  put(type: string, data?: unknown, options?: DispatchOptions): void {
    const refused = this.refusal();
    if (refused) throw refused;
    this.enqueue(REQ_PUT, 0, type, data, options?.context);
  }

  /** Resolves when the child's engine has handled everything sent before this call (queue empty, async handlers done). */
  async waitForIdle(): Promise<void> {
    await this.request(REQ_IDLE, undefined, undefined, undefined, Infinity);
  }

  /**
   * End the child cleanly: it handles everything already sent, stops its engine (within
   * `deadlineMs`, default 5000) and exits with code 0. Past the deadline (plus a grace second)
   * it is killed. Resolves with how it exited.
   */
  async stop(options: { deadlineMs?: number } = {}): Promise<SubprocessExit> {
    if (this.state === State.Exited) return this.exitInfo!;
    if (this.state !== State.Closing) {
      const deadlineMs = options.deadlineMs ?? 5000;
      this.state = State.Closing;
      this.enqueue(REQ_SHUTDOWN, 0, deadlineMs, undefined, undefined);
      const killer = setTimeout(() => this.child.kill("SIGKILL"), deadlineMs + 1000);
      void this.exited.then(() => clearTimeout(killer));
    }
    return this.exited;
  }

  /** Kill the child at once (default SIGTERM). Pending results reject with TW_WORKER_SUBPROCESS_EXITED. */
  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    this.child.kill(signal);
  }

  /** @deprecated The old name of `stop()`. */
  shutdown(options: { deadlineMs?: number } = {}): Promise<SubprocessExit> {
    return this.stop(options);
  }

  stats(): SubprocessStats {
    return {
      pid: this.child.pid,
      inFlight: this.calls.size,
      sent: this.nSent,
      batches: this.nBatches,
      timedOut: this.nTimedOut,
      restarts: this.nRestarts,
    };
  }

  private request(kind: number, a: unknown, b: unknown, c: unknown, limit: number | TickwireError): Pending<unknown> {
    if (limit instanceof TickwireError) return Pending.rejected(limit);
    const refused = this.refusal();
    if (refused) return Pending.rejected(refused);
    const { id, pending } = this.calls.open(limit);
    this.enqueue(kind, id, a, b, c);
    return pending;
  }

  /**
   * Request `id` passed its limit. The child cannot be made to leave a running handler (a loop
   * holds its event loop), so it is killed and a new one started; what it held is lost.
   */
  private timedOut(id: number, ms: number): void {
    const p = this.calls.take(id);
    if (p === undefined || this.state === State.Exited) return;
    this.nTimedOut++;
    const error = new TickwireError(
      "TW_WORKER_SUBPROCESS_TIMEOUT",
      `The request took longer than its timeout of ${ms} ms; the child process was killed and a new one started. Find what keeps the handler from finishing (a loop, a promise that never settles), or raise the timeout.`,
      { details: { timeoutMs: ms, pid: this.child.pid } },
    );
    p.reject(error);
    if (this.state === State.Closing) {
      // Shutting down anyway: end it now instead of waiting for the kill deadline.
      this.child.kill("SIGKILL");
      return;
    }
    this.restart(error);
  }

  private restart(cause: TickwireError): void {
    const old = this.child;
    const pid = old.pid;
    // Requests still in the outbox never reached the old child: they go to the new one.
    const unsent = new Set<number>();
    for (let i = 1; i < this.outbox.length; i += REQUEST_FIELDS) unsent.add(this.outbox[i] as number);
    const lost = new TickwireError(
      "TW_WORKER_SUBPROCESS_EXITED",
      `The child process (pid ${String(pid)}) was killed because another request passed its timeout, and a new one started; this request's result is lost: send it again if it is safe to.`,
      { cause, details: { code: null, signal: "SIGKILL", restarted: true } },
    );
    for (const id of this.calls.ids()) {
      if (!unsent.has(id)) this.calls.take(id)?.reject(lost);
    }
    clearTimeout(this.startTimer);
    this.nRestarts++;
    this.state = State.Starting;
    this.childReady = false;
    this.readyPending = new Pending<HandlerModuleInfo>();
    this.spawn();
    // After spawn: the old child's 'close' is now ignored.
    old.kill("SIGKILL");
  }

  private refusal(): TickwireError | undefined {
    if (this.state === State.Exited) return this.exitError();
    if (this.state === State.Closing) {
      return new TickwireError("TW_WORKER_SUBPROCESS_CLOSED", "The subprocess is shutting down and takes no more work: start a new Subprocess.");
    }
    return undefined;
  }

  private enqueue(kind: number, id: number, a: unknown, b: unknown, c: unknown): void {
    this.outbox.push(kind, id, a, b, c);
    this.nSent++;
    // Until the child is ready its 'message' listener may not be there yet: hold the batch.
    if (!this.flushScheduled && this.childReady) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.outbox.length === 0 || this.state === State.Exited || !this.childReady) return;
    const all = this.outbox;
    this.outbox = [];
    // One message per tick, cut into chunks so a burst never becomes one huge message.
    const step = MAX_BATCH_RECORDS * REQUEST_FIELDS;
    for (let i = 0; i < all.length; i += step) {
      const batch = all.length <= step ? all : all.slice(i, i + step);
      this.nBatches++;
      this.calls.startClocks(batch);
      try {
        this.child.send(batch, undefined, undefined, (err) => {
          if (err) this.failBatch(batch, err);
        });
      } catch (cause) {
        this.sendOneByOne(batch, cause);
      }
    }
  };

  /** Something in the batch cannot be cloned: send each request alone so only that one fails. */
  private sendOneByOne(batch: unknown[], firstCause: unknown): void {
    for (let i = 0; i < batch.length; i += REQUEST_FIELDS) {
      const rec = batch.slice(i, i + REQUEST_FIELDS);
      try {
        this.child.send(rec, undefined, undefined, (err) => {
          if (err) this.failBatch(rec, err);
        });
      } catch (cause) {
        const err = new TickwireError(
          "TW_WORKER_SUBPROCESS_UNCLONEABLE",
          "The data or arguments cannot be sent to the child process (functions, sockets and the like cannot be cloned): send plain data.",
          { cause: cause ?? firstCause },
        );
        const p = this.calls.take(rec[1] as number);
        if (p !== undefined) p.reject(err);
        else this.handlerError(err, { type: String(rec[2]), handler: "put" });
      }
    }
  }

  /** The channel closed under a batch: its requests fail now ('close' will reject the rest). */
  private failBatch(batch: unknown[], cause: Error): void {
    for (let i = 0; i < batch.length; i += REQUEST_FIELDS) {
      const p = this.calls.take(batch[i + 1] as number);
      if (p === undefined) continue;
      p.reject(new TickwireError("TW_WORKER_SUBPROCESS_EXITED", "The child process went away before this request reached it.", { cause }));
    }
  }

  private readonly onMessage = (msg: unknown): void => {
    const batch = msg as unknown[];
    for (let i = 0; i + REPLY_FIELDS <= batch.length; i += REPLY_FIELDS) {
      const kind = batch[i] as number;
      const payload = batch[i + 2];
      if (kind === REP_HANDLER_ERROR) {
        const [type, handler, err] = payload as [string, string, SerializedError];
        this.handlerError(decodeError(err), { type, handler });
        continue;
      }
      if (kind === REP_READY) {
        clearTimeout(this.startTimer);
        if (this.state === State.Starting) this.state = State.Ready;
        this.childReady = true;
        this.readyPending.resolve(payload as HandlerModuleInfo);
        this.flush();
        continue;
      }
      if (kind === REP_START_FAILED) {
        this.startError = decodeError(payload as SerializedError);
        this.readyPending.reject(
          new TickwireError("TW_WORKER_SUBPROCESS_START", `The child process could not start: ${this.startError.message}`, {
            cause: this.startError,
          }),
        );
        continue;
      }
      this.calls.settle(kind, batch[i + 1] as number, payload);
    }
  };

  private handlerError(error: Error, info: { type: string; handler: string }): void {
    if (this.options.onHandlerError !== undefined) {
      try {
        this.options.onHandlerError(error, info);
      } catch {
        // a failing callback must not break result delivery
      }
    } else {
      console.error(`[tickwire] subprocess ${String(this.child.pid)}: handler "${info.handler}" failed on "${info.type}":`, error);
    }
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null, cause?: Error): void {
    if (this.state === State.Exited) return;
    const expected = this.state === State.Closing && code === 0;
    this.state = State.Exited;
    clearTimeout(this.startTimer);
    this.exitInfo = { code, signal, expected };
    const err = this.exitError(cause ?? this.startError);
    this.readyPending.reject(
      new TickwireError("TW_WORKER_SUBPROCESS_START", `The child process ended before it was ready: ${err.message}`, { cause: cause ?? err }),
    );
    this.calls.rejectAll(err);
    this.outbox = [];
    if (this.options.onExit !== undefined) {
      try {
        this.options.onExit(this.exitInfo);
      } catch {
        // reported exit; a throwing callback changes nothing
      }
    }
    this.resolveExited(this.exitInfo);
  }

  private exitError(cause?: Error): TickwireError {
    const info = this.exitInfo ?? { code: null, signal: null, expected: false };
    const how = info.signal !== null ? `was killed by ${info.signal}` : info.code !== null ? `exited with code ${info.code}` : "could not be started";
    return new TickwireError(
      "TW_WORKER_SUBPROCESS_EXITED",
      `The child process ${how}; its pending results are lost. Start a new Subprocess (and check the child's stderr if this was not expected).`,
      { cause, details: { code: info.code, signal: info.signal } },
    );
  }
}

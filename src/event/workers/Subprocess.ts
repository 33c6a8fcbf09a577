import { fork, type ChildProcess } from "node:child_process";
import { Pending } from "../Pending.js";
import { TickwireError } from "../errors.js";
import { entryFile } from "./entryFile.js";
import { moduleUrl, type HandlerModule, type HandlerModuleInfo, type ModuleLocation } from "./HandlerModule.js";
import { decodeError, type SerializedError } from "./remoteError.js";
import type { FunctionArgs, FunctionName, FunctionResult } from "./functionTypes.js";
import {
  REP_DISPATCH,
  REP_ERROR,
  REP_HANDLER_ERROR,
  REP_OK,
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
  type ChildEngineOptions,
} from "./subprocessProtocol.js";

export interface SubprocessOptions {
  /** The handler module (default export made with `defineHandlers`): a file URL or a path. */
  module: ModuleLocation;
  /** Options of the child's EventEngine (its timer is off unless `interval` is given). */
  engine?: ChildEngineOptions;
  /** Node options for the child. Default: this process's, so `--import tsx` carries over. */
  execArgv?: string[];
  /** The child's environment. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * How long the child may take to load the module and start its engine, ms (default 30,000;
   * Infinity for no limit). Past it the child is killed: ready() rejects with TW_SUBPROCESS_START,
   * pending results with TW_SUBPROCESS_EXITED (its cause says why).
   */
  startTimeoutMs?: number;
  /** Called once when the child has exited, for whatever reason (see `SubprocessExit.expected`). */
  onExit?: (exit: SubprocessExit) => void;
  /** Called for every handler error in the child (the child engine's `onError`). Default: console.error. */
  onHandlerError?: (error: Error, info: { type: string; handler: string }) => void;
}

export interface SubprocessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the child ended because `shutdown()` asked it to. */
  expected: boolean;
}

export interface SubprocessDispatchOptions {
  /** Per-event context, merged over the child engine's global one (must be cloneable). */
  context?: Record<string, unknown>;
}

export interface SubprocessStats {
  pid: number | undefined;
  /** Requests sent whose result has not come back. */
  inFlight: number;
  sent: number;
  /** IPC messages sent (each one a batch of requests). */
  batches: number;
}

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
 * with TW_SUBPROCESS_EXITED and `onExit` / `exited` report how it ended.
 */
export class Subprocess<H extends HandlerModule = HandlerModule> {
  /** Resolves when the child has exited (never rejects). */
  readonly exited: Promise<SubprocessExit>;

  private readonly child: ChildProcess;
  private readonly options: SubprocessOptions;
  private state = State.Starting;
  /** The child has its 'message' listener and engine; until then requests are held here. */
  private childReady = false;
  private startError: Error | undefined = undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Pending<unknown>>();
  private outbox: unknown[] = [];
  private flushScheduled = false;
  private readyPending = new Pending<HandlerModuleInfo>();
  private exitInfo: SubprocessExit | undefined = undefined;
  private resolveExited!: (exit: SubprocessExit) => void;
  private nSent = 0;
  private nBatches = 0;
  private startTimer: NodeJS.Timeout | undefined;

  constructor(options: SubprocessOptions) {
    const startTimeoutMs = options.startTimeoutMs ?? 30_000;
    if (!(startTimeoutMs === Infinity || (Number.isFinite(startTimeoutMs) && startTimeoutMs > 0 && startTimeoutMs <= 2 ** 31 - 1))) {
      throw new TickwireError(
        "TW_SUBPROCESS_BAD_OPTION",
        `startTimeoutMs must be a number of milliseconds from 1 to ${2 ** 31 - 1}, or Infinity for no limit (got ${String(startTimeoutMs)}).`,
      );
    }
    this.options = options;
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    const config: ChildConfig = { moduleUrl: moduleUrl(options.module), engine: options.engine ?? {} };
    this.child = fork(entryFile("subprocessChild"), [JSON.stringify(config)], {
      serialization: "advanced",
      execArgv: options.execArgv ?? process.execArgv,
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", this.onMessage);
    // 'close' (not 'exit'): by then every message the child sent has been read.
    this.child.on("close", (code: number | null, signal: NodeJS.Signals | null) => this.onClose(code, signal));
    this.child.on("error", (err) => {
      // Spawn failure: 'close' may never come.
      if (this.child.pid === undefined) this.onClose(null, null, err);
    });
    if (startTimeoutMs !== Infinity) {
      this.startTimer = setTimeout(() => this.startTimedOut(startTimeoutMs), startTimeoutMs);
      this.startTimer.unref();
    }
  }

  /** The child never said it was ready (a module that hangs while loading): end it. */
  private startTimedOut(ms: number): void {
    this.startTimer = undefined;
    if (this.childReady || this.state === State.Exited) return;
    this.startError = new TickwireError(
      "TW_SUBPROCESS_START",
      `The child process was not ready within ${ms} ms and was killed: check that the handler module does not hang while loading, or raise startTimeoutMs.`,
    );
    this.readyPending.reject(this.startError);
    this.child.kill("SIGKILL");
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves once the child has loaded the module and started its engine; rejects with TW_SUBPROCESS_START if it could not. */
  ready(): Promise<HandlerModuleInfo> {
    return this.readyPending.wait();
  }

  /**
   * Dispatch an event on the child's engine. Resolves to the handlers' results in handler order,
   * a failed handler's error (name, message, code, stack kept) in its slot.
   */
  dispatch(type: string, data?: unknown, options?: SubprocessDispatchOptions): Pending<unknown[]> {
    return this.request(REQ_DISPATCH, type, data, options?.context) as Pending<unknown[]>;
  }

  /** Call the module's function `name` on the child's engine, in FIFO order with its events. */
  submit<N extends FunctionName<H>>(name: N, ...args: FunctionArgs<H, N>): Pending<FunctionResult<H, N>> {
    return this.request(REQ_SUBMIT, name, args, undefined) as Pending<FunctionResult<H, N>>;
  }

  /** Put an event on the child's engine, fire and forget. Throws TW_SUBPROCESS_EXITED / _CLOSED when it can take no more. */
  put(type: string, data?: unknown, options?: SubprocessDispatchOptions): void {
    const refused = this.refusal();
    if (refused) throw refused;
    this.enqueue(REQ_PUT, 0, type, data, options?.context);
  }

  /** Resolves when the child's engine has handled everything sent before this call (queue empty, async handlers done). */
  async waitForIdle(): Promise<void> {
    await this.request(REQ_IDLE, undefined, undefined, undefined);
  }

  /**
   * End the child cleanly: it handles everything already sent, stops its engine (within
   * `deadlineMs`, default 5000) and exits with code 0. Past the deadline (plus a grace second)
   * it is killed. Resolves with how it exited.
   */
  async shutdown(options: { deadlineMs?: number } = {}): Promise<SubprocessExit> {
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

  /** Kill the child at once (default SIGTERM). Pending results reject with TW_SUBPROCESS_EXITED. */
  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    this.child.kill(signal);
  }

  stats(): SubprocessStats {
    return { pid: this.child.pid, inFlight: this.waiting.size, sent: this.nSent, batches: this.nBatches };
  }

  private request(kind: number, a: unknown, b: unknown, c: unknown): Pending<unknown> {
    const refused = this.refusal();
    if (refused) return Pending.rejected(refused);
    const id = this.nextId++;
    const pending = new Pending<unknown>();
    this.waiting.set(id, pending);
    this.enqueue(kind, id, a, b, c);
    return pending;
  }

  private refusal(): TickwireError | undefined {
    if (this.state === State.Exited) return this.exitError();
    if (this.state === State.Closing) {
      return new TickwireError("TW_SUBPROCESS_CLOSED", "The subprocess is shutting down and takes no more work: start a new Subprocess.");
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
          "TW_SUBPROCESS_UNCLONEABLE",
          "The data or arguments cannot be sent to the child process (functions, sockets and the like cannot be cloned): send plain data.",
          { cause: cause ?? firstCause },
        );
        const id = rec[1] as number;
        const p = this.waiting.get(id);
        if (p !== undefined) {
          this.waiting.delete(id);
          p.reject(err);
        } else this.handlerError(err, { type: String(rec[2]), handler: "put" });
      }
    }
  }

  /** The channel closed under a batch: its requests fail now ('close' will reject the rest). */
  private failBatch(batch: unknown[], cause: Error): void {
    for (let i = 0; i < batch.length; i += REQUEST_FIELDS) {
      const id = batch[i + 1] as number;
      const p = this.waiting.get(id);
      if (p === undefined) continue;
      this.waiting.delete(id);
      p.reject(new TickwireError("TW_SUBPROCESS_EXITED", "The child process went away before this request reached it.", { cause }));
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
          new TickwireError("TW_SUBPROCESS_START", `The child process could not start: ${this.startError.message}`, {
            cause: this.startError,
          }),
        );
        continue;
      }
      const id = batch[i + 1] as number;
      const p = this.waiting.get(id);
      if (p === undefined) continue; // the shutdown reply has no Pending
      this.waiting.delete(id);
      if (kind === REP_OK) p.resolve(payload);
      else if (kind === REP_DISPATCH) {
        const [values, failed] = payload as [unknown[], number[]];
        for (const j of failed) values[j] = decodeError(values[j] as SerializedError);
        p.resolve(values);
      } else if (kind === REP_ERROR) p.reject(decodeError(payload as SerializedError));
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
      new TickwireError("TW_SUBPROCESS_START", `The child process ended before it was ready: ${err.message}`, { cause: cause ?? err }),
    );
    for (const p of this.waiting.values()) p.reject(err);
    this.waiting.clear();
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
      "TW_SUBPROCESS_EXITED",
      `The child process ${how}; its pending results are lost. Start a new Subprocess (and check the child's stderr if this was not expected).`,
      { cause, details: { code: info.code, signal: info.signal } },
    );
  }
}

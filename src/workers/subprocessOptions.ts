import type { DispatchOptions } from "../event/Event.js";
import type { ModuleLocation } from "./HandlerModule.js";
import type { ChildEngineOptions } from "./subprocessProtocol.js";
import { timeoutOption } from "./timeoutOption.js";

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
   * Infinity for no limit). Past it the child is killed: ready() rejects with TW_WORKER_SUBPROCESS_START,
   * pending results with TW_WORKER_SUBPROCESS_EXITED (its cause says why).
   */
  startTimeoutMs?: number;
  /**
   * Longest a `dispatch`/`submit` may take, ms, counted from when it is sent to the child (the
   * child's own queue counts: it is one engine). Past it the request rejects with
   * TW_WORKER_SUBPROCESS_TIMEOUT and, since a child stuck in a handler cannot be asked to stop, the
   * child is killed and a new one started; requests it still held reject with
   * TW_WORKER_SUBPROCESS_EXITED. A call's `timeoutMs` overrides it. Default Infinity (no limit).
   */
  requestTimeoutMs?: number;
  /** Called once when the child has exited for good, for whatever reason (see `SubprocessExit.expected`); not for a restart after a timeout. */
  onExit?: (exit: SubprocessExit) => void;
  /** Called for every handler error in the child (the child engine's `onError`). Default: console.error. */
  onHandlerError?: (error: Error, info: { type: string; handler: string }) => void;
}

export interface SubprocessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the child ended because `stop()` asked it to. */
  expected: boolean;
}

/** Options of one request. */
export interface SubprocessRequestOptions {
  /** This request's time limit, ms (see SubprocessOptions.requestTimeoutMs); Infinity for none. */
  timeoutMs?: number;
}

/** @deprecated The engine's `DispatchOptions` (from tickwire/event or tickwire/workers). */
export type SubprocessDispatchOptions = DispatchOptions;

export interface SubprocessStats {
  pid: number | undefined;
  /** Requests sent whose result has not come back. */
  inFlight: number;
  sent: number;
  /** IPC messages sent (each one a batch of requests). */
  batches: number;
  /** Requests ended by their timeout. */
  timedOut: number;
  /** Children started again after a timeout. */
  restarts: number;
}

/** `startTimeoutMs` checked, with its default. */
export function startTimeoutOption(v: number | undefined): number {
  return timeoutOption("startTimeoutMs", v ?? 30_000);
}

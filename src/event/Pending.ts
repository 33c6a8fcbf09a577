import { TickwireError } from "./errors.js";

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/**
 * The result of work the engine (or a worker, or a child process) will do later: a promise-like
 * that settles once. It makes no Promise until someone awaits it, so a `dispatch` whose result
 * nobody reads costs little, and a rejection nobody reads is never an unhandled rejection.
 */
export class Pending<T> implements PromiseLike<T> {
  private state = PENDING;
  private result: unknown = undefined;
  private promise: Promise<T> | undefined = undefined;
  // Four fields in all: a dispatch() burst keeps one Pending per queued event alive.
  private listeners: Array<() => void> | undefined = undefined;

  /** A Pending already fulfilled with `value`. */
  static resolved<T>(value: T): Pending<T> {
    const p = new Pending<T>();
    p.resolve(value);
    return p;
  }

  /** A Pending already rejected with `error`. */
  static rejected<T>(error: unknown): Pending<T> {
    const p = new Pending<T>();
    p.reject(error);
    return p;
  }

  get [Symbol.toStringTag](): string {
    return "Pending";
  }

  get settled(): boolean {
    return this.state !== PENDING;
  }

  get fulfilled(): boolean {
    return this.state === FULFILLED;
  }

  get rejected(): boolean {
    return this.state === REJECTED;
  }

  /** The value once fulfilled; throws the error once rejected, or TW_EVENT_PENDING_NOT_READY before. */
  get value(): T {
    if (this.state === FULFILLED) return this.result as T;
    if (this.state === REJECTED) throw this.result;
    throw new TickwireError("TW_EVENT_PENDING_NOT_READY", "The result is not ready yet: await the Pending or call wait().");
  }

  /** Settle with a value. Returns false (and changes nothing) if already settled. */
  resolve(value: T): boolean {
    if (this.state !== PENDING) return false;
    this.state = FULFILLED;
    this.result = value;
    this.notify();
    return true;
  }

  /** Settle with an error. Returns false (and changes nothing) if already settled. */
  reject(error: unknown): boolean {
    if (this.state !== PENDING) return false;
    this.state = REJECTED;
    this.result = error;
    this.notify();
    return true;
  }

  /** Calls `fn` once when settled (at once if already settled). Cheaper than `then` for internal use. */
  onSettled(fn: () => void): void {
    if (this.state !== PENDING) {
      fn();
      return;
    }
    (this.listeners ??= []).push(fn);
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.asPromise().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.asPromise().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.asPromise().finally(onfinally);
  }

  /**
   * Wait for the result, at most `timeout` ms: rejects with TW_EVENT_PENDING_TIMEOUT when it runs out
   * (the work itself goes on; a later wait can still get it).
   */
  wait(options: { timeout?: number } = {}): Promise<T> {
    const timeout = options.timeout;
    if (timeout === undefined || this.state !== PENDING) return this.asPromise();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new TickwireError("TW_EVENT_PENDING_TIMEOUT", `No result within ${timeout} ms. The work goes on: wait again, or raise the timeout.`));
      }, timeout);
      this.asPromise().then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private asPromise(): Promise<T> {
    if (this.promise) return this.promise;
    if (this.state === FULFILLED) this.promise = Promise.resolve(this.result as T);
    else if (this.state === REJECTED) this.promise = Promise.reject(this.result);
    else
      this.promise = new Promise<T>((resolve, reject) => {
        // First in line, so a listener that throws cannot keep the promise from settling.
        (this.listeners ??= []).unshift(() => (this.state === FULFILLED ? resolve(this.result as T) : reject(this.result)));
      });
    return this.promise;
  }

  private notify(): void {
    const ls = this.listeners;
    if (!ls) return;
    this.listeners = undefined;
    for (const fn of ls) fn();
  }
}

/** Waiting in tests: for a condition (failing, rather than hanging, when it never holds) or for a time. */

export interface UntilOptions {
  /**
   * What is awaited, for the timeout error ("the subscriber to see 3 events"); a function is asked
   * at the timeout, so it can show the state. Default: the source text of the condition.
   */
  what?: string | (() => string);
  /** Default 20 s: a guard against a hang, not a speed requirement. */
  timeoutMs?: number;
  /** How often `cond` is asked. Default 5 ms. */
  everyMs?: number;
}

/**
 * Resolves once `cond()` is true (it may be async), asking every `everyMs`; rejects after
 * `timeoutMs` with an error saying what it waited for. `until(cond, "what", timeoutMs)` is the
 * short form.
 */
export async function until(cond: () => boolean | Promise<boolean>, options: UntilOptions | string = {}, timeoutMs?: number): Promise<void> {
  const o: UntilOptions = typeof options === "string" ? { what: options, timeoutMs } : options;
  const what = o.what ?? String(cond);
  const limit = o.timeoutMs ?? 20_000;
  const end = Date.now() + limit;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${limit} ms waiting for ${typeof what === "function" ? what() : what}`);
    await sleep(o.everyMs ?? 5);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with the arguments of the next `event` emitted by `emitter`. */
export function once<T extends unknown[]>(emitter: { once(event: string, fn: (...args: T) => void): unknown }, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: T) => resolve(args)));
}

import { TickwireError } from "../event/errors.js";

/** setTimeout's limit: a longer delay fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A time limit option of the pool or the subprocess checked: 1 ms to MAX_TIMER_MS, or Infinity (the default) for none. */
export function timeoutOption(name: string, v: number | undefined): number {
  if (v === undefined || v === Infinity) return Infinity;
  if (typeof v !== "number" || !(v > 0 && v <= MAX_TIMER_MS)) {
    throw new TickwireError(
      "TW_WORKER_BAD_OPTION",
      `${name} must be a number of milliseconds from 1 to ${MAX_TIMER_MS}, or Infinity for no limit (got ${String(v)}).`,
    );
  }
  return v;
}

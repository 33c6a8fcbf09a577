import { TickwireError } from "../event/errors.js";
import { TW_DATA_INVALID_QUERY } from "./errors.js";
import type { TimeInput } from "./types.js";

/** Epoch ms of a query time; `what` names it in the error ("start", "end"). */
export function toEpochMs(value: TimeInput, what: string): number {
  const ms = typeof value === "number" ? value : value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) {
    throw new TickwireError(
      TW_DATA_INVALID_QUERY,
      `Invalid ${what} ${JSON.stringify(value)}: give epoch milliseconds, a Date or ISO 8601 text such as "2024-01-02T09:00:00+08:00".`,
      { details: { what, value } },
    );
  }
  return ms;
}

/** The inclusive [start, end] of a query in epoch ms; omitted ends are unbounded. */
export function queryRange(query: { start?: TimeInput; end?: TimeInput }): [number, number] {
  const start = query.start === undefined ? Number.MIN_SAFE_INTEGER : toEpochMs(query.start, "start");
  const end = query.end === undefined ? Number.MAX_SAFE_INTEGER : toEpochMs(query.end, "end");
  return [start, end];
}

/** ISO text of an epoch ms for messages, or the raw value when it is not a time. */
export function showTime(ms: unknown): string {
  return typeof ms === "number" && Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

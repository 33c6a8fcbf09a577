import { TickwireError } from "../event/errors.js";
import type { TickwireErrorCode } from "../errorCodes.js";

/**
 * An error as it crosses a thread or process boundary. Structured clone keeps only the message
 * and stack of an Error (a custom `name` becomes "Error", `code` is dropped), so errors travel as
 * this plain object and are rebuilt on the other side.
 */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  details?: Record<string, unknown>;
  cause?: SerializedError;
}

const MAX_CAUSE_DEPTH = 4;

/** Flatten anything thrown into a `SerializedError` (values that are not Errors become their text). */
export function encodeError(err: unknown, depth = 0): SerializedError {
  if (!(err instanceof Error) && !looksLikeError(err)) {
    return { name: "Error", message: describeThrown(err) };
  }
  const e = err as Error & { code?: unknown; details?: unknown };
  const out: SerializedError = { name: String(e.name), message: String(e.message) };
  if (typeof e.stack === "string") out.stack = e.stack;
  if (typeof e.code === "string") out.code = e.code;
  if (isPlainRecord(e.details)) out.details = e.details;
  if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = encodeError(e.cause, depth + 1);
  return out;
}

/**
 * Rebuild an Error from a `SerializedError`: a TickwireError comes back as a TickwireError (same
 * code), anything else as an Error with the remote name, message, code and stack.
 */
export function decodeError(s: SerializedError): Error {
  const cause = s.cause === undefined ? undefined : decodeError(s.cause);
  let err: Error;
  if (s.name === "TickwireError" && s.code !== undefined) {
    // The code comes from a tickwire worker, so it is one of the catalogue's.
    err = new TickwireError(s.code as TickwireErrorCode, s.message, { cause, details: s.details });
  } else {
    err = new Error(s.message, cause === undefined ? undefined : { cause });
    err.name = s.name;
    if (s.code !== undefined) (err as Error & { code: string }).code = s.code;
    if (s.details !== undefined) (err as Error & { details: Record<string, unknown> }).details = s.details;
  }
  // The remote stack says where the handler failed, which is what a reader needs.
  if (s.stack !== undefined) err.stack = s.stack;
  return err;
}

/** Errors from another realm (a vm context) fail `instanceof Error` but are still errors. */
function looksLikeError(v: unknown): boolean {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { message?: unknown }).message === "string" &&
    typeof (v as { name?: unknown }).name === "string" &&
    typeof (v as { stack?: unknown }).stack === "string"
  );
}

function describeThrown(v: unknown): string {
  if (typeof v === "string") return v;
  try {
    return `Non-Error thrown: ${JSON.stringify(v) ?? String(v)}`;
  } catch {
    return `Non-Error thrown: ${String(v)}`;
  }
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

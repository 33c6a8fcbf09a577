/**
 * The one error class of tickwire. Every error a user can catch carries a stable `code`
 * (`TW_<LAYER>_<WHAT>`) to search for and a message that says what to do about it.
 */
export class TickwireError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TickwireError";
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

/** True when `err` is a TickwireError with the given code (or any code when omitted). */
export function isTickwireError(err: unknown, code?: string): err is TickwireError {
  return err instanceof TickwireError && (code === undefined || err.code === code);
}

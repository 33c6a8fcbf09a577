import type { TickwireErrorCode } from "../errorCodes.js";

export type { TickwireErrorCode } from "../errorCodes.js";

/** A catalogued code (autocompleted) or any other string, such as a custom PreTradeCheck's code. */
export type AnyErrorCode = TickwireErrorCode | (string & Record<never, never>);

/**
 * The one error class of tickwire. Every error a user can catch carries a stable `code`
 * (`TW_<LAYER>_<WHAT>`, listed in docs/errors.md) to search for and a message that says what to do.
 * Codes from outside the catalogue reach a TickwireError only from a peer (a remote server's
 * error, a custom PreTradeCheck's refusal) and are passed through as they came.
 */
export class TickwireError extends Error {
  /** A catalogued code; a peer's own code when the error came from one (see above). */
  readonly code: AnyErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: TickwireErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TickwireError";
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

/**
 * True when `err` is a TickwireError with the given code (or any code when omitted); the code
 * autocompletes and narrows: `if (isTickwireError(e, "TW_RPC_TIMEOUT")) e.code // "TW_RPC_TIMEOUT"`.
 */
export function isTickwireError<C extends AnyErrorCode = TickwireErrorCode>(err: unknown, code?: C): err is TickwireError & { readonly code: C } {
  return err instanceof TickwireError && (code === undefined || err.code === code);
}

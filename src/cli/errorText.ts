import { isTickwireError } from "../event/errors.js";

/**
 * An error as the CLI prints it: `CODE: message` for a TickwireError (by name too: a .ts strategy
 * that imports tickwire from src/ throws src/'s TickwireError class into the built CLI), else the
 * message.
 */
export function errorText(error: unknown): string {
  const code = isTickwireError(error)
    ? error.code
    : error instanceof Error && error.name === "TickwireError" && typeof (error as { code?: unknown }).code === "string"
      ? (error as unknown as { code: string }).code
      : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined ? `${code}: ${message}` : message;
}

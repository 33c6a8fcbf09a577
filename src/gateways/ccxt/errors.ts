/**
 * ccxt's exception classes mapped to tickwire's typed codes. Matching is by class name along the
 * prototype chain (ccxt sets `name` on each class), so this module needs no import of ccxt.
 * Every message passes `redact` first: an API key or secret never reaches an error or a log.
 */
import { TickwireError, type AnyErrorCode } from "../../event/errors.js";
import type { TickwireErrorCode } from "../../errorCodes.js";

export const TW_CCXT_AUTH = "TW_CCXT_AUTH";
export const TW_CCXT_INSUFFICIENT_FUNDS = "TW_CCXT_INSUFFICIENT_FUNDS";
export const TW_CCXT_RATE_LIMIT = "TW_CCXT_RATE_LIMIT";
export const TW_CCXT_NETWORK = "TW_CCXT_NETWORK";
export const TW_CCXT_REJECTED = "TW_CCXT_REJECTED";
export const TW_CCXT_ORDER_NOT_FOUND = "TW_CCXT_ORDER_NOT_FOUND";
export const TW_CCXT_NOT_SUPPORTED = "TW_CCXT_NOT_SUPPORTED";
export const TW_CCXT_BAD_OPTION = "TW_CCXT_BAD_OPTION";
export const TW_CCXT_BAD_SYMBOL = "TW_CCXT_BAD_SYMBOL";
export const TW_CCXT_EXCHANGE = "TW_CCXT_EXCHANGE";
export const TW_CCXT_NOT_CONNECTED = "TW_CCXT_NOT_CONNECTED";

/** Most-specific first: the first class name found in an error's chain decides. */
const BY_CLASS: ReadonlyArray<[string, string, string]> = [
  ["InsufficientFunds", TW_CCXT_INSUFFICIENT_FUNDS, "Deposit funds or send a smaller order."],
  ["OrderNotFound", TW_CCXT_ORDER_NOT_FOUND, "The order is not (or no longer) open at the exchange."],
  ["RateLimitExceeded", TW_CCXT_RATE_LIMIT, "Send fewer requests; the gateway pauses its own requests for a while."],
  ["DDoSProtection", TW_CCXT_RATE_LIMIT, "Send fewer requests; the gateway pauses its own requests for a while."],
  ["AuthenticationError", TW_CCXT_AUTH, "Check the API key and secret (and that the key may trade, from this IP)."],
  ["BadSymbol", TW_CCXT_BAD_SYMBOL, "Use a symbol the exchange lists (see the contracts the gateway loaded)."],
  ["NotSupported", TW_CCXT_NOT_SUPPORTED, "This exchange does not support it through ccxt."],
  ["InvalidOrder", TW_CCXT_REJECTED, "Fix the order (price tick, lot size, minimum notional, type)."],
  ["OperationRejected", TW_CCXT_REJECTED, "The exchange refused the request."],
  ["BadRequest", TW_CCXT_REJECTED, "The exchange refused the request as malformed."],
  ["ExchangeClosedByUser", TW_CCXT_NETWORK, "The connection was closed by the gateway."],
  ["NetworkError", TW_CCXT_NETWORK, "The exchange could not be reached; the gateway retries with backoff."],
  ["ExchangeError", TW_CCXT_EXCHANGE, "The exchange answered with an error."],
  ["BaseError", TW_CCXT_EXCHANGE, "ccxt reported an error."],
];

function classNames(e: unknown): string[] {
  const names: string[] = [];
  let proto: unknown = typeof e === "object" && e !== null ? Object.getPrototypeOf(e) : undefined;
  while (proto && proto !== Object.prototype) {
    const ctor = (proto as { constructor?: { name?: string } }).constructor;
    if (ctor?.name) names.push(ctor.name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}

/** Replaces every occurrence of each secret in `text` (values shorter than 4 chars are not secrets worth scanning for). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("***");
  return out;
}

/** The tickwire code of a ccxt error (TW_CCXT_EXCHANGE for one it does not know, TW_CCXT_NETWORK for a non-ccxt one). */
export function ccxtErrorCode(e: unknown): AnyErrorCode {
  if (e instanceof TickwireError) return e.code;
  const names = classNames(e);
  for (const [cls, code] of BY_CLASS) if (names.includes(cls)) return code;
  return TW_CCXT_NETWORK;
}

/**
 * The TickwireError for a ccxt error raised by `action` ("createOrder BTC/USDT"): the code, the
 * exchange's message (redacted), and what to do. The ccxt error is not kept as `cause`: its
 * fields may hold request headers with the key.
 */
export function mapCcxtError(e: unknown, action: string, secrets: readonly string[]): TickwireError {
  if (e instanceof TickwireError) return e;
  const code = ccxtErrorCode(e);
  const names = classNames(e);
  const hint = BY_CLASS.find(([cls]) => names.includes(cls))?.[2] ?? "";
  const raw = e instanceof Error ? e.message : String(e);
  const msg = redact(raw, secrets).slice(0, 500);
  return new TickwireError(code as TickwireErrorCode, `${action}: ${msg}${hint ? ` (${hint})` : ""}`, {
    details: { action, ccxtError: classNames(e)[0] ?? typeof e },
  });
}

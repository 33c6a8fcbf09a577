import type { ErrorCatalogue } from "../../errorCodes.js";

/** The error codes of tickwire/gateways/ccxt (crypto exchanges through ccxt). See docs/errors.md and docs/ccxt.md. */
export const CCXT_ERRORS = {
  TW_CCXT_BAD_OPTION: {
    meaning: "A CcxtGateway setting is invalid or unknown (exchange id, market type, symbols, key file, rate-limit options).",
    fix: "Pass the setting as the message says (docs/ccxt.md lists them).",
  },
  TW_CCXT_AUTH: {
    meaning: "The exchange refused the API key or signature (ccxt AuthenticationError / PermissionDenied; Binance -2015, -1022).",
    fix: "Check the API key and secret, that the key may trade, and its IP whitelist; testnet keys need --sandbox.",
  },
  TW_CCXT_INSUFFICIENT_FUNDS: {
    meaning: "The exchange refused an order for lack of balance (ccxt InsufficientFunds; Binance -2010).",
    fix: "Deposit funds or send a smaller order.",
  },
  TW_CCXT_RATE_LIMIT: {
    meaning:
      "The exchange answered with a rate limit (HTTP 429/418, Binance -1003); the gateway pauses its own requests and refuses orders for rateLimitCooldownMs.",
    fix: "Send fewer requests; wait for the cooldown.",
  },
  TW_CCXT_NETWORK: {
    meaning: "The exchange could not be reached, or a request timed out (ccxt NetworkError).",
    fix: "Check the network; the gateway reconnects with backoff and reconciles orders and trades after it.",
  },
  TW_CCXT_REJECTED: {
    meaning: "The exchange refused an order or request (ccxt InvalidOrder, OperationRejected, BadRequest: price tick, lot size, minimum notional).",
    fix: "Fix the order as the exchange's message says.",
  },
  TW_CCXT_ORDER_NOT_FOUND: {
    meaning: "The order is not, or no longer, open at the exchange (ccxt OrderNotFound).",
    fix: "Query the order's state; it was filled or cancelled already.",
  },
  TW_CCXT_NOT_SUPPORTED: {
    meaning: "The exchange does not support this through ccxt (an order type, a market type, a stream).",
    fix: "Use what docs/ccxt.md lists as supported for that exchange.",
  },
  TW_CCXT_BAD_SYMBOL: {
    meaning: "The symbol is not one the exchange lists, or not one the gateway loaded.",
    fix: "Use a vtSymbol of a loaded contract (e.g. BTCUSDT.BINANCE), or add the market to the symbols setting.",
  },
  TW_CCXT_EXCHANGE: {
    meaning: "The exchange answered with an error ccxt has no narrower class for.",
    fix: "Read the exchange's message in the error.",
  },
  TW_CCXT_NOT_CONNECTED: {
    meaning: "The gateway was asked to trade or query before connect() finished, or after close().",
    fix: "Connect the gateway first (main.connect(setting, name)).",
  },
} as const satisfies ErrorCatalogue<"TW_CCXT_">;

export { CcxtGateway, loadCcxt, type MarketStreamState } from "./CcxtGateway.js";
export {
  parseCcxtSettings,
  DEFAULT_CCXT_SETTING,
  ENV_KEY,
  ENV_SECRET,
  ENV_PASSWORD,
  ENV_KEY_FILE,
  type CcxtSettings,
  type CcxtMarketType,
} from "./settings.js";
export {
  mapCcxtError,
  ccxtErrorCode,
  redact,
  TW_CCXT_AUTH,
  TW_CCXT_INSUFFICIENT_FUNDS,
  TW_CCXT_RATE_LIMIT,
  TW_CCXT_NETWORK,
  TW_CCXT_REJECTED,
  TW_CCXT_ORDER_NOT_FOUND,
  TW_CCXT_NOT_SUPPORTED,
  TW_CCXT_BAD_OPTION,
  TW_CCXT_BAD_SYMBOL,
  TW_CCXT_EXCHANGE,
  TW_CCXT_NOT_CONNECTED,
} from "./errors.js";
export { CCXT_EXCHANGES, SymbolMap, binanceUrlsAt, exchangeCodeOf, safeId, type MappedMarket } from "./venues.js";
export { CCXT_ERRORS } from "./errorCodes.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";

/**
 * The typed settings of the ccxt gateway, parsed from the connect setting (a form, a JSON file,
 * the CLI). API keys come from the setting, the environment or a key file; they are kept out of
 * every message (a bad key file is named by its path, never by its content).
 */
import { readFileSync } from "node:fs";
import { TickwireError } from "../../event/errors.js";
import type { GatewaySetting } from "../../trader/BaseGateway.js";
import { TW_CCXT_BAD_OPTION } from "./errors.js";

export type CcxtMarketType = "spot" | "swap";

export interface CcxtSettings {
  /** ccxt exchange id: "binance", "okx", "bybit", … */
  exchange: string;
  apiKey: string;
  secret: string;
  /** Some exchanges (OKX, KuCoin, Bitget) want a passphrase too. */
  password: string;
  /** Use the exchange's testnet (ccxt `setSandboxMode(true)`). */
  sandbox: boolean;
  marketType: CcxtMarketType;
  /** Unified or exchange symbols to load ("BTC/USDT", "BTCUSDT"); empty = every market of the type. */
  symbols: string[];
  /** ccxt's own request throttle (on by default). */
  enableRateLimit: boolean;
  /** Milliseconds between requests for ccxt's throttle; 0 = the exchange's default. */
  rateLimit: number;
  /** After a rate-limit answer the gateway sends no request of its own (and refuses orders) for this long. */
  rateLimitCooldownMs: number;
  /** Use the WebSocket streams where the exchange has them (else REST polling). */
  websocket: boolean;
  /** REST poll period of market data when there is no stream, or while the stream is down or stale. */
  pollIntervalMs: number;
  /** A market stream with no update for this long is reported stale (and polled over REST). 0 = off. */
  staleAfterMs: number;
  /** Reconnect backoff: first delay and cap. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Orders and trades are checked over REST this often even when the private stream is up. 0 = only after reconnects. */
  reconcileIntervalMs: number;
  /** Overrides of ccxt's `urls` (deep-merged): points the gateway at an emulator in tests. */
  urls: Record<string, unknown> | undefined;
  /** Extra ccxt `options` (deep-merged over the gateway's). */
  options: Record<string, unknown>;
  /** Account id prefix for AccountData; the currency code follows it when not empty. */
  accountPrefix: string;
}

/**
 * What `connect` takes (every key optional; defaults in DEFAULT_CCXT_SETTING). An unknown key is a
 * type error here and TW_CCXT_BAD_OPTION at run time.
 */
export type CcxtGatewaySetting = {
  exchange?: string;
  apiKey?: string;
  secret?: string;
  password?: string;
  /** A JSON file {"apiKey": "…", "secret": "…", "password"?: "…"} (or TICKWIRE_CCXT_KEY_FILE). */
  keyFile?: string;
  sandbox?: boolean;
  marketType?: CcxtMarketType;
  /** "BTC/USDT,ETH/USDT" or an array of symbols. */
  symbols?: string | readonly string[];
  enableRateLimit?: boolean;
  rateLimit?: number;
  rateLimitCooldownMs?: number;
  websocket?: boolean;
  pollIntervalMs?: number;
  staleAfterMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  reconcileIntervalMs?: number;
  urls?: Record<string, unknown>;
  options?: Record<string, unknown>;
  accountPrefix?: string;
};

declare module "../../trader/BaseGateway.js" {
  interface GatewaySettingsByName {
    CCXT: CcxtGatewaySetting;
  }
}

/** Environment variables read when the setting holds no key. */
export const ENV_KEY = "TICKWIRE_CCXT_KEY";
export const ENV_SECRET = "TICKWIRE_CCXT_SECRET";
export const ENV_PASSWORD = "TICKWIRE_CCXT_PASSWORD";
export const ENV_KEY_FILE = "TICKWIRE_CCXT_KEY_FILE";

export const DEFAULT_CCXT_SETTING: GatewaySetting = {
  exchange: "binance",
  apiKey: "",
  secret: "",
  password: "",
  keyFile: "",
  sandbox: false,
  marketType: "spot",
  symbols: "",
  enableRateLimit: true,
  rateLimit: 0,
  rateLimitCooldownMs: 10_000,
  websocket: true,
  pollIntervalMs: 2000,
  staleAfterMs: 30_000,
  reconnectMinMs: 500,
  reconnectMaxMs: 30_000,
  reconcileIntervalMs: 60_000,
};

/** Every setting key the gateway reads: the defaults' and the three without a default. Any other key is refused (a typo would run with the default). */
export const CCXT_SETTING_KEYS: readonly string[] = [...Object.keys(DEFAULT_CCXT_SETTING), "urls", "options", "accountPrefix"];

function bad(name: string, want: string, got: unknown): TickwireError {
  // Key fields are never echoed: only their kind.
  const shown = /key|secret|password/i.test(name) ? typeof got : JSON.stringify(got);
  return new TickwireError(TW_CCXT_BAD_OPTION, `Setting "${name}" must be ${want}, got ${shown}.`, { details: { setting: name } });
}

function str(s: GatewaySetting, name: string, fallback: string): string {
  const v = s[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "string") throw bad(name, "a string", v);
  return v;
}

function bool(s: GatewaySetting, name: string, fallback: boolean): boolean {
  const v = s[name];
  if (v === undefined || v === null || v === "") return fallback;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw bad(name, "true or false", v);
}

function num(s: GatewaySetting, name: string, fallback: number, min = 0): number {
  const v = s[name];
  if (v === undefined || v === null || v === "") return fallback;
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n) || n < min) throw bad(name, `a number ≥ ${min}`, v);
  return n;
}

function record(s: GatewaySetting, name: string): Record<string, unknown> | undefined {
  const v = s[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw bad(name, "an object", v);
  return v as Record<string, unknown>;
}

interface Keys {
  apiKey: string;
  secret: string;
  password: string;
}

/** Keys from the setting, else the key file (setting `keyFile` or TICKWIRE_CCXT_KEY_FILE), else the environment. */
function keys(s: GatewaySetting, env: NodeJS.ProcessEnv): Keys {
  const direct: Keys = { apiKey: str(s, "apiKey", ""), secret: str(s, "secret", ""), password: str(s, "password", "") };
  if (direct.apiKey !== "" || direct.secret !== "") return direct;
  const file = str(s, "keyFile", "") || env[ENV_KEY_FILE] || "";
  if (file !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? "not valid JSON";
      throw new TickwireError(TW_CCXT_BAD_OPTION, `Cannot read the key file ${file} (${why}): it must be JSON {"apiKey": "…", "secret": "…"}.`, {
        details: { setting: "keyFile" },
      });
    }
    const o = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const apiKey = o.apiKey;
    const secret = o.secret;
    if (typeof apiKey !== "string" || typeof secret !== "string") {
      throw new TickwireError(TW_CCXT_BAD_OPTION, `The key file ${file} must hold JSON {"apiKey": "…", "secret": "…"} with string values.`, {
        details: { setting: "keyFile" },
      });
    }
    return { apiKey, secret, password: typeof o.password === "string" ? o.password : "" };
  }
  return { apiKey: env[ENV_KEY] ?? "", secret: env[ENV_SECRET] ?? "", password: env[ENV_PASSWORD] ?? "" };
}

export function parseCcxtSettings(s: GatewaySetting, env: NodeJS.ProcessEnv = process.env): CcxtSettings {
  const exchange = str(s, "exchange", "binance").trim().toLowerCase();
  if (!/^[a-z0-9]+$/.test(exchange)) throw bad("exchange", 'a ccxt exchange id such as "binance", "okx" or "bybit"', s.exchange);
  const marketType = str(s, "marketType", "spot");
  if (marketType !== "spot" && marketType !== "swap") throw bad("marketType", '"spot" or "swap"', marketType);
  const rawSymbols = s.symbols;
  let symbols: string[];
  if (rawSymbols === undefined || rawSymbols === null || rawSymbols === "") symbols = [];
  else if (typeof rawSymbols === "string")
    symbols = rawSymbols
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x !== "");
  else if (Array.isArray(rawSymbols) && rawSymbols.every((x) => typeof x === "string")) symbols = rawSymbols as string[];
  else throw bad("symbols", 'a comma-separated list ("BTC/USDT,ETH/USDT") or a list of strings', rawSymbols);
  const k = keys(s, env);
  if ((k.apiKey === "") !== (k.secret === "")) {
    throw new TickwireError(
      TW_CCXT_BAD_OPTION,
      `Give both an API key and a secret (or neither, for market data only): one of them is empty. Set them in the setting, a key file, or ${ENV_KEY} / ${ENV_SECRET}.`,
      { details: { setting: "apiKey" } },
    );
  }
  const reconnectMinMs = num(s, "reconnectMinMs", 500, 1);
  const reconnectMaxMs = num(s, "reconnectMaxMs", 30_000, 1);
  if (reconnectMaxMs < reconnectMinMs) throw bad("reconnectMaxMs", `at least reconnectMinMs (${reconnectMinMs})`, reconnectMaxMs);
  return {
    exchange,
    ...k,
    sandbox: bool(s, "sandbox", false),
    marketType,
    symbols,
    enableRateLimit: bool(s, "enableRateLimit", true),
    rateLimit: num(s, "rateLimit", 0),
    rateLimitCooldownMs: num(s, "rateLimitCooldownMs", 10_000),
    websocket: bool(s, "websocket", true),
    pollIntervalMs: num(s, "pollIntervalMs", 2000, 1),
    staleAfterMs: num(s, "staleAfterMs", 30_000),
    reconnectMinMs,
    reconnectMaxMs,
    reconcileIntervalMs: num(s, "reconcileIntervalMs", 60_000),
    urls: record(s, "urls"),
    options: record(s, "options") ?? {},
    accountPrefix: str(s, "accountPrefix", ""),
  };
}

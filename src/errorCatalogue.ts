/*
 * The catalogues of all layers in one list, in layer order, for docs/errors.md
 * (scripts/errors-doc.ts) and its test. Nothing in src/ imports this file.
 */
import type { ErrorCodeInfo } from "./errorCodes.js";
import { EVENT_ERRORS } from "./event/errorCodes.js";
import { WORKER_ERRORS } from "./workers/errorCodes.js";
import { RPC_ERRORS } from "./rpc/errorCodes.js";
import { BUS_ERRORS } from "./bus/errorCodes.js";
import { TRADER_ERRORS } from "./trader/errorCodes.js";
import { DATA_ERRORS } from "./data/errorCodes.js";
import { SIM_ERRORS } from "./gateways/sim/errorCodes.js";
import { CCXT_ERRORS } from "./gateways/ccxt/errorCodes.js";
import { RPC_GATEWAY_ERRORS } from "./gateways/rpc/errorCodes.js";
import { STRATEGY_ERRORS } from "./strategy/errorCodes.js";
import { CTA_ERRORS } from "./apps/cta/errorCodes.js";
import { BACKTEST_ERRORS } from "./apps/backtest/errorCodes.js";
import { RISK_ERRORS } from "./apps/risk/errorCodes.js";
import { RECORDER_ERRORS } from "./apps/recorder/errorCodes.js";
import { WEB_ERRORS } from "./apps/web/errorCodes.js";
import { RPC_SERVICE_ERRORS } from "./apps/rpc-service/errorCodes.js";
import { CLI_ERRORS } from "./cli/errorCodes.js";

export interface ErrorLayer {
  /** The folder under src/. */
  readonly folder: string;
  /** Where a user imports it from (the subpath export), or the command. */
  readonly importFrom: string;
  /** Every code of the layer starts with this. */
  readonly prefix: string;
  readonly codes: Readonly<Record<string, ErrorCodeInfo>>;
}

export const ERROR_LAYERS: readonly ErrorLayer[] = [
  { folder: "event", importFrom: "tickwire/event", prefix: "TW_EVENT_", codes: EVENT_ERRORS },
  { folder: "workers", importFrom: "tickwire/workers", prefix: "TW_WORKER_", codes: WORKER_ERRORS },
  { folder: "rpc", importFrom: "tickwire/rpc", prefix: "TW_RPC_", codes: RPC_ERRORS },
  { folder: "bus", importFrom: "tickwire/bus", prefix: "TW_BUS_", codes: BUS_ERRORS },
  { folder: "trader", importFrom: "tickwire/trader", prefix: "TW_TRADER_", codes: TRADER_ERRORS },
  { folder: "data", importFrom: "tickwire/data", prefix: "TW_DATA_", codes: DATA_ERRORS },
  { folder: "gateways/sim", importFrom: "tickwire/gateways/sim", prefix: "TW_SIM_", codes: SIM_ERRORS },
  { folder: "gateways/ccxt", importFrom: "tickwire/gateways/ccxt", prefix: "TW_CCXT_", codes: CCXT_ERRORS },
  { folder: "gateways/rpc", importFrom: "tickwire/gateways/rpc", prefix: "TW_RPC_GATEWAY_", codes: RPC_GATEWAY_ERRORS },
  { folder: "strategy", importFrom: "tickwire/strategy", prefix: "TW_STRATEGY_", codes: STRATEGY_ERRORS },
  { folder: "apps/cta", importFrom: "tickwire/apps/cta", prefix: "TW_CTA_", codes: CTA_ERRORS },
  { folder: "apps/backtest", importFrom: "tickwire/apps/backtest", prefix: "TW_BACKTEST_", codes: BACKTEST_ERRORS },
  { folder: "apps/risk", importFrom: "tickwire/apps/risk", prefix: "TW_RISK_", codes: RISK_ERRORS },
  { folder: "apps/recorder", importFrom: "tickwire/apps/recorder", prefix: "TW_RECORDER_", codes: RECORDER_ERRORS },
  { folder: "apps/web", importFrom: "tickwire/apps/web", prefix: "TW_WEB_", codes: WEB_ERRORS },
  { folder: "apps/rpc-service", importFrom: "tickwire/apps/rpc-service", prefix: "TW_RPC_SERVICE_", codes: RPC_SERVICE_ERRORS },
  { folder: "cli", importFrom: "the tickwire command", prefix: "TW_CLI_", codes: CLI_ERRORS },
];

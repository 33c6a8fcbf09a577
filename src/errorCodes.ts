/*
 * Every error code of tickwire, assembled from the catalogue of each layer (fastify's
 * lib/errors.js is the model). This file holds types only: importing it loads nothing.
 * docs/errors.md is written from the catalogues (test/errors/errors-catalogue.test.ts keeps it so).
 */
import type { EVENT_ERRORS } from "./event/errorCodes.js";
import type { WORKER_ERRORS } from "./workers/errorCodes.js";
import type { RPC_ERRORS } from "./rpc/errorCodes.js";
import type { BUS_ERRORS } from "./bus/errorCodes.js";
import type { TRADER_ERRORS } from "./trader/errorCodes.js";
import type { DATA_ERRORS } from "./data/errorCodes.js";
import type { SIM_ERRORS } from "./gateways/sim/errorCodes.js";
import type { RPC_GATEWAY_ERRORS } from "./gateways/rpc/errorCodes.js";
import type { CCXT_ERRORS } from "./gateways/ccxt/errorCodes.js";
import type { STRATEGY_ERRORS } from "./strategy/errorCodes.js";
import type { CTA_ERRORS } from "./apps/cta/errorCodes.js";
import type { BACKTEST_ERRORS } from "./apps/backtest/errorCodes.js";
import type { RISK_ERRORS } from "./apps/risk/errorCodes.js";
import type { RECORDER_ERRORS } from "./apps/recorder/errorCodes.js";
import type { WEB_ERRORS } from "./apps/web/errorCodes.js";
import type { RPC_SERVICE_ERRORS } from "./apps/rpc-service/errorCodes.js";
import type { CLI_ERRORS } from "./cli/errorCodes.js";

/** What a code means and what to do about it: one entry of a layer's catalogue. */
export interface ErrorCodeInfo {
  readonly meaning: string;
  readonly fix: string;
}

/** A layer's catalogue: every code starts with the layer's prefix (`TW_RPC_`, `TW_DATA_`, ...). */
export type ErrorCatalogue<Prefix extends string> = Readonly<Record<`${Prefix}${string}`, ErrorCodeInfo>>;

/** Every code a TickwireError thrown by tickwire can carry. */
export type TickwireErrorCode =
  | keyof typeof EVENT_ERRORS
  | keyof typeof WORKER_ERRORS
  | keyof typeof RPC_ERRORS
  | keyof typeof BUS_ERRORS
  | keyof typeof TRADER_ERRORS
  | keyof typeof DATA_ERRORS
  | keyof typeof SIM_ERRORS
  | keyof typeof RPC_GATEWAY_ERRORS
  | keyof typeof CCXT_ERRORS
  | keyof typeof STRATEGY_ERRORS
  | keyof typeof CTA_ERRORS
  | keyof typeof BACKTEST_ERRORS
  | keyof typeof RISK_ERRORS
  | keyof typeof RECORDER_ERRORS
  | keyof typeof WEB_ERRORS
  | keyof typeof RPC_SERVICE_ERRORS
  | keyof typeof CLI_ERRORS;

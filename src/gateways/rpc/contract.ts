/*
 * The contract between the rpc service (apps/rpc-service, the server) and the RpcGateway (the
 * client): the functions, their parameters and results, and the topics. Both sides are typed
 * against it, so a change on one side that the other does not follow is a compile error.
 * It lives here, below apps/, because the arrows point down: the service app may import a
 * gateway's file, a gateway never imports an app.
 */
import type { Awaitable } from "../../trader/BaseGateway.js";
import { EVENT_ACCOUNT, EVENT_CONTRACT, EVENT_GATEWAY, EVENT_LOG, EVENT_ORDER, EVENT_POSITION, EVENT_TICK, EVENT_TRADE } from "../../trader/events.js";
import type {
  AccountData,
  BarData,
  CancelRequest,
  ContractData,
  HistoryRequest,
  OrderData,
  OrderRequest,
  PositionData,
  SubscribeRequest,
  TickData,
  TradeData,
} from "../../trader/objects.js";

/** The OMS state as of publication `seq`: what `snapshot` returns. */
export interface TraderSnapshot {
  serverId: string;
  /** Every publication with a sequence number <= seq is reflected here; later ones are not. */
  seq: number;
  gatewayNames: string[];
  contracts: ContractData[];
  accounts: AccountData[];
  positions: PositionData[];
  orders: OrderData[];
  trades: TradeData[];
  ticks: TickData[];
}

/**
 * The functions the service registers, as the caller sees them (each is called with
 * `client.proxy<TraderRpcApi>()` and returns a promise of the result). `gatewayName` is the
 * server's gateway; a getter's "none" arrives as null or undefined.
 */
export interface TraderRpcApi {
  subscribe(req: SubscribeRequest, gatewayName: string): void;
  sendOrder(req: OrderRequest, gatewayName: string): string;
  cancelOrder(req: CancelRequest, gatewayName: string): void;
  /** Paged on the server and bounded by its `maxHistoryBars` (TW_RPC_SERVICE_HISTORY_TOO_LARGE). */
  queryHistory(req: HistoryRequest, gatewayName: string): BarData[];
  getTick(vtSymbol: string): TickData | undefined;
  getOrder(vtOrderid: string): OrderData | undefined;
  getTrade(vtTradeid: string): TradeData | undefined;
  getPosition(vtPositionid: string): PositionData | undefined;
  getAccount(vtAccountid: string): AccountData | undefined;
  getContract(vtSymbol: string): ContractData | undefined;
  getAllTicks(): TickData[];
  getAllOrders(): OrderData[];
  getAllTrades(): TradeData[];
  getAllPositions(): PositionData[];
  getAllAccounts(): AccountData[];
  getAllContracts(): ContractData[];
  getAllActiveOrders(vtSymbol?: string): OrderData[];
  getAllGatewayNames(): string[];
  /** Runs in the server's event queue, so it is consistent with the stream at `seq`. */
  snapshot(): TraderSnapshot;
}

export type TraderRpcMethod = keyof TraderRpcApi;

/** What the server implements for each function: the same parameters, the result or a promise of it. */
export type TraderRpcHandlers = {
  [K in TraderRpcMethod]: (...args: Parameters<TraderRpcApi[K]>) => Awaitable<ReturnType<TraderRpcApi[K]>>;
};

/** Every function name of the contract, in registration order. */
export const TRADER_RPC_METHODS = [
  "subscribe",
  "sendOrder",
  "cancelOrder",
  "queryHistory",
  "getTick",
  "getOrder",
  "getTrade",
  "getPosition",
  "getAccount",
  "getContract",
  "getAllTicks",
  "getAllOrders",
  "getAllTrades",
  "getAllPositions",
  "getAllAccounts",
  "getAllContracts",
  "getAllActiveOrders",
  "getAllGatewayNames",
  "snapshot",
] as const satisfies readonly TraderRpcMethod[];

// A name added to TraderRpcApi but not to the list above fails to compile here.
const everyMethodListed: Record<Exclude<TraderRpcMethod, (typeof TRADER_RPC_METHODS)[number]>, never> = {};
void everyMethodListed;

/**
 * The topics the gateway subscribes to: the trading events and logs. The service publishes every
 * event of its engine but the timer, the trading ones under their keyed type only ("eTick.rb2410.SHFE").
 */
export const TRADER_RPC_TOPICS = [EVENT_TICK, EVENT_TRADE, EVENT_ORDER, EVENT_POSITION, EVENT_ACCOUNT, EVENT_CONTRACT, EVENT_GATEWAY, EVENT_LOG] as const;

import type { EngineStats } from "../../event/EngineStats.js";
import type {
  AccountData,
  BarData,
  CancelRequest,
  ContractData,
  GatewayStatusData,
  HistoryRequest,
  OrderData,
  OrderRequest,
  PositionData,
  SubscribeRequest,
  TickData,
  TradeData,
} from "../../trader/objects.js";

type Awaitable<T> = T | PromiseLike<T>;

/** An event as the web server sees it: a type and its data. */
export interface WebEvent {
  type: string;
  data: unknown;
}

/**
 * What the web server needs of a trading process. A MainEngine has this shape; so can an RPC
 * client of `tickwire serve`, which is why it is structural and not MainEngine itself.
 */
export interface WebTradingSource {
  readonly eventEngine: {
    registerGeneral(handler: (event: WebEvent) => void): void;
    unregisterGeneral(handler: (event: WebEvent) => void): void;
    stats(): EngineStats;
  };
  getAllContracts(): ContractData[];
  getAllTicks(): TickData[];
  getAllOrders(): OrderData[];
  getAllActiveOrders(): OrderData[];
  getAllTrades(): TradeData[];
  getAllPositions(): PositionData[];
  getAllAccounts(): AccountData[];
  getAllGatewayNames(): string[];
  getContract(vtSymbol: string): ContractData | undefined;
  getOrder(vtOrderid: string): OrderData | undefined;
  getGatewayStatus(gatewayName: string): GatewayStatusData | undefined;
  subscribe(req: SubscribeRequest, gatewayName: string): Awaitable<void>;
  sendOrder(req: OrderRequest, gatewayName: string): Awaitable<string>;
  cancelOrder(req: CancelRequest, gatewayName: string): Awaitable<void>;
  queryHistory(req: HistoryRequest, gatewayName: string): Awaitable<BarData[]>;
}

/** One strategy as the strategies panel shows it (CtaTemplate.getData() has this shape). */
export interface WebStrategyData {
  strategyName: string;
  vtSymbol: string;
  className: string;
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
}

/**
 * What the strategies panel needs of a strategy engine: the CtaEngine's shape, typed here so that
 * apps/web does not import apps/cta (apps never import each other).
 */
export interface WebStrategySource {
  getAllStrategyNames(): string[];
  getStrategy(strategyName: string): { getData(): WebStrategyData } | undefined;
  initStrategy(strategyName: string): Promise<void>;
  startStrategy(strategyName: string): Promise<void>;
  stopStrategy(strategyName: string): Promise<void>;
}

/** The event a strategy engine publishes when a strategy's state changes (vnpy's eCtaStrategy). */
export const EVENT_STRATEGY = "eCtaStrategy";

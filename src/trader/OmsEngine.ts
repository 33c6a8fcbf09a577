import type { Event } from "../event/Event.js";
import { BaseEngine } from "./BaseEngine.js";
import type { TraderEventEngine } from "./BaseGateway.js";
import { EVENT_ACCOUNT, EVENT_CONTRACT, EVENT_GATEWAY, EVENT_ORDER, EVENT_POSITION, EVENT_TICK, EVENT_TRADE } from "./events.js";
import type { MainEngine } from "./MainEngine.js";
import {
  isActive,
  type AccountData,
  type ContractData,
  type GatewayStatusData,
  type OrderData,
  type PositionData,
  type TickData,
  type TradeData,
} from "./objects.js";

/**
 * The order management system: the latest state of everything the gateways pushed, by id.
 * It listens to the general event types only ("eOrder.", not "eOrder.SIM.1"); MainEngine creates
 * it before any app, so by the time an app's handler sees an update the cache already holds it.
 * Objects are stored as pushed (by reference); gateways push new objects, never mutate old ones.
 */
export class OmsEngine extends BaseEngine {
  static readonly engineName = "oms";

  private readonly ticks = new Map<string, TickData>();
  private readonly orders = new Map<string, OrderData>();
  private readonly trades = new Map<string, TradeData>();
  private readonly positions = new Map<string, PositionData>();
  private readonly accounts = new Map<string, AccountData>();
  private readonly contracts = new Map<string, ContractData>();
  private readonly activeOrders = new Map<string, OrderData>();
  private readonly gatewayStatuses = new Map<string, GatewayStatusData>();

  constructor(mainEngine: MainEngine, eventEngine: TraderEventEngine) {
    super(mainEngine, eventEngine, OmsEngine.engineName);
    eventEngine.register(EVENT_TICK, this.processTick);
    eventEngine.register(EVENT_ORDER, this.processOrder);
    eventEngine.register(EVENT_TRADE, this.processTrade);
    eventEngine.register(EVENT_POSITION, this.processPosition);
    eventEngine.register(EVENT_ACCOUNT, this.processAccount);
    eventEngine.register(EVENT_CONTRACT, this.processContract);
    eventEngine.register(EVENT_GATEWAY, this.processGateway);
  }

  override close(): void {
    const ee = this.eventEngine;
    ee.unregister(EVENT_TICK, this.processTick);
    ee.unregister(EVENT_ORDER, this.processOrder);
    ee.unregister(EVENT_TRADE, this.processTrade);
    ee.unregister(EVENT_POSITION, this.processPosition);
    ee.unregister(EVENT_ACCOUNT, this.processAccount);
    ee.unregister(EVENT_CONTRACT, this.processContract);
    ee.unregister(EVENT_GATEWAY, this.processGateway);
  }

  // Arrow properties: one stable function per handler, so close() can unregister it.
  private readonly processTick = (event: Event<TickData>): void => {
    const tick = event.data;
    this.ticks.set(tick.vtSymbol, tick);
  };

  private readonly processOrder = (event: Event<OrderData>): void => {
    const order = event.data;
    this.orders.set(order.vtOrderid, order);
    if (isActive(order)) this.activeOrders.set(order.vtOrderid, order);
    else this.activeOrders.delete(order.vtOrderid);
  };

  private readonly processTrade = (event: Event<TradeData>): void => {
    const trade = event.data;
    this.trades.set(trade.vtTradeid, trade);
  };

  private readonly processPosition = (event: Event<PositionData>): void => {
    const position = event.data;
    this.positions.set(position.vtPositionid, position);
  };

  private readonly processAccount = (event: Event<AccountData>): void => {
    const account = event.data;
    this.accounts.set(account.vtAccountid, account);
  };

  private readonly processContract = (event: Event<ContractData>): void => {
    const contract = event.data;
    this.contracts.set(contract.vtSymbol, contract);
  };

  private readonly processGateway = (event: Event<GatewayStatusData>): void => {
    const status = event.data;
    this.gatewayStatuses.set(status.gatewayName, status);
  };

  // ------------------------------------------------------------------ getters

  getTick(vtSymbol: string): TickData | undefined {
    return this.ticks.get(vtSymbol);
  }

  getOrder(vtOrderid: string): OrderData | undefined {
    return this.orders.get(vtOrderid);
  }

  getTrade(vtTradeid: string): TradeData | undefined {
    return this.trades.get(vtTradeid);
  }

  getPosition(vtPositionid: string): PositionData | undefined {
    return this.positions.get(vtPositionid);
  }

  getAccount(vtAccountid: string): AccountData | undefined {
    return this.accounts.get(vtAccountid);
  }

  getContract(vtSymbol: string): ContractData | undefined {
    return this.contracts.get(vtSymbol);
  }

  /** The last connection state a gateway reported. */
  getGatewayStatus(gatewayName: string): GatewayStatusData | undefined {
    return this.gatewayStatuses.get(gatewayName);
  }

  getAllTicks(): TickData[] {
    return [...this.ticks.values()];
  }

  getAllOrders(): OrderData[] {
    return [...this.orders.values()];
  }

  getAllTrades(): TradeData[] {
    return [...this.trades.values()];
  }

  getAllPositions(): PositionData[] {
    return [...this.positions.values()];
  }

  getAllAccounts(): AccountData[] {
    return [...this.accounts.values()];
  }

  getAllContracts(): ContractData[] {
    return [...this.contracts.values()];
  }

  getAllGatewayStatuses(): GatewayStatusData[] {
    return [...this.gatewayStatuses.values()];
  }

  /** Orders that can still trade or be cancelled; only those of `vtSymbol` when given. */
  getAllActiveOrders(vtSymbol?: string): OrderData[] {
    const all = [...this.activeOrders.values()];
    return vtSymbol === undefined ? all : all.filter((o) => o.vtSymbol === vtSymbol);
  }
}

import {
  BaseGateway,
  Direction,
  Exchange,
  Interval,
  Status,
  createAccount,
  createBar,
  createOrderData,
  createPosition,
  createTrade,
  type BarData,
  type CancelRequest,
  type GatewaySetting,
  type HistoryRequest,
  type OrderData,
  type OrderRequest,
  type SubscribeRequest,
} from "../../src/trader/index.js";

/**
 * A tiny real gateway for the trader tests: a hand-operated order desk. Orders rest until the
 * test fills them (`fill`) or cancels them, and every change goes out through the push helpers
 * exactly as a broker gateway's would. It records the calls it receives, in order.
 */
export class DeskGateway extends BaseGateway {
  static override readonly defaultName: string = "DESK";
  static override readonly defaultSetting: GatewaySetting = { account: "acc1" };
  static override readonly exchanges = [Exchange.SIM, Exchange.LOCAL] as const;

  readonly calls: string[] = [];
  private readonly orders = new Map<string, OrderData>();
  private nextId = 1;
  private nextTradeId = 1;
  /** Called by close(); lets a test see what was still running at that moment. */
  onClose: (() => void) | undefined;

  async connect(setting: GatewaySetting): Promise<void> {
    this.calls.push(`connect ${JSON.stringify(setting)}`);
    this.onConnecting();
    this.onConnected();
  }

  async close(): Promise<void> {
    this.calls.push("close");
    this.onClose?.();
    this.onDisconnected("closed");
  }

  subscribe(req: SubscribeRequest): void {
    this.calls.push(`subscribe ${req.vtSymbol}`);
  }

  sendOrder(req: OrderRequest): string {
    this.calls.push(`sendOrder ${req.vtSymbol}`);
    const order = createOrderData(req, String(this.nextId++), this.gatewayName, 1_700_000_000_000);
    this.orders.set(order.orderid, order);
    this.onOrder(order);
    if (req.volume <= 0) {
      this.update(order.orderid, { status: Status.REJECTED, statusMsg: "volume must be > 0" });
    } else {
      this.update(order.orderid, { status: Status.NOTTRADED });
    }
    return order.vtOrderid;
  }

  cancelOrder(req: CancelRequest): void {
    this.calls.push(`cancelOrder ${req.orderid}`);
    this.update(req.orderid, { status: Status.CANCELLED });
  }

  queryAccount(): void {
    this.calls.push("queryAccount");
    this.onAccount(createAccount({ gatewayName: this.gatewayName, accountid: "acc1", balance: 1000, frozen: 100 }));
  }

  queryPosition(): void {
    this.calls.push("queryPosition");
    this.onPosition(createPosition({ gatewayName: this.gatewayName, symbol: "X", exchange: Exchange.SIM, direction: Direction.LONG, volume: 1 }));
  }

  queryHistory(req: HistoryRequest): BarData[] {
    this.calls.push(`queryHistory ${req.vtSymbol}`);
    return [
      createBar({
        gatewayName: this.gatewayName,
        symbol: req.symbol,
        exchange: req.exchange,
        datetime: req.start,
        interval: Interval.MINUTE,
        closePrice: 1,
      }),
    ];
  }

  /** Fills `volume` of a resting order at `price`: a trade, then the order's new state. */
  fill(orderid: string, volume: number, price: number): void {
    const order = this.orders.get(orderid);
    if (order === undefined) throw new Error(`no order ${orderid}`);
    this.onTrade(
      createTrade({
        gatewayName: this.gatewayName,
        symbol: order.symbol,
        exchange: order.exchange,
        orderid,
        tradeid: String(this.nextTradeId++),
        direction: order.direction,
        offset: order.offset,
        price,
        volume,
        datetime: 1_700_000_000_001,
      }),
    );
    const traded = order.traded + volume;
    this.update(orderid, { traded, status: traded >= order.volume ? Status.ALLTRADED : Status.PARTTRADED });
  }

  /** Pushes a copy of the order with `change` applied (pushed objects are never mutated). */
  private update(orderid: string, change: Partial<OrderData>): void {
    const order = this.orders.get(orderid);
    if (order === undefined) throw new Error(`no order ${orderid}`);
    const next = { ...order, ...change };
    this.orders.set(orderid, next);
    this.onOrder(next);
  }
}

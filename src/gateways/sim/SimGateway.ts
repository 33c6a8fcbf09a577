import { TickwireError } from "../../event/errors.js";
import { BaseGateway, refuseUnknownSettings, type GatewaySetting, type TraderEventEngine } from "../../trader/BaseGateway.js";
import { Exchange, Interval, LogLevel } from "../../trader/constants.js";
import {
  createAccount,
  createBar,
  createContract,
  type BarData,
  type CancelRequest,
  type HistoryRequest,
  type OrderRequest,
  type SubscribeRequest,
  type TickData,
} from "../../trader/objects.js";
import type { SimInstrument } from "./instruments.js";
import { badSetting, instrumentsSetting, numberSetting } from "./simSettings.js";
import { accountData, orderData, positionData, tickOf, tradeData } from "./simObjects.js";
import type { InstrumentMarket } from "./InstrumentMarket.js";
import { DAY_MS, MINUTE_MS } from "./PricePath.js";
import type { SimAccount, SimPosition } from "./SimAccount.js";
import { SimExchange, type SimExchangeListener, type SimExchangeOptions } from "./SimExchange.js";

const HOUR_MS = 3_600_000;
/** Most ticks a timer callback produces when the process fell behind (then the sim clock lags). */
const MAX_STEPS_PER_PUMP = 20_000;

/** The connect settings of SimGateway; every one is optional (defaults in SimGateway.defaultSetting). */
export type SimGatewaySetting = {
  /** Seed of the market's random walk (1): the same seed and startTime give the same market. */
  seed?: number;
  /** Ticks per second per instrument (2). */
  tickRate?: number;
  /** The account's starting balance (1,000,000). */
  capital?: number;
  /** "" = every DEFAULT_INSTRUMENTS entry; "rb2410.SHFE,BTCUSDT.BINANCE"; or vtSymbols and SimInstrument objects. */
  instruments?: string | ReadonlyArray<string | SimInstrument>;
  /** Epoch ms of the first tick; 0 = now. */
  startTime?: number;
  /** The account id ("PAPER"). */
  accountid?: string;
  /** Milliseconds between account and position pushes with fresh P&L (1000). */
  markInterval?: number;
};

declare module "../../trader/BaseGateway.js" {
  interface GatewaySettingsByName {
    SIM: SimGatewaySetting;
  }
}

/**
 * The paper exchange as a gateway: contracts across products, a seeded random-walk market with a
 * 5-level book at a configurable tick rate, real matching of LIMIT/MARKET/STOP/FAK/FOK orders,
 * and an account with margin, commission and positions marked to market.
 *
 * Settings (all optional): seed (1), tickRate (ticks per second per instrument, 2), capital
 * (1,000,000), instruments ("" = all of DEFAULT_INSTRUMENTS; or "rb2410.SHFE,BTCUSDT.BINANCE";
 * or a list of SimInstrument objects), startTime (epoch ms of the first tick; 0 = now),
 * accountid ("PAPER"), markInterval (ms between account/position pushes with fresh P&L, 1000).
 */
export class SimGateway extends BaseGateway {
  static override readonly defaultName: string = "SIM";
  static override readonly defaultSetting: GatewaySetting = {
    seed: 1,
    tickRate: 2,
    capital: 1_000_000,
    instruments: "",
    startTime: 0,
    accountid: "PAPER",
    markInterval: 1000,
  };
  static override readonly exchanges: readonly Exchange[] = [Exchange.SHFE, Exchange.CFFEX, Exchange.BINANCE, Exchange.SSE, Exchange.NASDAQ, Exchange.SIM];

  private sim: SimExchange | undefined;
  private subscribed: Uint8Array = new Uint8Array(0);
  private marketIndex = new Map<InstrumentMarket, number>();
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private markTimer: ReturnType<typeof setInterval> | undefined;
  private wallStart = 0;
  private stepsDone = 0;
  private vtAccountid = "";
  /** The highest order/trade id of earlier sessions. */
  private lastId = 0;
  /** The last tick built by `generateTicks` (kept so building it is never optimized away). */
  lastTick: TickData | undefined;

  constructor(eventEngine: TraderEventEngine, gatewayName?: string) {
    super(eventEngine, gatewayName);
  }

  /** The exchange behind the gateway (for inspection and tests); throws before connect. */
  get exchange(): SimExchange {
    if (!this.sim) {
      throw new TickwireError("TW_SIM_NOT_CONNECTED", `Gateway ${this.gatewayName} is not connected: call connect() (or MainEngine.connect) first.`);
    }
    return this.sim;
  }

  get connected(): boolean {
    return this.sim !== undefined;
  }

  /** Builds the market from `setting`, pushes contracts and the account, and starts the tick clock. */
  async connect(setting: SimGatewaySetting = {}): Promise<void> {
    refuseUnknownSettings(setting, Object.keys(SimGateway.defaultSetting), "TW_SIM_BAD_OPTION", this.gatewayName);
    if (this.sim) await this.close();
    this.onConnecting();
    let sim: SimExchange;
    let markInterval: number;
    try {
      const startTime = numberSetting(setting, "startTime", 0);
      const options: SimExchangeOptions = {
        instruments: instrumentsSetting(setting),
        seed: numberSetting(setting, "seed", 1),
        tickRate: numberSetting(setting, "tickRate", 2),
        capital: numberSetting(setting, "capital", 1_000_000),
        startTime: startTime === 0 ? Date.now() : startTime,
        accountid: typeof setting.accountid === "string" && setting.accountid !== "" ? setting.accountid : "PAPER",
        // A new session is a new exchange (new account), but ids go on, so the OMS never sees one twice.
        idStart: this.lastId,
      };
      markInterval = numberSetting(setting, "markInterval", 1000);
      if (markInterval <= 0) throw badSetting("markInterval", "a number of milliseconds > 0", markInterval);
      sim = new SimExchange(options);
    } catch (error) {
      this.onDisconnected(error instanceof Error ? error.message : String(error));
      throw error;
    }
    sim.listener = this.listener;
    this.sim = sim;
    this.subscribed = new Uint8Array(sim.markets.length);
    this.marketIndex = new Map(sim.markets.map((m, i) => [m, i]));
    this.vtAccountid = createAccount({ gatewayName: this.gatewayName, accountid: sim.account.accountid }).vtAccountid;
    for (const m of sim.markets) {
      const i = m.instrument;
      this.onContract(
        createContract({
          gatewayName: this.gatewayName,
          symbol: i.symbol,
          exchange: i.exchange,
          name: i.name,
          product: i.product,
          size: i.size,
          priceTick: i.priceTick,
          minVolume: i.minVolume,
          stopSupported: true,
          netPosition: i.netPosition,
          historyData: true,
        }),
      );
    }
    this.onAccount(accountData(this.gatewayName, this.vtAccountid, sim.account));
    this.onConnected(`paper exchange with ${sim.markets.length} instruments, seed ${sim.seed}, ${(sim.ticksPerMinute / 60).toFixed(2)} ticks/s each`);
    this.writeLog(`Paper exchange open: ${sim.markets.map((m) => m.vtSymbol).join(", ")}.`);

    this.wallStart = Date.now();
    this.stepsDone = 0;
    const period = Math.min(250, Math.max(10, sim.tickMs));
    this.tickTimer = setInterval(() => this.pump(), period);
    this.tickTimer.unref();
    this.markTimer = setInterval(() => this.sim?.markToMarket(), markInterval);
    this.markTimer.unref();
  }

  /**
   * Stops the clock and ends the session: orders still working are reported CANCELLED (the next
   * session is a new exchange that does not know them). The OMS keeps the session's last
   * positions and account.
   */
  async close(): Promise<void> {
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.markTimer) clearInterval(this.markTimer);
    this.tickTimer = this.markTimer = undefined;
    this.sim?.cancelAll("the paper exchange session closed");
    // Updates the closed session had not pushed yet are dropped with it.
    this.pendingPositions.clear();
    this.pendingAccount = undefined;
    if (this.sim) {
      this.lastId = this.sim.lastId;
      this.sim.listener = undefined;
      this.sim = undefined;
      this.onDisconnected("closed");
    }
  }

  /** Starts pushing ticks of `req.vtSymbol` (the current one at once). */
  subscribe(req: SubscribeRequest): void {
    const market = this.marketOf(req.vtSymbol);
    const i = this.marketIndex.get(market)!;
    this.subscribed[i] = 1;
    this.onTick(tickOf(this.gatewayName, market));
  }

  /** Subscribes to every instrument. */
  subscribeAll(): void {
    for (const m of this.exchange.markets) this.subscribe({ symbol: m.instrument.symbol, exchange: m.instrument.exchange, vtSymbol: m.vtSymbol });
  }

  sendOrder(req: OrderRequest): string {
    return this.exchange.sendOrder(req).vtOrderid;
  }

  /** Cancels an active order; a cancel that finds the order already finished is logged, not thrown. */
  cancelOrder(req: CancelRequest): void {
    if (!this.exchange.cancelOrder(req.orderid)) {
      this.writeLog(`Cancel of ${req.orderid}: the order had already finished.`, LogLevel.WARNING);
    }
  }

  queryAccount(): void {
    this.onAccount(accountData(this.gatewayName, this.vtAccountid, this.exchange.account));
  }

  queryPosition(): void {
    for (const p of this.exchange.account.allPositions()) {
      p.mark();
      this.onPosition(positionData(this.gatewayName, p));
    }
  }

  /**
   * Bars of the same random walk the live ticks follow, from req.start to req.end (up to the last
   * finished minute): interval 1m, 1h or d.
   */
  queryHistory(req: HistoryRequest): BarData[] {
    const sim = this.exchange;
    const market = this.marketOf(req.vtSymbol);
    const period = req.interval === Interval.MINUTE ? MINUTE_MS : req.interval === Interval.HOUR ? HOUR_MS : req.interval === Interval.DAILY ? DAY_MS : 0;
    if (period === 0) {
      throw new TickwireError("TW_SIM_BAD_INTERVAL", `The paper exchange has bars of 1m, 1h and d, not ${String(req.interval)}.`, {
        details: { interval: req.interval },
      });
    }
    // HistoryRequest.end is exclusive; the sim's range is inclusive of minute starts.
    const bars = sim.history(market.vtSymbol, req.start, req.end - 1, period);
    return bars.map((b) =>
      createBar({
        gatewayName: this.gatewayName,
        symbol: market.instrument.symbol,
        exchange: market.instrument.exchange,
        datetime: b.time,
        interval: req.interval,
        volume: b.volume,
        turnover: b.turnover,
        openInterest: b.openInterest,
        openPrice: b.open,
        highPrice: b.high,
        lowPrice: b.low,
        closePrice: b.close,
      }),
    );
  }

  /**
   * Produces `count` ticks at once, round robin over the instruments, as fast as possible (for
   * benchmarks and backfills): each is matched against resting orders and, when `publish` and
   * subscribed, pushed like a live tick. The sim clock moves on by the ticks produced.
   */
  generateTicks(count: number, publish = true): void {
    const sim = this.exchange;
    const markets = sim.markets;
    const n = markets.length;
    const subscribed = this.subscribed;
    for (let i = 0, j = 0; i < count; i++) {
      const m = markets[j];
      sim.stepMarket(m);
      const tick = tickOf(this.gatewayName, m);
      if (publish && subscribed[j] === 1) this.onTick(tick);
      else this.lastTick = tick;
      if (++j === n) j = 0;
    }
    sim.flush();
  }

  /** How the exchange's reports become events: snapshots as trader objects, pushed twice each. */
  private readonly listener: SimExchangeListener = {
    onOrder: (o) => this.onOrder(orderData(this.gatewayName, o)),
    onTrade: (t) => this.onTrade(tradeData(this.gatewayName, t)),
    onPosition: (p) => {
      this.pendingPositions.add(p);
      this.schedulePush();
    },
    onAccount: (a) => {
      this.pendingAccount = a;
      this.schedulePush();
    },
  };

  // Positions and the account are conflated: pushed once, in their latest state, right after the
  // code that changed them (a microtask), so a burst of orders costs one push, not one per fill.
  private readonly pendingPositions = new Set<SimPosition>();
  private pendingAccount: SimAccount | undefined;
  private pushScheduled = false;

  private schedulePush(): void {
    if (this.pushScheduled) return;
    this.pushScheduled = true;
    queueMicrotask(this.pushPending);
  }

  private readonly pushPending = (): void => {
    this.pushScheduled = false;
    for (const p of this.pendingPositions) {
      p.mark();
      this.onPosition(positionData(this.gatewayName, p));
    }
    this.pendingPositions.clear();
    const a = this.pendingAccount;
    this.pendingAccount = undefined;
    if (a) this.onAccount(accountData(this.gatewayName, this.vtAccountid, a));
  };

  // ------------------------------------------------------------------ conversions

  private marketOf(vtSymbol: string): InstrumentMarket {
    const market = this.exchange.getMarket(vtSymbol);
    if (!market) {
      throw new TickwireError(
        "TW_SIM_UNKNOWN_SYMBOL",
        `No instrument ${vtSymbol} on gateway ${this.gatewayName}. Listed: ${this.exchange.markets.map((m) => m.vtSymbol).join(", ")}.`,
        { details: { vtSymbol } },
      );
    }
    return market;
  }

  /** Timer callback: produces the ticks due by the wall clock since connect. */
  private pump(): void {
    const sim = this.sim;
    if (!sim) return;
    const due = Math.floor((Date.now() - this.wallStart) / sim.tickMs);
    if (due - this.stepsDone > MAX_STEPS_PER_PUMP) this.stepsDone = due - MAX_STEPS_PER_PUMP;
    while (this.stepsDone < due) {
      this.stepsDone++;
      sim.step(this.publishTick);
    }
  }

  private readonly publishTick = (m: InstrumentMarket): void => {
    if (this.subscribed[this.marketIndex.get(m)!] === 1) this.onTick(tickOf(this.gatewayName, m));
  };
}

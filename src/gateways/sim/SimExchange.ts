import { TickwireError } from "../../event/errors.js";
import { Direction, Offset, OrderType, Status } from "../../trader/constants.js";
import { vtSymbolOf } from "../../trader/ids.js";
import { badRequestError, describeValue, orderRequestFormProblem, orderValueProblem } from "../../trader/requestChecks.js";
import { aggregateBars, simulateMinuteBars, type SimBar } from "./history.js";
import { DEFAULT_INSTRUMENTS, validateInstrument, type SimInstrument } from "./instruments.js";
import { InstrumentMarket } from "./InstrumentMarket.js";
import { MatchingEngine, type MatchingSink } from "./MatchingEngine.js";
import { MINUTE_MS } from "./PricePath.js";
import { SimAccount, type SimPosition } from "./SimAccount.js";
import { SimOrder, type SimOrderInput, type SimTrade } from "./SimOrder.js";

export interface SimExchangeOptions {
  /** Instruments listed (default: DEFAULT_INSTRUMENTS). */
  instruments?: readonly SimInstrument[];
  /** Seed of the market's randomness; the same seed and start time give the same market. Default 1. */
  seed?: number;
  /** Ticks per second per instrument (rounded to a whole number of ticks a minute). Default 2. */
  tickRate?: number;
  /** Sim time of the first tick, epoch ms: the anchor of the walk (prices equal initialPrice there). Default now. */
  startTime?: number;
  /** Starting cash of the account. Default 1,000,000. */
  capital?: number;
  /** Account id. Default "PAPER". */
  accountid?: string;
  /** Order and trade ids count up from after this number (a gateway that reconnects keeps its ids unique). Default 0. */
  idStart?: number;
  /** At most this many ticks are replayed at start to give the day's open/high/low/volume. Default 500,000. */
  replayLimit?: number;
}

/** What the exchange tells its owner (the gateway), synchronously, in order. */
export interface SimExchangeListener {
  onOrder(order: SimOrder): void;
  onTrade(trade: SimTrade): void;
  onPosition(position: SimPosition): void;
  onAccount(account: SimAccount): void;
}

/** Money held for MARKET and STOP orders is priced this much above the reference, for slippage. */
const MARKET_RESERVE_MARKUP = 1.05;

/**
 * The paper exchange without any event plumbing: markets, validation, matching and the account.
 * Every call runs synchronously and reports through the listener, so it is testable on its own
 * and fast; SimGateway wraps it in the gateway interface.
 */
export class SimExchange implements MatchingSink {
  readonly markets: readonly InstrumentMarket[];
  readonly account: SimAccount;
  readonly seed: number;
  readonly ticksPerMinute: number;
  readonly startTime: number;
  listener: SimExchangeListener | undefined;

  private readonly bySymbol = new Map<string, InstrumentMarket>();
  private readonly matching: MatchingEngine;
  private readonly active = new Map<string, SimOrder>();
  private readonly idStart: number;
  private orderCount: number;
  private tradeCount: number;
  private readonly dirtyPositions = new Set<SimPosition>();
  private accountDirty = false;

  constructor(options: SimExchangeOptions = {}) {
    const instruments = options.instruments ?? DEFAULT_INSTRUMENTS;
    if (instruments.length === 0) {
      throw new TickwireError(
        "TW_SIM_NO_INSTRUMENTS",
        "The paper exchange needs at least one instrument: pass some in `instruments` or leave it out for the defaults.",
      );
    }
    const tickRate = options.tickRate ?? 2;
    if (!Number.isFinite(tickRate) || tickRate <= 0 || tickRate > 1000) {
      throw new TickwireError("TW_SIM_BAD_OPTION", `tickRate must be a number of ticks per second in (0, 1000], got ${String(tickRate)}.`);
    }
    const seed = options.seed ?? 1;
    if (!Number.isInteger(seed)) throw new TickwireError("TW_SIM_BAD_OPTION", `seed must be an integer, got ${String(seed)}.`);
    const capital = options.capital ?? 1_000_000;
    if (!Number.isFinite(capital) || capital < 0) throw new TickwireError("TW_SIM_BAD_OPTION", `capital must be a number >= 0, got ${String(capital)}.`);
    const startTime = options.startTime ?? Date.now();
    if (!Number.isFinite(startTime)) throw new TickwireError("TW_SIM_BAD_OPTION", `startTime must be epoch milliseconds, got ${String(startTime)}.`);

    const idStart = options.idStart ?? 0;
    if (!Number.isInteger(idStart) || idStart < 0) throw new TickwireError("TW_SIM_BAD_OPTION", `idStart must be an integer >= 0, got ${String(idStart)}.`);
    this.idStart = this.orderCount = this.tradeCount = idStart;
    this.seed = seed;
    this.ticksPerMinute = Math.max(1, Math.round(tickRate * 60));
    this.startTime = startTime;
    const anchorMinute = Math.floor(startTime / MINUTE_MS);
    const markets: InstrumentMarket[] = [];
    for (const inst of instruments) {
      validateInstrument(inst);
      const market = new InstrumentMarket(inst, seed, this.ticksPerMinute, anchorMinute);
      if (this.bySymbol.has(market.vtSymbol)) {
        throw new TickwireError("TW_SIM_BAD_INSTRUMENT", `Instrument ${market.vtSymbol} is listed twice: list each once.`);
      }
      market.start(startTime, options.replayLimit);
      this.bySymbol.set(market.vtSymbol, market);
      markets.push(market);
    }
    this.markets = markets;
    this.matching = new MatchingEngine(this);
    this.account = new SimAccount(options.accountid ?? "PAPER", capital);
  }

  /** Sim time of the latest tick, epoch ms. */
  get now(): number {
    return this.markets[0].time;
  }

  /** Milliseconds of sim time between two ticks of an instrument. */
  get tickMs(): number {
    return MINUTE_MS / this.ticksPerMinute;
  }

  getMarket(vtSymbol: string): InstrumentMarket | undefined {
    return this.bySymbol.get(vtSymbol);
  }

  /** The order if it is still active (orders leave this map when they end). */
  getActiveOrder(orderid: string): SimOrder | undefined {
    return this.active.get(orderid);
  }

  /** The highest order or trade id given so far (pass it as idStart to a successor). */
  get lastId(): number {
    return Math.max(this.orderCount, this.tradeCount);
  }

  get activeOrderCount(): number {
    return this.active.size;
  }

  /** One tick of every market, each followed by matching; `visit` sees each market after its tick. */
  step(visit?: (market: InstrumentMarket) => void): void {
    const markets = this.markets;
    for (let i = 0; i < markets.length; i++) {
      const m = markets[i];
      m.step();
      // The tick goes out before the fills it causes, as on an exchange feed.
      if (visit) visit(m);
      this.matching.onTick(m);
    }
    this.flush();
  }

  /** One tick of one market (for producing ticks in bulk). Call `flush()` after a batch. */
  stepMarket(market: InstrumentMarket): void {
    market.step();
    this.matching.onTick(market);
  }

  /**
   * Takes an order: reports SUBMITTING, then REJECTED with a reason or NOTTRADED and whatever
   * matching does at once. Never throws for bad orders: rejections are order updates.
   */
  sendOrder(input: SimOrderInput): SimOrder {
    if (typeof input !== "object" || input === null) {
      throw badRequestError("sendOrder", { field: "request", reason: `an order request must be an object, got ${describeValue(input)}` });
    }
    // The request is checked as it came (a NaN or a string in it is the reason); the order
    // keeps only well-formed values, so what is published and settled holds no NaN.
    const form = orderRequestFormProblem(input);
    const vtSymbol = typeof input.symbol === "string" && typeof input.exchange === "string" ? vtSymbolOf(input.symbol, input.exchange) : "";
    const market = this.bySymbol.get(vtSymbol);
    const order = new SimOrder(String(++this.orderCount), input, vtSymbol, market ? market.time : this.now);
    order.market = market;
    this.listener?.onOrder(order);
    const reason = form !== undefined ? form.reason : this.admit(order);
    if (reason !== undefined) {
      order.status = Status.REJECTED;
      order.reason = reason;
      this.listener?.onOrder(order);
    } else {
      this.active.set(order.orderid, order);
      this.matching.accept(order);
    }
    this.flush();
    return order;
  }

  /**
   * Cancels an order: true when it was active and is now CANCELLED; false when it had already
   * ended (a race, not an error). Throws TW_SIM_UNKNOWN_ORDER for an id this exchange never gave.
   */
  cancelOrder(orderid: string): boolean {
    const order = typeof orderid === "string" ? this.active.get(orderid) : undefined;
    if (!order) {
      if (typeof orderid === "string") {
        const n = Number(orderid);
        if (Number.isInteger(n) && n > this.idStart && n <= this.orderCount && String(n) === orderid) return false;
      }
      throw new TickwireError(
        "TW_SIM_UNKNOWN_ORDER",
        `No order ${describeValue(orderid)} was ever sent to this paper exchange: check the orderid (the part after the gateway name).`,
        {
          details: { orderid },
        },
      );
    }
    const done = this.matching.cancel(order);
    this.flush();
    return done;
  }

  /** Cancels every active order with `reason` (an exchange that closes ends its working orders). */
  cancelAll(reason: string): void {
    for (const order of [...this.active.values()]) {
      order.reason = reason;
      this.matching.cancel(order);
    }
    this.flush();
  }

  /** Minute (or hour/day) bars of the walk between `start` and `end` (clamped to the last finished minute). */
  history(vtSymbol: string, start: number, end: number, periodMs = MINUTE_MS): SimBar[] {
    const market = this.bySymbol.get(vtSymbol);
    if (!market) {
      throw new TickwireError("TW_SIM_UNKNOWN_SYMBOL", `No instrument ${vtSymbol} on this paper exchange. Listed: ${[...this.bySymbol.keys()].join(", ")}.`, {
        details: { vtSymbol },
      });
    }
    const lastFinished = Math.floor(this.now / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    const bars = simulateMinuteBars(market.instrument, this.seed, this.ticksPerMinute, market.path.anchorMinute, start, Math.min(end, lastFinished));
    if (periodMs === MINUTE_MS) return bars;
    return aggregateBars(bars, periodMs, (v) => market.rules.roundVolume(v));
  }

  /** Reports the account and every position again, with P&L marked to the latest prices. */
  markToMarket(): void {
    for (const p of this.account.allPositions()) {
      if (p.volume !== 0 || p.frozen !== 0) this.dirtyPositions.add(p);
    }
    this.accountDirty = true;
    this.flush();
  }

  /** Reports positions and the account changed since the last flush, each once. */
  flush(): void {
    const l = this.listener;
    if (this.dirtyPositions.size > 0) {
      for (const p of this.dirtyPositions) {
        p.mark();
        l?.onPosition(p);
      }
      this.dirtyPositions.clear();
    }
    if (this.accountDirty) {
      this.accountDirty = false;
      l?.onAccount(this.account);
    }
  }

  // MatchingSink: called by the matching engine.

  fill(order: SimOrder, price: number, volume: number): void {
    const commission = this.account.applyFill(order, price, volume);
    if (order.position) this.dirtyPositions.add(order.position);
    this.accountDirty = true;
    // "T1", "T2", …: never the form of an order id ("1", "2", …), so SIM.T7 is plainly a trade, SIM.7 an order.
    this.listener?.onTrade({ tradeid: `T${++this.tradeCount}`, order, price, volume, time: order.market!.time, commission });
  }

  update(order: SimOrder): void {
    if (!order.isActive) {
      this.active.delete(order.orderid);
      this.account.releaseOrder(order);
      if (order.position) this.dirtyPositions.add(order.position);
      this.accountDirty = true;
    }
    this.listener?.onOrder(order);
  }

  /** Validates and funds a well-formed order; returns why it is rejected, or undefined when accepted. */
  private admit(order: SimOrder): string | undefined {
    const market = order.market;
    if (!market) {
      return `unknown symbol ${order.vtSymbol}: this paper exchange lists ${[...this.bySymbol.keys()].join(", ")}`;
    }
    const rules = market.rules;
    // Well-formed, so the order holds the request's own values.
    const problem = orderValueProblem(order, rules, market.vtSymbol);
    if (problem !== undefined) return problem.reason;
    // On the grid exactly (0.1 + 0.2 is 0.30000000000000004): fills are summed on the grid, so an
    // order a hair above it would never count as filled.
    order.volume = rules.roundVolume(order.volume);
    if (order.price !== 0) {
      // A price computed as ticks × tick (19401 × 0.2 = 3880.2000000000003) is on the tick within
      // tolerance but a hair off the book's exact prices: compared as is, it would not cross the
      // bid at the price it means, nor trade on the grid. Matching sees the grid price.
      const onGrid = rules.snap(order.price);
      if (market.limitUp !== 0 && (onGrid > market.limitUp || onGrid < market.limitDown)) {
        return `price ${order.price} is outside today's limits ${market.limitDown}–${market.limitUp} of ${market.vtSymbol}`;
      }
      order.price = onGrid;
    }
    const account = this.account;
    if (market.instrument.netPosition) {
      const position = account.position(market, Direction.NET);
      return order.side > 0 ? account.reserveOpen(order, position, this.referencePrice(order)) : account.freezeClose(order, position);
    }
    if (order.offset === Offset.OPEN || order.offset === Offset.NONE) {
      return account.reserveOpen(order, account.position(market, order.direction), this.referencePrice(order));
    }
    return account.freezeClose(order, account.position(market, order.side > 0 ? Direction.SHORT : Direction.LONG));
  }

  /** The price money is held at: the limit for priced orders, the market plus a markup for MARKET/STOP. */
  private referencePrice(order: SimOrder): number {
    if (order.type === OrderType.LIMIT || order.type === OrderType.FAK || order.type === OrderType.FOK) return order.price;
    const m = order.market!;
    return Math.max(order.price, m.lastPrice, m.askPrice[0]) * MARKET_RESERVE_MARKUP;
  }
}

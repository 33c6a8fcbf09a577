import { Event } from "../../event/Event.js";
import type { EventEngine } from "../../event/EventEngine.js";
import { TickwireError } from "../../event/errors.js";
import { BaseEngine } from "../../trader/BaseEngine.js";
import { Direction, LogLevel, Offset, OrderType, Status } from "../../trader/constants.js";
import { EVENT_ACCOUNT, EVENT_ORDER, EVENT_POSITION, EVENT_TRADE, type TraderEvents } from "../../trader/events.js";
import type { AccountData, CancelRequest, OrderData, OrderRequest, PositionData } from "../../trader/objects.js";
import type { MainEngine } from "../../trader/MainEngine.js";
import type { PreTradeCheck, PreTradeRefusal } from "../../trader/PreTradeCheck.js";
import type { TraderEventEngine } from "../../trader/BaseGateway.js";
import { RISK_CODES, RULE_NAMES, emptyRuleSet, parseRiskConfig, type RiskConfig, type RiskRuleSet, type RiskRules } from "./rules.js";
import { RiskStore, TRADING_STATES, type RiskSnapshot, type TradingState } from "./RiskStore.js";
import { TradingDay } from "./TradingDay.js";

export const RISK_APP_NAME = "RiskManager";
/** The event type of refusals, trading-state changes and rule changes. */
export const EVENT_RISK = "eRisk";

/** The data of an `eRisk` event. */
export type RiskEventData =
  | {
      kind: "refusal";
      rule: string;
      code: string;
      limit: unknown;
      value: unknown;
      message: string;
      gatewayName: string;
      vtSymbol: string;
      datetime: number;
    }
  | { kind: "state"; from: TradingState; to: TradingState; reason: string; datetime: number }
  | { kind: "rule"; rule: string; from: number | boolean | null; to: number | boolean | null; datetime: number };

/** The event map with `eRisk`, for `register("eRisk", h)` with a typed handler. */
export type RiskEvents = TraderEvents & { eRisk: RiskEventData };

/** What `risk.stats()` returns. */
export interface RiskStats {
  tradingState: TradingState;
  stateReason: string;
  /** The trading day, YYYY-MM-DD in the configured zone. */
  day: string;
  timezone: string;
  /** Orders checked, passed and refused since the engine started. */
  checked: number;
  passed: number;
  refused: number;
  /** Refusals by rule name ("tradingState" for the state) since the engine started. */
  refusals: Record<string, number>;
  activeOrders: number;
  /** Fills today. */
  trades: number;
  /** Cancels today by vtSymbol. */
  cancels: Record<string, number>;
  /** Σ (balance − start-of-day balance) over the accounts seen today. */
  dayPnl: number;
}

/** Most working-order records kept for reuse. */
const POOL_MAX = 4096;
/** At most one write of the state file per this many ms while counters move. */
const FLUSH_MS = 200;

/** The position of one symbol on one gateway and the account's working orders on it. */
class SymbolBook {
  longPos = 0;
  shortPos = 0;
  /** Signed volume of a net position. */
  netPos = 0;
  /** Unfilled volume of working buy / sell orders. */
  workingLong = 0;
  workingShort = 0;
  /** How many working buy / sell orders: the self-trade check looks for the other side only when there is one. */
  buys = 0;
  sells = 0;
}

/** A working order. Records are reused once their order ends (a pool): no garbage per order. */
class Working {
  vtOrderid = "";
  direction: Direction = Direction.LONG;
  type: OrderType = OrderType.LIMIT;
  price = 0;
  remaining = 0;
  book: SymbolBook | undefined = undefined;
}

/**
 * The send times of one gateway's orders still inside the flow window, oldest first: a ring that
 * grows by doubling, so it holds at most the orders of one window (never more than the limit).
 */
class FlowWindow {
  private times = new Float64Array(16);
  private head = 0;
  size = 0;

  /** Forgets the times at or before `cutoff`; returns how many are left. */
  countAfter(cutoff: number): number {
    const times = this.times;
    const mask = times.length - 1;
    while (this.size > 0 && times[this.head] <= cutoff) {
      this.head = (this.head + 1) & mask;
      this.size--;
    }
    return this.size;
  }

  push(t: number): void {
    if (this.size === this.times.length) {
      const bigger = new Float64Array(this.times.length * 2);
      for (let i = 0; i < this.size; i++) bigger[i] = this.times[(this.head + i) & (this.times.length - 1)];
      this.times = bigger;
      this.head = 0;
    }
    this.times[(this.head + this.size) & (this.times.length - 1)] = t;
    this.size++;
  }
}

/** Order types whose price is a limit the band and notional rules read (MARKET has none). */
function isPriced(type: OrderType): boolean {
  return type === OrderType.LIMIT || type === OrderType.FAK || type === OrderType.FOK || type === OrderType.STOP;
}

function show(v: number | boolean | null): string {
  return v === null ? "off" : String(v);
}

/**
 * The pre-trade risk engine (vnpy_riskmanager's rules, NautilusTrader's trading states): a
 * PreTradeCheck on the MainEngine, so every sendOrder — from code, a strategy, an RPC client —
 * passes it. It tracks working orders, positions, fills, cancels and account balances from the
 * events; the per-day counters and the trading state persist in `stateFile`.
 *
 *   const risk = main.addApp(RiskApp);
 *   risk.configure({ orderSizeLimit: 100, orderFlowLimit: 50, dailyLossLimit: 50_000, stateFile: "risk-state.json" });
 *   risk.setTradingState("REDUCING");
 */
export class RiskEngine extends BaseEngine implements PreTradeCheck {
  /** The clock every rule reads, epoch ms (replace it for a backtest's clock, or in tests). */
  now: () => number = Date.now;

  private ruleSet: RiskRuleSet = emptyRuleSet();
  // The rules as plain fields: the checks read them on every order.
  private orderSizeLimit = NaN;
  private orderNotionalLimit = NaN;
  private priceBandPct = NaN;
  private priceBandTicks = NaN;
  private orderFlowLimit = NaN;
  private orderFlowWindowMs = NaN;
  private activeOrderLimit = NaN;
  private tradeLimit = NaN;
  private cancelLimit = NaN;
  private positionLimit = NaN;
  private selfTrade = false;
  private dailyLossLimit = NaN;

  private state: TradingState = "ACTIVE";
  private stateReason = "";
  private tradingDay = new TradingDay("UTC");
  private day = "";
  private dayEnds = -Infinity;
  private trades = 0;
  private readonly cancels = new Map<string, number>();
  private readonly startBalances = new Map<string, number>();
  private readonly balances = new Map<string, number>();
  private dayPnl = 0;

  private readonly books = new Map<string, Map<string, SymbolBook>>();
  private readonly working = new Map<string, Working>();
  private readonly pool: Working[] = [];
  /** The working order looked up last (records are pooled: cleared when its order ends). */
  private lastWorkingId = "";
  private lastWorking: Working | undefined = undefined;
  /** Order events handled, and their count when the first of the orders now pending was checked. */
  private orderEvents = 0;
  private orderEventsAtCheck = 0;
  private lastGateway = "";
  private lastSymbol = "";
  private lastBook = new SymbolBook();
  /** Orders that passed and are with the gateway, not yet answered (remote gateways answer later). */
  private pending = 0;
  /** Orders seen finished before their gateway answered (a remote gateway's events can overtake its answer). */
  private readonly finishedEarly = new Set<string>();
  private readonly flows = new Map<string, FlowWindow>();
  private lastFlowGateway = "";
  private lastFlow: FlowWindow | undefined = undefined;

  private checked = 0;
  private passed = 0;
  private readonly refusals: Record<string, number> = {};

  private store: RiskStore | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(mainEngine: MainEngine, eventEngine: TraderEventEngine) {
    super(mainEngine, eventEngine, RISK_APP_NAME);
    eventEngine.register(EVENT_ORDER, this.processOrder);
    eventEngine.register(EVENT_TRADE, this.processTrade);
    eventEngine.register(EVENT_POSITION, this.processPosition);
    eventEngine.register(EVENT_ACCOUNT, this.processAccount);
    mainEngine.addPreTradeCheck(this);
  }

  override close(): void {
    this.mainEngine.removePreTradeCheck(this);
    const ee = this.eventEngine;
    ee.unregister(EVENT_ORDER, this.processOrder);
    ee.unregister(EVENT_TRADE, this.processTrade);
    ee.unregister(EVENT_POSITION, this.processPosition);
    ee.unregister(EVENT_ACCOUNT, this.processAccount);
    if (this.flushTimer !== undefined) this.flush();
  }

  // ------------------------------------------------------------------ configuration

  /**
   * Sets the rules: those named get their limit, every absent one is off. `timezone` and
   * `stateFile` are settings, unchanged when absent; the state file is read when first given
   * (today's counters and the trading state come back) and cannot change afterwards.
   * Throws TW_RISK_BAD_OPTION on an unknown rule or a bad limit (nothing is changed then).
   */
  configure(config: RiskConfig): void {
    const parsed = parseRiskConfig(config);
    if (parsed.stateFile !== undefined && this.store !== undefined && parsed.stateFile !== this.store.path) {
      throw new TickwireError(
        "TW_RISK_BAD_OPTION",
        `The state file is ${this.store.path} and cannot change while the engine runs; restart to use ${parsed.stateFile}.`,
        {
          details: { key: "stateFile" },
        },
      );
    }
    const store = parsed.stateFile !== undefined && this.store === undefined ? new RiskStore(parsed.stateFile) : undefined;
    const saved = store?.load();
    if (parsed.timezone !== undefined && parsed.timezone !== this.tradingDay.timezone) {
      this.log(`timezone: ${this.tradingDay.timezone} → ${parsed.timezone}`);
      this.tradingDay = new TradingDay(parsed.timezone);
      this.dayEnds = -Infinity;
    }
    if (store !== undefined) {
      this.store = store;
      this.restore(saved);
    }
    this.applyRules(parsed.rules);
    this.checkDailyLoss();
  }

  /** Changes one rule (null: off), keeping the others. */
  setRule<K extends keyof RiskRules>(name: K, value: RiskRules[K]): void {
    this.configure({ ...this.ruleSet, [name]: value } as RiskConfig);
  }

  /** The rules in force; off ones are null. */
  rules(): RiskRuleSet {
    return { ...this.ruleSet };
  }

  get tradingState(): TradingState {
    return this.state;
  }

  /**
   * ACTIVE: orders pass the rules. REDUCING: only orders that reduce a position pass. HALTED: no
   * order passes (cancels always do). The state is saved at once and kept across restarts and
   * days: a halt lasts until someone sets ACTIVE again.
   */
  setTradingState(state: TradingState, reason = "set by hand"): void {
    if (!TRADING_STATES.includes(state)) {
      throw new TickwireError("TW_RISK_BAD_STATE", `Trading state must be one of ${TRADING_STATES.join(", ")}, got ${JSON.stringify(state)}.`);
    }
    if (state === this.state) return;
    const from = this.state;
    this.state = state;
    this.stateReason = state === "ACTIVE" ? "" : reason;
    this.log(`Trading state ${from} → ${state} (${reason})`, state === "ACTIVE" ? LogLevel.INFO : LogLevel.WARNING);
    this.emit({ kind: "state", from, to: state, reason, datetime: this.now() });
    this.flush();
  }

  stats(): RiskStats {
    this.currentDay(this.now());
    let refused = 0;
    for (const n of Object.values(this.refusals)) refused += n;
    return {
      tradingState: this.state,
      stateReason: this.stateReason,
      day: this.day,
      timezone: this.tradingDay.timezone,
      checked: this.checked,
      passed: this.passed,
      refused,
      refusals: { ...this.refusals },
      activeOrders: this.working.size + this.pending,
      trades: this.trades,
      cancels: Object.fromEntries(this.cancels),
      dayPnl: this.dayPnl,
    };
  }

  private applyRules(rules: RiskRuleSet): void {
    const old = this.ruleSet;
    const now = this.now();
    for (const name of RULE_NAMES) {
      if (old[name] === rules[name]) continue;
      this.log(`${name}: ${show(old[name])} → ${show(rules[name])}`);
      this.emit({ kind: "rule", rule: name, from: old[name], to: rules[name], datetime: now });
    }
    if (old.orderFlowLimit !== rules.orderFlowLimit || old.orderFlowWindowMs !== rules.orderFlowWindowMs) {
      this.flows.clear();
      this.lastFlowGateway = "";
      this.lastFlow = undefined;
    }
    this.ruleSet = rules;
    const n = (v: number | null): number => (v === null ? NaN : v);
    this.orderSizeLimit = n(rules.orderSizeLimit);
    this.orderNotionalLimit = n(rules.orderNotionalLimit);
    this.priceBandPct = n(rules.priceBandPct);
    this.priceBandTicks = n(rules.priceBandTicks);
    this.orderFlowLimit = n(rules.orderFlowLimit);
    this.orderFlowWindowMs = n(rules.orderFlowWindowMs);
    this.activeOrderLimit = n(rules.activeOrderLimit);
    this.tradeLimit = n(rules.tradeLimit);
    this.cancelLimit = n(rules.cancelLimit);
    this.positionLimit = n(rules.positionLimit);
    this.selfTrade = rules.selfTrade === true;
    this.dailyLossLimit = n(rules.dailyLossLimit);
  }

  // ------------------------------------------------------------------ the checks

  checkOrder(req: OrderRequest, gatewayName: string): PreTradeRefusal | undefined {
    this.checked++;
    const now = this.now();
    if (now >= this.dayEnds) this.currentDay(now);
    const refusal = this.refusalOf(req, gatewayName, now);
    if (refusal !== undefined) {
      this.refused(refusal, req, gatewayName, now);
      return refusal;
    }
    this.passed++;
    if (this.pending++ === 0) this.orderEventsAtCheck = this.orderEvents;
    if (this.orderFlowLimit === this.orderFlowLimit) this.recordFlow(gatewayName, now);
    return undefined;
  }

  checkCancel(req: CancelRequest): undefined {
    // Cancels always pass (refusing one leaves risk in the market); they count toward cancelLimit.
    if (this.now() >= this.dayEnds) this.currentDay(this.now());
    this.cancels.set(req.vtSymbol, (this.cancels.get(req.vtSymbol) ?? 0) + 1);
    this.markDirty();
    return undefined;
  }

  afterSend(req: OrderRequest, gatewayName: string, vtOrderid: string | null): void {
    if (this.pending > 0) this.pending--;
    if (this.finishedEarly.size > 0) {
      const early = vtOrderid !== null && this.finishedEarly.delete(vtOrderid);
      if (this.pending === 0) this.finishedEarly.clear();
      if (early) return;
    }
    if (vtOrderid === null) return;
    // Its events can have come first only if order events were dispatched since the check.
    if ((this.pending > 0 || this.orderEvents !== this.orderEventsAtCheck) && this.working.has(vtOrderid)) return;
    this.addWorking(vtOrderid, gatewayName, req.vtSymbol, req.direction, req.type, req.price, req.volume);
  }

  // Rules are written as `!(value <= limit)`, never `value > limit`: a NaN value then refuses.
  // An off rule's limit is NaN, and `limit === limit` is false only for NaN.
  private refusalOf(req: OrderRequest, gatewayName: string, now: number): PreTradeRefusal | undefined {
    const volume = req.volume;
    if (this.state !== "ACTIVE") {
      const r = this.stateRefusal(req, gatewayName);
      if (r !== undefined) return r;
    }
    const sizeLimit = this.orderSizeLimit;
    if (sizeLimit === sizeLimit && !(volume > 0 && volume <= sizeLimit)) {
      return refusal(
        "orderSizeLimit",
        sizeLimit,
        volume,
        `Order volume ${volume} is ${volume > 0 ? `over orderSizeLimit ${sizeLimit}: send at most ${sizeLimit} per order` : "not a volume > 0"}.`,
      );
    }
    const notionalLimit = this.orderNotionalLimit;
    const bandPct = this.priceBandPct;
    const bandTicks = this.priceBandTicks;
    if (notionalLimit === notionalLimit || bandPct === bandPct || bandTicks === bandTicks) {
      const oms = this.mainEngine;
      const contract = oms.getContract(req.vtSymbol);
      const last = oms.getTick(req.vtSymbol)?.lastPrice ?? NaN;
      const priced = isPriced(req.type);
      if (notionalLimit === notionalLimit) {
        const price = priced ? req.price : last;
        const notional = price * volume * (contract?.size ?? NaN);
        if (!(notional <= notionalLimit)) {
          const why =
            contract === undefined
              ? `no contract ${req.vtSymbol} is known`
              : !(price > 0)
                ? `there is no price to value it at (subscribe to ${req.vtSymbol})`
                : `it is over orderNotionalLimit ${notionalLimit}`;
          return refusal("orderNotionalLimit", notionalLimit, notional, `Order notional ${notional} (price × volume × size) is refused: ${why}.`);
        }
      }
      if (priced && (bandPct === bandPct || bandTicks === bandTicks)) {
        const distance = Math.abs(req.price - last);
        if (!(last > 0)) {
          return refusal(
            bandPct === bandPct ? "priceBandPct" : "priceBandTicks",
            bandPct === bandPct ? bandPct : bandTicks,
            req.price,
            `No last price of ${req.vtSymbol} to check the order's price ${req.price} against: subscribe to it first.`,
          );
        }
        const pct = (distance / last) * 100;
        // Rounded to a millionth: 3 ticks of 0.2 must not fail by a float's last bit.
        if (bandPct === bandPct && !(Math.round(pct * 1e6) / 1e6 <= bandPct)) {
          return refusal(
            "priceBandPct",
            bandPct,
            pct,
            `Order price ${req.price} is ${pct.toFixed(3)}% from the last price ${last}, over priceBandPct ${bandPct}%.`,
          );
        }
        const ticks = distance / (contract?.priceTick ?? NaN);
        if (bandTicks === bandTicks && !(Math.round(ticks * 1e6) / 1e6 <= bandTicks)) {
          return refusal(
            "priceBandTicks",
            bandTicks,
            ticks,
            `Order price ${req.price} is ${ticks} ticks from the last price ${last}, over priceBandTicks ${bandTicks}${contract === undefined ? ` (no contract ${req.vtSymbol} gives the tick)` : ""}.`,
          );
        }
      }
    }
    const flowLimit = this.orderFlowLimit;
    if (flowLimit === flowLimit) {
      const w = gatewayName === this.lastFlowGateway ? this.lastFlow : this.flows.get(gatewayName);
      const recent = w === undefined ? 0 : w.countAfter(now - this.orderFlowWindowMs);
      if (!(recent < flowLimit)) {
        return refusal(
          "orderFlowLimit",
          flowLimit,
          recent + 1,
          `Order ${recent + 1} to ${gatewayName} within ${this.orderFlowWindowMs} ms is over orderFlowLimit ${flowLimit}: slow down.`,
        );
      }
    }
    const activeLimit = this.activeOrderLimit;
    if (activeLimit === activeLimit) {
      const active = this.working.size + this.pending;
      if (!(active < activeLimit)) {
        return refusal(
          "activeOrderLimit",
          activeLimit,
          active + 1,
          `${active} orders are active, activeOrderLimit is ${activeLimit}: cancel some or wait for fills.`,
        );
      }
    }
    const tradeLimit = this.tradeLimit;
    if (tradeLimit === tradeLimit && !(this.trades < tradeLimit)) {
      return refusal("tradeLimit", tradeLimit, this.trades, `${this.trades} trades today reached tradeLimit ${tradeLimit}: no new orders until the day rolls.`);
    }
    const cancelLimit = this.cancelLimit;
    if (cancelLimit === cancelLimit) {
      const cancels = this.cancels.get(req.vtSymbol) ?? 0;
      if (!(cancels < cancelLimit)) {
        return refusal(
          "cancelLimit",
          cancelLimit,
          cancels,
          `${cancels} cancels of ${req.vtSymbol} today reached cancelLimit ${cancelLimit}: no new orders on it until the day rolls.`,
        );
      }
    }
    const positionLimit = this.positionLimit;
    if (positionLimit === positionLimit || this.selfTrade) {
      const book = this.bookOf(gatewayName, req.vtSymbol);
      if (positionLimit === positionLimit) {
        const net = book.longPos - book.shortPos + book.netPos;
        const long = req.direction === Direction.LONG;
        const exposure = (long ? net + book.workingLong : -net + book.workingShort) + volume;
        if (!(exposure <= positionLimit)) {
          return refusal(
            "positionLimit",
            positionLimit,
            exposure,
            `The order could make the ${long ? "long" : "short"} position of ${req.vtSymbol} ${exposure} (counting active orders), over positionLimit ${positionLimit}.`,
          );
        }
      }
      if (this.selfTrade && (req.direction === Direction.LONG ? book.sells : book.buys) > 0) {
        const crossed = crossedOwnOrder(this.working.values(), book, req);
        if (crossed !== undefined) {
          return refusal(
            "selfTrade",
            crossed.price,
            req.type === OrderType.MARKET ? "MARKET" : req.price,
            `The order would trade against the account's own resting ${crossed.direction} order ${crossed.vtOrderid} at ${crossed.price}: cancel that first.`,
          );
        }
      }
    }
    return undefined;
  }

  private stateRefusal(req: OrderRequest, gatewayName: string): PreTradeRefusal | undefined {
    if (this.state === "HALTED") {
      return refusal("tradingState", "HALTED", "order", `Trading is HALTED (${this.stateReason}): no orders until risk.setTradingState("ACTIVE").`);
    }
    const book = this.bookOf(gatewayName, req.vtSymbol);
    const volume = req.volume;
    let reducible = 0;
    if (req.offset !== Offset.OPEN) {
      reducible =
        req.direction === Direction.LONG
          ? book.shortPos + Math.max(0, -book.netPos) - book.workingLong
          : book.longPos + Math.max(0, book.netPos) - book.workingShort;
    }
    if (volume > 0 && volume <= reducible) return undefined;
    return refusal(
      "tradingState",
      "REDUCING",
      volume,
      `Trading is REDUCING: only orders that reduce a position pass, and this ${req.direction} ${req.offset} order of ${volume} ${req.vtSymbol} would not (${reducible} can be reduced).`,
    );
  }

  private recordFlow(gatewayName: string, now: number): void {
    let w = gatewayName === this.lastFlowGateway ? this.lastFlow : this.flows.get(gatewayName);
    if (w === undefined) {
      w = new FlowWindow();
      this.flows.set(gatewayName, w);
    }
    this.lastFlowGateway = gatewayName;
    this.lastFlow = w;
    w.push(now);
  }

  private refused(r: PreTradeRefusal, req: OrderRequest, gatewayName: string, now: number): void {
    this.refusals[r.rule] = (this.refusals[r.rule] ?? 0) + 1;
    this.log(`Order refused (${r.code}): ${r.message}`, LogLevel.WARNING);
    this.emit({
      kind: "refusal",
      rule: r.rule,
      code: r.code,
      limit: r.limit,
      value: r.value,
      message: r.message,
      gatewayName,
      vtSymbol: req.vtSymbol,
      datetime: now,
    });
  }

  // ------------------------------------------------------------------ what the events tell

  private bookOf(gatewayName: string, vtSymbol: string): SymbolBook {
    // Orders and their events come in runs on one instrument: remember the last book asked for.
    if (vtSymbol === this.lastSymbol && gatewayName === this.lastGateway) return this.lastBook;
    let byGateway = this.books.get(gatewayName);
    if (byGateway === undefined) {
      byGateway = new Map();
      this.books.set(gatewayName, byGateway);
    }
    let book = byGateway.get(vtSymbol);
    if (book === undefined) {
      book = new SymbolBook();
      byGateway.set(vtSymbol, book);
    }
    this.lastGateway = gatewayName;
    this.lastSymbol = vtSymbol;
    this.lastBook = book;
    return book;
  }

  private addWorking(vtOrderid: string, gatewayName: string, vtSymbol: string, direction: Direction, type: OrderType, price: number, remaining: number): void {
    const book = this.bookOf(gatewayName, vtSymbol);
    const w = this.pool.pop() ?? new Working();
    w.vtOrderid = vtOrderid;
    w.direction = direction;
    w.type = type;
    w.price = price;
    w.remaining = remaining;
    w.book = book;
    this.working.set(vtOrderid, w);
    this.lastWorkingId = vtOrderid;
    this.lastWorking = w;
    if (direction === Direction.LONG) {
      book.buys++;
      book.workingLong += remaining;
    } else {
      book.sells++;
      book.workingShort += remaining;
    }
  }

  private readonly processOrder = (event: Event<OrderData>): void => {
    const o = event.data;
    this.orderEvents++;
    // An order's updates come in a row (SUBMITTING, NOTTRADED, ALLTRADED): one lookup for the run.
    const w = o.vtOrderid === this.lastWorkingId ? this.lastWorking : this.working.get(o.vtOrderid);
    const status = o.status;
    const active = status === Status.NOTTRADED || status === Status.PARTTRADED || status === Status.SUBMITTING;
    if (w === undefined) {
      if (active) this.addWorking(o.vtOrderid, o.gatewayName, o.vtSymbol, o.direction, o.type, o.price, o.volume - o.traded);
      // Only while an answer is outstanding can an order finish before afterSend hears of it.
      else if (this.pending > 0) this.finishedEarly.add(o.vtOrderid);
      return;
    }
    const book = w.book!;
    const remaining = active ? o.volume - o.traded : 0;
    const delta = remaining - w.remaining;
    if (delta !== 0) {
      w.remaining = remaining;
      if (w.direction === Direction.LONG) book.workingLong += delta;
      else book.workingShort += delta;
    }
    if (!active) {
      if (this.pending > 0) this.finishedEarly.add(o.vtOrderid);
      this.working.delete(o.vtOrderid);
      if (w === this.lastWorking) {
        this.lastWorkingId = "";
        this.lastWorking = undefined;
      }
      if (w.direction === Direction.LONG) book.buys--;
      else book.sells--;
      w.book = undefined;
      if (this.pool.length < POOL_MAX) this.pool.push(w);
    }
  };

  private readonly processTrade = (): void => {
    const now = this.now();
    if (now >= this.dayEnds) this.currentDay(now);
    this.trades++;
    this.markDirty();
  };

  private readonly processPosition = (event: Event<PositionData>): void => {
    const p = event.data;
    const book = this.bookOf(p.gatewayName, p.vtSymbol);
    if (p.direction === Direction.LONG) book.longPos = p.volume;
    else if (p.direction === Direction.SHORT) book.shortPos = p.volume;
    else book.netPos = p.volume;
  };

  private readonly processAccount = (event: Event<AccountData>): void => {
    const a = event.data;
    const now = this.now();
    if (now >= this.dayEnds) this.currentDay(now);
    let start = this.startBalances.get(a.vtAccountid);
    if (start === undefined) {
      start = a.balance;
      this.startBalances.set(a.vtAccountid, start);
      this.markDirty();
    }
    const before = this.balances.get(a.vtAccountid) ?? start;
    this.balances.set(a.vtAccountid, a.balance);
    this.dayPnl += a.balance - before;
    if (this.dailyLossLimit === this.dailyLossLimit) this.checkDailyLoss();
  };

  private checkDailyLoss(): void {
    const limit = this.dailyLossLimit;
    if (limit === limit && this.state !== "HALTED" && -this.dayPnl > limit) {
      this.setTradingState("HALTED", `daily loss ${-this.dayPnl} is over dailyLossLimit ${limit}`);
    }
  }

  // ------------------------------------------------------------------ the trading day and its file

  /** Rolls the counters over when `now` is in a later day than the one they count. */
  private currentDay(now: number): void {
    const day = this.tradingDay.dayAt(now);
    this.dayEnds = this.tradingDay.nextStart;
    if (day === this.day) return;
    const first = this.day === "";
    this.day = day;
    if (first) return;
    this.trades = 0;
    this.cancels.clear();
    // The new day starts from the balances the old one ended with.
    this.startBalances.clear();
    for (const [id, balance] of this.balances) this.startBalances.set(id, balance);
    this.dayPnl = 0;
    this.log(`New trading day ${day} (${this.tradingDay.timezone}): trade and cancel counters reset.`);
    this.flush();
  }

  private restore(saved: RiskSnapshot | undefined): void {
    if (saved === undefined) {
      this.flush();
      return;
    }
    this.currentDay(this.now());
    if (saved.day === this.day) {
      this.trades = saved.trades;
      this.cancels.clear();
      for (const [k, v] of Object.entries(saved.cancels)) if (typeof v === "number") this.cancels.set(k, v);
      this.startBalances.clear();
      for (const [k, v] of Object.entries(saved.startBalances)) if (typeof v === "number") this.startBalances.set(k, v);
      // Balances seen before the file was read now count from the saved start of the day.
      this.dayPnl = 0;
      for (const [id, balance] of this.balances) {
        const start = this.startBalances.get(id);
        if (start === undefined) this.startBalances.set(id, balance);
        else this.dayPnl += balance - start;
      }
      this.log(`Restored ${saved.day}'s counters from ${this.store?.path}: ${saved.trades} trades, ${Object.keys(saved.cancels).length} symbols with cancels.`);
    }
    if (saved.tradingState !== this.state) this.setTradingState(saved.tradingState, saved.stateReason || "restored");
    this.flush();
  }

  private snapshot(): RiskSnapshot {
    return {
      version: 1,
      day: this.day,
      trades: this.trades,
      cancels: Object.fromEntries(this.cancels),
      startBalances: Object.fromEntries(this.startBalances),
      tradingState: this.state,
      stateReason: this.stateReason,
    };
  }

  private markDirty(): void {
    if (this.store === undefined || this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(this.flushNow, FLUSH_MS);
    this.flushTimer.unref();
  }

  private readonly flushNow = (): void => this.flush();

  /** Writes the state file now (if there is one). */
  flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.store === undefined) return;
    if (this.day === "") this.currentDay(this.now());
    try {
      this.store.save(this.snapshot());
    } catch (error) {
      this.log(`Cannot write the risk state file ${this.store.path}: ${String(error)}. Counters are kept in memory; fix the path or the disk.`, LogLevel.ERROR);
    }
  }

  private log(msg: string, level: LogLevel = LogLevel.INFO): void {
    this.mainEngine.writeLog(msg, RISK_APP_NAME, level);
  }

  private emit(data: RiskEventData): void {
    (this.eventEngine as unknown as EventEngine<RiskEvents>).put(new Event(EVENT_RISK, data));
  }
}

function refusal(rule: keyof typeof RISK_CODES, limit: unknown, value: unknown, message: string): PreTradeRefusal {
  return { code: RISK_CODES[rule], rule, limit, value, message };
}

/** The account's resting order on the other side of `book` that `req` would trade against, if any. */
function crossedOwnOrder(working: Iterable<Working>, book: SymbolBook, req: OrderRequest): Working | undefined {
  const buy = req.direction === Direction.LONG;
  const market = req.type === OrderType.MARKET;
  for (const w of working) {
    // Stops are not in the book until they trigger; only orders that rest can be traded against.
    if (w.book !== book || w.direction === req.direction || w.type === OrderType.STOP || w.remaining <= 0) continue;
    if (market || (buy ? req.price >= w.price : req.price <= w.price)) return w;
  }
  return undefined;
}

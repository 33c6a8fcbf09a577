import { Event } from "../../event/Event.js";
import type { EventEngine } from "../../event/EventEngine.js";
import { TickwireError } from "../../event/errors.js";
import { BaseEngine } from "../../trader/BaseEngine.js";
import { LogLevel } from "../../trader/constants.js";
import { EVENT_ACCOUNT, EVENT_ORDER, EVENT_POSITION, EVENT_TRADE } from "../../trader/events.js";
import type { AccountData, CancelRequest, OrderData, OrderRequest, PositionData } from "../../trader/objects.js";
import type { MainEngine } from "../../trader/MainEngine.js";
import type { PreTradeCheck, PreTradeRefusal } from "../../trader/PreTradeCheck.js";
import type { TraderEventEngine } from "../../trader/BaseGateway.js";
import { RULE_NAMES, emptyRuleSet, parseRiskConfig, type RiskConfig, type RiskRuleSet, type RiskRules } from "./rules.js";
import { FlowWindows, OrderBooks } from "./books.js";
import { RiskLimits, RiskStatus } from "./checks.js";
import { EVENT_RISK, RISK_APP_NAME, type RiskEventData, type RiskEvents, type RiskStats } from "./riskEvents.js";
import { RiskStore, TRADING_STATES, type RiskSnapshot, type TradingState } from "./RiskStore.js";
import { TradingDay } from "./TradingDay.js";

/** At most one write of the state file per this many ms while counters move. */
const FLUSH_MS = 200;

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
  /** The rules as plain fields, and the checks that read them on every order. */
  private readonly limits: RiskLimits;
  /** The trading state and today's trade and cancel counters. */
  private readonly status = new RiskStatus();
  private tradingDay = new TradingDay("UTC");
  private day = "";
  private dayEnds = -Infinity;
  private readonly startBalances = new Map<string, number>();
  private readonly balances = new Map<string, number>();
  private dayPnl = 0;

  private readonly orders = new OrderBooks();
  private readonly flows = new FlowWindows();

  private checked = 0;
  private passed = 0;
  private readonly refusals: Record<string, number> = {};

  private store: RiskStore | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(mainEngine: MainEngine, eventEngine: TraderEventEngine) {
    super(mainEngine, eventEngine, RISK_APP_NAME);
    this.limits = new RiskLimits(mainEngine, this.status, this.orders, this.flows);
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
    return this.status.state;
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
    if (state === this.status.state) return;
    const from = this.status.state;
    this.status.state = state;
    this.status.stateReason = state === "ACTIVE" ? "" : reason;
    this.log(`Trading state ${from} → ${state} (${reason})`, state === "ACTIVE" ? LogLevel.INFO : LogLevel.WARNING);
    this.emit({ kind: "state", from, to: state, reason, datetime: this.now() });
    this.flush();
  }

  stats(): RiskStats {
    this.currentDay(this.now());
    let refused = 0;
    for (const n of Object.values(this.refusals)) refused += n;
    return {
      tradingState: this.status.state,
      stateReason: this.status.stateReason,
      day: this.day,
      timezone: this.tradingDay.timezone,
      checked: this.checked,
      passed: this.passed,
      refused,
      refusals: { ...this.refusals },
      activeOrders: this.orders.active,
      trades: this.status.trades,
      cancels: Object.fromEntries(this.status.cancels),
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
    }
    this.ruleSet = rules;
    this.limits.apply(rules);
  }

  // ------------------------------------------------------------------ the checks

  checkOrder(req: OrderRequest, gatewayName: string): PreTradeRefusal | undefined {
    this.checked++;
    const now = this.now();
    if (now >= this.dayEnds) this.currentDay(now);
    const refusal = this.limits.refusalOf(req, gatewayName, now);
    if (refusal !== undefined) {
      this.refused(refusal, req, gatewayName, now);
      return refusal;
    }
    this.passed++;
    this.orders.passed();
    if (this.limits.orderFlowLimit === this.limits.orderFlowLimit) this.flows.record(gatewayName, now);
    return undefined;
  }

  checkCancel(req: CancelRequest): undefined {
    // Cancels always pass (refusing one leaves risk in the market); they count toward cancelLimit.
    if (this.now() >= this.dayEnds) this.currentDay(this.now());
    this.status.cancels.set(req.vtSymbol, (this.status.cancels.get(req.vtSymbol) ?? 0) + 1);
    this.markDirty();
    return undefined;
  }

  afterSend(req: OrderRequest, gatewayName: string, vtOrderid: string | null): void {
    this.orders.afterSend(req, gatewayName, vtOrderid);
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

  private readonly processOrder = (event: Event<OrderData>): void => {
    this.orders.onOrder(event.data);
  };

  private readonly processTrade = (): void => {
    const now = this.now();
    if (now >= this.dayEnds) this.currentDay(now);
    this.status.trades++;
    this.markDirty();
  };

  private readonly processPosition = (event: Event<PositionData>): void => {
    this.orders.onPosition(event.data);
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
    if (this.limits.dailyLossLimit === this.limits.dailyLossLimit) this.checkDailyLoss();
  };

  private checkDailyLoss(): void {
    const limit = this.limits.dailyLossLimit;
    if (limit === limit && this.status.state !== "HALTED" && -this.dayPnl > limit) {
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
    this.status.trades = 0;
    this.status.cancels.clear();
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
      this.status.trades = saved.trades;
      this.status.cancels.clear();
      for (const [k, v] of Object.entries(saved.cancels)) if (typeof v === "number") this.status.cancels.set(k, v);
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
    if (saved.tradingState !== this.status.state) this.setTradingState(saved.tradingState, saved.stateReason || "restored");
    this.flush();
  }

  private snapshot(): RiskSnapshot {
    return {
      version: 1,
      day: this.day,
      trades: this.status.trades,
      cancels: Object.fromEntries(this.status.cancels),
      startBalances: Object.fromEntries(this.startBalances),
      tradingState: this.status.state,
      stateReason: this.status.stateReason,
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

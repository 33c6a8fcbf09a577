import { Direction, Offset, OrderType } from "../../trader/constants.js";
import type { OrderRequest } from "../../trader/objects.js";
import type { MainEngine } from "../../trader/MainEngine.js";
import type { PreTradeRefusal } from "../../trader/PreTradeCheck.js";
import { crossedOwnOrder, isPriced, type FlowWindows, type OrderBooks } from "./books.js";
import { RISK_CODES, type RiskRuleSet } from "./rules.js";
import type { TradingState } from "./RiskStore.js";

/** The trading state and today's counters, as the engine keeps them. */
export class RiskStatus {
  state: TradingState = "ACTIVE";
  stateReason = "";
  /** Fills today. */
  trades = 0;
  /** Cancels today by vtSymbol. */
  readonly cancels = new Map<string, number>();
}

/**
 * The limits in force as plain fields (the checks read them on every order; an off rule's limit is
 * NaN) and the checks of an order against them.
 */
export class RiskLimits {
  orderSizeLimit = NaN;
  orderNotionalLimit = NaN;
  priceBandPct = NaN;
  priceBandTicks = NaN;
  orderFlowLimit = NaN;
  orderFlowWindowMs = NaN;
  activeOrderLimit = NaN;
  tradeLimit = NaN;
  cancelLimit = NaN;
  positionLimit = NaN;
  selfTrade = false;
  dailyLossLimit = NaN;

  constructor(
    private readonly mainEngine: MainEngine,
    private readonly status: RiskStatus,
    private readonly orders: OrderBooks,
    private readonly flows: FlowWindows,
  ) {}

  /** Takes the limits of `rules` (an off rule's limit is NaN). */
  apply(rules: RiskRuleSet): void {
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

  // Rules are written as `!(value <= limit)`, never `value > limit`: a NaN value then refuses.
  // An off rule's limit is NaN, and `limit === limit` is false only for NaN.
  refusalOf(req: OrderRequest, gatewayName: string, now: number): PreTradeRefusal | undefined {
    const volume = req.volume;
    if (this.status.state !== "ACTIVE") {
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
      const w = this.flows.get(gatewayName);
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
      const active = this.orders.working.size + this.orders.pending;
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
    if (tradeLimit === tradeLimit && !(this.status.trades < tradeLimit)) {
      return refusal(
        "tradeLimit",
        tradeLimit,
        this.status.trades,
        `${this.status.trades} trades today reached tradeLimit ${tradeLimit}: no new orders until the day rolls.`,
      );
    }
    const cancelLimit = this.cancelLimit;
    if (cancelLimit === cancelLimit) {
      const cancels = this.status.cancels.get(req.vtSymbol) ?? 0;
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
      const book = this.orders.bookOf(gatewayName, req.vtSymbol);
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
        const crossed = crossedOwnOrder(this.orders.working.values(), book, req);
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
    if (this.status.state === "HALTED") {
      return refusal("tradingState", "HALTED", "order", `Trading is HALTED (${this.status.stateReason}): no orders until risk.setTradingState("ACTIVE").`);
    }
    const book = this.orders.bookOf(gatewayName, req.vtSymbol);
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
}

export function refusal(rule: keyof typeof RISK_CODES, limit: unknown, value: unknown, message: string): PreTradeRefusal {
  return { code: RISK_CODES[rule], rule, limit, value, message };
}

import type { TradeColumns } from "./columns.js";
import type { DayClock } from "./dates.js";

/** One date of the mark-to-market, vnpy's DailyResult plus the balance columns of its statistics. */
export interface DailyResult {
  /** `YYYY-MM-DD` in the backtest's time zone. */
  date: string;
  /** Close of the date's last bar (last price of its last tick). */
  closePrice: number;
  /** The previous date's close; 1 on the first date (vnpy's rule, avoids a zero division). */
  preClose: number;
  tradeCount: number;
  startPos: number;
  endPos: number;
  turnover: number;
  commission: number;
  slippage: number;
  tradingPnl: number;
  holdingPnl: number;
  totalPnl: number;
  netPnl: number;
  /** capital + cumulative net P&L. */
  balance: number;
  /** ln(balance / previous balance), 0 when the ratio is not positive. */
  return: number;
  /** Running maximum of balance from the first date. */
  highlevel: number;
  drawdown: number;
  ddpercent: number;
}

export function newDailyResult(date: string, closePrice: number): DailyResult {
  return {
    date,
    closePrice,
    preClose: 0,
    tradeCount: 0,
    startPos: 0,
    endPos: 0,
    turnover: 0,
    commission: 0,
    slippage: 0,
    tradingPnl: 0,
    holdingPnl: 0,
    totalPnl: 0,
    netPnl: 0,
    balance: 0,
    return: 0,
    highlevel: 0,
    drawdown: 0,
    ddpercent: 0,
  };
}

/** vnpy's `DailyResult.calculate_pnl` over trades `from..to` of the log, same operation order. */
export function calculatePnl(
  d: DailyResult,
  preClose: number,
  startPos: number,
  size: number,
  rate: number,
  slippage: number,
  log: TradeColumns,
  from: number,
  to: number,
): void {
  d.preClose = preClose ? preClose : 1;
  d.startPos = startPos;
  d.endPos = startPos;
  d.holdingPnl = d.startPos * (d.closePrice - d.preClose) * size;
  d.tradeCount = to - from;
  d.tradingPnl = 0;
  d.turnover = 0;
  d.commission = 0;
  d.slippage = 0;
  for (let i = from; i < to; i++) {
    const volume = log.volume(i);
    const price = log.price(i);
    const change = log.isLong(i) ? volume : -volume;
    d.endPos += change;
    const turnover = volume * size * price;
    d.tradingPnl += change * (d.closePrice - price) * size;
    d.slippage += volume * size * slippage;
    d.turnover += turnover;
    d.commission += turnover * rate;
  }
  d.totalPnl = d.tradingPnl + d.holdingPnl;
  d.netPnl = d.totalPnl - d.commission - d.slippage;
}

/** Each date's P&L from the trades of the log (in time order, so each date's trades are one run of it). */
export function markToMarket(days: readonly DailyResult[], log: TradeColumns, clock: DayClock, size: number, rate: number, slippage: number): void {
  let t = 0;
  let preClose = 0;
  let startPos = 0;
  for (const d of days) {
    const from = t;
    while (t < log.length && clock.dateOf(log.datetime(t)) === d.date) t++;
    calculatePnl(d, preClose, startPos, size, rate, slippage, log, from, t);
    preClose = d.closePrice;
    startPos = d.endPos;
  }
}

/** The balance columns vnpy's `calculate_statistics` adds to the daily frame. */
export function calculateBalance(days: DailyResult[], capital: number): void {
  let cum = 0;
  let high = -Infinity;
  let pre = capital;
  for (const d of days) {
    cum += d.netPnl;
    d.balance = cum + capital;
    const x = d.balance / pre;
    d.return = x > 0 ? Math.log(x) : 0;
    pre = d.balance;
    if (d.balance > high || Number.isNaN(d.balance)) high = d.balance;
    d.highlevel = high;
    d.drawdown = d.balance - d.highlevel;
    d.ddpercent = (d.drawdown / d.highlevel) * 100;
  }
}

/**
 * The DailyResult of each date replayed, its close kept up to date datum by datum. The replay
 * loop checks `from <= t < to` (the current date's instants, cached by the clock) itself and
 * calls `update` only when a datum falls outside it.
 */
export class DailyCloses {
  /** The current date holds every instant in [from, to) (an empty range before the first datum). */
  from = Infinity;
  to = -Infinity;
  current: DailyResult | null = null;
  private key = "";
  private readonly days = new Map<string, DailyResult>();
  private clock: DayClock;

  constructor(clock: DayClock) {
    this.clock = clock;
  }

  /** Empty, dates by `clock` from now on. */
  reset(clock: DayClock): void {
    this.clock = clock;
    this.days.clear();
    this.current = null;
    this.key = "";
    this.from = Infinity;
    this.to = -Infinity;
  }

  /** `t` is outside [from, to): find its date, and its DailyResult; `price` is its close so far. */
  update(t: number, price: number): void {
    const clock = this.clock;
    const key = clock.dateOf(t);
    this.from = clock.from;
    this.to = clock.to;
    if (key === this.key) {
      this.current!.closePrice = price;
      return;
    }
    let d = this.days.get(key);
    if (d) d.closePrice = price;
    else {
      d = newDailyResult(key, price);
      this.days.set(key, d);
    }
    this.current = d;
    this.key = key;
  }

  /** The dates in the order first replayed. */
  values(): DailyResult[] {
    return [...this.days.values()];
  }
}

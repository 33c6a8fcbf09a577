import type { SimInstrument } from "./instruments.js";
import { instrumentVtSymbol } from "./instruments.js";
import { InstrumentRules } from "./InstrumentRules.js";
import { DAY_MS, MINUTE_MS, PricePath } from "./PricePath.js";

export const BOOK_LEVELS = 5;

/**
 * The market of one instrument as the exchange sees it at the latest tick: last trade, the day's
 * statistics and limits, and a 5-level book around the price. `step()` advances it by one tick in
 * place (no allocation); the gateway copies the fields it publishes into a TickData.
 */
export class InstrumentMarket {
  readonly instrument: SimInstrument;
  readonly vtSymbol: string;
  readonly rules: InstrumentRules;
  readonly path: PricePath;

  /** Ticks produced since start (the book's version: liquidity taken by orders resets when it changes). */
  seq = 0;
  time = 0;
  lastPrice = 0;
  lastVolume = 0;
  /** Cumulative volume and turnover of the day. */
  volume = 0;
  turnover = 0;
  openInterest = 0;
  openPrice = 0;
  highPrice = 0;
  lowPrice = 0;
  preClose = 0;
  /** Daily limits; 0 when the instrument has none. */
  limitUp = 0;
  limitDown = 0;
  /** Book levels, best first; a level with price 0 is empty (e.g. beyond the daily limit). */
  readonly bidPrice = new Float64Array(BOOK_LEVELS);
  readonly bidVolume = new Float64Array(BOOK_LEVELS);
  readonly askPrice = new Float64Array(BOOK_LEVELS);
  readonly askVolume = new Float64Array(BOOK_LEVELS);

  private day = -1;
  /** The touch (in ticks) the level prices were computed for; NaN forces a recompute. */
  private bookBidTicks = NaN;
  private bookAskTicks = NaN;
  private readonly tickLots: number;

  constructor(instrument: SimInstrument, seed: number, ticksPerMinute: number, anchorMinute: number) {
    this.instrument = instrument;
    this.vtSymbol = instrumentVtSymbol(instrument);
    this.rules = new InstrumentRules(instrument);
    this.path = new PricePath(instrument, seed, ticksPerMinute, anchorMinute);
    this.tickLots = instrument.tickLots;
  }

  /**
   * Positions the market at `startTime` (which fixes the anchor minute): replays the day so far
   * (open/high/low/volume are then those of the whole day) when that takes at most `replayLimit`
   * ticks, else starts the day's statistics at `startTime`. Then produces the first tick.
   */
  start(startTime: number, replayLimit = 500_000): void {
    const path = this.path;
    const K = path.ticksPerMinute;
    const A = path.anchorMinute;
    const k0 = Math.max(0, Math.ceil((startTime - A * MINUTE_MS) / path.tickMs));
    const dayFirstMinute = Math.floor(startTime / DAY_MS) * (DAY_MS / MINUTE_MS);
    if ((A - dayFirstMinute) * K + k0 <= replayLimit) {
      const logs = path.logPrices(dayFirstMinute, A - dayFirstMinute + 1);
      for (let m = dayFirstMinute; m < A; m++) {
        path.beginMinute(m, logs[m - dayFirstMinute], logs[m - dayFirstMinute + 1]);
        for (let k = 0; k < K; k++) this.advance();
      }
    }
    path.beginMinute(A, path.anchorLog, path.anchorLog + path.minuteReturn(A));
    for (let k = 0; k < Math.min(k0, K); k++) this.advance();
    this.step();
  }

  /** Advances price, trade volume and the day's statistics by one tick; no book. */
  advance(): void {
    const path = this.path;
    path.next(this.tickLots);
    const time = path.time;
    const day = Math.floor(time / DAY_MS);
    if (day !== this.day) this.newDay(day);
    const rules = this.rules;
    let price = rules.snap(Math.exp(path.x));
    if (this.limitUp !== 0) {
      if (price > this.limitUp) price = this.limitUp;
      else if (price < this.limitDown) price = this.limitDown;
    }
    if (price < rules.priceTick) price = rules.priceTick;
    const lastVolume = rules.lotsToVolume(path.lots);
    this.time = time;
    this.lastPrice = price;
    this.lastVolume = lastVolume;
    this.volume = rules.roundVolume(this.volume + lastVolume);
    this.turnover += price * lastVolume * this.instrument.size;
    this.openInterest = path.openInterest;
    if (this.openPrice === 0) {
      this.openPrice = this.highPrice = this.lowPrice = price;
    } else if (price > this.highPrice) this.highPrice = price;
    else if (price < this.lowPrice) this.lowPrice = price;
  }

  /** Advances one tick and rebuilds the book around the new price. */
  step(): void {
    const previous = this.lastPrice;
    this.advance();
    this.seq++;
    this.buildBook(previous);
  }

  private buildBook(previous: number): void {
    const inst = this.instrument;
    const rules = this.rules;
    const rng = this.path.bookRng;
    const price = this.lastPrice;
    // The side of the last trade: a buyer lifted the ask (price up) or a seller hit the bid.
    const buyerInitiated = price > previous || (price === previous && rng.next() < 0.5);
    const priceTicks = Math.round(price / rules.priceTick);
    const bidTicks = buyerInitiated ? priceTicks - inst.spreadTicks : priceTicks;
    const askTicks = buyerInitiated ? priceTicks : priceTicks + inst.spreadTicks;
    // Level prices only change when the touch moves (divisions are the costly part of a tick).
    if (bidTicks !== this.bookBidTicks) {
      this.bookBidTicks = bidTicks;
      const down = this.limitDown;
      for (let i = 0; i < BOOK_LEVELS; i++) {
        const bid = rules.ticksToPrice(bidTicks - i);
        this.bidPrice[i] = bid <= 0 || (down !== 0 && bid < down) ? 0 : bid;
      }
    }
    if (askTicks !== this.bookAskTicks) {
      this.bookAskTicks = askTicks;
      const up = this.limitUp;
      for (let i = 0; i < BOOK_LEVELS; i++) {
        const ask = rules.ticksToPrice(askTicks + i);
        this.askPrice[i] = up !== 0 && ask > up ? 0 : ask;
      }
    }
    // One 32-bit draw gives four independent byte-sized multipliers: 3 draws cover the 10 levels.
    const depth = inst.depth;
    let bits = 0;
    for (let i = 0; i < BOOK_LEVELS; i++) {
      if (i === 0 || i === 2 || i === 4) bits = (rng.next() * 4294967296) >>> 0;
      const base = depth * (1 + 0.3 * i);
      this.bidVolume[i] = this.bidPrice[i] === 0 ? 0 : rules.lotsToVolume(Math.max(1, Math.round(base * (0.4 + 0.0046875 * (bits & 0xff)))));
      this.askVolume[i] = this.askPrice[i] === 0 ? 0 : rules.lotsToVolume(Math.max(1, Math.round(base * (0.4 + 0.0046875 * ((bits >>> 8) & 0xff)))));
      bits >>>= 16;
    }
  }

  private newDay(day: number): void {
    const path = this.path;
    const dayFirstMinute = day * (DAY_MS / MINUTE_MS);
    // At the day's first tick the cursor already holds L(dayFirstMinute); otherwise compute it.
    const dayLog = path.minute === dayFirstMinute && path.k === 1 ? path.logStart : path.logPrices(dayFirstMinute, 1)[0];
    this.day = day;
    this.bookBidTicks = this.bookAskTicks = NaN; // new limits may empty or refill levels
    const rules = this.rules;
    const preClose = Math.max(rules.priceTick, rules.snap(Math.exp(dayLog)));
    this.preClose = preClose;
    const pct = this.instrument.limitPct;
    this.limitUp = pct > 0 ? rules.snapDown(preClose * (1 + pct)) : 0;
    this.limitDown = pct > 0 ? Math.max(rules.priceTick, rules.snapUp(preClose * (1 - pct))) : 0;
    this.openPrice = this.highPrice = this.lowPrice = 0;
    this.volume = 0;
    this.turnover = 0;
  }
}

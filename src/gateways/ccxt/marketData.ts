import type { OrderBook, Ticker } from "ccxt";
import { TickwireError } from "../../event/errors.js";
import { LogLevel } from "../../trader/constants.js";
import { createTick, type SubscribeRequest, type TickInit } from "../../trader/objects.js";
import { TW_CCXT_BAD_SYMBOL, TW_CCXT_RATE_LIMIT, mapCcxtError } from "./errors.js";
import type { CcxtSession } from "./session.js";
import { num, sleep } from "./util.js";

const BOOK_LEVELS = 5;

interface MarketState {
  symbol: string;
  unified: string;
  ticker: Ticker | undefined;
  book: OrderBook | undefined;
  /** Last stream update, epoch ms. */
  lastUpdate: number;
  lastPoll: number;
  stale: boolean;
}

/** The state of one market stream, for inspection. */
export interface MarketStreamState {
  vtSymbol: string;
  websocket: boolean;
  stale: boolean;
  lastUpdate: number;
}

/**
 * The market data of the ccxt gateway: per subscribed symbol a ticker and an order book stream
 * (each with reconnect backoff and a REST poll while it is down), stale detection (no update for
 * `staleAfterMs`: REST polls until it updates again), REST polling where there is no stream, and
 * the ticks made from the latest ticker and top-5 book.
 */
export class MarketStreams {
  private readonly states = new Map<string, MarketState>();
  /** Ticks pushed (for benchmarks and inspection). */
  ticksPushed = 0;

  constructor(private readonly s: CcxtSession) {}

  /** The state of each subscribed market stream. */
  list(): MarketStreamState[] {
    const ws = this.s.useWebsocket();
    return [...this.states.values()].map((m) => ({
      vtSymbol: `${m.symbol}.${this.s.map!.exchange}`,
      websocket: ws,
      stale: m.stale,
      lastUpdate: m.lastUpdate,
    }));
  }

  /** Forgets the subscriptions (close). */
  clear(): void {
    this.states.clear();
  }

  subscribe(req: SubscribeRequest): void {
    const s = this.s;
    const ex = s.exchange();
    const map = s.map!;
    const unified = map.unifiedOf(req.symbol);
    if (!unified || req.exchange !== map.exchange) {
      throw new TickwireError(
        TW_CCXT_BAD_SYMBOL,
        `${req.vtSymbol} is not a contract of gateway ${s.gw.gatewayName}: subscribe to one it loaded (e.g. ${map
          .symbols()
          .slice(0, 3)
          .map((sym) => `${sym}.${map.exchange}`)
          .join(", ")}).`,
      );
    }
    if (this.states.has(req.symbol)) return;
    const state: MarketState = { symbol: req.symbol, unified, ticker: undefined, book: undefined, lastUpdate: Date.now(), lastPoll: 0, stale: false };
    this.states.set(req.symbol, state);
    const gen = s.gen;
    if (!s.useWebsocket()) {
      void s.runLoop(`poll ${req.vtSymbol}`, gen, async () => {
        await s.restReady();
        await this.poll(state);
        await sleep(s.cfg!.pollIntervalMs);
      });
      return;
    }
    const tickerParams: Record<string, unknown> = s.cfg!.exchange === "binance" ? { name: "ticker" } : {};
    const onDown = () => this.poll(state);
    void s.runLoop(
      `ticker ${req.vtSymbol}`,
      gen,
      async () => {
        const t = await ex.watchTicker(unified, tickerParams);
        if (s.gen !== gen) return;
        // The watch resolves with the ticker of the frame that found it pending; frames parsed in the
        // same read since then are in ccxt's cache: take the latest (the book is updated in place).
        state.ticker = (ex.tickers as Record<string, Ticker | undefined>)[unified] ?? t;
        this.onStreamUpdate(state);
      },
      { onDown },
    );
    void s.runLoop(
      `book ${req.vtSymbol}`,
      gen,
      async () => {
        const b = await ex.watchOrderBook(unified, BOOK_LEVELS);
        if (s.gen !== gen) return;
        state.book = b;
        this.onStreamUpdate(state);
      },
      { onDown },
    );
  }

  private onStreamUpdate(state: MarketState): void {
    state.lastUpdate = Date.now();
    if (state.stale) {
      state.stale = false;
      this.s.gw.writeLog(`Market stream of ${state.symbol}.${this.s.map!.exchange} updates again.`);
    }
    this.pushTick(state);
  }

  /** One REST poll of ticker and top-5 book (fallback and polling mode); at most once per poll interval. */
  private async poll(state: MarketState): Promise<void> {
    const s = this.s;
    const ex = s.ex;
    if (!ex || Date.now() < s.restPausedUntil) return;
    if (Date.now() - state.lastPoll < s.cfg!.pollIntervalMs / 2) return;
    state.lastPoll = Date.now();
    try {
      const [t, b] = await Promise.all([ex.fetchTicker(state.unified), ex.fetchOrderBook(state.unified, BOOK_LEVELS)]);
      state.ticker = t;
      state.book = b;
      this.pushTick(state);
    } catch (e) {
      const err = mapCcxtError(e, `poll ${state.unified}`, s.secrets);
      if (err.code === TW_CCXT_RATE_LIMIT) s.pauseRest();
      s.gw.writeLog(err.message, LogLevel.DEBUG);
    }
  }

  /** Marks the streams without an update for `staleAfterMs` stale and polls them over REST (a timer of the session). */
  checkStale(gen: number): void {
    const s = this.s;
    if (s.gen !== gen) return;
    const after = s.cfg!.staleAfterMs;
    const now = Date.now();
    for (const state of this.states.values()) {
      if (now - state.lastUpdate < after) continue;
      if (!state.stale) {
        state.stale = true;
        s.gw.writeLog(
          `Market stream of ${state.symbol}.${s.map!.exchange} is stale: no update for ${now - state.lastUpdate} ms (limit ${after} ms); polling REST until it updates again.`,
          LogLevel.WARNING,
        );
      }
      void this.poll(state);
    }
  }

  private pushTick(state: MarketState): void {
    const t = state.ticker;
    const b = state.book;
    const init: TickInit = {
      gatewayName: this.s.gw.gatewayName,
      symbol: state.symbol,
      exchange: this.s.map!.exchange,
      datetime: Math.max(num(t?.timestamp), num(b?.timestamp)) || Date.now(),
      name: state.unified,
    };
    if (t) {
      init.volume = num(t.baseVolume);
      init.turnover = num(t.quoteVolume);
      init.lastPrice = num(t.last);
      init.openPrice = num(t.open);
      init.highPrice = num(t.high);
      init.lowPrice = num(t.low);
      init.preClose = num(t.previousClose);
      init.bidPrice1 = num(t.bid);
      init.askPrice1 = num(t.ask);
      init.bidVolume1 = num(t.bidVolume);
      init.askVolume1 = num(t.askVolume);
    }
    if (b) {
      const fields = init as unknown as Record<string, number>;
      for (let i = 0; i < BOOK_LEVELS; i++) {
        const bid = b.bids[i];
        const ask = b.asks[i];
        if (bid) {
          fields[`bidPrice${i + 1}`] = num(bid[0]);
          fields[`bidVolume${i + 1}`] = num(bid[1]);
        }
        if (ask) {
          fields[`askPrice${i + 1}`] = num(ask[0]);
          fields[`askVolume${i + 1}`] = num(ask[1]);
        }
      }
    }
    this.ticksPushed++;
    this.s.gw.onTick(createTick(init));
  }
}

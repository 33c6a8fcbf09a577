/**
 * A loopback exchange that speaks enough of Binance spot's documented REST and WebSocket API for
 * ccxt's `binance` / `pro.binance` classes: exchange info, time, ping, 24h ticker, depth, klines,
 * account, new / cancel / query order, open orders, my trades (HMAC-SHA256 signed, recvWindow,
 * X-MBX-APIKEY), the market streams (`<symbol>@ticker`, `@bookTicker`, `@depth@100ms` diffs,
 * `@depth5`) and the user data stream of the WebSocket API (`userDataStream.subscribe.signature`:
 * executionReport, outboundAccountPosition).
 *
 * A small matching engine fills orders against a book of market-maker levels set by the test
 * (`setBook`): an order larger than a level fills partially and the rest rests (LIMIT) or expires
 * (MARKET, IOC); FOK fills all or nothing; STOP_LOSS / TAKE_PROFIT orders trigger on the book.
 * Errors answer with Binance's codes (-2010 insufficient balance, -2015 / -1022 auth, -1013
 * filters, -1121 symbol, -2011 / -2013 unknown order, 429 / -1003 rate limit).
 *
 * Test hooks: `dropStreams()` closes every WebSocket, `setStreamsDown(true)` refuses new ones,
 * `fillResting()` fills a resting order (also while the streams are down: the fill is then only
 * visible through REST), `failNext()` answers the next requests with a rate-limit error.
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { binanceUrlsAt } from "../../src/gateways/ccxt/venues.js";

export interface EmulatorSymbol {
  symbol: string;
  base: string;
  quote: string;
  tickSize: string;
  stepSize: string;
  minQty: string;
  minNotional?: string;
}

export interface EmulatorOptions {
  apiKey?: string;
  secret?: string;
  symbols?: EmulatorSymbol[];
  /** Starting balances, asset → free amount. */
  balances?: Record<string, number>;
}

export const DEFAULT_SYMBOLS: EmulatorSymbol[] = [
  { symbol: "BTCUSDT", base: "BTC", quote: "USDT", tickSize: "0.01", stepSize: "0.00001", minQty: "0.00001", minNotional: "5" },
  { symbol: "ETHUSDT", base: "ETH", quote: "USDT", tickSize: "0.01", stepSize: "0.0001", minQty: "0.0001", minNotional: "5" },
];

type Side = "BUY" | "SELL";
type Level = [price: number, qty: number];

interface EmuOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: Side;
  type: string;
  timeInForce: string;
  price: number;
  stopPrice: number;
  origQty: number;
  executedQty: number;
  cummulativeQuoteQty: number;
  status: string;
  time: number;
  updateTime: number;
  /** Funds still held for the unfilled rest (quote for a BUY, base for a SELL). */
  locked: number;
  triggered: boolean;
}

interface EmuTrade {
  symbol: string;
  id: number;
  orderId: number;
  price: number;
  qty: number;
  quoteQty: number;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

interface Book {
  bids: Level[];
  asks: Level[];
  updateId: number;
  last: number;
  volume: number;
  quoteVolume: number;
}

interface Balance {
  free: number;
  locked: number;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

const RATE_LIMIT_MSG =
  "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid polling the API.";

function fmt(n: number): string {
  return (Math.round(n * 1e8) / 1e8).toFixed(8);
}

function decimals(step: string): number {
  const i = step.indexOf(".");
  return i === -1 ? 0 : step.length - i - 1;
}

function onStep(value: number, step: string): boolean {
  const s = Number(step);
  const n = value / s;
  return Math.abs(n - Math.round(n)) < 1e-6;
}

export class BinanceEmulator {
  readonly apiKey: string;
  readonly secret: string;
  readonly symbols: EmulatorSymbol[];
  readonly balances = new Map<string, Balance>();
  readonly orders = new Map<number, EmuOrder>();
  readonly trades: EmuTrade[] = [];
  /** Every REST request as "METHOD /path", in order (for assertions). */
  readonly requests: string[] = [];
  private readonly books = new Map<string, Book>();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  /** Market stream sockets and their subscribed stream names. */
  private readonly marketSockets = new Map<WebSocket, Set<string>>();
  /** WebSocket API sockets with a user data subscription. */
  private readonly userSockets = new Map<WebSocket, number>();
  private nextOrderId = 1000;
  private nextTradeId = 5000;
  private nextSubscriptionId = 0;
  private failures: Array<{ kind: "429" | "-1003" | "lost"; path?: string }> = [];
  private streamsDown = false;
  port = 0;

  private constructor(opts: EmulatorOptions) {
    this.apiKey = opts.apiKey ?? "emulator-key";
    this.secret = opts.secret ?? "emulator-secret";
    this.symbols = opts.symbols ?? DEFAULT_SYMBOLS;
    for (const [asset, free] of Object.entries(opts.balances ?? { USDT: 100_000, BTC: 1, ETH: 10 })) this.balances.set(asset, { free, locked: 0 });
    for (const s of this.symbols) this.books.set(s.symbol, { bids: [], asks: [], updateId: 1, last: 0, volume: 0, quoteVolume: 0 });
    this.server = createServer((req, res) => void this.handleHttp(req, res));
    this.wss = new WebSocketServer({
      server: this.server,
      verifyClient: (_info, cb) => (this.streamsDown ? cb(false, 503, "streams down") : cb(true)),
    });
    this.wss.on("connection", (ws, req) => this.onSocket(ws, req.url ?? "/"));
  }

  static async start(opts: EmulatorOptions = {}): Promise<BinanceEmulator> {
    const emu = new BinanceEmulator(opts);
    await new Promise<void>((resolve) => emu.server.listen(0, "127.0.0.1", resolve));
    emu.port = (emu.server.address() as AddressInfo).port;
    return emu;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The `urls` override that points ccxt's binance (REST and pro) at this emulator. */
  ccxtUrls(): Record<string, unknown> {
    return binanceUrlsAt(this.httpUrl);
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------------ test hooks

  /** Replaces the market-maker levels of `symbol` (best first) and re-matches resting orders. */
  setBook(symbol: string, bids: Level[], asks: Level[]): void {
    const book = this.book(symbol);
    const changedBids = diffLevels(book.bids, bids);
    const changedAsks = diffLevels(book.asks, asks);
    book.bids = bids.map(([p, q]) => [p, q]);
    book.asks = asks.map(([p, q]) => [p, q]);
    this.publishDepth(symbol, changedBids, changedAsks);
    this.matchResting(symbol);
  }

  /** Publishes a 24h ticker event (and a book ticker) of `symbol`; `last` moves the last price. */
  publishTicker(symbol: string, last?: number): void {
    const book = this.book(symbol);
    if (last !== undefined) book.last = last;
    const now = Date.now();
    const bid = book.bids[0] ?? [0, 0];
    const ask = book.asks[0] ?? [0, 0];
    const ticker = {
      e: "24hrTicker",
      E: now,
      s: symbol,
      p: "0.00000000",
      P: "0.000",
      w: fmt(book.last),
      x: fmt(book.last),
      c: fmt(book.last),
      Q: "0.00100000",
      b: fmt(bid[0]),
      B: fmt(bid[1]),
      a: fmt(ask[0]),
      A: fmt(ask[1]),
      o: fmt(book.last),
      h: fmt(book.last),
      l: fmt(book.last),
      v: fmt(book.volume),
      q: fmt(book.quoteVolume),
      O: now - 86_400_000,
      C: now,
      F: 0,
      L: this.nextTradeId,
      n: this.trades.length,
    };
    const lower = symbol.toLowerCase();
    this.toMarket(`${lower}@ticker`, ticker);
    this.toMarket(`${lower}@bookTicker`, { u: book.updateId, s: symbol, b: fmt(bid[0]), B: fmt(bid[1]), a: fmt(ask[0]), A: fmt(ask[1]) });
  }

  /** The serialized 24h ticker event of `symbol` as the stream sends it (for benchmarks). */
  tickerMessage(symbol: string, last: number, time: number): string {
    return JSON.stringify({
      e: "24hrTicker",
      E: time,
      s: symbol,
      p: "0.00000000",
      P: "0.000",
      w: fmt(last),
      x: fmt(last),
      c: fmt(last),
      Q: "0.00100000",
      b: fmt(last - 0.01),
      B: "1.00000000",
      a: fmt(last + 0.01),
      A: "1.00000000",
      o: fmt(last),
      h: fmt(last),
      l: fmt(last),
      v: "0.00000000",
      q: "0.00000000",
      O: time - 86_400_000,
      C: time,
      F: 0,
      L: 0,
      n: 0,
    });
  }

  /** Sends raw pre-serialized frames to every socket subscribed to `stream` (for benchmarks). */
  sendRaw(stream: string, frames: readonly string[]): number {
    let sent = 0;
    for (const [ws, streams] of this.marketSockets) {
      if (!streams.has(stream)) continue;
      for (const f of frames) ws.send(f);
      sent++;
    }
    return sent;
  }

  /** True when some market socket subscribed to `stream`. */
  hasSubscriber(stream: string): boolean {
    for (const streams of this.marketSockets.values()) if (streams.has(stream)) return true;
    return false;
  }

  /** True when some WebSocket API socket holds a user data subscription. */
  get userStreamSubscribed(): boolean {
    return this.userSockets.size > 0;
  }

  /** Closes every WebSocket (market and user data), as a network drop would. */
  dropStreams(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.marketSockets.clear();
    this.userSockets.clear();
  }

  /** While down, new WebSocket connections are refused (HTTP 503 on the upgrade). */
  setStreamsDown(down: boolean): void {
    this.streamsDown = down;
    if (down) this.dropStreams();
  }

  /**
   * The next `count` REST requests (to `path` when given, e.g. "/api/v3/order") answer a rate-limit
   * error ("429": HTTP 429, "-1003": HTTP 400 with code -1003), or ("lost") are carried out but their
   * answer is lost (the connection is reset), as when the network fails after the exchange acted.
   */
  failNext(count: number, kind: "429" | "-1003" | "lost" = "429", path?: string): void {
    for (let i = 0; i < count; i++) this.failures.push({ kind, ...(path ? { path } : {}) });
  }

  /** Fills `qty` of a resting order at its limit price (as if a counterparty crossed it). */
  fillResting(orderId: number, qty: number): void {
    const o = this.orders.get(orderId);
    if (!o || (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED")) throw new Error(`order ${orderId} is not resting`);
    this.fill(o, o.price, Math.min(qty, o.origQty - o.executedQty), true);
    if (o.executedQty >= o.origQty - 1e-12) this.finish(o, "FILLED");
    this.publishAccount(o);
  }

  /** The order with this client order id. */
  orderByClientId(clientOrderId: string): EmuOrder | undefined {
    for (const o of this.orders.values()) if (o.clientOrderId === clientOrderId) return o;
    return undefined;
  }

  balance(asset: string): Balance {
    let b = this.balances.get(asset);
    if (!b) {
      b = { free: 0, locked: 0 };
      this.balances.set(asset, b);
    }
    return b;
  }

  // ------------------------------------------------------------------ REST

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.httpUrl);
    const method = req.method ?? "GET";
    this.requests.push(`${method} ${url.pathname}`);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(payload));
    };
    try {
      const failIndex = this.failures.findIndex((f) => f.path === undefined || f.path === url.pathname);
      let lost = false;
      if (failIndex !== -1 && this.failures[failIndex].kind === "lost") {
        this.failures.splice(failIndex, 1);
        lost = true;
      } else if (failIndex !== -1) {
        const [f] = this.failures.splice(failIndex, 1);
        if (f.kind === "429") return send(429, { code: -1003, msg: RATE_LIMIT_MSG }, { "retry-after": "1" });
        return send(400, { code: -1003, msg: RATE_LIMIT_MSG });
      }
      const rawQuery = url.search.startsWith("?") ? url.search.slice(1) : "";
      const raw = [rawQuery, body].filter((s) => s !== "").join("&");
      const params = Object.fromEntries(new URLSearchParams(raw));
      const result = this.route(method, url.pathname, params, raw, req);
      if (lost) {
        req.socket.destroy();
        return;
      }
      send(200, result);
    } catch (e) {
      if (e instanceof ApiError) return send(e.status, { code: e.code, msg: e.message });
      send(500, { code: -1000, msg: e instanceof Error ? e.message : String(e) });
    }
  }

  private route(method: string, path: string, p: Record<string, string>, raw: string, req: IncomingMessage): unknown {
    const key = `${method} ${path}`;
    switch (key) {
      case "GET /api/v3/ping":
        return {};
      case "GET /api/v3/time":
        return { serverTime: Date.now() };
      case "GET /api/v3/exchangeInfo":
        return this.exchangeInfo();
      case "GET /api/v3/ticker/24hr":
        return p.symbol ? this.ticker24(p.symbol) : this.symbols.map((s) => this.ticker24(s.symbol));
      case "GET /api/v3/ticker/bookTicker":
        return this.bookTicker(this.symbolOf(p.symbol));
      case "GET /api/v3/depth":
        return this.depth(this.symbolOf(p.symbol), Number(p.limit ?? 100));
      case "GET /api/v3/klines":
        return [];
    }
    // Everything below is signed.
    this.checkSigned(raw, p, req);
    switch (key) {
      case "GET /api/v3/account":
        return this.account();
      case "POST /api/v3/order":
        return this.newOrder(p);
      case "DELETE /api/v3/order":
        return this.cancelOrder(p);
      case "GET /api/v3/order":
        return this.orderJson(this.findOrder(p, -2013, "Order does not exist."));
      case "GET /api/v3/openOrders":
        return [...this.orders.values()]
          .filter((o) => (o.status === "NEW" || o.status === "PARTIALLY_FILLED") && (!p.symbol || o.symbol === p.symbol))
          .map((o) => this.orderJson(o));
      case "GET /api/v3/allOrders":
        return [...this.orders.values()].filter((o) => o.symbol === this.symbolOf(p.symbol)).map((o) => this.orderJson(o));
      case "GET /api/v3/myTrades":
        return this.myTrades(p);
    }
    throw new ApiError(404, -1000, `Unknown endpoint ${key}.`);
  }

  /** API key header, signature over the total params, timestamp within recvWindow. */
  private checkSigned(raw: string, p: Record<string, string>, req: IncomingMessage): void {
    const key = req.headers["x-mbx-apikey"];
    if (key !== this.apiKey) throw new ApiError(401, -2015, "Invalid API-key, IP, or permissions for action.");
    const at = raw.lastIndexOf("&signature=");
    const signature = at === -1 ? undefined : raw.slice(at + "&signature=".length);
    if (signature === undefined) throw new ApiError(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    const expected = createHmac("sha256", this.secret).update(raw.slice(0, at)).digest("hex");
    if (signature !== expected) throw new ApiError(400, -1022, "Signature for this request is not valid.");
    this.checkTimestamp(p);
  }

  private checkTimestamp(p: Record<string, string>): void {
    const ts = Number(p.timestamp);
    const window = Number(p.recvWindow ?? 5000);
    if (!Number.isFinite(ts)) throw new ApiError(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    if (window > 60_000) throw new ApiError(400, -1131, "recvWindow must be less than 60000");
    const now = Date.now();
    if (ts > now + 1000 || now - ts > window) throw new ApiError(400, -1021, "Timestamp for this request is outside of the recvWindow.");
  }

  private symbolOf(symbol: string | undefined): string {
    if (!symbol || !this.books.has(symbol)) throw new ApiError(400, -1121, "Invalid symbol.");
    return symbol;
  }

  private book(symbol: string): Book {
    const b = this.books.get(symbol);
    if (!b) throw new Error(`emulator: unknown symbol ${symbol}`);
    return b;
  }

  private spec(symbol: string): EmulatorSymbol {
    return this.symbols.find((s) => s.symbol === symbol)!;
  }

  private exchangeInfo(): unknown {
    const orderTypes = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"];
    return {
      timezone: "UTC",
      serverTime: Date.now(),
      rateLimits: [
        { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
        { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
      ],
      exchangeFilters: [],
      symbols: this.symbols.map((s) => ({
        symbol: s.symbol,
        status: "TRADING",
        baseAsset: s.base,
        baseAssetPrecision: 8,
        quoteAsset: s.quote,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        baseCommissionPrecision: 8,
        quoteCommissionPrecision: 8,
        orderTypes,
        icebergAllowed: true,
        ocoAllowed: true,
        otoAllowed: true,
        quoteOrderQtyMarketAllowed: true,
        allowTrailingStop: true,
        cancelReplaceAllowed: true,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          { filterType: "PRICE_FILTER", minPrice: s.tickSize, maxPrice: "1000000.00000000", tickSize: s.tickSize },
          { filterType: "LOT_SIZE", minQty: s.minQty, maxQty: "9000.00000000", stepSize: s.stepSize },
          {
            filterType: "NOTIONAL",
            minNotional: s.minNotional ?? "0",
            applyMinToMarket: true,
            maxNotional: "9000000.00000000",
            applyMaxToMarket: false,
            avgPriceMins: 5,
          },
        ],
        permissions: [],
        permissionSets: [["SPOT"]],
        defaultSelfTradePreventionMode: "EXPIRE_MAKER",
        allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
      })),
    };
  }

  private ticker24(symbol: string): unknown {
    const b = this.book(this.symbolOf(symbol));
    const now = Date.now();
    const bid = b.bids[0] ?? [0, 0];
    const ask = b.asks[0] ?? [0, 0];
    return {
      symbol,
      priceChange: "0.00000000",
      priceChangePercent: "0.000",
      weightedAvgPrice: fmt(b.last),
      prevClosePrice: fmt(b.last),
      lastPrice: fmt(b.last),
      lastQty: "0.00000000",
      bidPrice: fmt(bid[0]),
      bidQty: fmt(bid[1]),
      askPrice: fmt(ask[0]),
      askQty: fmt(ask[1]),
      openPrice: fmt(b.last),
      highPrice: fmt(b.last),
      lowPrice: fmt(b.last),
      volume: fmt(b.volume),
      quoteVolume: fmt(b.quoteVolume),
      openTime: now - 86_400_000,
      closeTime: now,
      firstId: 0,
      lastId: this.nextTradeId,
      count: this.trades.length,
    };
  }

  private bookTicker(symbol: string): unknown {
    const b = this.book(symbol);
    const bid = b.bids[0] ?? [0, 0];
    const ask = b.asks[0] ?? [0, 0];
    return { symbol, bidPrice: fmt(bid[0]), bidQty: fmt(bid[1]), askPrice: fmt(ask[0]), askQty: fmt(ask[1]) };
  }

  private depth(symbol: string, limit: number): unknown {
    const b = this.book(symbol);
    const lv = (l: Level[]) => l.slice(0, limit).map(([p, q]) => [fmt(p), fmt(q)]);
    return { lastUpdateId: b.updateId, bids: lv(b.bids), asks: lv(b.asks) };
  }

  private account(): unknown {
    return {
      makerCommission: 0,
      takerCommission: 0,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: "0.00000000", taker: "0.00000000", buyer: "0.00000000", seller: "0.00000000" },
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: Date.now(),
      accountType: "SPOT",
      balances: [...this.balances].map(([asset, b]) => ({ asset, free: fmt(b.free), locked: fmt(b.locked) })),
      permissions: ["SPOT"],
      uid: 1,
    };
  }

  private findOrder(p: Record<string, string>, code: number, msg: string): EmuOrder {
    const symbol = this.symbolOf(p.symbol);
    let o: EmuOrder | undefined;
    if (p.orderId !== undefined) o = this.orders.get(Number(p.orderId));
    else if (p.origClientOrderId !== undefined) o = this.orderByClientId(p.origClientOrderId);
    if (!o || o.symbol !== symbol) throw new ApiError(400, code, msg);
    return o;
  }

  private orderJson(o: EmuOrder): Record<string, unknown> {
    return {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: fmt(o.price),
      origQty: fmt(o.origQty),
      executedQty: fmt(o.executedQty),
      cummulativeQuoteQty: fmt(o.cummulativeQuoteQty),
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      stopPrice: fmt(o.stopPrice),
      icebergQty: "0.00000000",
      time: o.time,
      updateTime: o.updateTime,
      isWorking: o.triggered,
      workingTime: o.time,
      origQuoteOrderQty: "0.00000000",
      selfTradePreventionMode: "EXPIRE_MAKER",
    };
  }

  private myTrades(p: Record<string, string>): unknown {
    const symbol = this.symbolOf(p.symbol);
    let list = this.trades.filter((t) => t.symbol === symbol);
    if (p.orderId !== undefined) list = list.filter((t) => t.orderId === Number(p.orderId));
    if (p.fromId !== undefined) list = list.filter((t) => t.id >= Number(p.fromId));
    if (p.startTime !== undefined) list = list.filter((t) => t.time >= Number(p.startTime));
    if (p.endTime !== undefined) list = list.filter((t) => t.time <= Number(p.endTime));
    list = list.slice(-Math.min(Number(p.limit ?? 500), 1000));
    const spec = this.spec(symbol);
    return list.map((t) => ({
      symbol,
      id: t.id,
      orderId: t.orderId,
      orderListId: -1,
      price: fmt(t.price),
      qty: fmt(t.qty),
      quoteQty: fmt(t.quoteQty),
      commission: "0.00000000",
      commissionAsset: spec.quote,
      time: t.time,
      isBuyer: t.isBuyer,
      isMaker: t.isMaker,
      isBestMatch: true,
    }));
  }

  // ------------------------------------------------------------------ matching

  private newOrder(p: Record<string, string>): unknown {
    const symbol = this.symbolOf(p.symbol);
    const spec = this.spec(symbol);
    const side = p.side as Side;
    if (side !== "BUY" && side !== "SELL") throw new ApiError(400, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    const type = p.type;
    const known = ["LIMIT", "MARKET", "STOP_LOSS", "TAKE_PROFIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER"];
    if (!known.includes(type)) throw new ApiError(400, -1116, "Invalid orderType.");
    const qty = Number(p.quantity);
    if (!Number.isFinite(qty) || qty <= 0) throw new ApiError(400, -1013, "Invalid quantity.");
    if (qty < Number(spec.minQty) || !onStep(qty, spec.stepSize)) throw new ApiError(400, -1013, "Filter failure: LOT_SIZE");
    const limited = type === "LIMIT" || type === "LIMIT_MAKER" || type.endsWith("_LIMIT");
    const price = limited ? Number(p.price) : 0;
    if (limited && (!(price > 0) || !onStep(price, spec.tickSize))) throw new ApiError(400, -1013, "Filter failure: PRICE_FILTER");
    const stopPrice = type.startsWith("STOP_LOSS") || type.startsWith("TAKE_PROFIT") ? Number(p.stopPrice) : 0;
    if (stopPrice !== 0 && !(stopPrice > 0)) throw new ApiError(400, -1102, "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.");
    const tif = p.timeInForce ?? (limited ? "" : "GTC");
    if (limited && type !== "LIMIT_MAKER" && !["GTC", "IOC", "FOK"].includes(tif))
      throw new ApiError(400, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
    const clientOrderId = p.newClientOrderId ?? `emu${this.nextOrderId}`;
    if (!/^[a-zA-Z0-9-_]{1,36}$/.test(clientOrderId))
      throw new ApiError(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.");
    if (this.orderByClientId(clientOrderId)?.status === "NEW") throw new ApiError(400, -2010, "Duplicate order sent.");
    const book = this.book(symbol);
    const refPrice = price || stopPrice || (side === "BUY" ? book.asks[0]?.[0] : book.bids[0]?.[0]) || book.last;
    if (spec.minNotional && refPrice * qty < Number(spec.minNotional) - 1e-9) throw new ApiError(400, -1013, "Filter failure: NOTIONAL");

    // Funds held for the whole order: quote for a BUY (at the limit, or the book walk), base for a SELL.
    const need = side === "BUY" ? (limited ? price * qty : (this.walkCost(book.asks, qty) ?? refPrice * qty)) : qty;
    const asset = side === "BUY" ? spec.quote : spec.base;
    const bal = this.balance(asset);
    if (bal.free + 1e-12 < need) throw new ApiError(400, -2010, "Account has insufficient balance for requested action.");
    bal.free -= need;
    bal.locked += need;

    const now = Date.now();
    const o: EmuOrder = {
      symbol,
      orderId: this.nextOrderId++,
      clientOrderId,
      side,
      type,
      timeInForce: limited ? tif || "GTC" : "GTC",
      price,
      stopPrice,
      origQty: qty,
      executedQty: 0,
      cummulativeQuoteQty: 0,
      status: "NEW",
      time: now,
      updateTime: now,
      locked: need,
      triggered: stopPrice === 0,
    };
    if (type === "LIMIT_MAKER" && this.crossable(o) > 0) {
      this.release(o);
      throw new ApiError(400, -2010, "Order would immediately match and take.");
    }
    this.orders.set(o.orderId, o);
    this.report(o, "NEW");
    const fills: Array<Record<string, unknown>> = [];
    if (o.triggered) this.match(o, fills);
    else this.checkTrigger(o, fills);
    this.publishAccount(o);
    return { ...this.orderJson(o), transactTime: now, workingTime: now, fills };
  }

  private walkCost(asks: Level[], qty: number): number | undefined {
    let left = qty;
    let cost = 0;
    for (const [p, q] of asks) {
      const take = Math.min(left, q);
      cost += take * p;
      left -= take;
      if (left <= 1e-12) return cost;
    }
    return undefined;
  }

  /** How much of `o` the book can fill now. */
  private crossable(o: EmuOrder): number {
    const book = this.book(o.symbol);
    const levels = o.side === "BUY" ? book.asks : book.bids;
    let sum = 0;
    for (const [p, q] of levels) {
      const limitPrice = o.type === "MARKET" || o.type === "STOP_LOSS" || o.type === "TAKE_PROFIT" ? 0 : o.price;
      if (limitPrice > 0 && (o.side === "BUY" ? p > limitPrice : p < limitPrice)) break;
      sum += q;
    }
    return sum;
  }

  /** Fills `o` against the book; the rest rests (GTC limit) or expires (market, IOC, FOK). */
  private match(o: EmuOrder, fills: Array<Record<string, unknown>>): void {
    const marketLike = o.type === "MARKET" || o.type === "STOP_LOSS" || o.type === "TAKE_PROFIT";
    if (o.timeInForce === "FOK" && this.crossable(o) + 1e-12 < o.origQty - o.executedQty) {
      this.finish(o, "EXPIRED");
      return;
    }
    const book = this.book(o.symbol);
    const levels = o.side === "BUY" ? book.asks : book.bids;
    const changed: Level[] = [];
    while (o.executedQty < o.origQty - 1e-12 && levels.length > 0) {
      const level = levels[0];
      if (!marketLike && (o.side === "BUY" ? level[0] > o.price : level[0] < o.price)) break;
      const take = Math.min(level[1], o.origQty - o.executedQty);
      level[1] -= take;
      if (level[1] <= 1e-12) levels.shift();
      changed.push([level[0], Math.max(0, level[1])]);
      const t = this.fill(o, level[0], take, false);
      fills.push({ price: fmt(t.price), qty: fmt(t.qty), commission: "0.00000000", commissionAsset: this.spec(o.symbol).quote, tradeId: t.id });
    }
    if (changed.length > 0) this.publishDepth(o.symbol, o.side === "SELL" ? changed : [], o.side === "BUY" ? changed : []);
    if (o.executedQty >= o.origQty - 1e-12) this.finish(o, "FILLED");
    else if (marketLike || o.timeInForce === "IOC" || o.timeInForce === "FOK") this.finish(o, "EXPIRED");
  }

  private fill(o: EmuOrder, price: number, qty: number, maker: boolean): EmuTrade {
    const spec = this.spec(o.symbol);
    const now = Date.now();
    const t: EmuTrade = {
      symbol: o.symbol,
      id: this.nextTradeId++,
      orderId: o.orderId,
      price,
      qty,
      quoteQty: price * qty,
      time: now,
      isBuyer: o.side === "BUY",
      isMaker: maker,
    };
    this.trades.push(t);
    o.executedQty += qty;
    o.cummulativeQuoteQty += price * qty;
    o.updateTime = now;
    const base = this.balance(spec.base);
    const quote = this.balance(spec.quote);
    if (o.side === "BUY") {
      // A limit BUY held price × qty; the fill pays price × qty (≤ the limit): the difference is freed.
      const held =
        o.type === "MARKET" || o.type === "STOP_LOSS" || o.type === "TAKE_PROFIT"
          ? Math.min(o.locked, price * qty)
          : Math.min(o.locked, (o.price || price) * qty);
      o.locked -= held;
      quote.locked -= held;
      quote.free += held - price * qty;
      base.free += qty;
    } else {
      o.locked -= qty;
      base.locked -= qty;
      quote.free += price * qty;
    }
    const book = this.book(o.symbol);
    book.last = price;
    book.volume += qty;
    book.quoteVolume += price * qty;
    o.status = o.executedQty < o.origQty - 1e-12 ? "PARTIALLY_FILLED" : "FILLED";
    this.report(o, "TRADE", t);
    return t;
  }

  private finish(o: EmuOrder, status: "FILLED" | "CANCELED" | "EXPIRED"): void {
    o.status = status;
    o.updateTime = Date.now();
    this.release(o);
    if (status !== "FILLED") this.report(o, status);
  }

  private release(o: EmuOrder): void {
    if (o.locked <= 0) return;
    const spec = this.spec(o.symbol);
    const bal = this.balance(o.side === "BUY" ? spec.quote : spec.base);
    bal.locked -= o.locked;
    bal.free += o.locked;
    o.locked = 0;
  }

  private cancelOrder(p: Record<string, string>): unknown {
    const o = this.findOrder(p, -2011, "Unknown order sent.");
    if (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED") throw new ApiError(400, -2011, "Unknown order sent.");
    this.finish(o, "CANCELED");
    this.publishAccount(o);
    return { ...this.orderJson(o), origClientOrderId: o.clientOrderId, transactTime: Date.now() };
  }

  /** Resting orders the new book crosses fill; stop orders whose trigger the book reached start. */
  private matchResting(symbol: string): void {
    for (const o of [...this.orders.values()]) {
      if (o.symbol !== symbol || (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED")) continue;
      const fills: Array<Record<string, unknown>> = [];
      if (!o.triggered) this.checkTrigger(o, fills);
      else if (this.crossable(o) > 0) this.match(o, fills);
      if (fills.length > 0 || o.status !== "NEW") this.publishAccount(o);
    }
  }

  private checkTrigger(o: EmuOrder, fills: Array<Record<string, unknown>>): void {
    const book = this.book(o.symbol);
    const ask = book.asks[0]?.[0];
    const bid = book.bids[0]?.[0];
    const stopLoss = o.type.startsWith("STOP_LOSS");
    // A BUY stop-loss triggers when the price rises to the stop, a SELL one when it falls to it; take-profit the other way.
    const up = (o.side === "BUY") === stopLoss;
    const hit = up ? ask !== undefined && ask >= o.stopPrice : bid !== undefined && bid <= o.stopPrice;
    if (!hit) return;
    o.triggered = true;
    this.match(o, fills);
  }

  // ------------------------------------------------------------------ streams

  private onSocket(ws: WebSocket, path: string): void {
    if (path.startsWith("/ws-api/")) {
      ws.on("message", (data) => this.onApiMessage(ws, String(data)));
      ws.on("close", () => this.userSockets.delete(ws));
      return;
    }
    const streams = new Set<string>();
    this.marketSockets.set(ws, streams);
    ws.on("close", () => this.marketSockets.delete(ws));
    ws.on("message", (data) => {
      let msg: { method?: string; params?: string[]; id?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        ws.send(JSON.stringify({ code: 2, msg: "Invalid JSON" }));
        return;
      }
      if (process.env.EMU_DEBUG) console.error("emu ws", JSON.stringify(msg));
      if (msg.method === "SUBSCRIBE") for (const s of msg.params ?? []) streams.add(s);
      else if (msg.method === "UNSUBSCRIBE") for (const s of msg.params ?? []) streams.delete(s);
      ws.send(JSON.stringify({ result: null, id: msg.id }));
    });
  }

  private onApiMessage(ws: WebSocket, text: string): void {
    let msg: { id?: unknown; method?: string; params?: Record<string, unknown> };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    const reply = (status: number, payload: Record<string, unknown>) => ws.send(JSON.stringify({ id: msg.id, status, ...payload }));
    if (msg.method !== "userDataStream.subscribe.signature") {
      reply(400, { error: { code: -1020, msg: "This operation is not supported." } });
      return;
    }
    const params = { ...(msg.params ?? {}) } as Record<string, string>;
    const signature = params.signature;
    delete params.signature;
    if (params.apiKey !== this.apiKey) return reply(401, { error: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." } });
    // The WebSocket API signs the params sorted by name, not URL-encoded.
    const payload = Object.keys(params)
      .sort()
      .map((k) => `${k}=${params[k]}`)
      .join("&");
    const expected = createHmac("sha256", this.secret).update(payload).digest("hex");
    if (signature !== expected) return reply(400, { error: { code: -1022, msg: "Signature for this request is not valid." } });
    try {
      this.checkTimestamp(params);
    } catch (e) {
      const err = e as ApiError;
      return reply(400, { error: { code: err.code, msg: err.message } });
    }
    const id = this.nextSubscriptionId++;
    this.userSockets.set(ws, id);
    reply(200, { result: { subscriptionId: id } });
  }

  private toMarket(stream: string, payload: unknown): void {
    let text: string | undefined;
    for (const [ws, streams] of this.marketSockets) {
      if (!streams.has(stream)) continue;
      text ??= JSON.stringify(payload);
      ws.send(text);
    }
  }

  private toUser(event: unknown): void {
    for (const [ws, id] of this.userSockets) ws.send(JSON.stringify({ subscriptionId: id, event }));
  }

  private publishDepth(symbol: string, bids: Level[], asks: Level[]): void {
    if (bids.length === 0 && asks.length === 0) return;
    const book = this.book(symbol);
    const U = book.updateId + 1;
    book.updateId = U;
    const lower = symbol.toLowerCase();
    const lv = (l: Level[]) => l.map(([p, q]) => [fmt(p), fmt(q)]);
    this.toMarket(`${lower}@depth@100ms`, { e: "depthUpdate", E: Date.now(), s: symbol, U, u: U, b: lv(bids), a: lv(asks) });
    this.toMarket(`${lower}@depth5`, { lastUpdateId: U, bids: lv(book.bids.slice(0, 5)), asks: lv(book.asks.slice(0, 5)) });
  }

  private report(o: EmuOrder, execType: string, t?: EmuTrade): void {
    const spec = this.spec(o.symbol);
    this.toUser({
      e: "executionReport",
      E: Date.now(),
      s: o.symbol,
      c: o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: fmt(o.origQty),
      p: fmt(o.price),
      P: fmt(o.stopPrice),
      F: "0.00000000",
      g: -1,
      C: execType === "CANCELED" ? o.clientOrderId : "",
      x: execType,
      X: o.status,
      r: "NONE",
      i: o.orderId,
      l: fmt(t?.qty ?? 0),
      z: fmt(o.executedQty),
      L: fmt(t?.price ?? 0),
      n: "0",
      N: t ? spec.quote : null,
      T: t?.time ?? o.updateTime,
      t: t?.id ?? -1,
      I: 0,
      w: o.status === "NEW" || o.status === "PARTIALLY_FILLED",
      m: t?.isMaker ?? false,
      M: false,
      O: o.time,
      Z: fmt(o.cummulativeQuoteQty),
      Y: fmt(t ? t.quoteQty : 0),
      Q: "0.00000000",
      W: o.time,
      V: "EXPIRE_MAKER",
    });
  }

  private publishAccount(o: EmuOrder): void {
    const spec = this.spec(o.symbol);
    const B = [spec.base, spec.quote].map((a) => {
      const b = this.balance(a);
      return { a, f: fmt(b.free), l: fmt(b.locked) };
    });
    this.toUser({ e: "outboundAccountPosition", E: Date.now(), u: Date.now(), B });
  }
}

/** The levels of `next` that differ from `prev`, and those of `prev` now gone (quantity 0). */
function diffLevels(prev: Level[], next: Level[]): Level[] {
  const before = new Map(prev.map(([p, q]) => [p, q]));
  const after = new Map(next.map(([p, q]) => [p, q]));
  const out: Level[] = [];
  for (const [p, q] of after) if (before.get(p) !== q) out.push([p, q]);
  for (const p of before.keys()) if (!after.has(p)) out.push([p, 0]);
  return out;
}

export { decimals };

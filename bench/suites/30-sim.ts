/**
 * The simulated exchange: how many ticks it produces (full market model: GBM, 5-level book, day
 * statistics, matching check) next to a naive Math.random tick; the full path gateway → EventEngine
 * → OmsEngine with generation included, next to the same ticks through a bare EventEmitter into a
 * Map; and order round trips (send → matched → trade and order events handled) through MainEngine,
 * next to the same SimExchange reporting through a bare EventEmitter.
 */
import { EventEmitter } from "node:events";
import { SimExchange, SimGateway, type SimInstrument, type SimOrder } from "../../src/gateways/sim/index.js";
import {
  Direction,
  Exchange,
  MainEngine,
  Offset,
  OrderType,
  Product,
  Status,
  createOrderRequest,
  createSubscribeRequest,
  type OrderData,
  type OrderRequest,
  type TickData,
} from "../../src/trader/index.js";
import { best, type BenchRow, type BenchSuite } from "../harness.js";

const SUITE = "sim";
const START = Date.UTC(2024, 0, 2); // a day start: no replay of the day so far
const SETTING = { seed: 1, startTime: START, tickRate: 2 };

/** A deep, still market for round trips: orders never run out of book between ticks. */
const DEEP: SimInstrument = {
  symbol: "DEEP",
  exchange: Exchange.SIM,
  name: "Deep",
  product: Product.FUTURES,
  priceTick: 1,
  size: 1,
  minVolume: 1,
  initialPrice: 1000,
  volatility: 0,
  drift: 0,
  marginRate: 0.1,
  commissionRate: 0,
  limitPct: 0,
  spreadTicks: 1,
  depth: 1e9,
  tickLots: 1,
  openInterest: 0,
  netPosition: false,
};

let sink: unknown;

/** SimGateway.generateTicks without publishing: the market model and the TickData it builds. */
async function simProduction(n: number): Promise<number> {
  const main = new MainEngine(undefined, { log: false, eventEngine: { interval: null } });
  const gw = main.addGateway(SimGateway);
  await main.connect(SETTING, "SIM");
  const t0 = performance.now();
  gw.generateTicks(n, false);
  const rate = n / ((performance.now() - t0) / 1000);
  sink = gw.lastTick;
  await main.close();
  return rate;
}

/** The peer: a tick with a Math.random price and a one-level book, built as a plain object. */
function naiveProduction(n: number): number {
  const symbols = ["rb2410", "IF2412", "BTCUSDT", "600519", "AAPL"];
  let price = 100;
  const t0 = performance.now();
  let last: TickData | undefined;
  for (let i = 0; i < n; i++) {
    price += Math.random() - 0.5;
    const s = symbols[i % 5];
    last = {
      gatewayName: "SIM",
      symbol: s,
      exchange: Exchange.SIM,
      vtSymbol: s + ".SIM",
      datetime: START + i,
      name: s,
      volume: i,
      turnover: i * price,
      openInterest: 0,
      lastPrice: price,
      lastVolume: 1,
      limitUp: 0,
      limitDown: 0,
      openPrice: 100,
      highPrice: 110,
      lowPrice: 90,
      preClose: 100,
      bidPrice1: price - 1,
      bidPrice2: 0,
      bidPrice3: 0,
      bidPrice4: 0,
      bidPrice5: 0,
      askPrice1: price + 1,
      askPrice2: 0,
      askPrice3: 0,
      askPrice4: 0,
      askPrice5: 0,
      bidVolume1: 1,
      bidVolume2: 0,
      bidVolume3: 0,
      bidVolume4: 0,
      bidVolume5: 0,
      askVolume1: 1,
      askVolume2: 0,
      askVolume3: 0,
      askVolume4: 0,
      askVolume5: 0,
    };
  }
  sink = last;
  return n / ((performance.now() - t0) / 1000);
}

/**
 * Produces `n` items in chunks, one chunk per turn of the event loop (a steady feed). With
 * `drained`, the next chunk waits for it: a producer that outruns the engine only grows the queue
 * (and the old generation of the heap), which measures the garbage collector, not the path.
 */
async function stream(n: number, chunk: number, produce: (count: number) => void, drained?: () => Promise<void>): Promise<void> {
  for (let done = 0; done < n;) {
    const c = Math.min(chunk, n - done);
    produce(c);
    done += c;
    if (drained) await drained();
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** SimGateway → EventEngine (two events a tick) → OmsEngine, tick generation included. */
async function fullPath(n: number): Promise<number> {
  const main = new MainEngine(undefined, { log: false, eventEngine: { interval: null } });
  const gw = main.addGateway(SimGateway);
  await main.connect(SETTING, "SIM");
  for (const m of gw.exchange.markets) main.subscribe(createSubscribeRequest({ symbol: m.instrument.symbol, exchange: m.instrument.exchange }), "SIM");
  await main.eventEngine.waitForIdle();
  const t0 = performance.now();
  await stream(
    n,
    2000,
    (c) => gw.generateTicks(c),
    () => main.eventEngine.waitForIdle(),
  );
  await main.eventEngine.waitForIdle();
  const rate = n / ((performance.now() - t0) / 1000);
  if (main.getAllTicks().length !== gw.exchange.markets.length) throw new Error("the OMS did not see every instrument");
  await main.close();
  return rate;
}

/** The peer: the same sim ticks, emitted twice (general and keyed) on a bare EventEmitter into a Map. */
async function emitterPath(n: number): Promise<number> {
  const sim = new SimExchange(SETTING);
  const em = new EventEmitter();
  const ticks = new Map<string, TickData>();
  em.on("eTick.", (t: TickData) => ticks.set(t.vtSymbol, t));
  const keyed = sim.markets.map((m) => "eTick." + m.vtSymbol);
  for (const k of keyed) em.on(k, (t: TickData) => void (sink = t));
  const markets = sim.markets;
  let j = 0;
  const t0 = performance.now();
  await stream(n, 2000, (c) => {
    for (let i = 0; i < c; i++) {
      const m = markets[j];
      sim.stepMarket(m);
      const bp = m.bidPrice,
        ap = m.askPrice,
        bv = m.bidVolume,
        av = m.askVolume,
        ins = m.instrument;
      const t: TickData = {
        gatewayName: "SIM",
        symbol: ins.symbol,
        exchange: ins.exchange,
        vtSymbol: m.vtSymbol,
        datetime: m.time,
        name: ins.name,
        volume: m.volume,
        turnover: m.turnover,
        openInterest: m.openInterest,
        lastPrice: m.lastPrice,
        lastVolume: m.lastVolume,
        limitUp: m.limitUp,
        limitDown: m.limitDown,
        openPrice: m.openPrice,
        highPrice: m.highPrice,
        lowPrice: m.lowPrice,
        preClose: m.preClose,
        bidPrice1: bp[0],
        bidPrice2: bp[1],
        bidPrice3: bp[2],
        bidPrice4: bp[3],
        bidPrice5: bp[4],
        askPrice1: ap[0],
        askPrice2: ap[1],
        askPrice3: ap[2],
        askPrice4: ap[3],
        askPrice5: ap[4],
        bidVolume1: bv[0],
        bidVolume2: bv[1],
        bidVolume3: bv[2],
        bidVolume4: bv[3],
        bidVolume5: bv[4],
        askVolume1: av[0],
        askVolume2: av[1],
        askVolume3: av[2],
        askVolume4: av[3],
        askVolume5: av[4],
      };
      em.emit("eTick.", t);
      em.emit(keyed[j], t);
      if (++j === markets.length) j = 0;
    }
  });
  const rate = n / ((performance.now() - t0) / 1000);
  if (ticks.size !== markets.length) throw new Error("the map did not see every instrument");
  return rate;
}

function roundTripRequests(): [OrderRequest, OrderRequest] {
  const open = createOrderRequest({
    symbol: "DEEP",
    exchange: Exchange.SIM,
    direction: Direction.LONG,
    type: OrderType.MARKET,
    volume: 1,
    offset: Offset.OPEN,
  });
  const close = createOrderRequest({
    symbol: "DEEP",
    exchange: Exchange.SIM,
    direction: Direction.SHORT,
    type: OrderType.MARKET,
    volume: 1,
    offset: Offset.CLOSE,
  });
  return [open, close];
}

/** MainEngine.sendOrder → SimGateway matching → order, trade, position, account events → OMS and a handler. */
async function roundTrips(n: number): Promise<number> {
  const main = new MainEngine(undefined, { log: false, eventEngine: { interval: null } });
  main.addGateway(SimGateway);
  await main.connect({ ...SETTING, instruments: [DEEP], capital: 1e12 }, "SIM");
  await main.eventEngine.waitForIdle();
  let filled = 0;
  let trades = 0;
  main.eventEngine.register("eOrder.", (e) => {
    if (e.data.status === Status.ALLTRADED) filled++;
  });
  main.eventEngine.register("eTrade.", () => void trades++);
  const [open, close] = roundTripRequests();
  let sent = 0;
  const t0 = performance.now();
  await stream(
    n,
    500,
    (c) => {
      for (let i = 0; i < c; i++) main.sendOrder(sent++ % 2 === 0 ? open : close, "SIM");
    },
    () => main.eventEngine.waitForIdle(),
  );
  await main.eventEngine.waitForIdle();
  const rate = n / ((performance.now() - t0) / 1000);
  if (filled !== n || trades !== n) throw new Error(`round trips incomplete: ${filled} filled, ${trades} trades of ${n}`);
  await main.close();
  return rate;
}

/** The peer: the same SimExchange, its reports emitted on a bare EventEmitter into Maps (no queue, no OMS engine). */
async function emitterRoundTrips(n: number): Promise<number> {
  const sim = new SimExchange({ ...SETTING, instruments: [DEEP], capital: 1e12 });
  const em = new EventEmitter();
  const orders = new Map<string, OrderData>();
  let filled = 0;
  let trades = 0;
  const toOrder = (o: SimOrder): OrderData => ({
    gatewayName: "SIM",
    symbol: o.symbol,
    exchange: o.exchange,
    vtSymbol: o.vtSymbol,
    orderid: o.orderid,
    vtOrderid: "SIM." + o.orderid,
    type: o.type,
    direction: o.direction,
    offset: o.offset,
    price: o.price,
    volume: o.volume,
    traded: o.traded,
    status: o.status,
    datetime: o.time,
    reference: o.reference,
    statusMsg: o.reason,
  });
  em.on("eOrder.", (o: OrderData) => {
    orders.set(o.vtOrderid, o);
    if (o.status === Status.ALLTRADED) filled++;
  });
  em.on("eTrade.", () => void trades++);
  sim.listener = {
    onOrder: (o) => em.emit("eOrder.", toOrder(o)),
    onTrade: (t) => em.emit("eTrade.", t),
    onPosition: (p) => em.emit("ePosition.", p),
    onAccount: (a) => em.emit("eAccount.", a),
  };
  const [open, close] = roundTripRequests();
  let sent = 0;
  const t0 = performance.now();
  await stream(n, 500, (c) => {
    for (let i = 0; i < c; i++) sim.sendOrder(sent++ % 2 === 0 ? open : close);
  });
  const rate = n / ((performance.now() - t0) / 1000);
  if (filled !== n || trades !== n) throw new Error(`round trips incomplete: ${filled} filled, ${trades} trades of ${n}`);
  return rate;
}

const suite: BenchSuite = async ({ quick }) => {
  const runs = quick ? 1 : 3;
  const ticks = quick ? 200_000 : 1_000_000;
  const orders = quick ? 50_000 : 200_000;
  const rows: BenchRow[] = [];

  const produced = await best(runs, () => simProduction(ticks));
  const naive = await best(runs, () => naiveProduction(ticks));
  rows.push({
    suite: SUITE,
    name: "ticks produced by the sim (GBM, 5-level book, TickData)",
    value: produced,
    unit: "ticks/s",
    peer: "Math.random tick, 1 level",
    peerValue: naive,
    ratio: produced / naive,
  });

  const full = await best(runs, () => fullPath(ticks));
  const bare = await best(runs, () => emitterPath(ticks));
  rows.push({
    suite: SUITE,
    name: "full path: sim → gateway → EventEngine → OMS",
    value: full,
    unit: "ticks/s",
    peer: "sim → EventEmitter → Map",
    peerValue: bare,
    ratio: full / bare,
    target: ">= 1M ticks/s",
    met: full >= 1_000_000,
  });

  const trips = await best(runs, () => roundTrips(orders));
  const bareTrips = await best(runs, () => emitterRoundTrips(orders));
  rows.push({
    suite: SUITE,
    name: "order round trips: send → match → order+trade events handled",
    value: trips,
    unit: "orders/s",
    peer: "SimExchange → EventEmitter → Map",
    peerValue: bareTrips,
    ratio: trips / bareTrips,
    target: ">= 100k round trips/s",
    met: trips >= 100_000,
  });
  void sink;
  return rows;
};

export default suite;

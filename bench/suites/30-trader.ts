/**
 * The trading core without the simulator: ticks pushed by a gateway through the EventEngine into
 * the OMS (the "full path" minus tick generation; the sim suite measures it with generation),
 * next to eventemitter3 calling the same OMS-like cache synchronously (no queue, no isolation);
 * and the cost of building a TickData with the factory next to a vnpy-style class constructor.
 */
import { EventEmitter as EE3 } from "eventemitter3";
import { pack, unpack } from "msgpackr";
import { BaseGateway, Exchange, MainEngine, createTick, type BarData, type TickData } from "../../src/trader/index.js";
import { best, type BenchRow, type BenchSuite } from "../harness.js";

/** A gateway that only pushes: what a market-data feed does between connect and close. */
class FeedGateway extends BaseGateway {
  static override readonly defaultName: string = "FEED";
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  subscribe(): void {}
  sendOrder(): string {
    return "";
  }
  cancelOrder(): void {}
  queryAccount(): void {}
  queryPosition(): void {}
  queryHistory(): BarData[] {
    return [];
  }
}

function makeTicks(n: number, instruments: number): TickData[] {
  const out = new Array<TickData>(n);
  for (let i = 0; i < n; i++) {
    const p = 100 + (i % 50);
    out[i] = createTick({
      gatewayName: "FEED",
      symbol: `S${i % instruments}`,
      exchange: Exchange.SIM,
      datetime: 1_700_000_000_000 + i,
      lastPrice: p,
      bidPrice1: p - 1,
      askPrice1: p + 1,
      bidVolume1: 10,
      askVolume1: 10,
    });
  }
  return out;
}

/** gateway.onTick (two events per tick) → EventEngine → OmsEngine, pushed in chunks per loop turn. */
async function traderPath(ticks: TickData[], chunk = 2000): Promise<number> {
  const main = new MainEngine(undefined, { log: false, eventEngine: { interval: null } });
  const gw = main.addGateway(FeedGateway);
  const t0 = performance.now();
  let i = 0;
  await new Promise<void>((resolve) => {
    const produce = (): void => {
      const end = Math.min(ticks.length, i + chunk);
      for (; i < end; i++) gw.onTick(ticks[i]);
      if (i < ticks.length) setImmediate(produce);
      else resolve();
    };
    produce();
  });
  await main.eventEngine.waitForIdle();
  const rate = ticks.length / ((performance.now() - t0) / 1000);
  if (main.getAllTicks().length === 0) throw new Error("the OMS saw no ticks");
  await main.close();
  return rate;
}

/** The same double emit, synchronously through eventemitter3 into a Map. */
function ee3Path(ticks: TickData[]): number {
  const em = new EE3();
  const cache = new Map<string, TickData>();
  em.on("eTick.", (tick: TickData) => cache.set(tick.vtSymbol, tick));
  const t0 = performance.now();
  for (let i = 0; i < ticks.length; i++) {
    const tick = ticks[i];
    em.emit("eTick.", tick);
    em.emit("eTick." + tick.vtSymbol, tick);
  }
  if (cache.size === 0) throw new Error("no ticks cached");
  return ticks.length / ((performance.now() - t0) / 1000);
}

/** vnpy's shape: a class whose constructor fills fields and derives vt_symbol. */
class TickClass {
  vtSymbol: string;
  name = "";
  volume = 0;
  turnover = 0;
  openInterest = 0;
  limitUp = 0;
  limitDown = 0;
  openPrice = 0;
  highPrice = 0;
  lowPrice = 0;
  preClose = 0;
  lastVolume = 0;
  bidPrice2 = 0;
  bidPrice3 = 0;
  bidPrice4 = 0;
  bidPrice5 = 0;
  askPrice2 = 0;
  askPrice3 = 0;
  askPrice4 = 0;
  askPrice5 = 0;
  bidVolume2 = 0;
  bidVolume3 = 0;
  bidVolume4 = 0;
  bidVolume5 = 0;
  askVolume2 = 0;
  askVolume3 = 0;
  askVolume4 = 0;
  askVolume5 = 0;
  constructor(
    public gatewayName: string,
    public symbol: string,
    public exchange: string,
    public datetime: number,
    public lastPrice: number,
    public bidPrice1: number,
    public askPrice1: number,
    public bidVolume1: number,
    public askVolume1: number,
  ) {
    this.vtSymbol = symbol + "." + exchange;
  }
}

let sink = 0;
/**
 * Both loops keep what they build for a while, as a feed's consumers do: an object used only on
 * the next line is never allocated at all once the optimizer inlines its constructor, which would
 * time no object against a real one.
 */
const kept = new Array<unknown>(1024);

function factoryRate(n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = createTick({
      gatewayName: "FEED",
      symbol: "S1",
      exchange: Exchange.SIM,
      datetime: 1_700_000_000_000 + i, // epoch ms, as every real tick has (a double, not a small integer)
      lastPrice: i,
      bidPrice1: i - 1,
      askPrice1: i + 1,
      bidVolume1: 10,
      askVolume1: 10,
    });
    kept[i & 1023] = t;
  }
  return n / ((performance.now() - t0) / 1000);
}

function classRate(n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    kept[i & 1023] = new TickClass("FEED", "S1", "SIM", 1_700_000_000_000 + i, i, i - 1, i + 1, 10, 10);
  }
  return n / ((performance.now() - t0) / 1000);
}

function msgpackRate(tick: TickData, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += (unpack(pack(tick)) as TickData).lastPrice;
  return n / ((performance.now() - t0) / 1000);
}

function jsonRate(tick: TickData, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += (JSON.parse(JSON.stringify(tick)) as TickData).lastPrice;
  return n / ((performance.now() - t0) / 1000);
}

const suite: BenchSuite = async ({ quick }) => {
  const runs = quick ? 2 : 4;
  const rows: BenchRow[] = [];

  // First, on a quiet heap (the path below leaves hundreds of MB to collect, and a factory timed
  // while the collector marks them pays for it), the two builders taking turns.
  const n = quick ? 200_000 : 1_000_000;
  let fac = 0;
  let cls = 0;
  for (let r = 0; r < runs; r++) {
    fac = Math.max(fac, factoryRate(n));
    cls = Math.max(cls, classRate(n));
  }
  rows.push({
    suite: "trader",
    name: "createTick (validated, plain object)",
    value: fac,
    unit: "ops/s",
    peer: "vnpy-style class constructor (no validation)",
    peerValue: cls,
    ratio: fac / cls,
  });

  const ticks = makeTicks(quick ? 100_000 : 400_000, 20);

  const path = await best(runs, () => traderPath(ticks));
  const peer = await best(runs, () => ee3Path(ticks));
  rows.push({
    suite: "trader",
    name: "gateway.onTick → EventEngine → OmsEngine (2 events/tick)",
    value: path,
    unit: "ticks/s",
    peer: "eventemitter3 sync emit ×2 → Map",
    peerValue: peer,
    ratio: path / peer,
    target: "full path ≥ 1M ticks/s (issue 3)",
    met: path >= 1_000_000,
  });

  const m = quick ? 20_000 : 100_000;
  const mp = await best(runs, () => msgpackRate(ticks[0], m));
  const js = await best(runs, () => jsonRate(ticks[0], m));
  rows.push({
    suite: "trader",
    name: "TickData msgpack pack+unpack",
    value: mp,
    unit: "ops/s",
    peer: "JSON stringify+parse",
    peerValue: js,
    ratio: mp / js,
  });
  if (sink === 42) console.log(""); // keep the loops' results alive
  return rows;
};

export default suite;

/**
 * The live strategy engine: ticks from the sim through MainEngine (OMS) and CtaEngine into a
 * strategy that builds minute bars and a moving average, next to the same strategy's onTick
 * called from a plain handler on the same engine (what CtaEngine's routing and isolation cost).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CtaApp } from "../../src/apps/cta/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { BarGenerator, CtaTemplate } from "../../src/strategy/index.js";
import { EVENT_TICK, MainEngine, Exchange, createSubscribeRequest, type BarData, type TickData } from "../../src/trader/index.js";
import { best, type BenchRow, type BenchSuite } from "../harness.js";

const SUITE = "cta";
const START = Date.UTC(2024, 0, 2);

class BarMa extends CtaTemplate {
  ma = 0;
  private closes: number[] = [];
  private readonly bg = new BarGenerator((bar) => this.onBar(bar));
  override onTick(tick: TickData): void {
    this.bg.updateTick(tick);
  }
  override onBar(bar: BarData): void {
    this.closes.push(bar.closePrice);
    if (this.closes.length > 20) this.closes.shift();
    let s = 0;
    for (const c of this.closes) s += c;
    this.ma = s / this.closes.length;
  }
}

async function ticksPerSecond(n: number, viaCta: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "tw-bench-cta-"));
  const main = new MainEngine(undefined, { log: false });
  try {
    const gw = main.addGateway(SimGateway);
    // 600 ticks a minute: bars close often enough for onBar to count.
    await main.connect({ seed: 1, startTime: START, tickRate: 10, instruments: "rb2410.SHFE" }, "SIM");
    const cta = main.addApp(CtaApp);
    cta.configure({ stateFile: join(dir, "cta.json") });
    if (viaCta) {
      await cta.addStrategy(BarMa, "ma", "rb2410.SHFE", {});
      await cta.initStrategy("ma");
      await cta.startStrategy("ma");
    } else {
      const s = new BarMa(cta, "ma", "rb2410.SHFE", {});
      main.eventEngine.register(EVENT_TICK, (e) => {
        if (e.data.vtSymbol === s.vtSymbol) s.onTick(e.data);
      });
      await main.subscribe(createSubscribeRequest({ symbol: "rb2410", exchange: Exchange.SHFE }), "SIM");
    }
    const t = performance.now();
    for (let done = 0; done < n; done += 10_000) {
      gw.generateTicks(10_000);
      await main.eventEngine.waitForIdle();
    }
    return (n * 1000) / (performance.now() - t);
  } finally {
    await main.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const suite: BenchSuite = async ({ quick }) => {
  const n = quick ? 50_000 : 500_000;
  const runs = quick ? 1 : 3;
  const rows: BenchRow[] = [];
  // Turns: each run of one is followed by one of the other, so a noisy moment hits both.
  let cta = -Infinity;
  let plain = -Infinity;
  for (let i = 0; i < runs; i++) {
    cta = Math.max(cta, await best(1, () => ticksPerSecond(n, true)));
    plain = Math.max(plain, await best(1, () => ticksPerSecond(n, false)));
  }
  rows.push({
    suite: SUITE,
    name: "sim → MainEngine → CtaEngine → strategy onTick (BarGenerator + MA)",
    value: cta,
    unit: "ticks/s",
    peer: "same strategy's onTick from a plain tick handler",
    peerValue: plain,
    ratio: cta / plain,
  });
  return rows;
};

export default suite;

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/data/index.js";
import { BarGenerator, Interval, type BarData, type TickData } from "../../src/trader/index.js";
import { tickwire } from "../support/tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 90_000 };
const SYMBOLS = ["rb2410.SHFE", "BTCUSDT.BINANCE"];
/** Sim time of the first tick: 2 s before a minute ends, so a run of a few seconds crosses it. */
const START = Date.UTC(2024, 5, 3, 9, 0, 58);
const BOUNDARY = START + 2000;

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function printedTicks(stdout: string): TickData[] {
  // Only whole lines: process.exit may cut the last write to a pipe short.
  return stdout
    .split("\n")
    .slice(0, -1)
    .filter((l) => l.startsWith('{"type":"eTick."'))
    .map((l) => (JSON.parse(l) as { data: TickData }).data);
}

describe("tickwire run --record", () => {
  test("a run killed with SIGINT mid-stream has every tick and bar pushed before the signal in its SQLite file", GUARD, async () => {
    const dir = await mkdtemp(join(tmpdir(), "tickwire-record-"));
    dirs.push(dir);
    const url = `sqlite:${join(dir, "data.sqlite")}`;
    const run = tickwire(
      "run",
      "--json",
      "--no-demo-orders",
      "--tick-rate",
      "20",
      "--start",
      String(START),
      "--instruments",
      SYMBOLS.join(","),
      "--record",
      SYMBOLS.join(","),
      "--record-ticks",
      "--database",
      url,
    );
    // Wait until both instruments have ticks a second into the next minute, then interrupt.
    const crossed = new RegExp(SYMBOLS.map((s) => `(?=[^]*"vtSymbol":"${s.replace(".", "\\.")}","datetime":${BOUNDARY + 1000})`).join(""));
    await run.until(crossed);
    run.child.kill("SIGINT");
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    assert.match(run.stderr(), /SIGINT, closed[^\n]*Recorded \d+ bars and \d+ ticks/);

    const printed = printedTicks(run.stdout());
    const db = await openDatabase(url);
    try {
      for (const vtSymbol of SYMBOLS) {
        const mine = printed.filter((t) => t.vtSymbol === vtSymbol);
        assert.ok(mine.some((t) => t.datetime < BOUNDARY) && mine.some((t) => t.datetime > BOUNDARY), "the run crossed the minute");
        const stored = new Map((await db.loadTicks({ vtSymbol })).map((t) => [t.datetime, t]));
        for (const tick of mine) assert.deepEqual(stored.get(tick.datetime), tick, `tick of ${vtSymbol} at ${tick.datetime}`);

        // The finished minute: exactly the bar of the printed ticks (all of that minute were printed).
        const expected: BarData[] = [];
        const bg = new BarGenerator((b) => expected.push(b));
        for (const tick of mine) bg.updateTick(tick);
        const bars = await db.loadBars({ vtSymbol, interval: Interval.MINUTE });
        assert.deepEqual(
          bars.map((b) => b.datetime),
          [BOUNDARY - 60_000, BOUNDARY],
        );
        assert.deepEqual(bars[0], expected[0]);
        // The minute in progress at the signal was written too, holding at least the printed ticks.
        const last = mine.filter((t) => t.datetime >= BOUNDARY);
        assert.equal(bars[1].openPrice, last[0].lastPrice);
        assert.ok(bars[1].highPrice >= Math.max(...last.map((t) => t.lastPrice)), "high covers the printed ticks");
        assert.ok(bars[1].lowPrice <= Math.min(...last.map((t) => t.lastPrice)), "low covers the printed ticks");
      }
    } finally {
      await db.close();
    }
  });

  test("an instrument the paper exchange does not have is refused with exit code 2", GUARD, async () => {
    const dir = await mkdtemp(join(tmpdir(), "tickwire-record-"));
    dirs.push(dir);
    const run = tickwire(
      "run",
      "--json",
      "--no-demo-orders",
      "--instruments",
      "rb2410.SHFE",
      "--record",
      "XX1.SHFE",
      "--database",
      `sqlite:${join(dir, "d.sqlite")}`,
    );
    const { code } = await run.exit;
    assert.equal(code, 2);
    assert.match(run.stderr(), /cannot record XX1\.SHFE: not an instrument of gateway SIM/);
  });
});

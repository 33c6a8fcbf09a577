import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { tickwire } from "../support/tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 60_000 };

const INSTRUMENTS = ["rb2410.SHFE", "IF2412.CFFEX", "BTCUSDT.BINANCE", "600519.SSE", "AAPL.NASDAQ"];

describe("tickwire run", () => {
  test("without demo orders it prints a line per instrument and the account, and exits 0 on SIGINT", GUARD, async () => {
    const run = tickwire("run", "--no-demo-orders", "--seed", "3", "--tick-rate", "20");
    await run.until(/AAPL\.NASDAQ[^\n]*\d/);
    run.child.kill("SIGINT");
    const { code } = await run.exit;
    assert.equal(code, 0);
    const out = run.stdout();
    for (const vt of INSTRUMENTS) assert.match(out, new RegExp(`${vt.replace(".", "\\.")} +[\\d,.]+ +[\\d,.]+ +[\\d,.]+ +[+-]?[\\d,.]+`));
    assert.match(out, /ACCOUNT\n +SIM\.PAPER +balance +1,000,000\.00/);
    assert.match(out, /events\/s/);
    assert.match(out, /ORDERS \(0 active of 0\)/);
    // what was logged before the view started (connecting, the exchange opening) is in its LOG section
    assert.match(out, /LOG \(wall clock, UTC\)\n(?: {2}\d\d:\d\d:\d\d [A-Z]+ +\S+: [^\n]*\n)*? {2}\d\d:\d\d:\d\d INFO +SIM: Paper exchange open/);
    assert.match(run.stderr(), /SIGINT, closed/);
  });

  test("the header shows the market's time, the one of the TIME column, not the wall clock", GUARD, async () => {
    const run = tickwire("run", "--no-demo-orders", "--instruments", "rb2410.SHFE", "--start", "2024-06-03T09:30:00Z", "--tick-rate", "20");
    const m = await run.until(/market time (\d\d:\d\d:\d\d) UTC[^]*?\nrb2410\.SHFE [^\n]* (\d\d:\d\d:\d\d)\n/);
    run.child.kill("SIGINT");
    assert.equal((await run.exit).code, 0);
    assert.equal(m[1], m[2]);
    assert.match(m[1], /^09:3\d:\d\d$/);
  });

  test("with demo orders, orders, trades and positions appear", GUARD, async () => {
    const run = tickwire("run", "--seed", "4", "--tick-rate", "20");
    // trade ids (SIM.T1) are never of an order id's form (SIM.12)
    await run.until(/TRADES \([1-9]\d*\)\n {2}\d\d:\d\d:\d\d SIM\.T\d+ +\w+ [^\n]*\(order SIM\.\d+\)/);
    await run.until(/POSITIONS\n {2}(?!\(flat\))\S+ +(LONG|SHORT|NET)/);
    run.child.kill("SIGINT");
    const { code } = await run.exit;
    assert.equal(code, 0);
    assert.match(run.stdout(), /ORDERS \(\d+ active of [1-9]\d*\)/);
  });

  test("SIGTERM also closes cleanly with exit code 0", GUARD, async () => {
    const run = tickwire("run", "--no-demo-orders", "--instruments", "rb2410.SHFE");
    await run.until(/rb2410\.SHFE +[\d,]+/);
    run.child.kill("SIGTERM");
    const { code } = await run.exit;
    assert.equal(code, 0);
    assert.match(run.stderr(), /SIGTERM, closed/);
    assert.doesNotMatch(run.stdout(), /AAPL/);
  });

  test("--json prints the event stream as JSON lines, each update once", GUARD, async () => {
    const run = tickwire("run", "--json", "--no-demo-orders", "--tick-rate", "20", "--instruments", "rb2410.SHFE,AAPL.NASDAQ");
    await run.until(/("type":"eTick\."[^\n]*\n[^]*){6}/);
    run.child.kill("SIGINT");
    const { code } = await run.exit;
    assert.equal(code, 0);
    const events = run
      .stdout()
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { type: string; data: { vtSymbol?: string } });
    const types = new Set(events.map((e) => e.type));
    assert.ok(types.has("eContract.") && types.has("eTick.") && types.has("eAccount.") && types.has("eLog"));
    assert.ok(![...types].some((t) => t.startsWith("eTick.r") || t === "eTimer"), "keyed duplicates and timer beats are left out");
    assert.deepEqual([...new Set(events.filter((e) => e.type === "eContract.").map((e) => e.data.vtSymbol))].sort(), ["AAPL.NASDAQ", "rb2410.SHFE"]);
  });

  test("the same --seed and --start show the same market", GUARD, async () => {
    const firstLine = async (seed: string) => {
      // One tick a minute: the frame shows the opening tick only.
      const run = tickwire(
        "run",
        "--no-demo-orders",
        "--seed",
        seed,
        "--start",
        "2024-06-03T09:30:00Z",
        "--tick-rate",
        "0.02",
        "--instruments",
        "BTCUSDT.BINANCE",
      );
      await run.until(/BTCUSDT\.BINANCE +[\d,.]+[^\n]*\n/);
      run.child.kill("SIGINT");
      assert.equal((await run.exit).code, 0);
      return /BTCUSDT\.BINANCE +[\d,.]+[^\n]*/.exec(run.stdout())![0];
    };
    const a = await firstLine("5");
    assert.equal(await firstLine("5"), a);
    assert.notEqual(await firstLine("6"), a);
  });

  test("an unknown instrument is refused with its error code and exit code 1", GUARD, async () => {
    const run = tickwire("run", "--instruments", "XX.SHFE", "--no-demo-orders");
    const { code } = await run.exit;
    assert.equal(code, 1);
    assert.match(run.stderr(), /TW_SIM_UNKNOWN_INSTRUMENT: Unknown instrument "XX\.SHFE"/);
  });
});

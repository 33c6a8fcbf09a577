import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { BinanceEmulator } from "../support/binanceEmulator.js";
import { TEST_KEY, TEST_SECRET } from "../support/ccxtHarness.js";
import { ROOT } from "./tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 60_000 };

const emulators: BinanceEmulator[] = [];
after(async () => {
  await Promise.all(emulators.map((e) => e.close()));
});

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "run", ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", ...env } });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => void (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => void (err += d));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const until = async (re: RegExp) => {
    while (!re.test(out)) {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, exit, until, out: () => out, err: () => err };
}

test("tickwire run --gateway ccxt --exchange binance: contracts, ticks and the account from the exchange, keys from the environment", GUARD, async () => {
  const emu = await BinanceEmulator.start({ apiKey: TEST_KEY, secret: TEST_SECRET });
  emulators.push(emu);
  emu.setBook("BTCUSDT", [[99.99, 1]], [[100.01, 1]]);
  const p = run(["--gateway", "ccxt", "--exchange", "binance", "--ccxt-url", emu.httpUrl, "--ccxt-symbols", "BTC/USDT", "--json"], {
    TICKWIRE_CCXT_KEY: TEST_KEY,
    TICKWIRE_CCXT_SECRET: TEST_SECRET,
  });
  await p.until(/"type":"eContract\.","data":\{"gatewayName":"BINANCE","symbol":"BTCUSDT"/);
  await p.until(/"type":"eAccount\.","data":\{"gatewayName":"BINANCE","accountid":"USDT"[^\n]*"balance":100000/);
  while (!emu.hasSubscriber("btcusdt@ticker")) await new Promise((r) => setTimeout(r, 20));
  emu.publishTicker("BTCUSDT", 100);
  await p.until(/"type":"eTick\.","data":\{"gatewayName":"BINANCE","symbol":"BTCUSDT"[^\n]*"lastPrice":100,/);
  // No demonstration orders on a real exchange.
  assert.equal(emu.requests.filter((r) => r === "POST /api/v3/order").length, 0);
  p.child.kill("SIGINT");
  assert.equal(await p.exit, 0);
  assert.doesNotMatch(p.out() + p.err(), new RegExp(`${TEST_SECRET}|${TEST_KEY}`));
  assert.doesNotMatch(p.out(), /ETHUSDT/);
});

test("tickwire run --gateway ccxt with a wrong secret exits 1 with TW_CCXT_AUTH and no key in the output", GUARD, async () => {
  const emu = await BinanceEmulator.start({ apiKey: TEST_KEY, secret: TEST_SECRET });
  emulators.push(emu);
  const p = run(["--gateway", "ccxt", "--ccxt-url", emu.httpUrl, "--json"], { TICKWIRE_CCXT_KEY: TEST_KEY, TICKWIRE_CCXT_SECRET: "not-the-secret-4242" });
  assert.equal(await p.exit, 1);
  assert.match(p.err(), /TW_CCXT_AUTH: fetchBalance: binance \{"code":-1022,"msg":"Signature for this request is not valid\."\}/);
  assert.doesNotMatch(p.out() + p.err(), /not-the-secret-4242|tw-test-key/);
});

test("tickwire run refuses an option of the other market instead of ignoring it", GUARD, async () => {
  const ccxt = run(["--gateway", "ccxt", "--seed", "3", "--tick-rate", "10", "--json"], {});
  assert.equal(await ccxt.exit, 1);
  assert.match(ccxt.err(), /--seed, --tick-rate are for --gateway sim, not --gateway ccxt/);
  const sim = run(["--sandbox", "--ccxt-symbols", "BTC/USDT", "--json"], {});
  assert.equal(await sim.exit, 1);
  assert.match(sim.err(), /--sandbox, --ccxt-symbols are for --gateway ccxt, not --gateway sim/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CtaState } from "../../src/apps/cta/index.js";
import { ROOT, tickwire, type Proc } from "./tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 120_000 };
const DAY_MS = 86_400_000;

const ENDPOINTS = /requests (tcp:\/\/127\.0\.0\.1:\d+) publications (tcp:\/\/127\.0\.0\.1:\d+)/;

interface Vars {
  inited: boolean;
  trading: boolean;
  pos: number;
  barsLoaded: number;
  firstBar: number;
  lastBar: number;
  ticksSeen: number;
  ordersSent: number;
  tradesSeen: number;
  tripsDone: number;
}

function events<T>(proc: Proc, type: string): T[] {
  return proc
    .stdout()
    .split("\n")
    .filter((l) => l.startsWith(`{"type":"${type}"`))
    .map((l) => (JSON.parse(l) as { data: T }).data);
}

const strategyStates = (proc: Proc) =>
  events<{ strategyName: string; parameters: Record<string, unknown>; variables: Vars; error?: string }>(proc, "eCtaStrategy").filter(
    (d) => d.strategyName === "rt",
  );

async function stop(proc: Proc): Promise<void> {
  proc.child.kill("SIGINT");
  const { code } = await proc.exit;
  assert.equal(code, 0, proc.stderr());
}

test(
  "tickwire client --strategies runs the CTA engine over RPC: history, ticks, orders and fills through the server's sim; state survives a restart",
  GUARD,
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-cta12-client-"));
    const file = join(dir, "strategies.json");
    const stateFile = join(dir, "cta_state.json");
    const entry = (trips: number) => [
      { name: "rt", file: join(ROOT, "test/fixtures/cta-roundtrip-strategy.ts"), vtSymbol: "rb2410.SHFE", setting: { trips, warmupDays: 1 } },
    ];
    const server = tickwire(
      "serve",
      "--rep",
      "tcp://127.0.0.1:*",
      "--pub",
      "tcp://127.0.0.1:*",
      "--tick-rate",
      "20",
      "--instruments",
      "rb2410.SHFE",
      "--log-level",
      "DEBUG",
    );
    try {
      const [, req, sub] = await server.until(ENDPOINTS);
      const client = (trips: number): Proc => {
        writeFileSync(file, JSON.stringify(entry(trips)));
        return tickwire("client", "--req", req, "--sub", sub, "--json", "--strategies", file, "--strategy-state", stateFile);
      };

      // First run: one round trip.
      const first = client(1);
      try {
        await first.until(/"type":"eCtaStrategy","data":\{"strategyName":"rt"[^\n]*"tripsDone":1/);
        // The strategy counts a trip at its second trade, which can come before that order's ALLTRADED update.
        await first.until(/"status":"ALLTRADED"[\s\S]*"status":"ALLTRADED"/);
      } finally {
        await stop(first);
      }
      const states = strategyStates(first);
      assert.ok(
        states.every((s) => s.error === undefined),
        "the strategy did not fail",
      );
      const started = states.find((s) => s.variables.trading)!;
      assert.ok(started, "the strategy was started");
      assert.equal(started.parameters.trips, 1);
      const done = states.find((s) => s.variables.tripsDone === 1)!;
      // loadBar went over RPC to the server's sim history: a day of minute bars before the first tick.
      assert.ok(done.variables.barsLoaded > 60, `bars loaded over RPC: ${done.variables.barsLoaded}`);
      assert.ok(
        done.variables.lastBar - done.variables.firstBar <= DAY_MS && done.variables.lastBar - done.variables.firstBar > DAY_MS / 2,
        "the bars span the day asked for",
      );
      assert.ok(done.variables.ticksSeen > 0, "ticks came over RPC");
      assert.equal(done.variables.ordersSent, 2);
      assert.equal(done.variables.tradesSeen, 2);
      assert.equal(done.variables.pos, 0);
      // The fills came back from the server's sim, as the RPC gateway's trades.
      const trades = events<{ vtTradeid: string; vtOrderid: string; direction: string; gatewayName: string; volume: number }>(first, "eTrade.");
      assert.deepEqual(
        trades.map((t) => [t.gatewayName, t.direction, t.volume]),
        [
          ["RPC", "LONG", 1],
          ["RPC", "SHORT", 1],
        ],
      );
      const orders = events<{ vtOrderid: string; reference: string; status: string }>(first, "eOrder.");
      const filled = orders.filter((o) => o.status === "ALLTRADED");
      assert.equal(filled.length, 2);
      assert.ok(
        filled.every((o) => o.reference === "cta:rt"),
        "the orders carry their strategy's reference",
      );
      const log = server.stdout() + server.stderr();
      assert.match(log, /call queryHistory ok/);
      assert.match(log, /call sendOrder ok/);

      // The state file: the variables, the order→strategy map and the trades counted.
      const saved = JSON.parse(readFileSync(stateFile, "utf8")) as CtaState;
      assert.equal(saved.strategies.rt.variables.tripsDone, 1);
      assert.equal(saved.strategies.rt.variables.tradesSeen, 2);
      assert.deepEqual(Object.values(saved.orders), ["rt", "rt"]);
      assert.deepEqual(Object.keys(saved.orders).sort(), [...new Set(trades.map((t) => t.vtOrderid))].sort());
      assert.deepEqual([...saved.trades].sort(), trades.map((t) => t.vtTradeid).sort());

      // Second run, one more trip allowed: the counters and pos carry on from the state file (restored
      // at init), and the new fills are added to the map and the trades counted.
      const second = client(2);
      try {
        await second.until(/"type":"eCtaStrategy","data":\{"strategyName":"rt"[^\n]*"tripsDone":2/);
      } finally {
        await stop(second);
      }
      const again = strategyStates(second);
      const inited = again.find((s) => s.variables.inited)!;
      assert.equal(inited.variables.tripsDone, 1);
      assert.equal(inited.variables.tradesSeen, 2);
      assert.equal(inited.variables.pos, 0);
      const last = again[again.length - 1];
      assert.equal(last.variables.tradesSeen, 4);
      assert.equal(last.variables.pos, 0);
      const all = events<{ vtTradeid: string }>(second, "eTrade.");
      assert.equal(new Set(all.map((t) => t.vtTradeid)).size, 4, "the server reports the first run's two fills and this run's two");
      const resaved = JSON.parse(readFileSync(stateFile, "utf8")) as CtaState;
      assert.equal(resaved.strategies.rt.variables.tripsDone, 2);
      assert.equal(Object.keys(resaved.orders).length, 4);
      assert.equal(resaved.trades.length, 4);
    } finally {
      server.child.kill("SIGINT");
      await server.exit;
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("tickwire client with a bad strategies file stops at once with TW_CLI_STRATEGIES, before waiting for a server", GUARD, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tw-cta12-client-"));
  try {
    const file = join(dir, "strategies.json");
    writeFileSync(file, JSON.stringify([{ name: "x", vtSymbol: "rb2410.SHFE" }]));
    // Nothing listens on this port: the client would wait for ever if it did not check first.
    const client = tickwire("client", "--req", "tcp://127.0.0.1:1", "--sub", "tcp://127.0.0.1:2", "--json", "--strategies", file);
    const { code } = await client.exit;
    assert.equal(code, 1);
    assert.match(client.stderr(), /TW_CLI_STRATEGIES|entry 0 \(x\) needs a "file"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

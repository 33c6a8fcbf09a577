import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const reporter = fileURLToPath(new URL("../fixtures/report-packages.mjs", import.meta.url));

/** Libraries that take tens of milliseconds to load each, or open native bindings. */
const HEAVY = ["zeromq", "amqplib", "piscina", "pino", "pino-pretty", "fastify", "better-sqlite3", "pg", "msgpackr", "ccxt"];

/** What importing each entry point may load; anything else heavy is a regression. */
const ALLOWED: Record<string, string[]> = {
  "src/index.ts": [],
  "src/trader/index.ts": [],
  "src/gateways/sim/index.ts": [],
  "src/strategy/index.ts": [],
  "src/data/index.ts": [],
  "src/apps/cta/index.ts": [],
  "src/apps/risk/index.ts": [],
  "src/apps/recorder/index.ts": [],
  "src/apps/backtest/index.ts": [],
  // The workers have their own entry point: tickwire/event (and the bus through it) no longer loads piscina.
  "src/event/index.ts": [],
  "src/workers/index.ts": ["piscina"],
  // ccxt is loaded when a CcxtGateway connects, not when the gateway is imported.
  "src/gateways/ccxt/index.ts": [],
  "src/rpc/index.ts": ["zeromq", "msgpackr"],
  "src/gateways/rpc/index.ts": ["zeromq", "msgpackr"],
  "src/apps/rpc-service/index.ts": ["zeromq", "msgpackr"],
  "src/bus/index.ts": ["amqplib", "msgpackr"],
  "src/apps/bus-bridge/index.ts": ["amqplib", "msgpackr"],
  "src/apps/web/index.ts": ["fastify"],
};

async function packagesLoadedBy(file: string): Promise<Set<string>> {
  const { stderr } = await run(
    process.execPath,
    ["--import", "tsx", "--import", reporter, "--input-type=module", "-e", `await import(${JSON.stringify("./" + file)})`],
    {
      cwd: root,
    },
  );
  return new Set([...stderr.matchAll(/^PACKAGE (\S+)$/gm)].map((m) => m[1]));
}

for (const [file, allowed] of Object.entries(ALLOWED)) {
  test(`importing ${file} loads no heavy library but ${allowed.length ? allowed.join(", ") : "none"}`, async () => {
    const loaded = await packagesLoadedBy(file);
    assert.deepEqual(
      HEAVY.filter((p) => loaded.has(p) && !allowed.includes(p)),
      [],
    );
  });
}

test("the reporter sees a heavy library when one is loaded", async () => {
  const loaded = await packagesLoadedBy("src/rpc/RpcServer.ts");
  assert.ok(loaded.has("zeromq"), "the check would pass vacuously otherwise");
});

test("a MainEngine with a console log loads pino when it is built, not when its module is imported", async () => {
  // pino is required (CommonJS) by the LogEngine, so it shows in the require cache, not in ESM resolution.
  const script = [
    'const { createRequire } = await import("node:module");',
    "const cache = createRequire(import.meta.url).cache;",
    'const hasPino = () => Object.keys(cache).some((k) => k.includes("/node_modules/pino/"));',
    'const { MainEngine } = await import("./src/trader/MainEngine.ts");',
    "const before = hasPino();",
    'await new MainEngine(undefined, { log: { console: "json", consoleStream: "stderr" } }).close();',
    "console.log(JSON.stringify({ before, after: hasPino() }));",
  ].join("\n");
  const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
  assert.deepEqual(JSON.parse(stdout), { before: false, after: true });
});

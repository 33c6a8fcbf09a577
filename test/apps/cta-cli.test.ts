import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, tickwire } from "../support/tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 60_000 };

test("tickwire run --strategies starts the strategies of the file, streams their state and saves it", GUARD, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tw-cta-cli-"));
  try {
    const file = join(dir, "strategies.json");
    writeFileSync(
      file,
      JSON.stringify([
        {
          name: "ma1",
          file: join(ROOT, "test/fixtures/cta-ma-strategy.ts"),
          vtSymbol: "rb2410.SHFE",
          setting: { fastWindow: 2, slowWindow: 4, warmupDays: 0 },
        },
        { name: "ma2", className: "ParityMaStrategy", vtSymbol: "IF2412.CFFEX", setting: { warmupDays: 0 } },
      ]),
    );
    const run = tickwire(
      "run",
      "--json",
      "--no-demo-orders",
      "--instruments",
      "rb2410.SHFE,IF2412.CFFEX",
      "--strategies",
      file,
      "--strategy-state",
      join(dir, "cta_state.json"),
    );
    await run.until(/"type":"eCtaStrategy","data":\{"strategyName":"ma2"[^\n]*"trading":true/);
    run.child.kill("SIGINT");
    const { code } = await run.exit;
    assert.equal(code, 0);
    const started = run
      .stdout()
      .split("\n")
      .filter((l) => l.startsWith('{"type":"eCtaStrategy"'))
      .map(
        (l) =>
          (JSON.parse(l) as { data: { strategyName: string; className: string; parameters: Record<string, unknown>; variables: { trading: boolean } } }).data,
      )
      .filter((d) => d.variables.trading);
    assert.deepEqual([...new Set(started.map((d) => d.strategyName))].sort(), ["ma1", "ma2"]);
    assert.equal(started.find((d) => d.strategyName === "ma1")?.parameters.fastWindow, 2);
    const state = JSON.parse(readFileSync(join(dir, "cta_state.json"), "utf8")) as { strategies: Record<string, { className: string }> };
    assert.deepEqual(Object.keys(state.strategies).sort(), ["ma1", "ma2"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a strategies file with an entry naming neither a file nor a class is refused with what to fix", async () => {
  const { readStrategiesFile } = await import("../../src/cli/strategies.js");
  const dir = mkdtempSync(join(tmpdir(), "tw-cta-cli-"));
  try {
    const file = join(dir, "strategies.json");
    writeFileSync(file, JSON.stringify([{ name: "x", vtSymbol: "rb2410.SHFE" }]));
    assert.throws(() => readStrategiesFile(file), { code: "TW_CLI_STRATEGIES", message: /entry 0 \(x\) needs a "file"/ });
    writeFileSync(file, "{ not json");
    assert.throws(() => readStrategiesFile(file), { code: "TW_CLI_STRATEGIES" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

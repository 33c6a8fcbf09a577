import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MainEngine } from "../../src/trader/index.js";

const SCRIPT = fileURLToPath(new URL("../fixtures/run-until-signal.ts", import.meta.url));

function runScript(signal: NodeJS.Signals): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let sent = false;
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    // ticks keep coming: the process is alive on its own; now ask it to stop
    if (!sent && out.includes("ticking")) {
      sent = true;
      child.kill(signal);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => void (err += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out, err })));
}

describe("MainEngine.run()", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`keeps a script alive until ${signal}, then closes apps, gateways and the event engine and resolves`, async () => {
      const { code, out, err } = await runScript(signal);
      assert.equal(code, 0, `exit ${code}\n${out}\n${err}`);
      const lines = out.trim().split("\n");
      assert.deepEqual(lines, [
        "ticking",
        // the app closes first, while the gateway is still connected and the engine running
        "app closed; gateway CONNECTED; engine running true",
        `run resolved ${signal}; gateway DISCONNECTED; engine running false`,
      ]);
    });
  }

  test('a close() from elsewhere ends run() with "closed"; run() twice is one run', async () => {
    const main = new MainEngine(undefined, { log: false });
    const run = main.run();
    assert.equal(main.run(), run);
    await main.close();
    assert.equal(await run, "closed");
    assert.equal(main.eventEngine.running, false);
  });

  test("run({ signals: [] }) is TW_TRADER_BAD_OPTION", async () => {
    const main = new MainEngine(undefined, { log: false });
    await assert.rejects(main.run({ signals: [] }), (e: unknown) => (e as { code?: string }).code === "TW_TRADER_BAD_OPTION");
    await main.close();
  });
});

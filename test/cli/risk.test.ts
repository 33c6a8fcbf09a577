import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tickwire } from "../support/tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 60_000 };

describe("tickwire run --risk", () => {
  test("demo orders past the file's limits are refused: eRisk and REJECTED orders in the stream, the state file beside it", GUARD, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tickwire-risk-cli-"));
    const file = join(dir, "risk.json");
    writeFileSync(file, JSON.stringify({ orderSizeLimit: 0.001, timezone: "Asia/Shanghai" }));
    const run = tickwire("run", "--json", "--tick-rate", "20", "--instruments", "rb2410.SHFE", "--risk", file);
    await run.until(/"type":"eRisk","data":\{"kind":"refusal","rule":"orderSizeLimit"/);
    await run.until(/"status":"REJECTED"[^\n]*orderSizeLimit 0\.001/);
    run.child.kill("SIGINT");
    const { code } = await run.exit;
    assert.equal(code, 0);
    assert.ok(existsSync(join(dir, "risk.state.json")));
  });

  test("a risk file with an unknown rule stops the command with TW_RISK_BAD_OPTION", GUARD, async () => {
    const file = join(mkdtempSync(join(tmpdir(), "tickwire-risk-cli-")), "risk.json");
    writeFileSync(file, JSON.stringify({ orderSizeLimt: 1 }));
    const run = tickwire("run", "--json", "--risk", file);
    const { code } = await run.exit;
    assert.equal(code, 1);
    assert.match(run.stderr(), /TW_RISK_BAD_OPTION: .*risk\.json: Unknown risk rule "orderSizeLimt"/);
  });
});

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/data/index.js";
import { ROOT, tickwire } from "../support/tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 60_000 };
const GOLDEN = join(ROOT, "../shared/golden/vnpy-double-ma/bars.csv");
const dir = mkdtempSync(join(tmpdir(), "tw-cli-data-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("tickwire data", () => {
  test("import of vnpy's bars.csv stores every row, and list shows the series", GUARD, async () => {
    const url = `sqlite:${join(dir, "import.sqlite")}`;
    const imp = tickwire("data", "import", GOLDEN, "--symbol", "rb2410.SHFE", "--interval", "1m", "--database", url);
    assert.equal((await imp.exit).code, 0, imp.stderr());
    assert.match(imp.stdout(), /imported 20000 bars of rb2410\.SHFE 1m from 2024-01-02T09:00:00\.000Z/);
    const list = tickwire("data", "list", "--database", url);
    assert.equal((await list.exit).code, 0, list.stderr());
    assert.match(list.stdout(), /rb2410\.SHFE +1m +20000 +2024-01-02T09:00:00\.000Z +2024-01-16T06:19:00\.000Z/);
  });

  test("a bad row makes import exit 1 naming its line, and nothing is saved", GUARD, async () => {
    const url = `sqlite:${join(dir, "bad.sqlite")}`;
    const file = join(dir, "bad.csv");
    writeFileSync(file, "datetime,open,high,low,close,volume\n2024-01-02T09:00:00Z,1,2,1,2,3\n2024-01-02T09:01:00Z,1,2,1,oops,3\n");
    const imp = tickwire("data", "import", file, "--symbol", "rb2410.SHFE", "--interval", "1m", "--database", url);
    assert.equal((await imp.exit).code, 1);
    assert.match(imp.stderr(), /TW_DATA_CSV: .*bad\.csv line 3: close "oops" is not a number/);
    const db = await openDatabase(url);
    assert.deepEqual(await db.barOverview(), []);
    await db.close();
  });

  test("fetch stores the paper exchange's history of the days asked", GUARD, async () => {
    const url = `sqlite:${join(dir, "fetch.sqlite")}`;
    const run = tickwire("data", "fetch", "--gateway", "SIM", "--symbol", "rb2410.SHFE", "--days", "1", "--database", url);
    assert.equal((await run.exit).code, 0, run.stderr());
    const db = await openDatabase(url);
    const [row] = await db.barOverview();
    await db.close();
    assert.equal(row.vtSymbol, "rb2410.SHFE");
    assert.ok(row.count >= 1440 && row.count <= 1441, `count ${row.count}`);
    assert.match(run.stdout(), new RegExp(`fetched ${row.count} bars of rb2410\\.SHFE 1m from SIM`));
  });
});

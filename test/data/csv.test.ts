import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { isTickwireError } from "../../src/event/index.js";
import { exportBarsCsv, importBarsCsv, openDatabase, type Database } from "../../src/data/index.js";
import { bars } from "./suite.js";

const GOLDEN = fileURLToPath(new URL("../../../shared/golden/vnpy-double-ma/bars.csv", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tw-data-csv-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function fresh(): Promise<Database> {
  return openDatabase(`sqlite:${join(dir, `db${++n}.sqlite`)}`);
}
function csv(text: string): string {
  const file = join(dir, `in${++n}.csv`);
  writeFileSync(file, text);
  return file;
}
const q = { vtSymbol: "rb2410.SHFE", interval: "1m" as const };
const HEADER = "datetime,open,high,low,close,volume,turnover,open_interest\n";

test("vnpy's bars.csv imports whole, every value as in the file", async () => {
  const db = await fresh();
  const result = await importBarsCsv(db, GOLDEN, q);
  const lines = readFileSync(GOLDEN, "utf8").trim().split("\n").slice(1);
  assert.equal(result.saved, lines.length);
  const loaded = await db.loadBars(q);
  assert.equal(loaded.length, lines.length);
  for (const i of [0, 1234, lines.length - 1]) {
    const [dt, o, h, l, c, v, t, oi] = lines[i].split(",");
    assert.deepEqual(
      [
        loaded[i].datetime,
        loaded[i].openPrice,
        loaded[i].highPrice,
        loaded[i].lowPrice,
        loaded[i].closePrice,
        loaded[i].volume,
        loaded[i].turnover,
        loaded[i].openInterest,
      ],
      [Date.parse(dt), +o, +h, +l, +c, +v, +t, +oi],
    );
  }
  const [row] = await db.barOverview();
  assert.deepEqual([row.count, row.start, row.end], [lines.length, Date.parse(lines[0].split(",")[0]), Date.parse(lines.at(-1)!.split(",")[0])]);
  await db.close();
});

test("a bad row stops the import with its line number and what is wrong, and the database stays as it was", async () => {
  const db = await fresh();
  const before = bars("rb2410", 2, Date.parse("2024-01-02T09:00:00Z"));
  await db.saveBars(before);
  const file = csv(HEADER + "2024-01-02T09:00:00Z,1,2,1,2,3,4,5\n2024-01-02T09:01:00Z,1,2,1,2,3,4,5\n2024-01-02T09:02:00Z,5,4,6,5,1,1,1\n");
  await assert.rejects(
    importBarsCsv(db, file, q),
    (e: unknown) =>
      isTickwireError(e, "TW_DATA_CSV") && /line 4: highPrice 4 is below lowPrice 6/.test(e.message) && /Nothing of the file was saved/.test(e.message),
  );
  assert.deepEqual(await db.loadBars(q), before);
  await db.close();
});

test("a large file read twice and saved in batches also saves nothing when a late row is bad, and everything when none is", async () => {
  const db = await fresh();
  const rows = Array.from({ length: 10 }, (_, i) => `${new Date(Date.UTC(2024, 0, 2, 1, i)).toISOString()},1,2,1,2,3,4,5`);
  const large = { ...q, batchSize: 3, maxInMemoryBytes: 0 };
  await assert.rejects(importBarsCsv(db, csv(HEADER + rows.join("\n") + "\n2024-01-02T09:00:00Z,1,2,1,-2,3,4,5\n"), large), /line 12: closePrice -2/);
  assert.deepEqual(await db.loadBars(q), []);
  assert.equal((await importBarsCsv(db, csv(HEADER + rows.join("\n")), large)).saved, 10);
  assert.equal((await db.loadBars(q)).length, 10);
  await db.close();
});

test("with skipBad the good rows are saved and the bad ones listed by line", async () => {
  const db = await fresh();
  const file = csv(
    HEADER + "2024-01-02T09:00:00Z,1,2,1,2,3,4,5\n2024-01-02T09:01:00Z,x,2,1,2,3,4,5\nnot a time,1,2,1,2,3,4,5\n2024-01-02T09:03:00Z,1,2,1,2,3,4,5\n",
  );
  const result = await importBarsCsv(db, file, { ...q, skipBad: true });
  assert.equal(result.saved, 2);
  assert.deepEqual(
    result.bad.map((b) => b.line),
    [3, 4],
  );
  assert.match(result.bad[0].problem, /open "x" is not a number/);
  assert.equal((await db.loadBars(q)).length, 2);
  await db.close();
});

test("other header names map with columns, and a datetime format is read in the given time zone", async () => {
  const db = await fresh();
  const file = csv("time,o,h,l,c,vol\n2024-01-02 09:00:00,1,2,1,2,3\n2024-01-02 09:01:00,2,3,1,2,4\n");
  await importBarsCsv(db, file, {
    ...q,
    columns: { datetime: "time", open: "o", high: "h", low: "l", close: "c", volume: "vol" },
    datetimeFormat: "yyyy-MM-dd HH:mm:ss",
    timezone: "Asia/Shanghai",
  });
  const loaded = await db.loadBars(q);
  assert.deepEqual(
    loaded.map((b) => [b.datetime, b.openPrice, b.volume, b.turnover]),
    [
      [Date.parse("2024-01-02T01:00:00Z"), 1, 3, 0],
      [Date.parse("2024-01-02T01:01:00Z"), 2, 4, 0],
    ],
  );
  await db.close();
});

test("a datetime without an offset and no time zone is a bad row that says to give --timezone", async () => {
  const db = await fresh();
  const file = csv(HEADER + "2024-01-02T09:00:00,1,2,1,2,3,4,5\n");
  await assert.rejects(
    importBarsCsv(db, file, q),
    (e: unknown) => isTickwireError(e, "TW_DATA_CSV") && /line 2: .*no UTC offset: give --timezone/.test(e.message),
  );
  await db.close();
});

test("a file without a required column is refused naming it and the header found", async () => {
  const db = await fresh();
  const file = csv("time,open,high,low,close\n2024-01-02T09:00:00Z,1,2,1,2\n");
  await assert.rejects(
    importBarsCsv(db, file, q),
    (e: unknown) => isTickwireError(e, "TW_DATA_CSV") && /no column "datetime" \(its header: time, open/.test(e.message),
  );
  await db.close();
});

test("exported CSV imports back to the same bars", async () => {
  const a = await fresh();
  const saved = bars("rb2410", 30, Date.parse("2024-01-02T09:00:00Z")).map((b) => ({ ...b, gatewayName: "CSV" }));
  await a.saveBars(saved);
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d.toString()));
  assert.equal(await exportBarsCsv(a, q, out), 30);
  const b = await fresh();
  await importBarsCsv(b, csv(text), q);
  assert.deepEqual(await b.loadBars(q), saved);
  await a.close();
  await b.close();
});

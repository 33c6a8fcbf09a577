import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { isTickwireError } from "../../src/event/index.js";
import { openDatabase } from "../../src/data/index.js";
import { admin, cutOff, scratchDatabase, skipPg } from "./pg.js";
import { bars, storeSuite } from "./suite.js";

let store: { url: string; name: string; drop: () => Promise<void> } | undefined;
if (!skipPg) {
  store = await scratchDatabase("store");
  after(() => store!.drop());
}

storeSuite("PostgreSQL", { open: () => openDatabase(store!.url), skip: skipPg });

describe("PostgreSQL store", { skip: skipPg }, () => {
  let other: { url: string; drop: () => Promise<void> };
  before(async () => {
    other = await scratchDatabase("other");
  });
  after(() => other.drop());

  test("a database holding tables of another program is refused with TW_DATA_NOT_TICKWIRE and left as it was", async () => {
    const raw = new pg.Client({ connectionString: other.url });
    await raw.connect();
    await raw.query("CREATE TABLE dbbardata (id serial PRIMARY KEY, symbol text)");
    await assert.rejects(openDatabase(other.url), (e: unknown) => isTickwireError(e, "TW_DATA_NOT_TICKWIRE") && /dbbardata/.test(e.message));
    const tables = await raw.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    assert.deepEqual(
      tables.rows.map((r) => r.table_name),
      ["dbbardata"],
    );
    await raw.end();
  });

  test("a server that does not answer gives TW_DATA_UNAVAILABLE with the URL", async () => {
    const url = "postgres://postgres@127.0.0.1:1/nothing";
    await assert.rejects(openDatabase(url), (e: unknown) => isTickwireError(e, "TW_DATA_UNAVAILABLE") && e.message.includes(url));
  });

  test("a database that does not exist gives TW_DATA_UNAVAILABLE saying to create it", async () => {
    const url = store!.url.replace(/\/[^/]*$/, "/tw_test_missing_db");
    await assert.rejects(openDatabase(url), (e: unknown) => isTickwireError(e, "TW_DATA_UNAVAILABLE") && /createdb/.test(e.message));
  });

  test("re-saving a range that overlaps stored bars takes the upsert path and counts only the new bars", async () => {
    const db = await openDatabase(store!.url);
    try {
      await db.saveBars(bars("overlap", 10));
      const again = bars("overlap", 20).map((b) => ({ ...b, closePrice: b.closePrice + 0.5 }));
      await db.saveBars(again);
      assert.deepEqual(await db.loadBars({ vtSymbol: "overlap.SHFE", interval: "1m" }), again);
      assert.equal((await db.barOverview()).find((o) => o.symbol === "overlap")?.count, 20);
    } finally {
      await db.close();
    }
  });

  test("after the server drops the store's connections, the next calls reconnect and see the data", async () => {
    const db = await openDatabase(store!.url);
    try {
      await db.saveBars(bars("dropped", 3));
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${store!.name}' AND pid <> pg_backend_pid()`);
      // The first call may meet a connection dropped under it (TW_DATA_UNAVAILABLE); none after it does.
      await db.loadBars({ vtSymbol: "dropped.SHFE", interval: "1m" }).catch((e: unknown) => {
        if (!isTickwireError(e, "TW_DATA_UNAVAILABLE")) throw e;
      });
      await db.saveBars(bars("dropped", 5));
      assert.deepEqual(await db.loadBars({ vtSymbol: "dropped.SHFE", interval: "1m" }), bars("dropped", 5));
    } finally {
      await db.close();
    }
  });

  test("while its database refuses connections the store fails with TW_DATA_UNAVAILABLE, and works again after", async () => {
    const scratch = await scratchDatabase("outage");
    const db = await openDatabase(scratch.url);
    try {
      await db.saveBars(bars("outage", 2));
      const cut = await cutOff(scratch.name);
      try {
        await assert.rejects(db.saveBars(bars("outage", 4)), (e: unknown) => isTickwireError(e, "TW_DATA_UNAVAILABLE") && e.message.includes(db.url));
        await assert.rejects(db.loadBars({ vtSymbol: "outage.SHFE", interval: "1m" }), (e: unknown) => isTickwireError(e, "TW_DATA_UNAVAILABLE"));
      } finally {
        await cut.restore();
      }
      await db.saveBars(bars("outage", 4));
      assert.deepEqual(await db.loadBars({ vtSymbol: "outage.SHFE", interval: "1m" }), bars("outage", 4));
    } finally {
      await db.close();
      await scratch.drop();
    }
  });
});

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { isTickwireError } from "../../src/event/index.js";
import { openDatabase, parseDatabaseUrl, resolveDatabaseUrl } from "../../src/data/index.js";
import { bars, storeSuite } from "./suite.js";

const dir = mkdtempSync(join(tmpdir(), "tw-data-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const url = `sqlite:${join(dir, "nested", "store.sqlite")}`;

storeSuite("SQLite", { open: () => openDatabase(url), skip: false });

test("a new SQLite store is in WAL mode and records its schema version", async () => {
  const file = join(dir, "wal.sqlite");
  const db = await openDatabase(`sqlite:${file}`);
  await db.close();
  const raw = new BetterSqlite3(file, { readonly: true });
  assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
  assert.deepEqual(raw.prepare("SELECT version FROM tickwire_schema").pluck().all(), [1]);
  raw.close();
});

test("a file that is not a SQLite database is refused with TW_DATA_NOT_TICKWIRE and left as it was", async () => {
  const file = join(dir, "notes.txt");
  const text = "datetime,open\n".repeat(400);
  writeFileSync(file, text);
  await assert.rejects(openDatabase(`sqlite:${file}`), (e: unknown) => isTickwireError(e, "TW_DATA_NOT_TICKWIRE") && e.message.includes(file));
  assert.equal(readFileSync(file, "utf8"), text);
});

test("a SQLite database of another program is refused with TW_DATA_NOT_TICKWIRE and left as it was", async () => {
  const file = join(dir, "other.sqlite");
  const raw = new BetterSqlite3(file);
  raw.exec("CREATE TABLE dbbardata (id INTEGER PRIMARY KEY, symbol TEXT)");
  raw.close();
  const before = readFileSync(file);
  await assert.rejects(openDatabase(`sqlite:${file}`), (e: unknown) => isTickwireError(e, "TW_DATA_NOT_TICKWIRE") && /dbbardata/.test(e.message));
  assert.deepEqual(readFileSync(file), before);
});

test("a store written by a newer schema is refused with TW_DATA_SCHEMA_TOO_NEW", async () => {
  const file = join(dir, "newer.sqlite");
  await (await openDatabase(`sqlite:${file}`)).close();
  const raw = new BetterSqlite3(file);
  raw.prepare("INSERT INTO tickwire_schema (version, applied_at) VALUES (99, 0)").run();
  raw.close();
  await assert.rejects(openDatabase(`sqlite:${file}`), (e: unknown) => isTickwireError(e, "TW_DATA_SCHEMA_TOO_NEW"));
});

test("a path that cannot be created gives TW_DATA_UNAVAILABLE with the URL", async () => {
  const file = join(dir, "plain-file");
  writeFileSync(file, "x");
  const bad = `sqlite:${join(file, "sub", "data.sqlite")}`;
  await assert.rejects(openDatabase(bad), (e: unknown) => isTickwireError(e, "TW_DATA_UNAVAILABLE") && e.message.includes(bad));
});

test("data saved survives closing and opening the file again", async () => {
  const file = `sqlite:${join(dir, "reopen.sqlite")}`;
  const first = await openDatabase(file);
  await first.saveBars(bars("re", 3));
  await first.close();
  const second = await openDatabase(file);
  assert.deepEqual(await second.loadBars({ vtSymbol: "re.SHFE", interval: "1m" }), bars("re", 3));
  await second.close();
});

test("the URL is the argument, else TICKWIRE_DATABASE, else sqlite:.tickwire/data.sqlite", () => {
  assert.equal(resolveDatabaseUrl("sqlite:a.sqlite", { TICKWIRE_DATABASE: "sqlite:b.sqlite" }), "sqlite:a.sqlite");
  assert.equal(resolveDatabaseUrl(undefined, { TICKWIRE_DATABASE: "sqlite:b.sqlite" }), "sqlite:b.sqlite");
  assert.equal(resolveDatabaseUrl(undefined, {}), "sqlite:.tickwire/data.sqlite");
});

test("URLs parse to their backend; a password is hidden; other schemes give TW_DATA_BAD_URL", () => {
  assert.deepEqual(parseDatabaseUrl("sqlite:///tmp/x.sqlite"), { backend: "sqlite", url: "sqlite:///tmp/x.sqlite", path: "/tmp/x.sqlite" });
  assert.deepEqual(parseDatabaseUrl("sqlite:rel/x.sqlite"), { backend: "sqlite", url: "sqlite:rel/x.sqlite", path: "rel/x.sqlite" });
  const pg = parseDatabaseUrl("postgres://u:secret@h:5432/d");
  assert.equal(pg.url, "postgres://u:***@h:5432/d");
  assert.throws(
    () => parseDatabaseUrl("mysql://h/d"),
    (e: unknown) => isTickwireError(e, "TW_DATA_BAD_URL"),
  );
});

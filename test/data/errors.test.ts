import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as data from "../../src/data/index.js";

test("docs/data.md lists every error code tickwire/data exports", () => {
  const docs = readFileSync(new URL("../../docs/data.md", import.meta.url), "utf8");
  const codes = Object.entries(data)
    .filter(([k, v]) => k.startsWith("TW_DATA_") && v === k)
    .map(([k]) => k);
  assert.ok(codes.length >= 9, `found only ${codes.join(", ")}`);
  for (const code of codes) assert.ok(docs.includes("`" + code + "`"), `${code} is not in docs/data.md`);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesUnder(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : [],
  );
}

/** Every relative module specifier in a file: import/export … from "…", and import("…"). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)["'](\.[^"']+)["']/g)].map((m) => m[1]);
  return specs.map((s) => relative(src, resolve(dirname(file), s)));
}

test("src/bus imports only src/bus and src/event (the trading adapter lives in src/apps/bus-bridge)", () => {
  const outside: string[] = [];
  for (const file of filesUnder(join(src, "bus"))) {
    for (const target of relativeImports(file)) {
      // src/errorCodes.ts holds only the catalogue's types (erased at build), shared by every layer.
      if (target === "errorCodes.js") continue;
      if (!target.startsWith("bus/") && !target.startsWith("event/")) outside.push(`${relative(src, file)} → ${target}`);
    }
  }
  assert.deepEqual(outside, []);
});

test("src/bus and src/event import files, not the barrels of src/event or src/bus", () => {
  const barrels: string[] = [];
  for (const file of [...filesUnder(join(src, "bus")), ...filesUnder(join(src, "event"))]) {
    if (file.endsWith("index.ts")) continue;
    for (const target of relativeImports(file)) if (/(^|\/)index\.js$/.test(target)) barrels.push(`${relative(src, file)} → ${target}`);
  }
  assert.deepEqual(barrels, []);
});

test("src/event loads no worker code (piscina lives behind tickwire/workers)", () => {
  const found: string[] = [];
  for (const file of filesUnder(join(src, "event"))) {
    const text = readFileSync(file, "utf8");
    if (/["']piscina["']/.test(text)) found.push(relative(src, file));
    for (const target of relativeImports(file)) if (target.startsWith("workers/")) found.push(`${relative(src, file)} → ${target}`);
  }
  assert.deepEqual(found, []);
});

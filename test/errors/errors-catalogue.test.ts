import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ERROR_LAYERS } from "../../src/errorCatalogue.js";
import { TickwireError, isTickwireError } from "../../src/event/errors.js";
import { renderErrorsDoc } from "../../scripts/errors-doc.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const src = join(root, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|js)$/.test(e.name) ? [p] : [];
  });
}

/** Codes written in src/ outside the catalogues. A name ending in "_" is a prefix (`startsWith("TW_RISK_")`), not a code. */
function codesUsedInSrc(): Map<string, string> {
  const used = new Map<string, string>();
  for (const file of sourceFiles(src)) {
    if (file.endsWith("errorCodes.ts") || file.endsWith("errorCatalogue.ts")) continue;
    for (const m of readFileSync(file, "utf8").matchAll(/\bTW_[A-Z0-9_]+/g)) {
      if (!m[0].endsWith("_") && !used.has(m[0])) used.set(m[0], file.slice(root.length));
    }
  }
  return used;
}

const catalogued = new Map<string, string>();
for (const layer of ERROR_LAYERS) for (const code of Object.keys(layer.codes)) catalogued.set(code, layer.folder);
const docs = readFileSync(join(root, "docs/errors.md"), "utf8");
// The code tables, not the table of renamed codes at the end.
const documented = new Set([...docs.split("## Renamed codes")[0].matchAll(/^\| `(TW_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]));

test("every code used in src/ is in its layer's catalogue", () => {
  const missing = [...codesUsedInSrc()].filter(([code]) => !catalogued.has(code)).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(missing, [], "add these to the layer's errorCodes.ts, then run npm run docs:errors");
});

test("every catalogued code is still used in src/", () => {
  const used = codesUsedInSrc();
  assert.deepEqual(
    [...catalogued.keys()].filter((code) => !used.has(code)),
    [],
  );
});

test("docs/errors.md lists every code of the catalogues and only those, as npm run docs:errors writes it", () => {
  const used = codesUsedInSrc();
  assert.deepEqual([...used.keys()].filter((code) => !documented.has(code)).sort(), [], "codes used in src/ but not in docs/errors.md");
  assert.deepEqual([...documented].filter((code) => !used.has(code)).sort(), [], "codes in docs/errors.md no longer used in src/");
  assert.equal(docs, renderErrorsDoc(), "docs/errors.md is stale: run npm run docs:errors");
});

test("each code belongs to the layer with the longest matching prefix, with a meaning and a fix", () => {
  for (const layer of ERROR_LAYERS) {
    for (const [code, info] of Object.entries(layer.codes)) {
      const owner = ERROR_LAYERS.filter((l) => code.startsWith(l.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
      assert.equal(owner.folder, layer.folder, `${code} is in the ${layer.folder} catalogue but has the prefix of ${owner.folder}`);
      assert.ok(info.meaning.length > 10 && info.fix.length > 5, `${code} needs a meaning and a fix`);
    }
  }
});

test("a bad option is spelled TW_<LAYER>_BAD_OPTION in every layer", () => {
  const other = [...catalogued.keys()].filter((code) => /_(OPTIONS|INVALID_OPTION|SETTINGS?|BAD_SETTING|PARAMETERS|BAD_CONFIG)$/.test(code));
  assert.deepEqual(other, []);
  for (const code of catalogued.keys()) {
    if (code.endsWith("_BAD_OPTION"))
      assert.ok(
        ERROR_LAYERS.some((l) => code === `${l.prefix}BAD_OPTION`),
        code,
      );
  }
});

test("isTickwireError tells codes apart and narrows to the code asked for", () => {
  const err: unknown = new TickwireError("TW_RPC_TIMEOUT", "no reply");
  assert.equal(isTickwireError(err, "TW_RPC_TIMEOUT"), true);
  assert.equal(isTickwireError(err, "TW_RPC_STOPPED"), false);
  assert.equal(isTickwireError(new Error("x")), false);
  if (isTickwireError(err, "TW_RPC_TIMEOUT")) {
    const code: "TW_RPC_TIMEOUT" = err.code; // compiles only because the guard narrows
    assert.equal(code, "TW_RPC_TIMEOUT");
  }
});

test("every layer's subpath exports the one TickwireError, isTickwireError and its own catalogue", async () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json");
  for (const subpath of subpaths) {
    const file = join(src, subpath === "." ? "" : subpath.slice(2), "index.ts");
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    assert.equal(mod.TickwireError, TickwireError, `${subpath} exports TickwireError`);
    assert.equal(mod.isTickwireError, isTickwireError, `${subpath} exports isTickwireError`);
    const layer = ERROR_LAYERS.find((l) => l.folder === subpath.slice(2));
    if (layer) assert.ok(Object.values(mod).includes(layer.codes), `${subpath} exports its catalogue`);
  }
});

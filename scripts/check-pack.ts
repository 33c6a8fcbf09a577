/**
 * `npm run check:pack`: what a user of the published package gets. Packs the package (`npm pack`,
 * which runs `prepack`, a clean build), checks the tarball ships what the README links (dist, docs,
 * LICENSE, CHANGELOG.md) and that its source maps carry their sources, installs the tarball into a
 * fresh temporary project (`npm install <tgz>`, dependencies from the npm cache when they are there)
 * imports every subpath listed in "exports" from that project, and compiles (tsc --strict) and runs
 * the README's first example and its trading example against the installed package. Run by .ci/run.
 *
 * Options: --no-build (pack with --ignore-scripts, the dist/ already built), --keep (leave the
 * temporary project and print where it is).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { checkDocExamples, extractBlocks, type DocBlock } from "./check-doc-examples.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; exports: Record<string, unknown>; scripts: Record<string, string> };
const failures: string[] = [];
const fail = (m: string) => failures.push(m);

const work = mkdtempSync(join(tmpdir(), "tickwire-pack-"));
try {
  // 1. pack
  const packArgs = ["pack", "--json", "--pack-destination", work, ...(args.has("--no-build") ? ["--ignore-scripts"] : [])];
  const packed = JSON.parse(execFileSync("npm", packArgs, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const tgz = join(work, packed[0].filename);
  const files = new Set(packed[0].files.map((f) => f.path));
  console.log(`packed ${packed[0].filename}: ${files.size} files`);
  if (!pkg.scripts.prepack) fail('package.json has no "prepack" script: a fresh clone would pack without dist/');
  for (const need of ["LICENSE", "README.md", "CHANGELOG.md", "package.json", "docs/trader.md", "dist/index.js", "dist/index.d.ts", "dist/cli/main.js"]) {
    if (!files.has(need)) fail(`the tarball has no ${need}`);
  }
  for (const [sub, target] of Object.entries(pkg.exports)) {
    const t = typeof target === "string" ? target : (target as { import: string; types: string });
    for (const p of typeof t === "string" ? [t] : [t.import, t.types]) {
      if (!files.has(p.replace(/^\.\//, ""))) fail(`exports["${sub}"] points at ${p}, which is not in the tarball`);
    }
  }
  // every source map resolves: its sources are inlined (tsconfig inlineSources)
  const maps = [...files].filter((f) => f.endsWith(".js.map"));
  if (maps.length === 0) fail("the tarball has no source maps");
  let missing = 0;
  const ex = join(work, "x");
  execFileSync("mkdir", ["-p", ex]);
  execFileSync("tar", ["-xzf", tgz, "-C", ex]);
  for (const m of maps) {
    const map = JSON.parse(readFileSync(join(ex, "package", m), "utf8")) as { sources: string[]; sourcesContent?: Array<string | null> };
    const ok = map.sources.every((s, i) => map.sourcesContent?.[i] != null || existsSync(join(ex, "package", dirname(m), s)));
    if (!ok && missing++ < 3) fail(`the source map ${m} names sources that are neither shipped nor inlined (${map.sources.join(", ")})`);
  }
  console.log(`source maps: ${maps.length}, unresolved: ${missing}`);

  // 2. install into a fresh project
  const app = join(work, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "tickwire-consumer", version: "1.0.0", private: true, type: "module" }, null, 2));
  const inst = spawnSync("npm", ["install", tgz, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: app,
    encoding: "utf8",
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (inst.status !== 0) throw new Error(`npm install ${tgz} failed (exit ${inst.status})`);

  // 3. import every subpath
  const subpaths = Object.keys(pkg.exports).filter((s) => s !== "./package.json");
  const script = subpaths
    .map((s) => {
      const spec = s === "." ? pkg.name : `${pkg.name}/${s.slice(2)}`;
      return `try { const m = await import(${JSON.stringify(spec)}); console.log(${JSON.stringify(spec)}, Object.keys(m).length); if (Object.keys(m).length === 0) { console.error("no exports from ${spec}"); process.exitCode = 1; } } catch (e) { console.error("FAIL import ${spec}:", e.message); process.exitCode = 1; }`;
    })
    .join("\n");
  writeFileSync(join(app, "imports.mjs"), script + "\n");
  const run = spawnSync(process.execPath, ["imports.mjs"], { cwd: app, encoding: "utf8", stdio: ["ignore", "inherit", "inherit"] });
  if (run.status !== 0) fail(`importing the subpaths from the installed tarball failed (exit ${run.status})`);
  // 4. the README's first examples, as a user copies them: the event engine and the trading core
  // (which runs until SIGINT), compiled with tsc --strict and run against the installed package
  const readmeFences = extractBlocks("README.md", readFileSync(join(ROOT, "README.md"), "utf8")).blocks.map((b) => b.fence);
  const firstExamples = (b: DocBlock) => b.file === "README.md" && (b.fence === readmeFences[0] || b.flags.has("sigint"));
  const docs = await checkDocExamples(["README.md"], { tickwire: join(app, "node_modules", "tickwire"), filter: firstExamples });
  console.log(`README examples against the installed tarball: ${docs.ran} run (${docs.blocks.map((b) => `README.md:${b.fence}`).join(", ")})`);
  if (docs.ran < 2) fail(`expected to run the README's first example and its trading example, ran ${docs.ran}`);
  for (const f of docs.failures) fail(f);
  const bin = spawnSync(join(app, "node_modules", ".bin", "tickwire"), ["--help"], { cwd: app, encoding: "utf8" });
  if (bin.status !== 0 || !/Usage/i.test(bin.stdout)) fail(`the installed "tickwire --help" failed (exit ${bin.status}): ${bin.stderr}`);
} finally {
  if (args.has("--keep")) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`check:pack failed:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log("check:pack ok");

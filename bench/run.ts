/**
 * `npm run bench [-- --json] [-- --quick] [suite ...]`: runs the suites in bench/suites and prints
 * one table (or JSON with --json). Each suite compares itself with a peer in the same run.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { fmt, type BenchRow, type BenchSuite } from "./harness.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const quick = args.includes("--quick");
const only = args.filter((a) => !a.startsWith("--"));
const dir = join(dirname(fileURLToPath(import.meta.url)), "suites");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));

const rows: BenchRow[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: BenchSuite };
  if (!json) process.stderr.write(`running ${f} ...\n`);
  rows.push(...(await mod.default({ quick })));
}

if (json) {
  process.stdout.write(JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2) + "\n");
} else {
  const head = ["suite", "benchmark", "value", "peer", "peer value", "ratio", "target", "met"];
  const body = rows.map((r) => [
    r.suite,
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.peer ?? "",
    r.peerValue === undefined ? "" : `${fmt(r.peerValue)} ${r.unit}`,
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}x`,
    r.target ?? "",
    r.met === undefined ? "" : r.met ? "yes" : "no",
  ]);
  const lines = [head, head.map(() => "---"), ...body].map((cells) => `| ${cells.join(" | ")} |`);
  process.stdout.write(lines.join("\n") + "\n");
}
process.exit(0);

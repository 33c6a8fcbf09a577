/**
 * `npm test`: every test/<area>/*.test.ts in two phases. First the files run side by side (most
 * of the suite waits on sockets, brokers and spawned CLIs, not on the CPU, so several files share
 * a core well); then the files marked `@serial` (in a comment: they disturb what other files
 * share, e.g. they stop the RabbitMQ broker) run one at a time, alone.
 *
 *   npm test                          # all of it
 *   npm test -- test/cli test/bus/center.test.ts   # some files or folders
 *   TICKWIRE_TEST_CONCURRENCY=1 npm test          # one file at a time
 *
 * Options starting with `--`, written `--name=value` (`--test-reporter=spec`,
 * `--test-name-pattern=...`), go to both `node --test` runs.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Files at once in the first phase. Node's default (cores - 1) is 1 on a two-core machine. */
const CONCURRENCY = Number(process.env.TICKWIRE_TEST_CONCURRENCY ?? 6);
const SERIAL = /^\s*(\/\/|\*|\/\*).*@serial\b/m;

function testFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(join(path, e.name)) : e.name.endsWith(".test.ts") ? [join(path, e.name)] : []))
    .sort();
}

const args = process.argv.slice(2);
const options = args.filter((a) => a.startsWith("--"));
const paths = args.filter((a) => !a.startsWith("--"));
const files = (paths.length > 0 ? paths : [join(ROOT, "test")]).flatMap((p) => testFiles(resolve(p))).map((f) => relative(ROOT, f));
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1)
  throw new Error(`TICKWIRE_TEST_CONCURRENCY must be a whole number of at least 1, not ${process.env.TICKWIRE_TEST_CONCURRENCY}`);
if (files.length === 0) throw new Error(`no test files (*.test.ts) in ${paths.join(" ")}`);

const serial = files.filter((f) => SERIAL.test(readFileSync(join(ROOT, f), "utf8")));
const parallel = files.filter((f) => !serial.includes(f));

function nodeTest(list: string[], concurrency: number): number {
  if (list.length === 0) return 0;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...options, ...list], {
    cwd: ROOT,
    stdio: "inherit",
  });
  return r.status ?? 1;
}

const first = nodeTest(parallel, CONCURRENCY);
if (serial.length > 0) console.log(`# serial phase, alone: ${serial.join(" ")}`);
const second = nodeTest(serial, 1);
process.exitCode = first || second;

/**
 * The `tickwire` CLI as the tests run it: the built `dist/cli/main.js` under plain Node (no tsx to
 * load and no TypeScript to compile in every child), its output collected. `npm test` builds first
 * (`pretest`); a test file run on its own fails at once, saying so, when src/ is newer than dist/.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = join(ROOT, "dist", "cli", "main.js");

/** The newest file under `dir` and its modification time. */
function newest(dir: string): { file: string; mtimeMs: number } {
  let best = { file: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory() ? newest(path) : { file: path, mtimeMs: statSync(path).mtimeMs };
    if (found.mtimeMs > best.mtimeMs) best = found;
  }
  return best;
}

function assertBuilt(): void {
  let built: { file: string; mtimeMs: number };
  try {
    statSync(CLI);
    // The newest output, not main.js: an incremental build rewrites only what changed.
    built = newest(join(ROOT, "dist"));
  } catch {
    throw new Error(`${CLI} is missing: the CLI tests run the built CLI. Run \`npm run build\` first (npm test does).`);
  }
  const src = newest(join(ROOT, "src"));
  if (src.mtimeMs > built.mtimeMs) {
    throw new Error(`dist/ is older than ${src.file.slice(ROOT.length)}: the CLI tests run the built CLI. Run \`npm run build\` first (npm test does).`);
  }
}
assertBuilt();

/** A `tickwire` command running, its output collected. */
export interface Proc {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** The complete lines of stdout so far. */
  lines: () => string[];
  /**
   * Resolves with the match once stdout (or stderr, with `{ stream: "stderr" }`) matches `re`;
   * rejects if the process exits first, or after `timeoutMs` (default 60 s), showing the output.
   */
  until: (re: RegExp, options?: { stream?: "stdout" | "stderr"; timeoutMs?: number }) => Promise<RegExpExecArray>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcessWithoutNullStreams>();
// A failed test must not leave a child behind it (one that holds a port, a queue or a lock).
process.once("exit", () => {
  for (const c of running) c.kill("SIGKILL");
});

export function tickwire(...args: string[]): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
  running.add(child);
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  const check = () => {
    for (const w of waiters) w();
  };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    check();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    check();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // "close", not "exit": the output is complete then.
    child.on("close", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const show = () => `\n--- stdout:\n${out}\n--- stderr:\n${err}`;
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    lines: () => out.split("\n").slice(0, -1),
    until: (re, options = {}) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const timeoutMs = options.timeoutMs ?? 60_000;
        const done = () => {
          waiters.delete(look);
          clearTimeout(timer);
        };
        const look = () => {
          const m = re.exec(options.stream === "stderr" ? err : out);
          if (m) {
            done();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`tickwire ${args.join(" ")} printed no ${re} in ${timeoutMs} ms:${show()}`));
        }, timeoutMs).unref();
        waiters.add(look);
        look();
        void exit.then(({ code, signal }) => {
          if (!waiters.has(look)) return;
          done();
          reject(new Error(`tickwire ${args.join(" ")} exited (${code ?? signal}) before printing ${re}:${show()}`));
        });
      }),
    exit,
  };
}

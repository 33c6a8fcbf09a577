import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A `tickwire` command spawned from source, its output collected. */
export interface Proc {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the match once stdout matches `re`; rejects if the process exits first. */
  until: (re: RegExp) => Promise<RegExpExecArray>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function tickwire(...args: string[]): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
  let out = "";
  let err = "";
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const m = waiters[i].re.exec(out);
      if (m) {
        waiters[i].resolve(m);
        waiters.splice(i, 1);
      }
    }
  };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    check();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => void (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    until: (re) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        waiters.push({ re, resolve });
        check();
        void exit.then(({ code }) => reject(new Error(`tickwire exited (${code}) before printing ${re}:\n${out}\n${err}`)));
      }),
    exit,
  };
}

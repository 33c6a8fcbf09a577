/** How a long-running command (`run`, `serve`, `client`, `web`) ends: on a signal, or when it gives up. */
export interface ShutdownSpec {
  /** The command's name in the closing line ("tickwire run"). */
  name: string;
  /** Closes what the command opened, in order. */
  close: () => Promise<unknown>;
  /** Most milliseconds to wait for `close` before exiting anyway ("timeout" in the closing line). */
  deadlineMs: number;
  /** What follows "<signal>, closed after N s" in the closing line, with its final period. */
  summary?: () => string;
  /** When the command started (epoch ms), for the "after N s"; default now. */
  started?: number;
}

export interface Shutdown {
  /** Closes once (later calls do nothing), prints the closing line and exits with `exitCode`, else process.exitCode, else 0 (1 when closing failed). */
  (signal: string, exitCode?: number): Promise<void>;
  /** True once shutting down began: start-up steps check it and start nothing more. */
  readonly closing: boolean;
}

/** The command's shutdown, called on SIGINT and SIGTERM. */
export function shutdownOnSignals(spec: ShutdownSpec): Shutdown {
  const started = spec.started ?? Date.now();
  let closing = false;
  const shutdown = async (signal: string, exitCode = 0): Promise<void> => {
    if (closing) return;
    closing = true;
    const deadline = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), spec.deadlineMs).unref());
    let code = exitCode || (typeof process.exitCode === "number" ? process.exitCode : 0);
    try {
      const how = await Promise.race([spec.close().then(() => "closed" as const), deadline]);
      const after = ((Date.now() - started) / 1000).toFixed(1);
      process.stderr.write(`${spec.name}: ${signal}, ${how} after ${after} s${spec.summary ? spec.summary() : "."}\n`);
    } catch (e) {
      process.stderr.write(`${spec.name}: closing failed: ${String(e)}\n`);
      code = 1;
    }
    process.exit(code);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  return Object.defineProperty(shutdown, "closing", { get: () => closing }) as Shutdown;
}

import type { StopOptions } from "../event/engineOptions.js";
import { TickwireError } from "../event/errors.js";
import type { BaseEngine } from "./BaseEngine.js";
import type { BaseGateway, TraderEventEngine } from "./BaseGateway.js";
import { LogLevel } from "./constants.js";
import type { LogEngine } from "./LogEngine.js";
import { MAIN_ENGINE_LOG_SOURCE, noop, type MainEngineRunOptions } from "./mainEngineOptions.js";
import { createLog } from "./objects.js";
import { describeValue } from "./requestChecks.js";

/** What a MainEngine closes, in the order it closes them. */
export interface ClosingParts {
  /** The apps' engines, oldest first (closed newest first). */
  appEngines: readonly BaseEngine[];
  /** The OMS and log engines, oldest first (closed last, newest first). */
  coreEngines: readonly BaseEngine[];
  /** Every engine added, oldest first. */
  engines: Iterable<BaseEngine>;
  gateways: Iterable<BaseGateway>;
  eventEngine: TraderEventEngine;
  stopOptions: StopOptions;
  logEngine: LogEngine | undefined;
  writeLog(msg: string, source: string, level: LogLevel): void;
}

/**
 * App engines (newest first), other engines, gateways, the event engine (after it has dispatched
 * what is queued), then the OMS and log engines. A part that fails is logged and the rest still
 * close; then it throws TW_TRADER_CLOSE_FAILED.
 */
export async function closeInOrder(parts: ClosingParts): Promise<void> {
  const errors: unknown[] = [];
  const attempt = async (what: string, fn: () => unknown): Promise<void> => {
    try {
      await fn();
    } catch (error) {
      errors.push(error);
      parts.writeLog(`close: ${what} failed: ${String(error)}`, MAIN_ENGINE_LOG_SOURCE, LogLevel.ERROR);
    }
  };
  const appEngines = new Set(parts.appEngines);
  const core = new Set(parts.coreEngines);
  for (const engine of [...parts.appEngines].reverse()) {
    await attempt(`engine ${engine.engineName}`, () => engine.close());
  }
  const others = [...parts.engines].filter((e) => !appEngines.has(e) && !core.has(e)).reverse();
  for (const engine of others) await attempt(`engine ${engine.engineName}`, () => engine.close());
  for (const gateway of parts.gateways) {
    await attempt(`gateway ${gateway.gatewayName}`, () => gateway.close());
  }
  await attempt("event engine", () => parts.eventEngine.stop(parts.stopOptions));
  for (const engine of [...parts.coreEngines].reverse()) {
    // The event engine has stopped: a failure here can only be written straight to the log.
    try {
      await engine.close();
    } catch (error) {
      errors.push(error);
      parts.logEngine?.write(
        createLog({ msg: `close: engine ${engine.engineName} failed: ${String(error)}`, gatewayName: MAIN_ENGINE_LOG_SOURCE, level: LogLevel.ERROR }),
      );
    }
  }
  if (errors.length > 0) {
    throw new TickwireError("TW_TRADER_CLOSE_FAILED", `${errors.length} part(s) failed to close (see the log and error.cause); everything else was closed.`, {
      cause: errors.length === 1 ? errors[0] : new AggregateError(errors),
    });
  }
}

/** The MainEngine as `run()` sees it. */
export interface RunHost {
  writeLog(msg: string): void;
  close(): Promise<void>;
  /** The close in progress, if any. */
  closing(): Promise<void> | undefined;
  /** Called (and emptied) when close() starts. */
  runWaiters: Array<() => void>;
}

/** Keeps the process alive until one of the signals or a close() from elsewhere; see MainEngine.run(). */
export async function runUntilSignal(host: RunHost, options: MainEngineRunOptions): Promise<NodeJS.Signals | "closed"> {
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  if (!Array.isArray(signals) || signals.length === 0 || signals.some((s) => typeof s !== "string")) {
    throw new TickwireError(
      "TW_TRADER_BAD_OPTION",
      `run({ signals }) takes a non-empty list of signal names such as ["SIGINT", "SIGTERM"]; got ${describeValue(signals)}.`,
    );
  }
  const keepAlive = setInterval(noop, 2 ** 31 - 1);
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      process.exit(signal === "SIGTERM" ? 143 : 130);
    }
    received = signal;
    host.writeLog(`Received ${signal}: closing (send it again to exit at once)`);
    void host.close().catch(noop);
  };
  for (const s of signals) process.on(s, onSignal);
  host.writeLog(`Running until ${signals.join(" or ")}`);
  try {
    // close() from a signal or from anyone else: wait for it, then report why
    await new Promise<void>((resolve, reject) => {
      const poll = (): void => {
        const closing = host.closing();
        if (closing) closing.then(resolve, reject);
        else host.runWaiters.push(poll);
      };
      poll();
    });
  } finally {
    clearInterval(keepAlive);
    for (const s of signals) process.off(s, onSignal);
  }
  return received ?? "closed";
}

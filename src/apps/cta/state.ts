import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { TickwireError } from "../../event/errors.js";

/** What the engine keeps of one strategy between runs. */
export interface SavedStrategy {
  className: string;
  /** The module it was loaded from, when it came from a file. */
  file?: string;
  vtSymbol: string;
  setting: Record<string, unknown>;
  /** The last synced variables (pos included). */
  variables: Record<string, unknown>;
}

/** The engine's state file: strategies, the order→strategy map and the trades already counted. */
export interface CtaState {
  version: 1;
  strategies: Record<string, SavedStrategy>;
  /** vtOrderid → strategy name, so fills after a restart still reach their strategy. */
  orders: Record<string, string>;
  /** vtTradeids already applied to a position (the newest MAX_SAVED_TRADES). */
  trades: string[];
  /** The ids of `orders` whose order ended (oldest first); the others were live when saved. */
  finished: string[];
}

/** Trade ids kept for dedupe across restarts: a replayed day of fills fits many times over. */
export const MAX_SAVED_TRADES = 20_000;

/** Ended orders kept in the order map, so a fill reported late (after a restart) still finds its strategy. */
export const MAX_FINISHED_ORDERS = 10_000;

export function emptyState(): CtaState {
  return { version: 1, strategies: {}, orders: {}, trades: [], finished: [] };
}

/** Reads the state file; a missing file is an empty state, an unreadable one an error to fix. */
export function readState(file: string): CtaState {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
    throw new TickwireError("TW_CTA_STATE", `Cannot read the CTA state file ${file}: ${String(err)}. Fix its permissions or point stateFile elsewhere.`, {
      cause: err,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new TickwireError(
      "TW_CTA_STATE",
      `The CTA state file ${file} is not valid JSON (${String(err)}): restore it from a backup or delete it to start with no saved strategies.`,
      { cause: err },
    );
  }
  const obj = isRecord(raw) ? raw : undefined;
  if (!obj || !isOptionalRecord(obj.strategies) || !isOptionalRecord(obj.orders) || !isOptionalArray(obj.trades) || !isOptionalArray(obj.finished)) {
    throw new TickwireError(
      "TW_CTA_STATE",
      `The CTA state file ${file} is not a tickwire CTA state file (expected an object with strategies, orders and trades): point stateFile at the right file, restore it from a backup or delete it to start with no saved strategies.`,
    );
  }
  return {
    version: 1,
    strategies: (obj.strategies ?? {}) as Record<string, SavedStrategy>,
    orders: (obj.orders ?? {}) as Record<string, string>,
    trades: (obj.trades ?? []) as string[],
    finished: (obj.finished ?? []) as string[],
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isOptionalRecord(v: unknown): boolean {
  return v === undefined || isRecord(v);
}

function isOptionalArray(v: unknown): boolean {
  return v === undefined || Array.isArray(v);
}

let tmpSeq = 0;

/** Writes the state atomically: a crash mid-write leaves the old file, never half a new one. */
export function writeState(file: string, state: CtaState): void {
  const tmp = `${file}.${process.pid}.${tmpSeq++}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, JSON.stringify(state, null, 2));
    renameSync(tmp, file);
  } catch (err) {
    // Best effort: a failed rename must not leave a stray temp file behind.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The folder itself is unusable; nothing was written there.
    }
    const code = (err as NodeJS.ErrnoException).code ?? "unknown";
    throw new TickwireError(
      "TW_CTA_STATE",
      `Cannot write the CTA state file ${file} (${code}: ${String(err)}): free disk space, fix the folder's permissions or point stateFile elsewhere; the state is kept in memory and saved again on the next change.`,
      { cause: err },
    );
  }
}

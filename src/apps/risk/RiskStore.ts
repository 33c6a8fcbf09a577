import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { TickwireError } from "../../event/errors.js";

export type TradingState = "ACTIVE" | "REDUCING" | "HALTED";
export const TRADING_STATES: readonly TradingState[] = ["ACTIVE", "REDUCING", "HALTED"];

/** What survives a restart: the day's counters (valid only on `day`) and the trading state (always). */
export interface RiskSnapshot {
  version: 1;
  /** The trading day the counters belong to, YYYY-MM-DD in the configured zone. */
  day: string;
  trades: number;
  /** Cancels today by vtSymbol. */
  cancels: Record<string, number>;
  /** The balance each account (vtAccountid) started the day with. */
  startBalances: Record<string, number>;
  tradingState: TradingState;
  /** Why the trading state is what it is ("" for ACTIVE). */
  stateReason: string;
}

/**
 * The state file: one small JSON document, replaced whole through a temporary file and a rename,
 * so a crash mid-write leaves the previous version and never half a file.
 */
export class RiskStore {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** The saved snapshot, or undefined when there is no file yet. A damaged file throws TW_RISK_BAD_STATE_FILE. */
  load(): RiskSnapshot | undefined {
    if (!existsSync(this.path)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, "utf8"));
    } catch (error) {
      throw damaged(this.path, `it is not JSON (${String(error)})`, error);
    }
    const s = parsed as Partial<RiskSnapshot> | null;
    if (
      typeof s !== "object" ||
      s === null ||
      s.version !== 1 ||
      typeof s.day !== "string" ||
      typeof s.trades !== "number" ||
      typeof s.cancels !== "object" ||
      s.cancels === null ||
      typeof s.startBalances !== "object" ||
      s.startBalances === null ||
      !TRADING_STATES.includes(s.tradingState as TradingState) ||
      typeof s.stateReason !== "string"
    ) {
      throw damaged(this.path, "it does not hold a risk state (version 1)");
    }
    return s as RiskSnapshot;
  }

  save(snapshot: RiskSnapshot): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot, null, 1));
    renameSync(tmp, this.path);
  }
}

function damaged(path: string, why: string, cause?: unknown): TickwireError {
  // Starting with zeroed counters would lift the day's limits: refuse to start instead.
  return new TickwireError(
    "TW_RISK_BAD_STATE_FILE",
    `The risk state file ${path} cannot be read: ${why}. Fix or remove it (removing it resets today's counters and the trading state).`,
    { cause, details: { path } },
  );
}

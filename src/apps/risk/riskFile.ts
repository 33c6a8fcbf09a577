import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { TickwireError } from "../../event/errors.js";
import { parseRiskConfig, type RiskConfig } from "./rules.js";

/**
 * Reads a `--risk` JSON file: the rules by name plus `timezone` and `stateFile`. A relative
 * stateFile is taken from the file's folder; without one, the state lives beside it in
 * `<name>.state.json`. Throws TW_RISK_BAD_OPTION naming the file.
 */
export function loadRiskFile(path: string): RiskConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new TickwireError("TW_RISK_BAD_OPTION", `Cannot read the risk file ${path}: ${error instanceof Error ? error.message : String(error)}.`, {
      cause: error,
      details: { path },
    });
  }
  try {
    parseRiskConfig(raw);
  } catch (error) {
    const msg = error instanceof Error ? error.message : String(error);
    throw new TickwireError("TW_RISK_BAD_OPTION", `${path}: ${msg}`, { cause: error, details: { path } });
  }
  const config = { ...(raw as RiskConfig) };
  const dir = dirname(resolve(path));
  const base =
    path
      .replace(/\.json$/i, "")
      .split(/[\\/]/)
      .pop() ?? "risk";
  config.stateFile =
    config.stateFile === undefined ? join(dir, `${base}.state.json`) : isAbsolute(config.stateFile) ? config.stateFile : join(dir, config.stateFile);
  return config;
}

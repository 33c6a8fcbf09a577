import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CtaApp } from "../apps/cta/CtaApp.js";
import type { CtaEngine } from "../apps/cta/CtaEngine.js";
import { TickwireError } from "../event/errors.js";
import type { Command } from "commander";
import type { MainEngine } from "../trader/MainEngine.js";

/** One entry of `strategies.json`: a strategy from a module file, or a class another entry's file defined. */
export interface StrategyEntry {
  name: string;
  file?: string;
  className?: string;
  vtSymbol: string;
  setting?: Record<string, unknown>;
}

function bad(file: string, msg: string): TickwireError {
  return new TickwireError("TW_CLI_STRATEGIES", `${file}: ${msg}`, { details: { file } });
}

/** Reads and checks `strategies.json` (an array of { name, file | className, vtSymbol, setting }). */
export function readStrategiesFile(file: string): StrategyEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw bad(file, `cannot read it as JSON (${String(err)}): it must be an array of { "name", "file" or "className", "vtSymbol", "setting" }.`);
  }
  if (!Array.isArray(raw)) throw bad(file, 'expected an array of { "name", "file" or "className", "vtSymbol", "setting" }.');
  const base = dirname(resolve(file));
  return raw.map((e: unknown, i): StrategyEntry => {
    const o = (e ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof o[k] === "string" && o[k] !== "" ? o[k] : undefined);
    const name = str("name");
    const vtSymbol = str("vtSymbol");
    const path = str("file");
    const className = str("className");
    if (name === undefined || vtSymbol === undefined) throw bad(file, `entry ${i} needs a "name" and a "vtSymbol" (e.g. "rb2410.SHFE").`);
    if (path === undefined && className === undefined)
      throw bad(file, `entry ${i} (${name}) needs a "file" (a .ts/.js module) or a "className" defined by another entry's file.`);
    if (o.setting !== undefined && (typeof o.setting !== "object" || o.setting === null || Array.isArray(o.setting))) {
      throw bad(file, `entry ${i} (${name}): "setting" must be an object of parameter values.`);
    }
    return {
      name,
      vtSymbol,
      ...(path !== undefined ? { file: resolve(base, path) } : {}),
      ...(className !== undefined ? { className } : {}),
      setting: (o.setting as Record<string, unknown> | undefined) ?? {},
    };
  });
}

/**
 * Adds the CTA app to `main`, adds every strategy of `file` (files first, so className-only
 * entries find their class), then inits and starts them all. State: `stateFile`, else
 * `.tickwire/cta_state.json` in the working directory.
 */
export async function startStrategies(main: MainEngine, file: string, stateFile?: string): Promise<CtaEngine> {
  const entries = readStrategiesFile(file);
  const cta = main.addApp(CtaApp);
  cta.configure(stateFile !== undefined ? { stateFile } : {});
  const ordered = [...entries.filter((e) => e.file !== undefined), ...entries.filter((e) => e.file === undefined)];
  for (const e of ordered) {
    await cta.addStrategy(e.file !== undefined ? { file: e.file, className: e.className } : { className: e.className! }, e.name, e.vtSymbol, e.setting);
  }
  await cta.initAll();
  await cta.startAll();
  return cta;
}

/** The STRATEGIES section of the live view: one line per strategy. */
export function strategyLines(cta: CtaEngine): string[] {
  const lines = ["STRATEGIES"];
  for (const name of cta.getAllStrategyNames()) {
    const s = cta.getStrategy(name)!;
    const state = cta.getStrategyError(name) !== undefined ? "FAILED" : s.trading ? "trading" : s.inited ? "inited" : "added";
    lines.push(`  ${name.padEnd(16)} ${s.constructor.name.padEnd(20)} ${s.vtSymbol.padEnd(16)} ${state.padEnd(8)} pos ${s.pos}`);
  }
  if (lines.length === 1) lines.push("  (none)");
  return lines;
}

/**
 * The view options showing the STRATEGIES section and the log lines under it, for the CTA
 * engine `cta()` returns (none yet: "starting"); nothing without `cta`.
 */
export function strategyView(cta: (() => CtaEngine | undefined) | undefined): { sections?: Array<() => string[]>; logs?: number } {
  if (!cta) return {};
  const section = (): string[] => {
    const engine = cta();
    return engine ? strategyLines(engine) : ["STRATEGIES", "  (starting)"];
  };
  return { sections: [section], logs: 6 };
}

/** The `--strategies` and `--strategy-state` options, the same on `tickwire run` and `tickwire client`. */
export function strategyOptions(command: Command): Command {
  return command
    .option("--strategies <file>", "run the CTA strategies of this JSON file (array of { name, file | className, vtSymbol, setting })")
    .option("--strategy-state <file>", "the CTA state file (settings, variables, order→strategy map); default .tickwire/cta_state.json");
}

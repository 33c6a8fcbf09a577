/**
 * `npm run docs:errors`: writes docs/errors.md from the error catalogues of src/ (one per layer).
 * test/errors/errors-catalogue.test.ts fails when the file is not what this writes.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERROR_LAYERS } from "../src/errorCatalogue.js";

/** Codes renamed when the catalogue was written (one "bad option" spelling, one prefix per layer). */
export const RENAMED_CODES: ReadonlyArray<readonly [string, string]> = [
  ["TW_ENGINE_BAD_OPTION", "TW_EVENT_BAD_OPTION"],
  ["TW_ENGINE_BAD_EVENT", "TW_EVENT_BAD_EVENT"],
  ["TW_ENGINE_NOT_RUNNING", "TW_EVENT_NOT_RUNNING"],
  ["TW_ENGINE_STOPPED", "TW_EVENT_STOPPED"],
  ["TW_QUEUE_FULL", "TW_EVENT_QUEUE_FULL"],
  ["TW_QUEUE_DROPPED", "TW_EVENT_QUEUE_DROPPED"],
  ["TW_PENDING_NOT_READY", "TW_EVENT_PENDING_NOT_READY"],
  ["TW_PENDING_TIMEOUT", "TW_EVENT_PENDING_TIMEOUT"],
  ["TW_SESSION_NONE", "TW_EVENT_NO_SESSION"],
  ["TW_STOP_DEADLINE", "TW_EVENT_STOP_DEADLINE"],
  ["TW_WORKER_OPTIONS", "TW_WORKER_BAD_OPTION"],
  ["TW_SUBPROCESS_BAD_OPTION", "TW_WORKER_BAD_OPTION"],
  ["TW_SUBPROCESS_<WHAT>", "TW_WORKER_SUBPROCESS_<WHAT>"],
  ["TW_TRADER_INVALID_OPTION", "TW_TRADER_BAD_OPTION"],
  ["TW_SIM_BAD_SETTING", "TW_SIM_BAD_OPTION"],
  ["TW_RPC_GATEWAY_SETTING", "TW_RPC_GATEWAY_BAD_OPTION"],
  ["TW_STRATEGY_SETTING", "TW_STRATEGY_BAD_OPTION"],
  ["TW_CTA_OPTIONS", "TW_CTA_BAD_OPTION"],
  ["TW_BACKTEST_PARAMETERS", "TW_BACKTEST_BAD_OPTION"],
  ["TW_OPTIMIZE", "TW_BACKTEST_OPTIMIZE"],
  ["TW_OPTIMIZE_BUS", "TW_BACKTEST_OPTIMIZE_BUS"],
  ["TW_RISK_BAD_CONFIG", "TW_RISK_BAD_OPTION"],
];

const cell = (text: string): string => text.replace(/\|/g, "\\|");

export function renderErrorsDoc(): string {
  const out: string[] = [
    "# Error codes",
    "",
    "<!-- Written by `npm run docs:errors` from the catalogues in src/*/errorCodes.ts: edit those, then run it. -->",
    "",
    "Every error tickwire throws for a caller to handle is a `TickwireError` with a stable `code`",
    "`TW_<LAYER>_<WHAT>` and a message that says what to do. Each layer keeps its codes in one",
    "catalogue (`src/<layer>/errorCodes.ts`, exported from its subpath as `<LAYER>_ERRORS`);",
    "`isTickwireError(err, code)` autocompletes the codes and narrows `err`:",
    "",
    "```ts",
    'import { EventEngine, isTickwireError } from "tickwire/event";',
    "",
    "const engine = new EventEngine({ interval: null });",
    'engine.register("quote", () => new Promise((resolve) => setTimeout(resolve, 200, 42))); // answers late',
    "engine.start();",
    "try {",
    '  await engine.dispatch("quote", 1).wait({ timeout: 50 });',
    "} catch (err) {",
    '  if (isTickwireError(err, "TW_EVENT_PENDING_TIMEOUT")) console.log("no answer:", err.code); // prints: no answer: TW_EVENT_PENDING_TIMEOUT',
    "  else throw err;",
    "}",
    "await engine.stop();",
    "```",
    "",
    "Every layer has one code for a bad option or setting: `TW_<LAYER>_BAD_OPTION`.",
    "",
  ];
  for (const layer of ERROR_LAYERS) {
    out.push(`## ${layer.prefix}* — ${layer.importFrom}`, "", "| code | what it means | what to do |", "|---|---|---|");
    for (const [code, info] of Object.entries(layer.codes)) out.push(`| \`${code}\` | ${cell(info.meaning)} | ${cell(info.fix)} |`);
    out.push("");
  }
  out.push("## Renamed codes", "", "Codes of earlier versions and the code that replaces each:", "", "| was | now |", "|---|---|");
  for (const [was, now] of RENAMED_CODES) out.push(`| \`${was}\` | \`${now}\` |`);
  out.push("");
  return out.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL("../docs/errors.md", import.meta.url), renderErrorsDoc());
  console.log("wrote docs/errors.md");
}

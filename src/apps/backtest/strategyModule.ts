import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { TickwireError } from "../../event/errors.js";
import { importModule } from "../../workers/importModule.js";
import type { CtaStrategyClass } from "../../strategy/CtaTemplate.js";

export const TW_BACKTEST_STRATEGY_MODULE = "TW_BACKTEST_STRATEGY_MODULE";

/** The `file:` URL of a strategy module given as a path (relative to the current directory) or a URL. */
export function strategyUrl(location: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(location) && !isAbsolute(location)) return location;
  return pathToFileURL(isAbsolute(location) ? location : resolve(location)).href;
}

/**
 * Import a strategy class from a `.ts` / `.js` module: the export `className`, else the default
 * export, else the only exported CtaTemplate subclass. Works in worker threads under tsx too.
 */
export async function loadStrategyClass(location: string, className?: string): Promise<CtaStrategyClass> {
  let mod: Record<string, unknown>;
  try {
    mod = (await importModule(strategyUrl(location))) as Record<string, unknown>;
  } catch (cause) {
    throw new TickwireError(TW_BACKTEST_STRATEGY_MODULE, `Could not import the strategy module ${location}: check the path and that it loads on its own.`, {
      cause,
    });
  }
  // Duck-typed: a strategy built against "tickwire/strategy" and one against src/ are different
  // CtaTemplate classes to `instanceof`.
  const isStrategy = (v: unknown): v is CtaStrategyClass => {
    const proto = typeof v === "function" ? (v.prototype as Record<string, unknown> | undefined) : undefined;
    return proto !== undefined && typeof proto.buy === "function" && typeof proto.onBar === "function" && typeof proto.getParameters === "function";
  };
  if (className !== undefined) {
    const cls = mod[className];
    if (!isStrategy(cls))
      throw new TickwireError(TW_BACKTEST_STRATEGY_MODULE, `The module ${location} has no exported CtaTemplate subclass named "${className}".`);
    return cls;
  }
  if (isStrategy(mod.default)) return mod.default;
  const found = Object.values(mod).filter(isStrategy);
  if (found.length === 1) return found[0];
  throw new TickwireError(
    TW_BACKTEST_STRATEGY_MODULE,
    found.length === 0
      ? `The module ${location} exports no CtaTemplate subclass: export the strategy class (default or named).`
      : `The module ${location} exports several strategies (${found.map((c) => c.name).join(", ")}): choose one by its class name.`,
  );
}

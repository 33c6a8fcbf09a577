import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { TickwireError } from "../../event/errors.js";
import { importModule } from "../../workers/importModule.js";
import { CtaTemplate, type CtaStrategyClass } from "../../strategy/CtaTemplate.js";

/** Structural, not `instanceof`: a module may import CtaTemplate from src/ while the engine runs from dist/. */
function isStrategyClass(v: unknown): v is CtaStrategyClass {
  if (typeof v !== "function" || v === CtaTemplate) return false;
  const proto = (v as { prototype?: Record<string, unknown> }).prototype;
  return proto !== undefined && typeof proto.onBar === "function" && typeof proto.buy === "function" && typeof proto.getData === "function";
}

/**
 * The strategy class a `.ts`/`.js` module defines: `className` when given, else its default
 * export, else its only exported CtaTemplate subclass. TypeScript loads with no build step under
 * tsx, and from the built CLI too when tsx is installed (the same loader as worker handler modules).
 */
export async function loadStrategyClass(file: string, className?: string): Promise<CtaStrategyClass> {
  const path = resolve(file);
  let mod: Record<string, unknown>;
  try {
    mod = (await importModule(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new TickwireError(
      "TW_CTA_LOAD",
      `Could not import the strategy module ${path}: check the path and that it loads on its own (a .ts module needs tsx installed, or compile it to .js). ${String(cause)}`,
      { cause, details: { file: path } },
    );
  }
  const classes = Object.entries(mod).filter((e): e is [string, CtaStrategyClass] => isStrategyClass(e[1]));
  if (className !== undefined) {
    const found = classes.find(([key, cls]) => key === className || cls.name === className);
    if (found) return found[1];
  } else {
    if (isStrategyClass(mod.default)) return mod.default;
    const unique = new Set(classes.map((e) => e[1]));
    if (unique.size === 1) return [...unique][0];
  }
  const names = [...new Set(classes.map((e) => e[1].name))].join(", ") || "none";
  throw new TickwireError(
    "TW_CTA_LOAD",
    className !== undefined
      ? `${path} exports no strategy class ${className} (its CtaTemplate subclasses: ${names}).`
      : `${path} has no default export that is a CtaTemplate subclass, and exports ${names}: export the strategy as default or name it with className.`,
    { details: { file: path, className } },
  );
}

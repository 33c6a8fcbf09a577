import { resolve } from "node:path";
import type { CtaStrategyClass } from "../../strategy/CtaTemplate.js";
import { loadStrategyClass } from "./loadStrategyClass.js";
import type { SavedStrategy } from "./state.js";

/**
 * How a strategy is given to `addStrategy`: its class, the path of the module defining it, that
 * path with the class to take from it, or the name of a class already added or registered.
 */
export type StrategySource = CtaStrategyClass | string | { file: string; className?: string } | { className: string };

/** Strategy classes by name, with the module each came from. */
export type ClassTable = Map<string, { cls: CtaStrategyClass; file?: string }>;

/** The class of `source` and its module; undefined for a `{ className }` no one added or registered. */
export async function resolveStrategySource(
  source: StrategySource,
  classes: ClassTable,
): Promise<{ cls: CtaStrategyClass; file: string | undefined } | undefined> {
  if (typeof source === "function") return { cls: source, file: undefined };
  if (typeof source === "object" && !("file" in source)) {
    const known = classes.get(source.className);
    return known && { cls: known.cls, file: known.file };
  }
  const spec = typeof source === "string" ? { file: source } : source;
  const file = resolve(spec.file);
  return { cls: await loadStrategyClass(file, spec.className), file };
}

/** Where a saved strategy's class comes from: registered, else its saved file; undefined if neither. */
export function savedSource(saved: SavedStrategy, classes: ClassTable): StrategySource | undefined {
  const known = classes.get(saved.className);
  if (known) return known.cls;
  return saved.file ? { file: saved.file, className: saved.className } : undefined;
}

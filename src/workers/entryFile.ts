import { fileURLToPath } from "node:url";
import { dirname, extname, join } from "node:path";

/**
 * The path of a sibling entry file (`poolWorker`, `subprocessChild`) with the same extension as
 * this module: `.ts` when running from src/ under tsx, `.js` when running from dist/.
 */
export function entryFile(name: string): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), name + extname(here));
}

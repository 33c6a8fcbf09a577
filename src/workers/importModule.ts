import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * `import()` of a handler module, the same in a worker thread and in a child process.
 *
 * - A `file:` URL or path ending in `.js` (`.mjs`, `.cjs`) with no such file but a `.ts` (`.mts`,
 *   `.cts`) next to it loads the TypeScript file: `new URL("./handlers.js", import.meta.url)`
 *   written in `handlers.ts`'s neighbour works under tsx and after compilation alike.
 * - TypeScript inside worker threads: on Node 20 the ESM hooks that `--import tsx` installs apply
 *   to the main thread only; worker threads get tsx's CommonJS hook but not its ESM one, so
 *   `import("./handlers.ts")` fails there with ERR_UNKNOWN_FILE_EXTENSION. Then, if tsx is
 *   installed (a dev setup), its ESM hooks are registered in this thread and the import retried.
 */
let tsxRegistered: Promise<boolean> | undefined;

// A variable specifier keeps tsx an optional, development-only dependency.
const TSX_ESM_API = "tsx/esm/api";

/** What importModule looked for, for an error message. */
export interface ImportTrace {
  /** Every file (or URL) tried, in order. */
  tried: string[];
  /** The file that exists and was imported (its load may still have failed). */
  found?: string;
  /** Set when a TypeScript file needed tsx: whether tsx could be loaded. */
  tsx?: boolean;
}

const TS_OF: Record<string, string> = { ".js": ".ts", ".mjs": ".mts", ".cjs": ".cts" };

function candidates(url: string): string[] {
  if (!url.startsWith("file:")) return [url];
  const u = new URL(url);
  const ext = /\.[cm]?js$/.exec(u.pathname)?.[0];
  if (ext === undefined) return [url];
  const ts = new URL(url);
  ts.pathname = u.pathname.slice(0, -ext.length) + TS_OF[ext];
  return [url, ts.href];
}

export async function importModule(url: string, trace: ImportTrace = { tried: [] }): Promise<unknown> {
  for (const c of candidates(url)) {
    const isFile = c.startsWith("file:");
    const shown = isFile ? fileURLToPath(c) : c;
    trace.tried.push(shown);
    if (isFile && !existsSync(fileURLToPath(c))) continue;
    trace.found = shown;
    return importOne(c, trace);
  }
  const err = new Error(`Cannot find module ${trace.tried.join(" or ")}`) as Error & { code: string };
  err.code = "ERR_MODULE_NOT_FOUND";
  throw err;
}

async function importOne(url: string, trace: ImportTrace): Promise<unknown> {
  try {
    return await import(url);
  } catch (err) {
    if ((err as { code?: unknown }).code !== "ERR_UNKNOWN_FILE_EXTENSION" || !/\.[cm]?ts([?#].*)?$/.test(url)) throw err;
    trace.tsx = await (tsxRegistered ??= registerTsx());
    if (!trace.tsx) throw err;
    // A new URL: the failed load of the old one stays cached in this thread's module map.
    return await import(url + (url.includes("?") ? "&" : "?") + "tsx");
  }
}

async function registerTsx(): Promise<boolean> {
  try {
    const api = (await import(TSX_ESM_API)) as { register?: () => unknown };
    if (typeof api.register !== "function") return false;
    api.register();
    return true;
  } catch {
    return false;
  }
}

/**
 * `import()` that also loads TypeScript inside worker threads. On Node 20 the ESM hooks that
 * `--import tsx` installs apply to the main thread only; worker threads get tsx's CommonJS hook
 * but not its ESM one, so `import("./handlers.ts")` fails there with ERR_UNKNOWN_FILE_EXTENSION.
 * Then, if tsx is installed (a dev setup), register its ESM hooks in this thread and retry.
 */
let tsxRegistered: Promise<boolean> | undefined;

// A variable specifier keeps tsx an optional, development-only dependency.
const TSX_ESM_API = "tsx/esm/api";

export async function importModule(url: string): Promise<unknown> {
  try {
    return await import(url);
  } catch (err) {
    if ((err as { code?: unknown }).code !== "ERR_UNKNOWN_FILE_EXTENSION" || !/\.[cm]?ts$/.test(url)) throw err;
    if (!(await (tsxRegistered ??= registerTsx()))) throw err;
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

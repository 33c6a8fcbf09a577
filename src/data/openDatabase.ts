import { TickwireError } from "../event/errors.js";
import { TW_DATA_BAD_URL } from "./errors.js";
import type { Database, DatabaseBackend, OpenDatabaseOptions } from "./types.js";

/** The store used when neither an URL nor `TICKWIRE_DATABASE` is given: a file in the working folder. */
export const DEFAULT_DATABASE_URL = "sqlite:.tickwire/data.sqlite";

/** A parsed database URL. */
export type DatabaseTarget = { backend: "sqlite"; url: string; path: string } | { backend: "postgres"; url: string; connectionString: string };

/** The URL to use: `url`, else `TICKWIRE_DATABASE`, else the default SQLite file. */
export function resolveDatabaseUrl(url?: string, env: Record<string, string | undefined> = process.env): string {
  return url || env.TICKWIRE_DATABASE || DEFAULT_DATABASE_URL;
}

/**
 * Parses `sqlite:path/to/file.sqlite` (relative to the working folder), `sqlite:///abs/path`,
 * `sqlite::memory:` and `postgres://user@host:port/db` (or `postgresql://`).
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("sqlite:")) {
    let path = url.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2);
    if (path.length === 0) throw badUrl(url, "it names no file");
    return { backend: "sqlite", url, path };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw badUrl(url, "it is not a valid URL", cause);
    }
    if (parsed.password) parsed.password = "***";
    return { backend: "postgres", url: parsed.toString(), connectionString: url };
  }
  throw badUrl(url, "it is neither sqlite:… nor postgres://…");
}

function badUrl(url: string, why: string, cause?: unknown): TickwireError {
  return new TickwireError(
    TW_DATA_BAD_URL,
    `Bad database URL ${JSON.stringify(url)}: ${why}. Use sqlite:path/to/file.sqlite or postgres://user@host:5432/dbname.`,
    { cause, details: { url } },
  );
}

/**
 * Opens (creating or migrating the schema when needed) the store at `url`, or at
 * `TICKWIRE_DATABASE`, or at `sqlite:.tickwire/data.sqlite`. A backend's driver is loaded only
 * when its URL is opened.
 */
export async function openDatabase(url?: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(resolveDatabaseUrl(url, options.env));
  if (target.backend === "sqlite") {
    const { openSqliteDatabase } = await import("./SqliteDatabase.js");
    return openSqliteDatabase(target.path, target.url);
  }
  const { openPostgresDatabase } = await import("./PostgresDatabase.js");
  return openPostgresDatabase(target.connectionString, target.url);
}

export type { DatabaseBackend };

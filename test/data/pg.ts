/**
 * Helpers for the tests that need PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres). When
 * it is unreachable the tests are skipped with a message (locally) or fail loudly (when CI is set).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const PG_ADMIN_URL = process.env.TICKWIRE_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

const problem = await reachable();
if (problem && process.env.CI) {
  throw new Error(
    `PostgreSQL is not reachable at ${PG_ADMIN_URL} (${problem}) and CI is set: start it with pg_ctlcluster --skip-systemctl-redirect 15 main start.`,
  );
}
/** `false` when PostgreSQL is up; otherwise the reason to skip, saying how to start it. */
export const skipPg: string | false = problem
  ? `PostgreSQL is not reachable at ${PG_ADMIN_URL} (${problem}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`
  : false;

/** Runs one statement as the admin user. */
export async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates a database no other run uses; returns its URL and a function that drops it. */
export async function scratchDatabase(prefix: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `tw_test_${prefix}_${randomBytes(5).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = "/" + name;
  return { url: url.toString(), name, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Makes one database unreachable, as a stopped server is to its clients, without stopping the
 * server other test runs share: new connections are refused and open ones are terminated.
 * `restore` lets connections in again.
 */
export async function cutOff(name: string): Promise<{ restore: () => Promise<void> }> {
  await admin(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
  await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
  return { restore: () => admin(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`) };
}

/**
 * Helpers for the tests that need RabbitMQ on 127.0.0.1:5672. When it is unreachable the tests
 * are skipped with a message (locally) or fail loudly (when CI is set).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import amqplib from "amqplib";

const run = promisify(execFile);
export const AMQP_URL = process.env.TICKWIRE_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";

async function reachable(): Promise<string | undefined> {
  try {
    const conn = await amqplib.connect(AMQP_URL, { timeout: 2000 });
    await conn.close();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const problem = await reachable();
if (problem && process.env.CI) {
  throw new Error(`RabbitMQ is not reachable at ${AMQP_URL} (${problem}) and CI is set: start it with rabbitmq-server -detached.`);
}
/** `false` when RabbitMQ is up; otherwise the reason to skip, saying how to start it. */
export const skipRabbit: string | false = problem ? `RabbitMQ is not reachable at ${AMQP_URL} (${problem}); start it with: rabbitmq-server -detached` : false;

/** A name no other test run uses. */
export function unique(prefix: string): string {
  return `tw-test-${prefix}-${randomBytes(5).toString("hex")}`;
}

/** Closes, from the broker side, every connection a center with one of `nodeIds` holds. */
export async function closeConnectionsOf(nodeIds: string[]): Promise<number> {
  const { stdout } = await run("rabbitmqctl", ["list_connections", "pid", "client_properties", "-q", "--no-table-headers"]);
  const pids = stdout
    .split("\n")
    .filter((line) => nodeIds.some((id) => line.includes(`"tickwire ${id}"`)))
    .map((line) => line.split("\t")[0]);
  // In parallel, so the connections drop at about the same moment.
  await Promise.all(pids.map((pid) => run("rabbitmqctl", ["close_connection", pid, "tickwire fault test"])));
  return pids.length;
}

/** A raw amqplib channel for looking at the broker from outside (queue depth, cleanup). */
export async function rawChannel(): Promise<{ ch: amqplib.Channel; close: () => Promise<void> }> {
  const conn = await amqplib.connect(AMQP_URL);
  const ch = await conn.createChannel();
  ch.on("error", () => undefined);
  return { ch, close: () => conn.close().catch(() => undefined) };
}

/**
 * Runs `fn` with the broker's application stopped (`rabbitmqctl stop_app`: every connection drops,
 * transient exchanges and their bindings go), then starts it again and waits until it accepts
 * connections — also when `fn` throws. Other tests may share the broker: keep `fn` short.
 */
export async function whileBrokerDown<T>(fn: () => Promise<T>): Promise<T> {
  await run("rabbitmqctl", ["stop_app"]);
  try {
    return await fn();
  } finally {
    await startBroker();
  }
}

/** `rabbitmqctl start_app`, then waits (up to 60 s) until a client can connect. */
export async function startBroker(): Promise<void> {
  await run("rabbitmqctl", ["start_app"]);
  const end = Date.now() + 60_000;
  let problem: string | undefined;
  while ((problem = await reachable()) !== undefined) {
    if (Date.now() > end) throw new Error(`RabbitMQ did not come back after start_app: ${problem}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

import { InvalidArgumentError, type Command } from "commander";
import { attachBus, type AttachedBus } from "../apps/bus-bridge/attachBus.js";
import { createEventCenter } from "../bus/createEventCenter.js";
import { DEFAULT_AMQP_URL } from "../bus/AmqpEventCenter.js";
import type { BusEvent } from "../bus/BusEvent.js";
import type { Delivery } from "../bus/EventCenter.js";
import { SimGateway } from "../gateways/sim/SimGateway.js";
import { MainEngine } from "../trader/MainEngine.js";
import { createSubscribeRequest } from "../trader/objects.js";

export interface ListenOptions {
  bus: string;
  exchange: string;
  key: string[];
  queue?: string;
  json: boolean;
  /** Print each event's data in full (default: zero and empty fields left out, cut to the line width). */
  full: boolean;
  count?: number;
  sim: boolean;
}

/** How long shutdown may take before the process exits anyway. */
const CLOSE_DEADLINE_MS = 1500;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected an integer > 0");
  return n;
}

/** Default width of a compact line when stdout is not a terminal. */
export const COMPACT_WIDTH = 200;

/**
 * An event's data for one readable line: fields that are 0, "", null, false or empty left out
 * (a tick has some forty, most of them zero on a quiet book), the rest as JSON, cut to `width`
 * characters with "…".
 */
export function compactData(data: unknown, width: number): string {
  const drop = (v: unknown): boolean => v === 0 || v === "" || v === null || v === false || (Array.isArray(v) && v.length === 0);
  const slim =
    typeof data === "object" && data !== null && !Array.isArray(data) && !Buffer.isBuffer(data)
      ? Object.fromEntries(Object.entries(data).filter(([, v]) => !drop(v)))
      : data;
  const text = JSON.stringify(slim) ?? String(slim);
  return text.length > width ? `${text.slice(0, Math.max(1, width - 1))}…` : text;
}

function line(event: BusEvent, delivery: Delivery, json: boolean, full = true): string {
  if (json) {
    return JSON.stringify({
      exchange: event.exchange,
      routingKey: event.routingKey,
      name: event.name,
      origin: delivery.origin,
      redelivered: delivery.redelivered,
      data: event.data,
    });
  }
  const head = `${event.exchange} ${event.routingKey} ${event.name} `;
  if (full) return head + JSON.stringify(event.data);
  const width = (process.stdout.isTTY ? process.stdout.columns : 0) || COMPACT_WIDTH;
  return head + compactData(event.data, Math.max(40, width - head.length));
}

/** Starts a quiet paper exchange in this process publishing to `url` (for `--sim`). */
async function startSim(url: string): Promise<{ close(): Promise<void> }> {
  const main = new MainEngine(undefined, { log: { console: false } });
  const bus: AttachedBus = await attachBus(main.eventEngine, url);
  const gateway = main.addGateway(SimGateway);
  await main.connect({ seed: 1, tickRate: 4, capital: 1_000_000, instruments: "", startTime: 0 }, gateway.gatewayName);
  for (const m of gateway.exchange.markets) {
    await main.subscribe(createSubscribeRequest({ symbol: m.instrument.symbol, exchange: m.instrument.exchange }), gateway.gatewayName);
  }
  return {
    async close() {
      await main.close();
      await bus.close();
    },
  };
}

/**
 * `tickwire listen`: subscribe to an exchange with binding keys and print every event that
 * arrives, one per line (or JSON lines), until Ctrl+C or `--count` events.
 */
export async function listen(opts: ListenOptions): Promise<void> {
  const center = createEventCenter(opts.bus);
  await center.connect();
  let sim: { close(): Promise<void> } | undefined;
  let seen = 0;
  let closing = false;
  const hold = setInterval(() => {}, 60_000); // a memory broker holds no socket open
  const shutdown = async (why: string) => {
    if (closing) return;
    closing = true;
    clearInterval(hold);
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_DEADLINE_MS).unref());
    await Promise.race([Promise.all([sim?.close(), center.close()]), deadline]);
    process.stderr.write(`tickwire listen: ${why}, ${seen} events\n`);
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") void shutdown("EPIPE");
  });
  const keys = opts.key.length > 0 ? opts.key : ["#"];
  await center.subscribe(
    { exchange: opts.exchange, routingKey: keys, queue: opts.queue, prefetchCount: 100, noAck: opts.queue === undefined },
    (event, delivery) => {
      if (closing) return;
      process.stdout.write(line(event, delivery, opts.json, opts.full) + "\n");
      if (++seen === opts.count) void shutdown("--count reached");
    },
  );
  // Started once subscribed, so its first events are printed too.
  if (opts.sim) sim = await startSim(opts.bus);
  process.stderr.write(`tickwire listen: ${center.url} exchange ${opts.exchange} keys ${keys.join(" ")}${sim ? " (paper exchange in this process)" : ""}\n`);
}

export function register(program: Command): void {
  program
    .command("listen")
    .description("print the events arriving on an EventCenter exchange (RabbitMQ or the embedded broker)")
    .option("--bus <url>", "amqp://user:pass@host:5672 or memory://<name>", process.env.TICKWIRE_AMQP_URL ?? DEFAULT_AMQP_URL)
    .option("--exchange <name>", "exchange to bind to: Orderbook, Kline, Trade, Order, Position, Asset, or your own", "Orderbook")
    .option("--key <pattern>", "binding key, * = one word, # = any (repeatable; default #)", collect)
    .option("--queue <name>", "consume a named durable queue (acknowledged; events wait while you are away) instead of a private one")
    .option("--json", "print JSON lines (every field)", false)
    .option("--full", "print each event's data in full (default: zero and empty fields left out, cut to the line width)", false)
    .option("--count <n>", "exit after n events", positiveInteger)
    .option("--sim", "also run the paper exchange in this process, publishing to the same bus", false)
    .action(async (opts: ListenOptions) => {
      await listen({ ...opts, key: opts.key ?? [] });
    });
}

import { InvalidArgumentError, type Command } from "commander";
import type { Event } from "../event/index.js";
import { attachBus, type AttachedBus } from "../bus/index.js";
import { RiskApp, loadRiskFile } from "../apps/risk/index.js";
import { SimGateway } from "../gateways/sim/index.js";
import { MainEngine, createSubscribeRequest } from "../trader/index.js";
import { startDemoOrders } from "./demo.js";
import { startView } from "./view.js";

export interface RunOptions {
  seed: number;
  tickRate: number;
  instruments?: string;
  capital: number;
  start?: number;
  demoOrders: boolean;
  json: boolean;
  /** Publish market data and order events to this EventCenter (amqp://… or memory://…). */
  bus?: string;
  /** A JSON file of pre-trade risk rules (docs/risk.md): every order passes them. */
  risk?: string;
}

/** How long shutdown may take before the process exits anyway. */
const CLOSE_DEADLINE_MS = 1500;

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("expected an integer");
  return n;
}

function instant(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a date ("2024-06-03T09:30:00Z") or epoch milliseconds');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number > 0");
  return n;
}

/** Keyed duplicates ("eTick.rb2410.SHFE") of general events and timer beats stay out of the JSON stream. */
function streamed(type: string): boolean {
  if (type === "eTimer") return false;
  const dot = type.indexOf(".");
  return dot === -1 || dot === type.length - 1;
}

/**
 * `tickwire run`: a MainEngine with the simulated exchange, every instrument subscribed, a live
 * console view (or a JSON-lines event stream), demonstration orders, and a clean exit 0 on
 * SIGINT/SIGTERM.
 */
export async function runPaperTrading(opts: RunOptions): Promise<void> {
  const started = Date.now();
  // Read before anything starts: a bad file stops the command with TW_RISK_BAD_CONFIG.
  const riskConfig = opts.risk ? loadRiskFile(opts.risk) : undefined;
  const main = new MainEngine(undefined, { log: { console: false } });
  if (riskConfig) main.addApp(RiskApp).configure(riskConfig);
  const stops: Array<() => void> = [];

  if (opts.json) {
    const write = (e: Event) => {
      if (streamed(e.type)) process.stdout.write(JSON.stringify({ type: e.type, data: e.data }) + "\n");
    };
    main.eventEngine.registerGeneral(write);
    stops.push(() => main.eventEngine.unregisterGeneral(write));
    // The sim's timers are unref'd; this one holds the process open until a signal.
    const hold = setInterval(() => {}, 60_000);
    stops.push(() => clearInterval(hold));
  }

  // Attached before the gateway connects, so the first ticks are published too.
  const bus: AttachedBus | undefined = opts.bus ? await attachBus(main.eventEngine, opts.bus) : undefined;

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    for (const stop of stops.splice(0).reverse()) stop();
    const deadline = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), CLOSE_DEADLINE_MS).unref());
    let code = 0;
    try {
      // The engine first (no new events), then the bus, which waits for unconfirmed publishes.
      const closed = main.close().then(() => bus?.close()).then(() => "closed" as const);
      const how = await Promise.race([closed, deadline]);
      const s = main.eventEngine.stats();
      const summary = `tickwire run: ${signal}, ${how} after ${((Date.now() - started) / 1000).toFixed(1)} s; ${s.dispatched} events, ${main.getAllOrders().length} orders, ${main.getAllTrades().length} trades.`;
      process.stderr.write(summary + "\n");
    } catch (e) {
      process.stderr.write(`tickwire run: closing failed: ${String(e)}\n`);
      code = 1;
    }
    process.exit(code);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  // `tickwire run --json | head`: the reader went away; that is an ordinary way to stop.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") void shutdown("EPIPE");
  });

  const gateway = main.addGateway(SimGateway);
  await main.connect(
    { seed: opts.seed, tickRate: opts.tickRate, capital: opts.capital, instruments: opts.instruments ?? "", startTime: opts.start ?? 0 },
    gateway.gatewayName,
  );
  // A signal during start-up has closed the gateway and run the stops already: start nothing
  // more (a view started now would leave the terminal in its alternate screen).
  if (closing) return;
  for (const m of gateway.exchange.markets) {
    await main.subscribe(createSubscribeRequest({ symbol: m.instrument.symbol, exchange: m.instrument.exchange }), gateway.gatewayName);
  }
  if (closing) return;
  if (opts.demoOrders) stops.push(startDemoOrders(main, gateway.gatewayName));
  if (!opts.json) {
    const title = `tickwire run · paper exchange, seed ${opts.seed}${opts.demoOrders ? " · demo orders on" : ""} · Ctrl+C to quit`;
    stops.push(startView(main, { title }));
  }
}

export function register(program: Command): void {
  program
    .command("run")
    .description("run a paper-trading system: MainEngine + the simulated exchange, with a live console view")
    .option("--seed <n>", "seed of the simulated market (same seed, same market)", integer, 1)
    .option("--tick-rate <n>", "ticks per second per instrument", positive, 4)
    .option("--instruments <list>", 'comma-separated vtSymbols, e.g. "rb2410.SHFE,BTCUSDT.BINANCE" (default: all)')
    .option("--capital <n>", "starting cash of the paper account", positive, 1_000_000)
    .option("--start <time>", "sim time of the first tick (ISO date or epoch ms; default now): with --seed, the same market every run", instant)
    .option("--no-demo-orders", "do not place demonstration orders")
    .option("--json", "print the event stream as JSON lines (one per update) instead of the view", false)
    .option("--risk <file>", "pre-trade risk rules from a JSON file (see docs/risk.md); every order passes them")
    .option("--bus <url>", "also publish ticks, orders, trades, positions and accounts to an EventCenter (amqp://… or memory://…)")
    .action(async (opts: RunOptions) => {
      await runPaperTrading(opts);
    });
}

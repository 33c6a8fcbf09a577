import { InvalidArgumentError, Option, type Command } from "commander";
import { attachBus, type AttachedBus } from "../apps/bus-bridge/attachBus.js";
import { RiskApp } from "../apps/risk/RiskApp.js";
import { loadRiskFile } from "../apps/risk/riskFile.js";
import { MainEngine } from "../trader/MainEngine.js";
import { createSubscribeRequest } from "../trader/objects.js";
import { DataRecorderApp } from "../apps/recorder/DataRecorderApp.js";
import { WorkerStore } from "../apps/recorder/WorkerStore.js";
import type { DataRecorderEngine } from "../apps/recorder/DataRecorderEngine.js";
import { startDemoOrders } from "./demo.js";
import { startStrategies, strategyOptions, strategyView } from "./strategies.js";
import { streamEvents } from "./stream.js";
import type { CtaEngine } from "../apps/cta/CtaEngine.js";
import { startView } from "./view.js";
import { shutdownOnSignals } from "./shutdown.js";
import { addWebOptions, startCliWeb, type WebCliOptions } from "./webOptions.js";
import { connectRunGateway, gatewayChoice, type GatewayOptions } from "./runGateway.js";
import { errorText } from "./errorText.js";

export interface RunOptions extends WebCliOptions, GatewayOptions {
  seed: number;
  tickRate: number;
  instruments?: string;
  capital: number;
  start?: number;
  demoOrders: boolean;
  json: boolean;
  /** Publish market data and order events to this EventCenter (amqp://… or memory://…). */
  bus?: string;
  /** Record the 1-minute bars of these vtSymbols (comma-separated) into the store. */
  record?: string[];
  /** With `record`: their ticks too. */
  recordTicks: boolean;
  /** The store to record into (default TICKWIRE_DATABASE, else sqlite:.tickwire/data.sqlite). */
  database?: string;
  /** A strategies.json to run on the CTA engine. */
  strategies?: string;
  /** The CTA state file; default .tickwire/cta_state.json. */
  strategyState?: string;
  /** A JSON file of pre-trade risk rules (docs/risk.md): every order passes them. */
  risk?: string;
}

/** How long the recorder may keep retrying an unavailable store at shutdown. */
const RECORDER_CLOSE_MS = 10_000;

function symbolList(value: string): string[] {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (list.length === 0) throw new InvalidArgumentError('expected vtSymbols, e.g. "rb2410.SHFE,BTCUSDT.BINANCE"');
  return list;
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

/**
 * `tickwire run`: a MainEngine with the simulated exchange, every instrument subscribed, a live
 * console view (or a JSON-lines event stream), demonstration orders, and a clean exit 0 on
 * SIGINT/SIGTERM.
 */
export async function runPaperTrading(opts: RunOptions): Promise<void> {
  const started = Date.now();
  // Read before anything starts: a bad file stops the command with TW_RISK_BAD_OPTION.
  const riskConfig = opts.risk ? loadRiskFile(opts.risk) : undefined;
  const main = new MainEngine(undefined, { log: { console: false } });
  if (riskConfig) main.addApp(RiskApp).configure(riskConfig);
  const stops: Array<() => void> = [];

  if (opts.json) stops.push(streamEvents(main));

  // Attached before the gateway connects, so the first ticks are published too.
  const bus: AttachedBus | undefined = opts.bus
    ? // A market feed is for whoever listens: mandatory publishes would hold every tick to an
      // exchange with no queue bound for the unroutable timeout (10 s) and then fail it.
      await attachBus(main.eventEngine, opts.bus, { mandatory: false })
    : undefined;

  let store: WorkerStore | undefined;
  let recorder: DataRecorderEngine | undefined;
  if (opts.record !== undefined) {
    // Loaded only when recording (the store pulls in a database driver); the store writes on its
    // own thread, so a batch never holds the event loop.
    const { parseDatabaseUrl, resolveDatabaseUrl } = await import("../data/openDatabase.js");
    store = await WorkerStore.open(parseDatabaseUrl(resolveDatabaseUrl(opts.database)).url);
    recorder = main.addApp(DataRecorderApp);
    recorder.start(store, { closeTimeoutMs: RECORDER_CLOSE_MS });
  }

  const shutdown = shutdownOnSignals({
    name: "tickwire run",
    started,
    // The engine first (no new events; the recorder, an app, writes what it holds), then the
    // bus, which waits for unconfirmed publishes, then the store.
    close: () => {
      for (const stop of stops.splice(0).reverse()) stop();
      return main
        .close()
        .then(() => bus?.close())
        .then(() => store?.close());
    },
    deadlineMs: CLOSE_DEADLINE_MS + (recorder ? RECORDER_CLOSE_MS : 0),
    summary: () => {
      const s = main.eventEngine.stats();
      const r = recorder?.stats();
      const recorded = r
        ? ` Recorded ${r.barsWritten} bars and ${r.ticksWritten} ticks into ${store!.url}${r.buffered ? `; ${r.buffered} NOT written` : ""}.`
        : "";
      return `; ${s.dispatched} events, ${main.getAllOrders().length} orders, ${main.getAllTrades().length} trades.${recorded}`;
    },
  });
  // `tickwire run --json | head`: the reader went away; that is an ordinary way to stop.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") void shutdown("EPIPE");
  });

  // The paper exchange, or a crypto exchange through ccxt (--gateway ccxt): src/cli/runGateway.ts.
  const gateway = await connectRunGateway(main, opts);
  // A signal during start-up has closed the gateway and run the stops already: start nothing
  // more (a view started now would leave the terminal in its alternate screen).
  if (shutdown.closing) return;
  if (recorder && opts.record !== undefined) {
    const known = new Set(gateway.instruments.map((m) => m.vtSymbol));
    const symbols = opts.record;
    const unknown = symbols.filter((vt) => !known.has(vt));
    if (unknown.length > 0) {
      process.stderr.write(
        `tickwire run: cannot record ${unknown.join(", ")}: not an instrument of gateway ${gateway.gatewayName} (it has ${[...known].join(", ")}).\n`,
      );
      void shutdown("bad --record", 2);
      return;
    }
    for (const vt of symbols) {
      recorder.addBarRecording(vt);
      if (opts.recordTicks) recorder.addTickRecording(vt);
    }
  }
  for (const m of gateway.instruments) {
    await main.subscribe(createSubscribeRequest({ symbol: m.symbol, exchange: m.exchange }), gateway.gatewayName);
  }
  if (shutdown.closing) return;
  // Demonstration orders only on paper: never real orders nobody asked for.
  if (opts.demoOrders && gateway.paper) stops.push(startDemoOrders(main, gateway.gatewayName));
  let cta: CtaEngine | undefined;
  if (opts.strategies !== undefined) {
    try {
      cta = await startStrategies(main, opts.strategies, opts.strategyState);
    } catch (e) {
      process.stderr.write(`tickwire run: ${errorText(e)}\n`);
      process.exitCode = 1;
      void shutdown("bad --strategies");
      return;
    }
    if (shutdown.closing) return;
  }
  let webLine = "";
  if (opts.web) {
    try {
      const web = await startCliWeb(main, opts, cta ? { strategies: cta } : {});
      stops.push(() => void web.close());
      webLine = web.loginUrl;
    } catch (e) {
      process.stderr.write(`tickwire run: cannot start the web trader: ${errorText(e)}\n`);
      void shutdown("bad --web", 2);
      return;
    }
  }
  if (shutdown.closing) return;
  if (!opts.json) {
    const title = `tickwire run · ${gateway.label}${opts.demoOrders && gateway.paper ? " · demo orders on" : ""} · Ctrl+C to quit${webLine ? ` · ${webLine}` : ""}`;
    const engine = cta;
    stops.push(startView(main, { title, ...strategyView(engine && (() => engine)) }));
  }
}

/** The options of the paper exchange and those of the ccxt gateway (`tickwire run --gateway …`). */
const SIM_ONLY = ["seed", "tickRate", "instruments", "capital", "start"];
const CCXT_ONLY = ["exchange", "sandbox", "marketType", "ccxtSymbols", "ccxtUrl"];

export function register(program: Command): void {
  const command = strategyOptions(program.command("run"))
    .description("run a trading system: MainEngine + the simulated exchange (or a crypto exchange: --gateway ccxt), with a live console view")
    .option("--seed <n>", "seed of the simulated market (same seed, same market)", integer, 1)
    .option("--tick-rate <n>", "ticks per second per instrument", positive, 4)
    .option("--instruments <list>", 'comma-separated vtSymbols, e.g. "rb2410.SHFE,BTCUSDT.BINANCE" (default: all)')
    .option("--capital <n>", "starting cash of the paper account", positive, 1_000_000)
    .option("--start <time>", "sim time of the first tick (ISO date or epoch ms; default now): with --seed, the same market every run", instant)
    .option("--no-demo-orders", "do not place demonstration orders")
    .option("--json", "print the event stream as JSON lines (one per update) instead of the view", false)
    .option("--risk <file>", "pre-trade risk rules from a JSON file (see docs/risk.md); every order passes them")
    .option("--bus <url>", "also publish ticks, orders, trades, positions and accounts to an EventCenter (amqp://… or memory://…)")
    .option("--record <list>", 'record the 1-minute bars of these vtSymbols into the store, e.g. "rb2410.SHFE,BTCUSDT.BINANCE"', symbolList)
    .option("--record-ticks", "with --record: record their ticks too", false)
    .option(
      "--database <url>",
      "the store to record into: sqlite:path/file.sqlite or postgres://… (default: TICKWIRE_DATABASE, else sqlite:.tickwire/data.sqlite)",
    )
    .option(
      "--gateway <name>",
      'the market: "sim" (the paper exchange) or "ccxt" (a crypto exchange; keys from TICKWIRE_CCXT_KEY / TICKWIRE_CCXT_SECRET)',
      gatewayChoice,
      "sim",
    )
    .option("--exchange <id>", "with --gateway ccxt: the ccxt exchange id (binance, okx, bybit, …)", "binance")
    .option("--sandbox", "with --gateway ccxt: trade on the exchange's testnet", false)
    .option("--market-type <type>", "with --gateway ccxt: spot or swap", "spot")
    .option("--ccxt-symbols <list>", 'with --gateway ccxt: the markets to load and subscribe, e.g. "BTC/USDT,ETH/USDT" (default BTC/USDT,ETH/USDT)')
    .addOption(new Option("--ccxt-url <url>", "with --gateway ccxt: a Binance-compatible base URL (tests: the local emulator)").hideHelp());
  addWebOptions(command).action(async (opts: RunOptions, cmd: Command) => {
    // An option of the other market is a mistake, not something to ignore silently.
    const given = (names: string[]) => names.filter((n) => cmd.getOptionValueSource(n) === "cli");
    const wrong = opts.gateway === "ccxt" ? given(SIM_ONLY) : given(CCXT_ONLY);
    if (wrong.length > 0) {
      const flags = wrong.map((n) => "--" + n.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())).join(", ");
      cmd.error(`error: ${flags} ${wrong.length > 1 ? "are" : "is"} for --gateway ${opts.gateway === "ccxt" ? "sim" : "ccxt"}, not --gateway ${opts.gateway}`);
    }
    await runPaperTrading(opts);
  });
}

import type { Command } from "commander";
import { RpcGateway } from "../gateways/rpc/RpcGateway.js";
import { shutdownOnSignals } from "./shutdown.js";
import { rpcGatewaySettingOf, type ServerOptions } from "./rpcSetting.js";
import { MainEngine } from "../trader/MainEngine.js";
import { createSubscribeRequest } from "../trader/objects.js";
import type { CtaEngine } from "../apps/cta/CtaEngine.js";
import { startDemoOrders } from "./demo.js";
import { readStrategiesFile, startStrategies, strategyOptions, strategyView } from "./strategies.js";
import { streamEvents } from "./stream.js";
import { startView } from "./view.js";
import { addWebOptions, startCliWeb, type WebCliOptions } from "./webOptions.js";
import { errorText } from "./errorText.js";

export interface ClientOptions extends WebCliOptions, ServerOptions {
  demoOrders: boolean;
  /** Print the event stream as JSON lines instead of the view. */
  json: boolean;
  /** A strategies.json to run on the CTA engine, trading through the server's gateway. */
  strategies?: string;
  /** The CTA state file; default .tickwire/cta_state.json. */
  strategyState?: string;
}

const CLOSE_DEADLINE_MS = 1500;

/**
 * `tickwire client`: a MainEngine whose only gateway is an RpcGateway to a `tickwire serve`
 * process, with the same live console view (or JSON-lines stream) as `tickwire run`: ticks,
 * orders and trades that crossed the process boundary. With `--strategies` the CTA engine runs
 * here, exactly as in `tickwire run`: its history, ticks, orders and fills go over RPC.
 */
export async function runClient(opts: ClientOptions): Promise<void> {
  // Checked before waiting for a server: a bad file stops the command with TW_CLI_STRATEGIES.
  if (opts.strategies !== undefined) readStrategiesFile(opts.strategies);
  const main = new MainEngine(undefined, { log: { console: false } });
  const stops: Array<() => void> = [];
  const shutdown = shutdownOnSignals({
    name: "tickwire client",
    close: () => {
      for (const stop of stops.splice(0).reverse()) stop();
      return main.close();
    },
    deadlineMs: CLOSE_DEADLINE_MS,
    summary: () => `; ${main.getAllOrders().length} orders, ${main.getAllTrades().length} trades.`,
  });

  const setting = rpcGatewaySettingOf(opts);
  const gateway = main.addGateway(RpcGateway);
  // Before the view takes the screen, so its URL line is printed plainly (and shown in the title).
  const web = opts.web ? await startCliWeb(main, opts) : undefined;
  if (web) stops.push(() => void web.close());
  // The view starts before connecting (it shows the wait for a server); the strategies' section
  // reads the CTA engine once there is one.
  let cta: CtaEngine | undefined;
  if (opts.json) stops.push(streamEvents(main));
  else {
    const title = `tickwire client · ${opts.req}${opts.demoOrders ? " · demo orders on" : ""}${web ? ` · ${web.loginUrl}` : ""} · Ctrl+C to quit`;
    stops.push(startView(main, { title, ...strategyView(opts.strategies !== undefined ? () => cta : undefined) }));
  }
  try {
    await main.connect(setting, gateway.gatewayName);
    await gateway.whenSynced();
    if (shutdown.closing) return;
    for (const c of main.getAllContracts()) {
      await main.subscribe(createSubscribeRequest({ symbol: c.symbol, exchange: c.exchange }), gateway.gatewayName);
    }
  } catch (e) {
    // Ctrl+C while connecting or subscribing closes the gateway under these calls: not a failure.
    if (shutdown.closing) return;
    throw e;
  }
  if (shutdown.closing) return;
  if (opts.demoOrders) stops.push(startDemoOrders(main, gateway.gatewayName));
  if (opts.strategies !== undefined) {
    try {
      cta = await startStrategies(main, opts.strategies, opts.strategyState);
    } catch (e) {
      process.stderr.write(`tickwire client: ${errorText(e)}\n`);
      void shutdown("bad --strategies", 1);
    }
  }
}

export function register(program: Command): void {
  const command = strategyOptions(program.command("client"))
    .description("trade through a `tickwire serve` process: MainEngine + RpcGateway with the live console view")
    .option("--req <endpoint>", "the server's request endpoint", "tcp://127.0.0.1:2014")
    .option("--sub <endpoint>", "the server's publication endpoint", "tcp://127.0.0.1:4102")
    .option("--server-key <file>", "the server's public .key file (CURVE)")
    .option("--curve-secret <file>", "this client's .key_secret file (CURVE; default: a fresh key pair)")
    .option("--demo-orders", "place demonstration orders through the server", false)
    .option("--json", "print the event stream as JSON lines (one per update) instead of the view", false);
  addWebOptions(command).action(async (opts: ClientOptions) => {
    await runClient(opts);
  });
}

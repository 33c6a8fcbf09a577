import type { Command } from "commander";
import { RpcGateway } from "../gateways/rpc/RpcGateway.js";
import { shutdownOnSignals } from "./shutdown.js";
import { rpcGatewaySettingOf, type ServerOptions } from "./rpcSetting.js";
import { MainEngine } from "../trader/MainEngine.js";
import { createSubscribeRequest } from "../trader/objects.js";
import { addWebOptions, startCliWeb, type WebCliOptions } from "./webOptions.js";
import { errorText } from "./errorText.js";

export interface WebOptions extends WebCliOptions, ServerOptions {}

const CLOSE_DEADLINE_MS = 1500;

/**
 * `tickwire web`: the web trader as its own process, talking to a `tickwire serve` process over
 * RPC, as vnpy_webtrader does. Its data source is a MainEngine whose only gateway is an
 * RpcGateway: contracts, ticks, orders, trades, positions, accounts and the server's logs arrive
 * by the server's snapshot and publications; subscribe, send and cancel order and bar history go
 * to the server as calls. The engine health shown is this process's engine (what the page's
 * events went through) and the RPC gateway's connection state.
 */
export async function runWeb(opts: WebOptions): Promise<void> {
  const main = new MainEngine(undefined, { log: { console: false } });
  let web: { close(): Promise<void> } | undefined;
  const shutdown = shutdownOnSignals({
    name: "tickwire web",
    close: () => Promise.resolve(web?.close()).then(() => main.close()),
    deadlineMs: CLOSE_DEADLINE_MS,
    summary: () => `; ${main.getAllOrders().length} orders, ${main.getAllTrades().length} trades seen.`,
  });

  const setting = rpcGatewaySettingOf(opts);
  const gateway = main.addGateway(RpcGateway);
  // The sim's and RPC client's timers may be unref'd; this one holds the process open until a signal.
  setInterval(() => {}, 60_000);
  process.stderr.write(`tickwire web: connecting to ${opts.req} / ${opts.sub} ...\n`);
  await main.connect(setting, gateway.gatewayName);
  // The URL is printed once the server's state is in: a page opened then has its contracts.
  await gateway.whenSynced();
  if (shutdown.closing) return;
  for (const c of main.getAllContracts()) {
    await main.subscribe(createSubscribeRequest({ symbol: c.symbol, exchange: c.exchange }), gateway.gatewayName);
  }
  if (shutdown.closing) return;
  try {
    web = await startCliWeb(main, opts);
  } catch (e) {
    process.stderr.write(`tickwire web: cannot start the web trader: ${errorText(e)}\n`);
    void shutdown("bad --web", 2);
  }
}

export function register(program: Command): void {
  const command = program
    .command("web")
    .description("serve the web trader for a `tickwire serve` process, talking to it over RPC (prints the URL with its token)")
    .option("--req <endpoint>", "the server's request endpoint", "tcp://127.0.0.1:2014")
    .option("--sub <endpoint>", "the server's publication endpoint", "tcp://127.0.0.1:4102")
    .option("--server-key <file>", "the server's public .key file (CURVE)")
    .option("--curve-secret <file>", "this process's .key_secret file (CURVE)");
  addWebOptions(command, { always: true }).action(async (opts: WebOptions) => {
    await runWeb({ ...opts, web: true });
  });
}

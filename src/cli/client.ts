import type { Command } from "commander";
import { RpcGateway } from "../gateways/rpc/RpcGateway.js";
import { readKeyFile } from "../rpc/curve.js";
import { MainEngine } from "../trader/MainEngine.js";
import { createSubscribeRequest } from "../trader/objects.js";
import { startDemoOrders } from "./demo.js";
import { startView } from "./view.js";

export interface ClientOptions {
  req: string;
  sub: string;
  serverKey?: string;
  curveSecret?: string;
  demoOrders: boolean;
}

const CLOSE_DEADLINE_MS = 1500;

/**
 * `tickwire client`: a MainEngine whose only gateway is an RpcGateway to a `tickwire serve`
 * process, with the same live console view as `tickwire run`: ticks, orders and trades that
 * crossed the process boundary.
 */
export async function runClient(opts: ClientOptions): Promise<void> {
  const main = new MainEngine(undefined, { log: { console: false } });
  const stops: Array<() => void> = [];
  const started = Date.now();
  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    for (const stop of stops.splice(0).reverse()) stop();
    const deadline = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), CLOSE_DEADLINE_MS).unref());
    let code = 0;
    try {
      const how = await Promise.race([main.close().then(() => "closed" as const), deadline]);
      process.stderr.write(
        `tickwire client: ${signal}, ${how} after ${((Date.now() - started) / 1000).toFixed(1)} s; ${main.getAllOrders().length} orders, ${main.getAllTrades().length} trades.\n`,
      );
    } catch (e) {
      process.stderr.write(`tickwire client: closing failed: ${String(e)}\n`);
      code = 1;
    }
    process.exit(code);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  const setting: Record<string, unknown> = { reqAddress: opts.req, subAddress: opts.sub };
  if (opts.serverKey) setting.serverKey = readKeyFile(opts.serverKey).publicKey;
  if (opts.curveSecret) {
    const own = readKeyFile(opts.curveSecret);
    setting.publicKey = own.publicKey;
    setting.secretKey = own.secretKey ?? "";
  }
  const gateway = main.addGateway(RpcGateway);
  const title = `tickwire client · ${opts.req}${opts.demoOrders ? " · demo orders on" : ""} · Ctrl+C to quit`;
  stops.push(startView(main, { title }));
  await main.connect(setting, gateway.gatewayName);
  await gateway.whenSynced();
  if (closing) return;
  for (const c of main.getAllContracts()) {
    await main.subscribe(createSubscribeRequest({ symbol: c.symbol, exchange: c.exchange }), gateway.gatewayName);
  }
  if (opts.demoOrders) stops.push(startDemoOrders(main, gateway.gatewayName));
}

export function register(program: Command): void {
  program
    .command("client")
    .description("trade through a `tickwire serve` process: MainEngine + RpcGateway with the live console view")
    .option("--req <endpoint>", "the server's request endpoint", "tcp://127.0.0.1:2014")
    .option("--sub <endpoint>", "the server's publication endpoint", "tcp://127.0.0.1:4102")
    .option("--server-key <file>", "the server's public .key file (CURVE)")
    .option("--curve-secret <file>", "this client's .key_secret file (CURVE; default: a fresh key pair)")
    .option("--demo-orders", "place demonstration orders through the server", false)
    .action(async (opts: ClientOptions) => {
      await runClient(opts);
    });
}

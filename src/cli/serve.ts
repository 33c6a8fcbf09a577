import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { RpcServiceApp } from "../apps/rpc-service/RpcServiceApp.js";
import { RiskApp } from "../apps/risk/RiskApp.js";
import { loadRiskFile } from "../apps/risk/riskFile.js";
import { SimGateway } from "../gateways/sim/SimGateway.js";
import { readKeyFile } from "../rpc/curve.js";
import type { RpcServerOptions } from "../rpc/RpcServer.js";
import { LogLevel } from "../trader/constants.js";
import { MainEngine } from "../trader/MainEngine.js";
import { createSubscribeRequest } from "../trader/objects.js";
import { shutdownOnSignals } from "./shutdown.js";
import { addWebOptions, startCliWeb, type WebCliOptions } from "./webOptions.js";
import { errorText } from "./errorText.js";

export interface ServeOptions extends WebCliOptions {
  rep: string;
  pub: string;
  seed: number;
  tickRate: number;
  instruments?: string;
  capital: number;
  curveSecret?: string;
  allow?: string[];
  insecure: boolean;
  logLevel: string;
  /** A JSON file of pre-trade risk rules (docs/risk.md): every client's order passes them. */
  risk?: string;
}

/** How long shutdown may take before the process exits anyway. */
const CLOSE_DEADLINE_MS = 1500;

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number > 0");
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Public keys from `.key` files, or from every `.key` file in a directory. */
export function allowedKeys(paths: readonly string[]): string[] {
  const keys: string[] = [];
  for (const p of paths) {
    if (existsSync(p) && statSync(p).isDirectory()) {
      for (const f of readdirSync(p).filter((f) => f.endsWith(".key"))) keys.push(readKeyFile(join(p, f)).publicKey);
    } else {
      keys.push(readKeyFile(p).publicKey);
    }
  }
  return keys;
}

/**
 * `tickwire serve`: a MainEngine with the simulated exchange and the rpc service, so `tickwire
 * client` processes (or any RpcGateway) trade through it. Logs every client call at DEBUG.
 */
export async function serve(opts: ServeOptions): Promise<void> {
  const level = opts.logLevel.toUpperCase() as LogLevel;
  if (!Object.values(LogLevel).includes(level)) throw new InvalidArgumentError(`unknown log level ${opts.logLevel}`);
  const riskConfig = opts.risk ? loadRiskFile(opts.risk) : undefined;
  const main = new MainEngine(undefined, { log: { level, console: "pretty" } });
  if (riskConfig) main.addApp(RiskApp).configure(riskConfig);
  let web: { close(): Promise<void> } | undefined;
  const shutdown = shutdownOnSignals({
    name: "tickwire serve",
    close: () => {
      void web?.close();
      return main.close();
    },
    deadlineMs: CLOSE_DEADLINE_MS,
  });

  const gateway = main.addGateway(SimGateway);
  await main.connect({ seed: opts.seed, tickRate: opts.tickRate, capital: opts.capital, instruments: opts.instruments ?? "" }, gateway.gatewayName);

  const serverOptions: RpcServerOptions = {
    insecure: opts.insecure,
  };
  if (level === LogLevel.DEBUG) {
    serverOptions.onCall = ({ name, ms, ok, code }) =>
      main.writeLog(`call ${name} ${ok ? "ok" : `failed (${code ?? "error"})`} in ${ms.toFixed(2)} ms`, "RpcService", LogLevel.DEBUG);
  }
  if (opts.curveSecret) {
    const own = readKeyFile(opts.curveSecret);
    if (!own.secretKey) throw new InvalidArgumentError(`${opts.curveSecret} holds no secret key: pass the .key_secret file`);
    const allowed = opts.allow && opts.allow.length > 0 ? allowedKeys(opts.allow) : undefined;
    serverOptions.curve = { secretKey: own.secretKey, ...(allowed ? { allowedClients: allowed } : {}) };
  }
  const engine = main.addApp(RpcServiceApp);
  const server = await engine.start(opts.rep, opts.pub, serverOptions);
  // Printed plainly (not through the logger) so scripts can read the endpoints.
  process.stdout.write(
    `tickwire serve: requests ${server.repEndpoint} publications ${server.pubEndpoint}${opts.curveSecret ? " (CURVE)" : ""} · Ctrl+C to quit\n`,
  );
  if (opts.web) {
    // The page's market watch shows what the engine is subscribed to: everything, as `run` does.
    for (const m of gateway.exchange.markets) {
      await main.subscribe(createSubscribeRequest({ symbol: m.instrument.symbol, exchange: m.instrument.exchange }), gateway.gatewayName);
    }
    try {
      web = await startCliWeb(main, opts);
    } catch (e) {
      process.stderr.write(`tickwire serve: cannot start the web trader: ${errorText(e)}\n`);
      process.exitCode = 2;
      void shutdown("bad --web");
      return;
    }
  }
  // The sim's timers are unref'd; this one holds the process open until a signal.
  setInterval(() => {}, 60_000);
}

export function register(program: Command): void {
  const command = program
    .command("serve")
    .description("serve a paper-trading MainEngine to other processes over ZeroMQ (tickwire client, RpcGateway)")
    .option("--rep <endpoint>", "request endpoint to bind", "tcp://127.0.0.1:2014")
    .option("--pub <endpoint>", "publication endpoint to bind", "tcp://127.0.0.1:4102")
    .option("--seed <n>", "seed of the simulated market", positive, 1)
    .option("--tick-rate <n>", "ticks per second per instrument", positive, 4)
    .option("--instruments <list>", "comma-separated vtSymbols (default: all)")
    .option("--capital <n>", "starting cash of the paper account", positive, 1_000_000)
    .option("--curve-secret <file>", "this server's .key_secret file (tickwire keygen): turns on CURVE encryption")
    .option("--allow <file|dir>", "client public key file (.key) or a directory of them; repeatable (default with CURVE: any client)", collect)
    .option("--insecure", "allow binding beyond 127.0.0.1 without CURVE (trusted networks only)", false)
    .option("--risk <file>", "pre-trade risk rules from a JSON file (see docs/risk.md); every client's order passes them")
    .option("--log-level <level>", "DEBUG shows every client call", "INFO");
  addWebOptions(command).action(async (opts: ServeOptions) => {
    await serve(opts);
  });
}

import { InvalidArgumentError, type Command } from "commander";
import type { WebServer, WebServerOptions } from "../apps/web/WebServer.js";
import type { WebTradingSource } from "../apps/web/source.js";

/**
 * The web trader's options, shared by `run`, `serve`, `client` (with `--web`) and `web` (always
 * on): one place for their names, defaults and help, and for starting the server the same way.
 */
export interface WebCliOptions {
  web: boolean;
  webPort: number;
  webHost: string;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port number 0-65535 (0 picks a free one)");
  return n;
}

/** Adds --web-port and --web-host, and --web unless the command always serves the page. */
export function addWebOptions(command: Command, { always = false }: { always?: boolean } = {}): Command {
  if (!always) command.option("--web", "also serve the web trader (prints its URL with the access token on its own line)", false);
  return command
    .option("--web-port <n>", "port of the web trader (0 picks a free one)", port, 8600)
    .option("--web-host <host>", "address of the web trader; not loopback only with TICKWIRE_WEB_PASSWORD_HASH set", "127.0.0.1");
}

/**
 * Starts the web trader on `source` with the command's options (the password hash from
 * TICKWIRE_WEB_PASSWORD_HASH) and prints its URL with the token on its own line of stdout, so a
 * script (or a person) can pick it up. Fastify is loaded only here: a run without --web never
 * loads it.
 */
export async function startCliWeb(source: WebTradingSource, opts: WebCliOptions, extra: WebServerOptions = {}): Promise<WebServer> {
  const { startWebServer } = await import("../apps/web/WebServer.js");
  const passwordHash = process.env.TICKWIRE_WEB_PASSWORD_HASH;
  const web = await startWebServer(source, { port: opts.webPort, host: opts.webHost, ...(passwordHash ? { passwordHash } : {}), ...extra });
  process.stdout.write(web.loginUrl + "\n");
  return web;
}

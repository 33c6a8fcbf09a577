#!/usr/bin/env node
/**
 * `tickwire`: the command line. Each subcommand lives in its own file and registers itself here;
 * keep this file a short list of registrations.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { errorText } from "./errorText.js";
import { register as registerRun } from "./run.js";
import { register as registerServe } from "./serve.js";
import { register as registerClient } from "./client.js";
import { register as registerKeygen } from "./keygen.js";
import { register as registerListen } from "./listen.js";
import { register as registerData } from "./data.js";
import { register as registerBacktest } from "./backtest.js";
import { register as registerWeb } from "./web.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
const program = new Command("tickwire").description("event-driven trading engine for TypeScript").version(pkg.version);

registerRun(program);
registerServe(program);
registerClient(program);
registerKeygen(program);
registerListen(program);
registerData(program);
registerBacktest(program);
registerWeb(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`tickwire: ${errorText(error)}\n`);
  process.exit(1);
}

import type { Command } from "commander";
import { dirname, relative, resolve } from "node:path";
import { writeKeyPair } from "../rpc/curve.js";

export interface KeygenOptions {
  dir: string;
}

/** `tickwire keygen <name>`: writes a CURVE key pair as <dir>/<name>.key (public) and <name>.key_secret. */
export function keygen(name: string, opts: KeygenOptions): void {
  const { pair, publicFile, secretFile } = writeKeyPair(opts.dir, name);
  process.stdout.write(`public key ${pair.publicKey}\nwrote ${publicFile} (give it to the other side)\nwrote ${secretFile} (keep it private, mode 600)\n`);
  // The default ./keys sits in the project: say so, before a secret key is committed with it.
  process.stderr.write(
    `tickwire keygen: the secret key is in ${resolve(dirname(secretFile))}; keep it out of version control (add "${relative(process.cwd(), resolve(dirname(secretFile))) || "."}/" to .gitignore, or use --dir outside the project).\n`,
  );
}

export function register(program: Command): void {
  program
    .command("keygen")
    .description("write a CURVE key pair for `tickwire serve --curve-secret` / `tickwire client --server-key`")
    .argument("[name]", "file name stem, e.g. server or client-alice", "tickwire")
    .option("--dir <dir>", "directory to write into", "keys")
    .action((name: string, opts: KeygenOptions) => {
      keygen(name, opts);
    });
}

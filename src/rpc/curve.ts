/**
 * CURVE security for rpc: key pairs, key files in ZeroMQ's certificate format, and the ZAP
 * handler (ZeroMQ RFC 27) that decides which client public keys a server accepts. zeromq.js
 * ships no ZAP handler, so this one answers ZAP requests on `inproc://zeromq.zap.01` in the
 * server's own ZeroMQ context (one context per secured server, so two servers in one process
 * keep separate allow-lists).
 */
import { readFileSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { Context, Router, curveKeyPair } from "zeromq";
import { TickwireError } from "../event/errors.js";
import { RpcErrorCode } from "./errors.js";

export interface CurveKeyPair {
  /** Z85 text, 40 characters. */
  publicKey: string;
  /** Z85 text, 40 characters. Keep it secret. */
  secretKey: string;
}

/** A fresh CURVE key pair. */
export function generateKeyPair(): CurveKeyPair {
  const { publicKey, secretKey } = curveKeyPair();
  return { publicKey, secretKey };
}

const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

/** Z85-encodes a buffer whose length is a multiple of 4 (ZAP hands keys over as 32 raw bytes). */
export function z85Encode(buf: Uint8Array): string {
  let out = "";
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i + 4 <= buf.length; i += 4) {
    let v = view.getUint32(i);
    let chunk = "";
    for (let j = 0; j < 5; j++) {
      chunk = Z85[v % 85] + chunk;
      v = Math.floor(v / 85);
    }
    out += chunk;
  }
  return out;
}

export function isZ85Key(key: string): boolean {
  return Z85_KEY.test(key);
}

/**
 * Writes `<name>.key` (public key only: hand it to the other side) and `<name>.key_secret`
 * (both keys, mode 0600), the layout czmq's zcert uses. Returns the pair and the two paths.
 */
export function writeKeyPair(
  dir: string,
  name: string,
  pair: CurveKeyPair = generateKeyPair(),
): {
  pair: CurveKeyPair;
  publicFile: string;
  secretFile: string;
} {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new TickwireError(RpcErrorCode.BAD_ARGUMENT, `Key name "${name}" must use letters, digits, "_", "-" or "." only.`);
  }
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString();
  const publicFile = join(dir, `${name}.key`);
  const secretFile = join(dir, `${name}.key_secret`);
  writeFileSync(
    publicFile,
    `#   ZeroMQ CURVE Public Certificate, written by tickwire keygen ${stamp}\n` +
      `#   Give this file to the other side.\n\nmetadata\ncurve\n    public-key = "${pair.publicKey}"\n`,
  );
  writeFileSync(
    secretFile,
    `#   ZeroMQ CURVE **Secret** Certificate, written by tickwire keygen ${stamp}\n` +
      `#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n\n` +
      `metadata\ncurve\n    public-key = "${pair.publicKey}"\n    secret-key = "${pair.secretKey}"\n`,
    { mode: 0o600 },
  );
  chmodSync(secretFile, 0o600);
  return { pair, publicFile, secretFile };
}

/** Reads a key file written by `writeKeyPair` (or czmq): the public key and, if present, the secret key. */
export function readKeyFile(path: string): { publicKey: string; secretKey?: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new TickwireError(RpcErrorCode.KEY_FILE, `Cannot read key file ${path}: create it with "tickwire keygen".`, { cause: err });
  }
  const pub = /public-key\s*=\s*"([^"]+)"/.exec(text)?.[1];
  const sec = /secret-key\s*=\s*"([^"]+)"/.exec(text)?.[1];
  if (!pub || !isZ85Key(pub) || (sec !== undefined && !isZ85Key(sec))) {
    throw new TickwireError(RpcErrorCode.KEY_FILE, `Key file ${path} holds no valid Z85 CURVE key: create it with "tickwire keygen".`);
  }
  return sec === undefined ? { publicKey: pub } : { publicKey: pub, secretKey: sec };
}

const ZAP_ENDPOINT = "inproc://zeromq.zap.01";

/** Answers ZAP requests for one ZeroMQ context: CURVE clients whose public key is allowed get in. */
export class ZapHandler {
  private readonly socket: Router;
  private readonly allowed: Set<string> | undefined;
  accepted = 0;
  refused = 0;

  /** `allowed` undefined = any client with a valid CURVE handshake (encryption without authentication). */
  constructor(context: Context, allowed: readonly string[] | undefined) {
    this.socket = new Router({ context, linger: 0 });
    this.allowed = allowed ? new Set(allowed) : undefined;
  }

  async start(): Promise<void> {
    await this.socket.bind(ZAP_ENDPOINT);
    void this.serve();
  }

  stop(): void {
    this.socket.close();
  }

  private async serve(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        // [routing id, "", version, request id, domain, address, identity, mechanism, credentials...]
        const [peer, , version, requestId, , , , mechanism, credential] = frames;
        let status = "400";
        let text = "Client key not allowed";
        if (version?.toString() !== "1.0") {
          status = "500";
          text = "Unsupported ZAP version";
        } else if (mechanism?.toString() === "CURVE" && credential?.length === 32) {
          const key = z85Encode(credential);
          if (!this.allowed || this.allowed.has(key)) {
            status = "200";
            text = "OK";
          }
        }
        if (status === "200") this.accepted++;
        else this.refused++;
        await this.socket.send([peer, "", "1.0", requestId ?? "", status, text, "", ""]);
      }
    } catch {
      // The socket was closed by stop(): nothing more to answer.
    }
  }
}

import type { RpcGatewaySetting } from "../gateways/rpc/RpcGateway.js";
import { readKeyFile } from "../rpc/curve.js";

/** The options of a command that connects to a `tickwire serve` process (`client`, `web`). */
export interface ServerOptions {
  req: string;
  sub: string;
  serverKey?: string;
  curveSecret?: string;
}

/** The RpcGateway setting for those options: the endpoints, and CURVE keys read from their files. */
export function rpcGatewaySettingOf(opts: ServerOptions): RpcGatewaySetting {
  const setting: { -readonly [K in keyof RpcGatewaySetting]: RpcGatewaySetting[K] } = { reqAddress: opts.req, subAddress: opts.sub };
  if (opts.serverKey) setting.serverKey = readKeyFile(opts.serverKey).publicKey;
  if (opts.curveSecret) {
    const own = readKeyFile(opts.curveSecret);
    setting.publicKey = own.publicKey;
    setting.secretKey = own.secretKey ?? "";
  }
  return setting;
}

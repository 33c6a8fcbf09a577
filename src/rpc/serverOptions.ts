import type { Publisher, Router } from "zeromq";

/** Any function can be registered; arguments are checked by the function itself. */
export type RpcFunction = (...args: never[]) => unknown;

export interface RpcServerOptions {
  /** Milliseconds between heartbeats on the publish socket. Default 2000. */
  heartbeatInterval?: number;
  /** Largest request, reply and publication in bytes; larger ones get a TW_RPC_OVERSIZE error. Default 16 MiB. */
  maxMessageSize?: number;
  /** Send remote stacks to callers (they may reveal paths). Default true. */
  exposeStack?: boolean;
  /** CURVE encryption; with `allowedClients`, only those client public keys may connect. */
  curve?: { secretKey: string; allowedClients?: readonly string[] };
  /** Allow binding beyond loopback without CURVE. Default false: such a bind throws TW_RPC_INSECURE_BIND. */
  insecure?: boolean;
  /** Messages ZeroMQ may queue per subscriber before it drops (PUB high-water mark). Default 10000. */
  publishHighWaterMark?: number;
  /** Most publications in one wire message when a burst is queued. Default 512. */
  maxBatch?: number;
  /** Called after each call with its name, duration and outcome (for debug logging). */
  onCall?: (info: { name: string; ms: number; ok: boolean; code?: string }) => void;
}

export interface RpcServerStats {
  requests: number;
  replies: number;
  /** Calls whose function threw or rejected. */
  remoteErrors: number;
  unknownFunction: number;
  badRequests: number;
  oversize: number;
  /** Messages dropped without a reply (no routing frame, not a request). */
  malformed: number;
  /** Replies that could not be encoded (the caller got TW_RPC_ENCODE instead). */
  encodeErrors: number;
  published: number;
  publishBatches: number;
  /** Calls running right now. */
  inFlight: number;
  authAccepted: number;
  authRefused: number;
}

/** The options with their defaults filled in. */
export type ResolvedServerOptions = Required<Omit<RpcServerOptions, "curve" | "onCall">> & Pick<RpcServerOptions, "curve" | "onCall">;

export function resolveServerOptions(options: RpcServerOptions): ResolvedServerOptions {
  return {
    heartbeatInterval: options.heartbeatInterval ?? 2000,
    maxMessageSize: options.maxMessageSize ?? 16 * 1024 * 1024,
    exposeStack: options.exposeStack ?? true,
    insecure: options.insecure ?? false,
    publishHighWaterMark: options.publishHighWaterMark ?? 10_000,
    maxBatch: options.maxBatch ?? 512,
    curve: options.curve,
    onCall: options.onCall,
  };
}

export async function bindWithRetry(socket: Router | Publisher, address: string): Promise<void> {
  // A port freed by a server that just stopped can take a moment to be reusable.
  for (let attempt = 0; ; attempt++) {
    try {
      await socket.bind(address);
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== "EADDRINUSE" || attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

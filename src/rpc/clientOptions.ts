import type { TickwireError } from "../event/errors.js";

export interface RpcClientOptions {
  /** Default call timeout, ms. Default 30000 (as vnpy). */
  timeout?: number;
  /** Ms without hearing from the server before `disconnected` is emitted. Default 10000. */
  heartbeatTolerance?: number;
  /** CURVE: the server's public key, and this client's key pair (a fresh one when omitted). */
  curve?: { serverPublicKey: string; publicKey?: string; secretKey?: string };
  /**
   * Largest request this client sends and reply it accepts, bytes. Default 16 MiB; give the
   * server and its clients the same value. ZeroMQ itself ends the connection on a message over
   * 4 × this + 1 MiB; the client then fails the calls sent on it and reconnects on a new socket.
   */
  maxMessageSize?: number;
  /** Publications ZeroMQ may queue for this client before the server drops (SUB high-water mark). Default 10000. */
  receiveHighWaterMark?: number;
  /** Most requests in one wire message when calls queue up. Default 512. */
  maxBatch?: number;
}

export interface CallOptions {
  /** Ms to wait for the reply. Default: the client's `timeout`. */
  timeout?: number;
}

export type ConnectionState = "stopped" | "connecting" | "connected" | "disconnected";

export interface RpcClientEvents {
  /** A publication on a subscribed topic: its topic, data and the server's sequence number. */
  message: [topic: string, data: unknown, seq: number];
  /** The first heartbeat after start(): the server is there and subscriptions are in place. */
  connected: [info: { serverId: string }];
  /**
   * No heartbeat for longer than the tolerance, the server restarted, or ZeroMQ ended a
   * connection after a message over this client's limit (`dropped`: the socket is recreated).
   */
  disconnected: [info: { serverId: string; silentMs: number; reason: "silence" | "restart" | "dropped" }];
  /** Heartbeats are back. `restarted` = a new server run (its state may differ: resync). */
  reconnected: [info: { serverId: string; restarted: boolean; downMs: number }];
  /** A `message` listener threw: the error and the topic. Dispatch goes on. */
  messageError: [error: unknown, topic: string];
  /** The server refused this client's CURVE key (emitted on each refused handshake). */
  authFailed: [error: TickwireError];
}

/** The promise-returning face of a server API type `T` (its function-valued keys). */
export type RemoteApi<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

export interface RpcClientStats {
  calls: number;
  pending: number;
  timeouts: number;
  remoteErrors: number;
  /** Replies that came after their call timed out (ignored). */
  lateReplies: number;
  badReplies: number;
  messages: number;
  badMessages: number;
  heartbeats: number;
  listenerErrors: number;
}

/** The options with their defaults filled in. */
export type ResolvedClientOptions = Required<Omit<RpcClientOptions, "curve">> & Pick<RpcClientOptions, "curve">;

export function resolveClientOptions(options: RpcClientOptions): ResolvedClientOptions {
  return {
    timeout: options.timeout ?? 30_000,
    heartbeatTolerance: options.heartbeatTolerance ?? 10_000,
    maxMessageSize: options.maxMessageSize ?? 16 * 1024 * 1024,
    receiveHighWaterMark: options.receiveHighWaterMark ?? 10_000,
    maxBatch: options.maxBatch ?? 512,
    curve: options.curve,
  };
}

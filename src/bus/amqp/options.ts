import { TickwireError } from "../../event/errors.js";
import { codecById, type BusCodec, type CodecId } from "../codec.js";
import { newNodeId } from "../subscribeSpec.js";

export const DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";

export interface AmqpEventCenterOptions {
  /** Broker URL; default `TICKWIRE_AMQP_URL`, else `amqp://guest:guest@127.0.0.1:5672`. */
  url?: string;
  /** Id sent as the AMQP `app-id` of what this center publishes; default host.pid.random. */
  nodeId?: string;
  /** Codec for `publish`; default "aioquant" (zlib+JSON, readable by aioquant). */
  codec?: CodecId;
  /** Publisher confirms; default true. Without them a publish resolves once written to the socket. */
  confirms?: boolean;
  /**
   * Most publishes held while disconnected (or while the socket is full). Past it `publish`
   * rejects at once with TW_BUS_BUFFER_FULL; nothing already accepted is ever dropped. Default 100,000.
   */
  maxBuffered?: number;
  /** First reconnect delay, doubled per failed attempt up to `maxReconnectDelayMs`, with jitter; default 100. */
  reconnectDelayMs?: number;
  /** Default 5000. */
  maxReconnectDelayMs?: number;
  /** AMQP heartbeat, so a silent network loss is noticed within about two periods; default 5 s. */
  heartbeatSeconds?: number;
  /**
   * Declare exchanges durable; default true. A transient exchange and its bindings vanish when the
   * broker restarts, so a named (durable) queue whose consumer is away stops getting events. false
   * declares them as aioquant does (transient), for sharing a broker with aioquant processes. An
   * exchange that exists already is used as it is, whichever it is.
   */
  durableExchanges?: boolean;
  /**
   * Publish `mandatory` (with confirms), so `publish()` resolves only once the broker routed the
   * message to at least one queue; default true. false: a confirm means the broker took it, even
   * if no queue did (aioquant's fire-and-forget).
   */
  mandatory?: boolean;
  /**
   * How long a publish that no queue took (RabbitMQ returned it) is sent again, with backoff,
   * before it rejects with TW_BUS_UNROUTABLE: time for subscribers to declare their queues again
   * after a broker restart. Counted from its first return on the current connection; default
   * 10,000 ms (twice the longest default reconnect delay). 0 rejects at the first return.
   */
  unroutableTimeoutMs?: number;
  /** How long `close()` waits for unconfirmed publishes and running handlers; default 5000 ms. */
  closeTimeoutMs?: number;
  /** TCP_NODELAY; default true: without it a lone event waits ~40 ms (Nagle + delayed ACK). */
  noDelay?: boolean;
  /**
   * Write the publishes amqplib sends in one turn of the event loop with one syscall (socket cork
   * until amqplib's muxer has run, in the same turn: no added latency); default true.
   */
  batchWrites?: boolean;
}

/** Every option with its default filled in; `target` is the URL to dial (with the heartbeat). */
export interface AmqpSettings {
  target: string;
  /** The URL with its password hidden, for messages. */
  url: string;
  nodeId: string;
  codec: BusCodec;
  confirms: boolean;
  maxBuffered: number;
  reconnectDelayMs: number;
  maxReconnectDelayMs: number;
  durableExchanges: boolean;
  mandatory: boolean;
  unroutableTimeoutMs: number;
  closeTimeoutMs: number;
  noDelay: boolean;
  batchWrites: boolean;
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

export function amqpSettings(options: AmqpEventCenterOptions): AmqpSettings {
  const url = options.url ?? process.env.TICKWIRE_AMQP_URL ?? DEFAULT_AMQP_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TickwireError("TW_BUS_URL", `Bad AMQP URL "${redact(url)}": use amqp://user:pass@host:5672[/vhost].`, { cause });
  }
  if (parsed.protocol !== "amqp:" && parsed.protocol !== "amqps:") {
    throw new TickwireError("TW_BUS_URL", `Bad AMQP URL "${redact(url)}": use amqp://user:pass@host:5672[/vhost].`);
  }
  if (!parsed.searchParams.has("heartbeat")) parsed.searchParams.set("heartbeat", String(options.heartbeatSeconds ?? 5));
  const confirms = options.confirms ?? true;
  const unroutableTimeoutMs = options.unroutableTimeoutMs ?? 10_000;
  if (typeof unroutableTimeoutMs !== "number" || !(unroutableTimeoutMs >= 0)) {
    throw new TickwireError("TW_BUS_BAD_OPTION", `unroutableTimeoutMs must be a number >= 0 (ms), got ${String(options.unroutableTimeoutMs)}.`);
  }
  return {
    target: parsed.toString(),
    url: redact(url),
    nodeId: options.nodeId ?? newNodeId(),
    codec: codecById(options.codec ?? "aioquant"),
    confirms,
    maxBuffered: options.maxBuffered ?? 100_000,
    reconnectDelayMs: options.reconnectDelayMs ?? 100,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 5000,
    durableExchanges: options.durableExchanges ?? true,
    mandatory: confirms && options.mandatory !== false,
    unroutableTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? 5000,
    noDelay: options.noDelay ?? true,
    batchWrites: options.batchWrites ?? true,
  };
}

import type { BusEvent } from "./BusEvent.js";
import type { CodecId } from "./codec.js";

/** Exchanges every EventCenter declares on connect, as topic exchanges (aioquant's names). */
export const DEFAULT_EXCHANGES = ["Orderbook", "Kline", "Trade", "Order", "Position", "Asset"] as const;

export type ExchangeType = "topic" | "fanout" | "direct";

/** Header names tickwire sets; all start with `x-tw-`. */
export const HEADER = {
  /** Id of the node that published the event (memory broker; on RabbitMQ the AMQP app-id carries it). */
  origin: "x-tw-origin",
  /**
   * How many times a handler already failed on this message. Read only from the copies a center
   * sends back to a queue (RabbitMQ: through the default exchange), clamped to maxRedeliveries.
   */
  attempt: "x-tw-attempt",
  /** The exchange and routing key a retried or dead-lettered message was first published with. */
  exchange: "x-tw-exchange",
  routingKey: "x-tw-routing-key",
  /** On dead letters: the queue it came from, the error message and its code. */
  queue: "x-tw-queue",
  error: "x-tw-error",
  errorCode: "x-tw-error-code",
  /** On a copy whose original headers the AMQP client could not write again: the names of those left out. */
  droppedHeaders: "x-tw-dropped-headers",
} as const;

/** What to consume: a queue, and how it is bound. */
export interface SubscribeSpec {
  /**
   * Exchange to bind the queue to. Omit it to consume `queue` as it is, without a binding
   * (e.g. to read a dead-letter queue).
   */
  exchange?: string;
  /** Binding key(s); `*` matches one word, `#` zero or more. Default "#" (everything). */
  routingKey?: string | readonly string[];
  /**
   * Queue name. Named queues are shared (several subscribers compete for its messages) and
   * durable, so events wait for a consumer that is down. Without a name the queue is private
   * to this subscription, exclusive, and deleted when it ends (aioquant's behaviour).
   */
  queue?: string;
  /** Messages handed out before acknowledgement; default 1. */
  prefetchCount?: number;
  /** Keep a named queue across broker restarts; default true (anonymous queues never are). */
  durable?: boolean;
  /** At-most-once: no acknowledgements, no redelivery, no dead letters. Default false. */
  noAck?: boolean;
  /** Times a message whose handler throws is delivered again before it is dead-lettered; default 3. */
  maxRedeliveries?: number;
  /**
   * Queue that receives messages that keep failing or cannot be decoded. Default
   * `<queue>.dead-letter` for named queues and `tickwire.dead-letter` for anonymous ones.
   */
  deadLetterQueue?: string;
  /**
   * Hand over bodies undecoded: `event.data` is the message body (a Buffer), `event.name` is "".
   * For reading dead-letter queues, which may hold messages no codec can read.
   */
  raw?: boolean;
}

export interface SubscribeOptions {
  /**
   * aioquant's `multi` (a subscription that covers many channels): run the handler for up to
   * `prefetchCount` messages at once instead of one at a time in arrival order.
   */
  multi?: boolean;
}

/** How a message arrived, given to the handler next to the event. */
export interface Delivery {
  /** The queue it was consumed from. */
  queue: string;
  /** 1 on the first delivery; 1 + the number of failed handler runs before this one. */
  attempt: number;
  /** True when the broker delivered it before (after a lost connection) or a handler failed on it. */
  redelivered: boolean;
  /** The publishing node's id, when the publisher set one. */
  origin: string | undefined;
  contentType: string | undefined;
  headers: Readonly<Record<string, unknown>>;
}

/** Handles one event; may be async. A throw or rejection means "not handled": it is retried. */
export type BusHandler<T = unknown> = (event: BusEvent<T>, delivery: Delivery) => unknown;

/** Ends a subscription: cancels the consumer (an anonymous queue goes with it). */
export type Unsubscribe = () => Promise<void>;

export interface PublishOptions {
  /** Wire format; default the center's (aioquant unless configured). */
  codec?: CodecId;
  /** Extra headers. */
  headers?: Record<string, unknown>;
  /** Ask the broker to write the message to disk (survives a broker restart); default false. */
  persistent?: boolean;
}

export interface RawPublishOptions {
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  persistent?: boolean;
}

export type CenterState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

export interface BusStats {
  kind: "memory" | "amqp";
  state: CenterState;
  connected: boolean;
  /** Publishes waiting to be sent: for a connection, for room in the window, or to be tried again after no queue took them. */
  buffered: number;
  /** Publishes sent and not yet confirmed by the broker. */
  unconfirmed: number;
  published: number;
  confirmed: number;
  delivered: number;
  acked: number;
  /** Messages handed to a handler again after it failed on them. */
  redeliveries: number;
  /** Messages moved to a dead-letter queue. */
  deadLetters: number;
  /** Handler runs that threw or rejected. */
  handlerErrors: number;
  /** Messages dropped because a queue was full (memory broker only; RabbitMQ queues have no cap by default). */
  dropped: number;
  /** Connections re-established after a loss. */
  reconnects: number;
  /**
   * Publishes rejected with TW_BUS_UNROUTABLE: no queue took them within the bound (RabbitMQ,
   * with `mandatory`; the memory broker never refuses a publish for it).
   */
  unroutable: number;
  subscriptions: number;
  lastError: string | undefined;
}

/**
 * aioquant's EventCenter, made reliable: exchanges, queues, routing keys and prefetch, on an
 * embedded broker (`MemoryEventCenter`) or RabbitMQ (`AmqpEventCenter`) behind this interface.
 */
/** @deprecated The old name of `BusStats`. */
export type BusHealth = BusStats;

export interface EventCenter {
  /** Where it connects, with any password removed. */
  readonly url: string;
  /** The id put in `x-tw-origin` on what this center publishes. */
  readonly nodeId: string;
  /** Connect and declare the default exchanges. Subscriptions made before are set up now. */
  connect(): Promise<void>;
  /**
   * Publish to `event.exchange` with `event.routingKey`. Resolves once the broker has the message
   * (publisher confirm); while disconnected it is buffered and sent after reconnect.
   */
  publish(event: BusEvent, options?: PublishOptions): Promise<void>;
  /** Publish bytes as they are (another system's payload, or a test's). */
  publishRaw(exchange: string, routingKey: string, body: Buffer, options?: RawPublishOptions): Promise<void>;
  /** Declare the queue and bindings and start consuming; resolves to a function that ends it. */
  subscribe<T = unknown>(spec: SubscribeSpec, handler: BusHandler<T>, options?: SubscribeOptions): Promise<Unsubscribe>;
  /** Declare an exchange (publish declares unknown ones as topic exchanges by itself). */
  declareExchange(name: string, type?: ExchangeType): Promise<void>;
  deleteExchange(name: string): Promise<void>;
  deleteQueue(name: string): Promise<void>;
  /** Stop consuming, wait for unconfirmed publishes (bounded), disconnect. */
  close(): Promise<void>;
  /** Connection state and counters (the same idea as the engine's `stats()`). */
  stats(): BusStats;
  /** @deprecated The old name of `stats()`; tickwire's centers still have it, a center of your own need not. */
  health?(): BusStats;
}

import { TickwireError } from "../event/errors.js";
import { aioquantCodec, codecForContentType, type BusCodec } from "./codec.js";

/** What makes a BusEvent: aioquant's Event fields, camelCased. */
export interface BusEventInit<T = unknown> {
  /** The event's name, carried on the wire as `n` (e.g. "EVENT_ORDERBOOK"). */
  name: string;
  /** The exchange it is published to (e.g. "Orderbook"). */
  exchange: string;
  /** Routing key, words separated by dots (e.g. "SIM.rb2410"); default "". */
  routingKey?: string;
  /** Queue a subscriber built from this event consumes (aioquant's `queue`); optional. */
  queue?: string;
  /** Unacknowledged messages a subscriber may hold; default 1, as in aioquant. */
  prefetchCount?: number;
  /** The payload, carried on the wire as `d`: plain data. */
  data: T;
}

export const DEFAULT_PREFETCH = 1;

/**
 * An event on the bus: aioquant's Event, with routing on the outside (exchange, routing key) and
 * `{ n: name, d: data }` inside the message body. Immutable once made.
 */
export class BusEvent<T = unknown> {
  readonly name: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly queue: string | undefined;
  readonly prefetchCount: number;
  readonly data: T;

  constructor(init: BusEventInit<T>) {
    if (typeof init.name !== "string") throw badEvent("name must be a string");
    if (typeof init.exchange !== "string" || init.exchange === "") throw badEvent("exchange must be a non-empty string");
    const routingKey = init.routingKey ?? "";
    if (typeof routingKey !== "string") throw badEvent("routingKey must be a string");
    if (routingKey.length > 85 && Buffer.byteLength(routingKey) > 255) throw badEvent("routingKey must be at most 255 bytes (an AMQP limit)");
    const prefetch = init.prefetchCount ?? DEFAULT_PREFETCH;
    if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 65535) {
      throw badEvent("prefetchCount must be an integer from 1 to 65535");
    }
    this.name = init.name;
    this.exchange = init.exchange;
    this.routingKey = routingKey;
    this.queue = init.queue;
    this.prefetchCount = prefetch;
    this.data = init.data;
  }

  /** The message body in `codec`'s format (aioquant's zlib+JSON by default). */
  encode(codec: BusCodec = aioquantCodec): Buffer {
    return codec.encode({ name: this.name, data: this.data });
  }

  /**
   * The event a message body holds, with routing taken from the envelope as aioquant does.
   * Throws TW_BUS_DECODE when the body cannot be read.
   */
  static decode<T = unknown>(body: Buffer, envelope: { exchange: string; routingKey: string; contentType?: string | undefined }): BusEvent<T> {
    const { name, data } = codecForContentType(envelope.contentType).decode(body);
    return new BusEvent<T>({ name, exchange: envelope.exchange || "amq.default", routingKey: envelope.routingKey, data: data as T });
  }

  toString(): string {
    return `BusEvent(name=${this.name}, exchange=${this.exchange}, routingKey=${this.routingKey}, queue=${this.queue ?? ""})`;
  }
}

function badEvent(what: string): TickwireError {
  return new TickwireError("TW_BUS_EVENT", `Bad bus event: ${what}.`);
}

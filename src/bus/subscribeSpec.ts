import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { TickwireError } from "../event/errors.js";
import { DEFAULT_PREFETCH } from "./BusEvent.js";
import type { SubscribeSpec } from "./EventCenter.js";

/** A SubscribeSpec with every default filled in and every field checked. */
export interface ResolvedSpec {
  exchange: string | undefined;
  bindingKeys: string[];
  queue: string | undefined;
  prefetchCount: number;
  durable: boolean;
  noAck: boolean;
  maxRedeliveries: number;
  deadLetterQueue: string;
  raw: boolean;
}

export const DEFAULT_MAX_REDELIVERIES = 3;
/** Dead letters of anonymous queues, which have no name to derive a queue from. */
export const SHARED_DEAD_LETTER_QUEUE = "tickwire.dead-letter";
/** Dead-letter queues keep at most this many messages (oldest dropped), so they cannot fill a disk. */
export const DEAD_LETTER_MAX_LENGTH = 100_000;

function bad(what: string): TickwireError {
  return new TickwireError("TW_BUS_SPEC", `Bad subscription: ${what}.`);
}

export function resolveSpec(spec: SubscribeSpec): ResolvedSpec {
  if (typeof spec !== "object" || spec === null) throw bad('pass an object such as { exchange: "Orderbook", routingKey: "#" }');
  const { exchange, queue } = spec;
  if (exchange !== undefined && (typeof exchange !== "string" || exchange === "")) throw bad("exchange must be a non-empty string");
  if (queue !== undefined && (typeof queue !== "string" || queue === "" || queue.startsWith("amq."))) {
    throw bad('queue must be a non-empty string not starting with "amq."');
  }
  if (exchange === undefined && queue === undefined) throw bad("give an exchange to bind to, or a queue to consume");
  const keys = spec.routingKey === undefined ? ["#"] : typeof spec.routingKey === "string" ? [spec.routingKey] : [...spec.routingKey];
  if (keys.length === 0 || keys.some((k) => typeof k !== "string" || Buffer.byteLength(k) > 255)) {
    throw bad("routingKey must be a string (or strings) of at most 255 bytes");
  }
  const prefetchCount = spec.prefetchCount ?? DEFAULT_PREFETCH;
  if (!Number.isInteger(prefetchCount) || prefetchCount < 1 || prefetchCount > 65535) {
    throw bad("prefetchCount must be an integer from 1 to 65535");
  }
  const maxRedeliveries = spec.maxRedeliveries ?? DEFAULT_MAX_REDELIVERIES;
  if (!Number.isInteger(maxRedeliveries) || maxRedeliveries < 0) throw bad("maxRedeliveries must be an integer >= 0");
  const deadLetterQueue = spec.deadLetterQueue ?? (queue === undefined ? SHARED_DEAD_LETTER_QUEUE : `${queue}.dead-letter`);
  if (typeof deadLetterQueue !== "string" || deadLetterQueue === "" || deadLetterQueue === queue) {
    throw bad("deadLetterQueue must be a non-empty string other than the queue itself");
  }
  return {
    exchange,
    bindingKeys: [...new Set(keys)],
    queue,
    prefetchCount,
    durable: queue !== undefined && spec.durable !== false,
    noAck: spec.noAck === true,
    maxRedeliveries,
    deadLetterQueue,
    raw: spec.raw === true,
  };
}

/** A node id for `x-tw-origin`: host, process and a random part, unique per center. */
export function newNodeId(): string {
  return `${hostname()}.${process.pid}.${randomBytes(4).toString("hex")}`;
}

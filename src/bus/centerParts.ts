import { TickwireError } from "../event/errors.js";
import type { DeliveryStats } from "./DeliveryRunner.js";
import type { BusHandler, BusStats, CenterState, Delivery } from "./EventCenter.js";

/** What the memory and AMQP centers both check and build, written once. */

export function checkHandler(handler: unknown): asserts handler is BusHandler {
  if (typeof handler !== "function") throw new TickwireError("TW_BUS_SPEC", "Bad subscription: the handler must be a function.");
}

export function checkExchangeName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name === "") throw new TickwireError("TW_BUS_SPEC", "An exchange needs a non-empty name.");
}

/** `publishRaw`'s body check: the error to reject with, or undefined when it is a Buffer. */
export function rawBodyError(body: unknown): TickwireError | undefined {
  return Buffer.isBuffer(body) ? undefined : new TickwireError("TW_BUS_EVENT", "publishRaw needs a Buffer body.");
}

/** A handler's view of one delivery. */
export function deliveryFrom(
  queue: string,
  attempt: number,
  redelivered: boolean,
  origin: unknown,
  contentType: string | undefined,
  headers: Readonly<Record<string, unknown>>,
): Delivery {
  return {
    queue,
    attempt,
    redelivered: redelivered || attempt > 1,
    origin: typeof origin === "string" ? origin : undefined,
    contentType,
    headers,
  };
}

/** The transport's own counts; the rest of `stats()` comes from the shared delivery stats. */
export interface TransportCounts {
  buffered: number;
  unconfirmed: number;
  published: number;
  confirmed: number;
  reconnects: number;
  unroutable: number;
  dropped: number;
  subscriptions: number;
}

export function statsOf(kind: BusStats["kind"], state: CenterState, stats: DeliveryStats, counts: TransportCounts): BusStats {
  return {
    kind,
    state,
    connected: state === "connected",
    buffered: counts.buffered,
    unconfirmed: counts.unconfirmed,
    published: counts.published,
    confirmed: counts.confirmed,
    delivered: stats.delivered,
    acked: stats.acked,
    redeliveries: stats.redeliveries,
    deadLetters: stats.deadLetters,
    handlerErrors: stats.handlerErrors,
    reconnects: counts.reconnects,
    unroutable: counts.unroutable,
    dropped: counts.dropped,
    subscriptions: counts.subscriptions,
    lastError: stats.lastError,
  };
}

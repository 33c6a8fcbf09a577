import { TickwireError } from "../event/errors.js";
import type { BusEvent } from "./BusEvent.js";
import type { BusHandler, Delivery } from "./EventCenter.js";

/** What becomes of a delivered message once its handler ran. */
export type Outcome = { kind: "ack" } | { kind: "retry"; attempt: number; error: unknown } | { kind: "dead"; error: unknown; attempts: number };

/** The broker-specific half of consuming: reading a message and settling it. */
export interface RunnerTransport<M> {
  decode(message: M): BusEvent;
  delivery(message: M): Delivery;
  /** Ack, retry (deliver again later) or dead-letter; may be async (publisher confirms). */
  settle(message: M, outcome: Outcome): void | Promise<void>;
}

/** Counters a center shares between its subscriptions (part of `stats()`). */
export interface DeliveryStats {
  delivered: number;
  acked: number;
  redeliveries: number;
  deadLetters: number;
  handlerErrors: number;
  lastError: string | undefined;
}

export function newDeliveryStats(): DeliveryStats {
  return { delivered: 0, acked: 0, redeliveries: 0, deadLetters: 0, handlerErrors: 0, lastError: undefined };
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export function errorCode(error: unknown): string {
  if (error instanceof TickwireError) return error.code;
  return "TW_BUS_HANDLER";
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}

/**
 * Runs a subscription's handler over its deliveries, the same way on every broker: one at a
 * time in arrival order (or concurrently with `multi`), acknowledging only after the handler
 * succeeded, sending failures round again a bounded number of times and then to the
 * dead-letter queue. A handler that throws never stops the runner.
 */
export class DeliveryRunner<M> {
  private readonly queue: M[] = [];
  private head = 0;
  private draining = false;
  private inFlight = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly handler: BusHandler,
    private readonly transport: RunnerTransport<M>,
    private readonly stats: DeliveryStats,
    private readonly options: { multi: boolean; noAck: boolean; maxRedeliveries: number },
  ) {}

  /** Messages received and not yet settled. */
  get pending(): number {
    return this.queue.length - this.head + this.inFlight;
  }

  push(message: M): void {
    if (this.closed) return; // left unsettled: the broker gives it to another consumer
    this.stats.delivered++;
    if (this.options.multi) {
      this.inFlight++;
      const p = this.runOne(message);
      if (p) void p.then(this.doneOne);
      else this.doneOne();
      return;
    }
    this.queue.push(message);
    if (!this.draining) this.drain();
  }

  /** Resolves once every received message has been settled. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forget messages not started yet (their channel is gone; the broker delivers them again). */
  discardQueued(): void {
    this.queue.length = 0;
    this.head = 0;
    this.checkIdle();
  }

  /**
   * The subscription ended: no handler runs from now on (a handler still running may finish).
   * Messages not started stay unsettled, and the broker hands them to another consumer.
   */
  close(): void {
    this.closed = true;
    this.discardQueued();
  }

  private readonly doneOne = (): void => {
    this.inFlight--;
    this.checkIdle();
  };

  private checkIdle(): void {
    if (this.pending !== 0 || this.idleWaiters.length === 0) return;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }

  /** In-order processing; sync handlers run back to back without a promise per message. */
  private drain(): void {
    this.draining = true;
    while (this.head < this.queue.length) {
      const message = this.queue[this.head++];
      this.inFlight++;
      const p = this.runOne(message);
      if (p) {
        void p.then(() => {
          this.inFlight--;
          this.drain();
        });
        return; // stays draining until the async handler finishes
      }
      this.inFlight--;
    }
    this.queue.length = 0;
    this.head = 0;
    this.draining = false;
    this.checkIdle();
  }

  /** Runs the handler on one message and settles it; returns a promise only when something is async. */
  private runOne(message: M): Promise<void> | undefined {
    let event: BusEvent;
    let delivery: Delivery;
    try {
      delivery = this.transport.delivery(message);
      event = this.transport.decode(message);
    } catch (error) {
      this.stats.lastError = errorText(error);
      // Undecodable: retrying cannot help, so straight to the dead-letter queue.
      return this.settle(message, { kind: "dead", error, attempts: 0 });
    }
    let result: unknown;
    try {
      result = this.handler(event, delivery);
    } catch (error) {
      return this.failed(message, delivery, error);
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        () => this.settle(message, { kind: "ack" }),
        (error: unknown) => this.failed(message, delivery, error),
      );
    }
    return this.settle(message, { kind: "ack" });
  }

  private failed(message: M, delivery: Delivery, error: unknown): Promise<void> | undefined {
    this.stats.handlerErrors++;
    this.stats.lastError = errorText(error);
    if (delivery.attempt <= this.options.maxRedeliveries) {
      return this.settle(message, { kind: "retry", attempt: delivery.attempt + 1, error });
    }
    return this.settle(message, { kind: "dead", error, attempts: delivery.attempt });
  }

  private settle(message: M, outcome: Outcome): Promise<void> | undefined {
    if (this.options.noAck) return undefined;
    let r: void | Promise<void>;
    try {
      r = this.transport.settle(message, outcome);
    } catch (error) {
      this.stats.lastError = errorText(error);
      return undefined;
    }
    if (!r) return undefined;
    return r.catch((error: unknown) => {
      // A transport settles every message on a live channel itself (AmqpEventCenter.settle falls
      // back to fewer headers, then a nack); what fails here lost its channel: the broker redelivers.
      this.stats.lastError = errorText(error);
    });
  }
}

import type { ChannelModel, ConfirmChannel, ConsumeMessage, Options } from "amqplib";
import { BusEvent } from "../BusEvent.js";
import { DeliveryRunner, errorText, type DeliveryStats, type Outcome } from "../DeliveryRunner.js";
import { attemptOf, failureHeaders, originalRoute, tickwireHeaders, writableHeaders } from "../deliveryHeaders.js";
import { deliveryFrom } from "../centerParts.js";
import { HEADER, type BusHandler, type Delivery } from "../EventCenter.js";
import { withDeadline } from "../shutdown.js";
import { DEAD_LETTER_MAX_LENGTH, type ResolvedSpec } from "../subscribeSpec.js";
import type { Topology } from "./Topology.js";

interface Incoming {
  msg: ConsumeMessage;
  ch: ConfirmChannel;
  queue: string;
}

/**
 * One subscription on RabbitMQ: its queues and bindings declared (again on every connection), a
 * consumer on its own confirm channel, messages run through the shared DeliveryRunner, and each
 * settled by an ack (coalesced into one "multiple" ack per tick when in order), a retry copy or a
 * dead-letter copy.
 */
export class Subscription {
  /** Unsubscribed (or unsubscribing): no set-up, no new messages. */
  ending = false;
  private readonly runner: DeliveryRunner<Incoming>;
  private ch: ConfirmChannel | undefined;
  private queueName: string;
  private consumerTag: string | undefined;
  /** Serial mode acks "everything up to" the last settled message once per tick. */
  private ackUpTo: ConsumeMessage | undefined;
  private ackScheduled = false;
  /** Messages settled since the last coalesced ack. */
  private unackedSettled = 0;

  constructor(
    readonly spec: ResolvedSpec,
    handler: BusHandler,
    private readonly multi: boolean,
    private readonly topology: Topology,
    private readonly stats: DeliveryStats,
    /** Gives up a connection that left this subscription dead (a closed channel, a cancelled consumer). */
    private readonly startOver: (conn: ChannelModel, err: Error) => void,
  ) {
    this.queueName = spec.queue ?? "";
    this.runner = new DeliveryRunner<Incoming>(
      handler,
      {
        decode: (m) => decode(m, spec.raw),
        delivery: (m) => deliveryOf(m, spec.maxRedeliveries),
        settle: (m, outcome) => this.settle(m, outcome),
      },
      stats,
      { multi, noAck: spec.noAck, maxRedeliveries: spec.maxRedeliveries },
    );
  }

  /** Declares the subscription's queues and bindings on `conn` and starts its consumer. */
  async setUp(conn: ChannelModel): Promise<void> {
    const { spec } = this;
    const ch = await conn.createConfirmChannel();
    let why: Error | undefined;
    let closed = false;
    let consuming = false;
    ch.on("error", (err: Error) => (why = err));
    ch.on("close", () => {
      closed = true;
      // A channel error once consuming (not a connection loss, see the publishing channel) would
      // leave this subscription dead: start over. One while setting up fails the set-up instead.
      if (!consuming || this.ch !== ch || this.ending) return;
      const err = new Error(`the broker closed the channel of queue "${this.queueName}"${why ? `: ${why.message}` : ""}`);
      queueMicrotask(() => this.startOver(conn, err));
    });
    try {
      await ch.prefetch(spec.prefetchCount);
      let queueName: string;
      if (spec.queue !== undefined) {
        await this.topology.declareQueue(conn, spec.queue, { durable: spec.durable, exclusive: false, autoDelete: false });
        queueName = spec.queue;
      } else {
        const q = await ch.assertQueue("", { durable: false, exclusive: true, autoDelete: true });
        queueName = q.queue;
      }
      if (!spec.noAck) {
        await this.topology.declareQueue(conn, spec.deadLetterQueue, {
          durable: true,
          arguments: { "x-max-length": DEAD_LETTER_MAX_LENGTH },
        });
      }
      if (spec.exchange !== undefined) {
        if (!this.topology.isDeclared(spec.exchange)) await this.topology.declareExchange(conn, spec.exchange);
        for (const key of spec.bindingKeys) await ch.bindQueue(queueName, spec.exchange, key);
      }
      this.queueName = queueName;
      this.ch = ch;
      const ok = await ch.consume(
        queueName,
        (msg) => {
          if (msg === null) {
            // The broker cancelled us (queue deleted): re-declare everything via a reconnect.
            if (!this.ending) this.startOver(conn, new Error(`the broker cancelled the consumer of queue "${queueName}"`));
            return;
          }
          if (this.ch !== ch || this.ending) return; // left unacked: it goes back to the queue
          this.runner.push({ msg, ch, queue: queueName });
        },
        { noAck: spec.noAck },
      );
      if (closed) throw why ?? new Error(`the broker closed the channel of queue "${queueName}"`);
      this.consumerTag = ok.consumerTag;
      consuming = true;
      if (this.ending) {
        // Unsubscribed while this was being set up (during a reconnect): do not leave a consumer behind.
        this.ch = undefined;
        await ch.close().catch(() => undefined);
      }
    } catch (err) {
      this.ch = undefined;
      await ch.close().catch(() => undefined);
      throw err;
    }
  }

  /** The connection is lost: unacked messages come back from the broker as redeliveries. */
  detach(): void {
    this.ch = undefined;
    this.ackUpTo = undefined;
    this.runner.discardQueued();
  }

  /** Stops the consumer, waits (bounded) for running handlers, settles what it can, calls `ended`,
   * closes the channel. */
  async end(closeTimeoutMs: number, ended: () => void): Promise<void> {
    this.ending = true;
    const ch = this.ch;
    if (ch && this.consumerTag) await ch.cancel(this.consumerTag).catch(() => undefined);
    await withDeadline(this.runner.idle(), closeTimeoutMs);
    this.runner.close(); // past the deadline, what it still holds goes back to the queue, not to the handler
    this.flushAcks();
    ended();
    this.ch = undefined;
    if (ch) await ch.close().catch(() => undefined); // anything still unacked goes back to the queue
  }

  /**
   * Acks, or sends a copy back to the queue (retry) or to the dead-letter queue, then acks. Every
   * message ends settled while its channel lives: a copy amqplib cannot write (a header such as
   * another client's double -1e300) goes with the headers it can write, then with tickwire's
   * alone; a copy the broker refuses is nacked back to the queue. Never left unacked (with
   * prefetch 1 that stalls the queue; with coalesced acks a later ack would cover it).
   */
  private settle(m: Incoming, outcome: Outcome): void | Promise<void> {
    if (m.ch !== this.ch) return; // its channel is gone; the broker delivers it again
    if (outcome.kind === "ack") return this.ack(m);
    const { msg } = m;
    const { exchange, routingKey } = msg.fields;
    const full = failureHeaders(outcome, headersOf(msg), { exchange, routingKey, queue: m.queue });
    const target = outcome.kind === "retry" ? m.queue : this.spec.deadLetterQueue;
    const base = publishPropsOf(msg);
    // Copy first, confirm, then ack the original: a crash in between duplicates, never loses.
    return new Promise<void>((resolve) => {
      const confirmed = (err: unknown): void => {
        if (err) {
          this.stats.lastError = `the broker refused the ${outcome.kind === "retry" ? "retry" : "dead-letter"} copy: ${errorText(err)}`;
          this.nack(m, true); // back to the queue: delivered again, not lost
        } else {
          if (outcome.kind === "retry") this.stats.redeliveries++;
          else this.stats.deadLetters++;
          this.ack(m);
        }
        resolve();
      };
      let headers = full;
      for (let step = 0; ; step++) {
        try {
          m.ch.publish("", target, msg.content, { ...base, headers }, confirmed);
          return;
        } catch (err) {
          if (m.ch !== this.ch) break; // its channel is gone; the broker delivers it again
          this.stats.lastError = `cannot write the copy of a message from "${m.queue}": ${errorText(err)}`;
          if (step === 0) headers = writableHeaders(full);
          else if (step === 1) headers = tickwireHeaders(full);
          else {
            // Not even tickwire's headers: give it to the queue's own dead-lettering (if any).
            this.nack(m, false);
            break;
          }
        }
      }
      resolve();
    });
  }

  /** Settles one message with a nack, after the coalesced acks of those before it. */
  private nack(m: Incoming, requeue: boolean): void {
    if (m.ch !== this.ch) return;
    this.flushAcks();
    try {
      m.ch.nack(m.msg, false, requeue);
    } catch {
      // channel closed: the broker redelivers
    }
  }

  private ack(m: Incoming): void {
    if (m.ch !== this.ch) return;
    this.stats.acked++;
    if (this.multi || this.spec.prefetchCount === 1) {
      try {
        m.ch.ack(m.msg);
      } catch {
        // channel closed: the broker redelivers
      }
      return;
    }
    // One at a time in order: everything before this message is settled, so one "multiple"
    // ack per tick covers them all and saves the broker a frame per message.
    this.ackUpTo = m.msg;
    // Half the prefetch window settled: ack now, or the broker runs out of window and waits.
    if (++this.unackedSettled * 2 >= this.spec.prefetchCount) {
      this.flushAcks();
      return;
    }
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => {
      this.ackScheduled = false;
      this.flushAcks();
    });
  }

  private flushAcks(): void {
    this.unackedSettled = 0;
    const msg = this.ackUpTo;
    this.ackUpTo = undefined;
    if (!msg || !this.ch) return;
    try {
      this.ch.ack(msg, true);
    } catch {
      // channel closed: the broker redelivers
    }
  }
}

const NO_HEADERS: Readonly<Record<string, unknown>> = Object.freeze({});

function headersOf(msg: ConsumeMessage): Readonly<Record<string, unknown>> {
  return (msg.properties.headers ?? NO_HEADERS) as Record<string, unknown>;
}

function decode(m: Incoming, raw: boolean): BusEvent {
  const { fields, properties } = m.msg;
  const { exchange, routingKey } = originalRoute(headersOf(m.msg), fields.exchange, fields.routingKey);
  if (raw) return new BusEvent({ name: "", exchange, routingKey, data: m.msg.content });
  return BusEvent.decode(m.msg.content, { exchange, routingKey, contentType: properties.contentType as string | undefined });
}

function deliveryOf(m: Incoming, maxRedeliveries: number): Delivery {
  const { fields, properties } = m.msg;
  const headers = headersOf(m.msg);
  // The center's copies come through the default exchange; through any other, the count is someone else's.
  const attempt = fields.exchange === "" ? attemptOf(headers[HEADER.attempt], maxRedeliveries) : 1;
  return deliveryFrom(m.queue, attempt, fields.redelivered, properties.appId, properties.contentType as string | undefined, headers);
}

/** The properties of a received message worth keeping when we publish a copy of it. */
function publishPropsOf(msg: ConsumeMessage): Options.Publish {
  const p = msg.properties;
  const out: Options.Publish = {};
  if (p.contentType) out.contentType = p.contentType as string;
  if (p.contentEncoding) out.contentEncoding = p.contentEncoding as string;
  if (p.appId) out.appId = p.appId as string;
  if (p.messageId) out.messageId = p.messageId as string;
  if (p.deliveryMode === 2) out.persistent = true;
  return out;
}

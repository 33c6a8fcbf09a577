import { TickwireError } from "../event/errors.js";
import { checkExchangeName, checkHandler, deliveryFrom, statsOf, rawBodyError } from "./centerParts.js";
import { BusEvent } from "./BusEvent.js";
import { aioquantCodec, codecForContentType } from "./codec.js";
import { DeliveryRunner, newDeliveryStats, type Outcome } from "./DeliveryRunner.js";
import { attemptOf, failureHeaders, originalRoute } from "./deliveryHeaders.js";
import {
  DEFAULT_EXCHANGES,
  HEADER,
  type BusHandler,
  type BusStats,
  type CenterState,
  type Delivery,
  type EventCenter,
  type ExchangeType,
  type PublishOptions,
  type RawPublishOptions,
  type SubscribeOptions,
  type SubscribeSpec,
  type Unsubscribe,
} from "./EventCenter.js";
import { MemoryBroker, MemoryConsumer, type MemoryMessage, type MemoryQueue } from "./MemoryBroker.js";
import { closedError, withDeadline } from "./shutdown.js";
import { DEAD_LETTER_MAX_LENGTH, newNodeId, resolveSpec, type ResolvedSpec } from "./subscribeSpec.js";

export interface MemoryEventCenterOptions {
  /** `memory://<name>`: centers with the same name share one broker. Default `memory://default`. */
  url?: string;
  /** Id put in `x-tw-origin` on what this center publishes; default host.pid.random. */
  nodeId?: string;
  /** Most messages a queue holds; past it the oldest is dropped (counted in `stats().dropped`). Default 1,000,000. */
  maxQueueLength?: number;
  /** How long `close()`/unsubscribe wait for running handlers; default 5000 ms. */
  closeTimeoutMs?: number;
}

const RESOLVED = Promise.resolve();

interface MemorySubscription {
  spec: ResolvedSpec;
  handler: BusHandler;
  multi: boolean;
  queue: MemoryQueue | undefined;
  consumer: MemoryConsumer | undefined;
  runner: DeliveryRunner<MemoryMessage> | undefined;
}

/**
 * The embedded EventCenter: RabbitMQ's exchanges, queues, topic routing, prefetch, acks,
 * redelivery and dead letters inside one process, with nothing to install. Events published as
 * objects are handed over without encoding, so treat `data` as immutable.
 */
export class MemoryEventCenter implements EventCenter {
  readonly url: string;
  readonly nodeId: string;
  private readonly broker: MemoryBroker;
  private readonly maxQueueLength: number;
  private readonly closeTimeoutMs: number;
  private state: CenterState = "idle";
  private closing: Promise<void> | undefined;
  private readonly subs = new Set<MemorySubscription>();
  /** Publishes made before connect(), sent by it. */
  private readonly buffered: Array<{ m: MemoryMessage; resolve: () => void; reject: (err: unknown) => void }> = [];
  private readonly deliveries = newDeliveryStats();
  private published = 0;
  private anon = 0;

  constructor(options: MemoryEventCenterOptions = {}) {
    const url = options.url ?? "memory://default";
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw new TickwireError("TW_BUS_URL", `Bad bus URL "${url}": use memory://<name>.`, { cause });
    }
    if (parsed.protocol !== "memory:") throw new TickwireError("TW_BUS_URL", `Bad bus URL "${url}": use memory://<name>.`);
    this.url = url;
    this.broker = MemoryBroker.named(parsed.host || parsed.pathname.replace(/^\/+/, "") || "default");
    this.nodeId = options.nodeId ?? newNodeId();
    this.maxQueueLength = options.maxQueueLength ?? 1_000_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
  }

  async connect(): Promise<void> {
    if (this.state === "closed") throw closedError();
    if (this.state === "connected") return;
    for (const name of DEFAULT_EXCHANGES) this.broker.declareExchange(name, "topic");
    this.state = "connected";
    for (const s of this.subs) this.setUp(s);
    for (const { m, resolve, reject } of this.buffered.splice(0)) {
      try {
        this.route(m);
        resolve();
      } catch (err) {
        reject(err);
      }
    }
  }

  publish(event: BusEvent, options: PublishOptions = {}): Promise<void> {
    const headers: Record<string, unknown> = { ...options.headers, [HEADER.origin]: this.nodeId };
    return this.send({
      exchange: event.exchange,
      routingKey: event.routingKey,
      name: event.name,
      data: event.data,
      body: undefined,
      contentType: undefined,
      headers,
      redelivered: false,
      failures: 0,
    });
  }

  publishRaw(exchange: string, routingKey: string, body: Buffer, options: RawPublishOptions = {}): Promise<void> {
    const bad = rawBodyError(body);
    if (bad) return Promise.reject(bad);
    return this.send({
      exchange,
      routingKey,
      name: "",
      data: undefined,
      body,
      contentType: options.contentType,
      headers: { ...options.headers },
      redelivered: false,
      failures: 0,
    });
  }

  private send(m: MemoryMessage): Promise<void> {
    if (this.state === "closed") return Promise.reject(closedError());
    if (this.state !== "connected") return new Promise((resolve, reject) => this.buffered.push({ m, resolve, reject }));
    try {
      this.route(m);
    } catch (err) {
      return Promise.reject(err);
    }
    return RESOLVED;
  }

  private route(m: MemoryMessage): void {
    if (m.exchange !== "" && !this.broker.hasExchange(m.exchange)) this.broker.declareExchange(m.exchange, "topic");
    this.published++;
    this.broker.publish(m);
  }

  async subscribe<T = unknown>(spec: SubscribeSpec, handler: BusHandler<T>, options: SubscribeOptions = {}): Promise<Unsubscribe> {
    if (this.state === "closed") throw closedError();
    checkHandler(handler);
    const sub: MemorySubscription = {
      spec: resolveSpec(spec),
      handler: handler as BusHandler,
      multi: options.multi === true,
      queue: undefined,
      consumer: undefined,
      runner: undefined,
    };
    if (this.state === "connected") this.setUp(sub);
    this.subs.add(sub);
    return () => this.unsubscribe(sub);
  }

  private setUp(sub: MemorySubscription): void {
    const { spec } = sub;
    const name = spec.queue ?? `tw.anon.${this.nodeId}.${++this.anon}`;
    const named = spec.queue !== undefined;
    const queue = this.broker.declareQueue(name, {
      durable: spec.durable,
      owner: named ? undefined : this.nodeId,
      autoDelete: !named,
      maxLength: this.maxQueueLength,
    });
    if (spec.exchange !== undefined) {
      if (!this.broker.hasExchange(spec.exchange)) this.broker.declareExchange(spec.exchange, "topic");
      for (const key of spec.bindingKeys) this.broker.bind(queue, spec.exchange, key);
    }
    if (!spec.noAck) {
      this.broker.declareQueue(spec.deadLetterQueue, {
        durable: true,
        owner: undefined,
        autoDelete: false,
        maxLength: DEAD_LETTER_MAX_LENGTH,
      });
    }
    const runner = new DeliveryRunner<MemoryMessage>(
      sub.handler,
      {
        decode: (m) => decodeMessage(m, spec.raw),
        delivery: (m) => deliveryOf(m, name, spec.maxRedeliveries),
        settle: (m, outcome) => this.settle(sub, m, outcome),
      },
      this.deliveries,
      { multi: sub.multi, noAck: spec.noAck, maxRedeliveries: spec.maxRedeliveries },
    );
    const consumer = new MemoryConsumer(
      queue,
      spec.prefetchCount,
      spec.noAck,
      (m) => runner.push(m),
      () => {
        // Its queue was deleted: declare it again and go on, as AmqpEventCenter does after RabbitMQ cancels it.
        runner.close();
        if (this.subs.has(sub) && sub.consumer === consumer && this.state === "connected") this.setUp(sub);
      },
    );
    sub.queue = queue;
    sub.runner = runner;
    sub.consumer = consumer;
    this.broker.addConsumer(consumer);
  }

  private settle(sub: MemorySubscription, m: MemoryMessage, outcome: Outcome): void {
    const consumer = sub.consumer;
    if (!consumer) return;
    if (outcome.kind !== "ack") {
      // As on RabbitMQ: a copy goes to the back of the queue (or to the dead-letter queue), then the original is acked.
      const retry = outcome.kind === "retry";
      const target = retry ? consumer.queue : this.broker.queue(sub.spec.deadLetterQueue);
      const headers = failureHeaders(outcome, m.headers, { exchange: m.exchange, routingKey: m.routingKey, queue: consumer.queue.name });
      const failures = retry ? outcome.attempt - 1 : outcome.attempts;
      if (target) this.broker.enqueue(target, { ...m, headers, redelivered: retry, failures });
      if (retry) this.deliveries.redeliveries++;
      else this.deliveries.deadLetters++;
    }
    this.deliveries.acked++;
    this.broker.ack(consumer, m);
  }

  private async unsubscribe(sub: MemorySubscription): Promise<void> {
    if (!this.subs.delete(sub)) return;
    const { consumer, runner } = sub;
    if (!consumer || !runner) return;
    consumer.active = false; // no new deliveries; let the ones in hand finish
    await withDeadline(runner.idle(), this.closeTimeoutMs);
    runner.close(); // past the deadline, what it still holds goes back to the queue, not to the handler
    this.broker.removeConsumer(consumer);
    sub.consumer = undefined;
  }

  async declareExchange(name: string, type: ExchangeType = "topic"): Promise<void> {
    checkExchangeName(name);
    this.broker.declareExchange(name, type);
  }

  async deleteExchange(name: string): Promise<void> {
    this.broker.deleteExchange(name);
  }

  async deleteQueue(name: string): Promise<void> {
    this.broker.deleteQueue(name);
  }

  /** Ends every subscription (waiting, bounded, for running handlers); a second call gets the same promise. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.all([...this.subs].map((s) => this.unsubscribe(s)));
    this.state = "closed";
    const waiting = this.buffered.splice(0);
    if (waiting.length > 0) this.deliveries.lastError = `${waiting.length} publishes never sent: closed before connect`;
    for (const { reject } of waiting) reject(closedError());
  }

  /** @deprecated The old name of `stats()`. */
  health(): BusStats {
    return this.stats();
  }

  stats(): BusStats {
    return statsOf("memory", this.state, this.deliveries, {
      buffered: this.buffered.length,
      unconfirmed: 0,
      published: this.published,
      confirmed: this.published,
      reconnects: 0,
      unroutable: 0,
      dropped: this.broker.dropped,
      subscriptions: this.subs.size,
    });
  }
}

function decodeMessage(m: MemoryMessage, raw: boolean): BusEvent {
  const { exchange, routingKey } = originalRoute(m.headers, m.exchange, m.routingKey);
  if (raw) {
    const body = m.body ?? aioquantCodec.encode({ name: m.name, data: m.data });
    return new BusEvent({ name: "", exchange, routingKey, data: body });
  }
  if (m.body === undefined) return new BusEvent({ name: m.name, exchange, routingKey, data: m.data });
  const { name, data } = codecForContentType(m.contentType).decode(m.body);
  return new BusEvent({ name, exchange, routingKey, data });
}

function deliveryOf(m: MemoryMessage, queue: string, maxRedeliveries: number): Delivery {
  return deliveryFrom(queue, attemptOf(m.failures, maxRedeliveries), m.redelivered, m.headers[HEADER.origin], m.contentType, m.headers);
}

import { TickwireError } from "../event/index.js";
import { BusEvent } from "./BusEvent.js";
import { aioquantCodec, codecForContentType } from "./codec.js";
import { DeliveryRunner, errorCode, errorText, newDeliveryStats, type Outcome } from "./DeliveryRunner.js";
import {
  DEFAULT_EXCHANGES,
  HEADER,
  type BusHandler,
  type BusHealth,
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
import { DEAD_LETTER_MAX_LENGTH, newNodeId, resolveSpec, type ResolvedSpec } from "./subscribeSpec.js";

export interface MemoryEventCenterOptions {
  /** `memory://<name>`: centers with the same name share one broker. Default `memory://default`. */
  url?: string;
  /** Id put in `x-tw-origin` on what this center publishes; default host.pid.random. */
  nodeId?: string;
  /** Most messages a queue holds; past it the oldest is dropped (counted in `health().dropped`). Default 1,000,000. */
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

function withDeadline(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
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
  private readonly subs = new Set<MemorySubscription>();
  private readonly buffered: Array<() => void> = [];
  private readonly stats = newDeliveryStats();
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
    const waiting = this.buffered.splice(0);
    for (const send of waiting) send();
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
    });
  }

  publishRaw(exchange: string, routingKey: string, body: Buffer, options: RawPublishOptions = {}): Promise<void> {
    return this.send({
      exchange,
      routingKey,
      name: "",
      data: undefined,
      body,
      contentType: options.contentType,
      headers: { ...options.headers },
      redelivered: false,
    });
  }

  private send(m: MemoryMessage): Promise<void> {
    if (this.state === "closed") return Promise.reject(closedError());
    if (this.state !== "connected") {
      return new Promise((resolve, reject) =>
        this.buffered.push(() => {
          try {
            this.route(m);
            resolve();
          } catch (err) {
            reject(err);
          }
        }),
      );
    }
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
    if (typeof handler !== "function") throw new TickwireError("TW_BUS_SPEC", "Bad subscription: the handler must be a function.");
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
        delivery: (m) => deliveryOf(m, name),
        settle: (m, outcome) => this.settle(sub, m, outcome),
      },
      this.stats,
      { multi: sub.multi, noAck: spec.noAck, maxRedeliveries: spec.maxRedeliveries },
    );
    const consumer = new MemoryConsumer(queue, spec.prefetchCount, spec.noAck, (m) => runner.push(m));
    sub.queue = queue;
    sub.runner = runner;
    sub.consumer = consumer;
    this.broker.addConsumer(consumer);
  }

  private settle(sub: MemorySubscription, m: MemoryMessage, outcome: Outcome): void {
    const consumer = sub.consumer;
    if (!consumer) return;
    if (outcome.kind === "retry") {
      this.stats.redeliveries++;
      this.broker.enqueue(consumer.queue, {
        ...m,
        headers: {
          ...m.headers,
          [HEADER.attempt]: outcome.attempt - 1,
          [HEADER.exchange]: m.exchange,
          [HEADER.routingKey]: m.routingKey,
        },
        redelivered: true,
      });
    } else if (outcome.kind === "dead") {
      this.stats.deadLetters++;
      const dlq = this.broker.queue(sub.spec.deadLetterQueue);
      if (dlq) {
        this.broker.enqueue(dlq, {
          ...m,
          headers: {
            ...m.headers,
            [HEADER.attempt]: outcome.attempts,
            [HEADER.exchange]: m.exchange,
            [HEADER.routingKey]: m.routingKey,
            [HEADER.queue]: consumer.queue.name,
            [HEADER.error]: errorText(outcome.error),
            [HEADER.errorCode]: errorCode(outcome.error),
          },
          redelivered: false,
        });
      }
    }
    this.stats.acked++;
    this.broker.ack(consumer, m);
  }

  private async unsubscribe(sub: MemorySubscription): Promise<void> {
    if (!this.subs.delete(sub)) return;
    const { consumer, runner } = sub;
    if (!consumer || !runner) return;
    consumer.active = false; // no new deliveries; let the ones in hand finish
    await withDeadline(runner.idle(), this.closeTimeoutMs);
    this.broker.removeConsumer(consumer);
    sub.consumer = undefined;
  }

  async declareExchange(name: string, type: ExchangeType = "topic"): Promise<void> {
    if (typeof name !== "string" || name === "") throw new TickwireError("TW_BUS_SPEC", "An exchange needs a non-empty name.");
    this.broker.declareExchange(name, type);
  }

  async deleteExchange(name: string): Promise<void> {
    this.broker.deleteExchange(name);
  }

  async deleteQueue(name: string): Promise<void> {
    this.broker.deleteQueue(name);
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    await Promise.all([...this.subs].map((s) => this.unsubscribe(s)));
    this.state = "closed";
    const waiting = this.buffered.splice(0);
    if (waiting.length > 0) this.stats.lastError = `${waiting.length} publishes never sent: closed before connect`;
  }

  health(): BusHealth {
    return {
      kind: "memory",
      state: this.state,
      connected: this.state === "connected",
      buffered: this.buffered.length,
      unconfirmed: 0,
      published: this.published,
      confirmed: this.published,
      delivered: this.stats.delivered,
      acked: this.stats.acked,
      redeliveries: this.stats.redeliveries,
      deadLetters: this.stats.deadLetters,
      handlerErrors: this.stats.handlerErrors,
      reconnects: 0,
      dropped: this.broker.dropped,
      subscriptions: this.subs.size,
      lastError: this.stats.lastError,
    };
  }
}

function closedError(): TickwireError {
  return new TickwireError("TW_BUS_CLOSED", "The event center is closed: make a new one to publish or subscribe.");
}

function decodeMessage(m: MemoryMessage, raw: boolean): BusEvent {
  const exchange = (m.headers[HEADER.exchange] as string | undefined) ?? m.exchange;
  const routingKey = (m.headers[HEADER.routingKey] as string | undefined) ?? m.routingKey;
  if (raw) {
    const body = m.body ?? aioquantCodec.encode({ name: m.name, data: m.data });
    return new BusEvent({ name: "", exchange: exchange || "amq.default", routingKey, data: body });
  }
  if (m.body === undefined) return new BusEvent({ name: m.name, exchange: exchange || "amq.default", routingKey, data: m.data });
  const { name, data } = codecForContentType(m.contentType).decode(m.body);
  return new BusEvent({ name, exchange: exchange || "amq.default", routingKey, data });
}

function deliveryOf(m: MemoryMessage, queue: string): Delivery {
  const failed = m.headers[HEADER.attempt];
  const attempt = typeof failed === "number" ? failed + 1 : 1;
  const origin = m.headers[HEADER.origin];
  return {
    queue,
    attempt,
    redelivered: m.redelivered || attempt > 1,
    origin: typeof origin === "string" ? origin : undefined,
    contentType: m.contentType,
    headers: m.headers,
  };
}

import type { ChannelModel } from "amqplib";
import { TickwireError } from "../../event/errors.js";
import type { BusEvent } from "../BusEvent.js";
import { errorText, newDeliveryStats } from "../DeliveryRunner.js";
import { checkExchangeName, checkHandler, statsOf, rawBodyError } from "../centerParts.js";
import type {
  BusHandler,
  BusStats,
  EventCenter,
  ExchangeType,
  PublishOptions,
  RawPublishOptions,
  SubscribeOptions,
  SubscribeSpec,
  Unsubscribe,
} from "../EventCenter.js";
import { closedError, withDeadline } from "../shutdown.js";
import { resolveSpec } from "../subscribeSpec.js";
import { Connection } from "./Connection.js";
import { amqpSettings, type AmqpEventCenterOptions, type AmqpSettings } from "./options.js";
import { Publisher } from "./Publisher.js";
import { Subscription } from "./Subscription.js";
import { Topology } from "./Topology.js";
import { WriteBatcher } from "./WriteBatcher.js";

/**
 * The EventCenter on RabbitMQ (amqplib). At-least-once end to end: publisher confirms, acks only
 * after the handler succeeded, bounded redelivery then a dead-letter queue; a lost connection is
 * noticed from the socket at once, re-opened with backoff and jitter, every exchange, queue,
 * binding and consumer declared again, and publishes made meanwhile (plus any unconfirmed ones)
 * sent after reconnect. The parts: Connection (state machine), Topology (exchanges and queues),
 * Publisher (buffer, confirm window, returns), Subscription (consume, settle, ack coalescing).
 */
export class AmqpEventCenter implements EventCenter {
  readonly url: string;
  readonly nodeId: string;
  private readonly settings: AmqpSettings;
  private readonly deliveries = newDeliveryStats();
  private readonly topology: Topology;
  private readonly connection: Connection;
  private readonly publisher: Publisher;
  private readonly subs = new Set<Subscription>();
  private closed: Promise<void> | undefined;

  constructor(options: AmqpEventCenterOptions = {}) {
    const settings = (this.settings = amqpSettings(options));
    this.url = settings.url;
    this.nodeId = settings.nodeId;
    this.topology = new Topology(settings.durableExchanges);
    this.connection = new Connection(settings, this.deliveries, {
      restore: (conn, gen, lost) => this.restore(conn, gen, lost),
      lost: () => {
        this.publisher.detach();
        this.topology.reset();
        for (const sub of this.subs) sub.detach();
      },
    });
    this.publisher = new Publisher(settings, this.topology, this.deliveries, () => this.connection.state, this.connection.startOver);
  }

  /** Connects once; fails with TW_BUS_CONNECT if the broker cannot be reached now. */
  connect(): Promise<void> {
    return this.connection.connect();
  }

  /** Everything again on a fresh connection: the publishing channel, exchanges, every subscription. */
  private async restore(conn: ChannelModel, gen: number, lost: () => Error | undefined): Promise<() => void> {
    const ch = await this.publisher.openChannel(conn);
    await this.topology.restore(conn);
    for (const sub of this.subs) {
      if (sub.ending) continue;
      try {
        await sub.setUp(conn);
      } catch (err) {
        const why = lost();
        if (why) throw why;
        // One subscription the broker refuses (permissions, another connection's exclusive
        // queue) must not keep the whole center offline: it is tried again on the next connection.
        const target = sub.spec.queue ?? sub.spec.exchange ?? "";
        this.deliveries.lastError = `cannot restore the subscription to "${target}": ${errorText(err)}`;
      }
    }
    const batcher = this.settings.batchWrites ? WriteBatcher.of(conn) : undefined;
    return () => this.publisher.attach(conn, ch, gen, batcher);
  }

  publish(event: BusEvent, options: PublishOptions = {}): Promise<void> {
    return this.publisher.publish(event, options);
  }

  publishRaw(exchange: string, routingKey: string, body: Buffer, options: RawPublishOptions = {}): Promise<void> {
    const bad = rawBodyError(body);
    return bad ? Promise.reject(bad) : this.publisher.publishRaw(exchange, routingKey, body, options);
  }

  async subscribe<T = unknown>(spec: SubscribeSpec, handler: BusHandler<T>, options: SubscribeOptions = {}): Promise<Unsubscribe> {
    if (this.connection.closing) throw closedError();
    checkHandler(handler);
    const resolved = resolveSpec(spec);
    const sub = new Subscription(resolved, handler as BusHandler, options.multi === true, this.topology, this.deliveries, this.connection.startOver);
    if (resolved.exchange !== undefined) this.topology.know(resolved.exchange);
    this.subs.add(sub);
    const conn = this.connection.conn;
    if (this.connection.state === "connected" && conn) {
      try {
        await sub.setUp(conn);
      } catch (cause) {
        this.subs.delete(sub);
        const what = resolved.queue === undefined ? `to exchange "${resolved.exchange ?? ""}"` : `to queue "${resolved.queue}"`;
        throw new TickwireError(
          "TW_BUS_SUBSCRIBE",
          `Cannot subscribe ${what}: ${errorText(cause)}. Check the spec against what the broker has (another connection's ` +
            "exclusive queue, permissions) and subscribe again once stats().connected is true.",
          { cause },
        );
      }
    }
    return () => this.unsubscribe(sub);
  }

  private async unsubscribe(sub: Subscription): Promise<void> {
    if (!this.subs.has(sub) || sub.ending) return;
    await sub.end(this.settings.closeTimeoutMs, () => this.subs.delete(sub));
  }

  async declareExchange(name: string, type: ExchangeType = "topic"): Promise<void> {
    checkExchangeName(name);
    this.topology.know(name, type);
    const conn = this.connection.conn;
    if (this.connection.state === "connected" && conn) await this.topology.declareExchange(conn, name, type);
  }

  async deleteExchange(name: string): Promise<void> {
    this.topology.forget(name);
    await this.topology.deleteExchange(this.connection.require(), name);
  }

  async deleteQueue(name: string): Promise<void> {
    await this.topology.deleteQueue(this.connection.require(), name);
  }

  /**
   * Waits (bounded by closeTimeoutMs) for unconfirmed and buffered publishes — across a reconnect
   * in progress too — and for running handlers, then disconnects. A second call gets the same promise.
   */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    const { state } = this.connection;
    if (state === "connected" || state === "reconnecting") await withDeadline(this.publisher.settled(), this.settings.closeTimeoutMs);
    await Promise.all([...this.subs].map((s) => this.unsubscribe(s)));
    this.connection.stopReconnecting();
    this.publisher.close();
    this.topology.reset();
    await this.connection.close();
    this.publisher.wake();
  }

  /** @deprecated The old name of `stats()`. */
  health(): BusStats {
    return this.stats();
  }

  stats(): BusStats {
    const p = this.publisher;
    return statsOf("amqp", this.connection.state, this.deliveries, {
      buffered: p.buffered,
      unconfirmed: p.unconfirmed,
      published: p.published,
      confirmed: p.confirmed,
      reconnects: this.connection.reconnects,
      unroutable: p.unroutable,
      dropped: 0,
      subscriptions: this.subs.size,
    });
  }
}

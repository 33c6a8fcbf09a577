import amqplib from "amqplib";
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from "amqplib";
import { TickwireError } from "../event/index.js";
import { BusEvent } from "./BusEvent.js";
import { aioquantCodec, aioquantDeflate, aioquantText, codecById, type BusCodec, type CodecId } from "./codec.js";
import { BatchDeflater, type DeflateJob } from "./deflateBatch.js";
import { DeliveryRunner, errorText, newDeliveryStats, type Outcome } from "./DeliveryRunner.js";
import { attemptOf, failureHeaders, originalRoute, tickwireHeaders, writableHeaders } from "./deliveryHeaders.js";
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
import { closedError, withDeadline } from "./shutdown.js";
import { DEAD_LETTER_MAX_LENGTH, newNodeId, resolveSpec, type ResolvedSpec } from "./subscribeSpec.js";

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

interface Outgoing extends DeflateJob {
  exchange: string;
  routingKey: string;
  /** Undefined while its JSON `text` is being compressed (see deflateBatch.ts); sent only once set. */
  body: Buffer | undefined;
  props: Options.Publish;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** Generation it was last sent on; -1 while waiting to be (re)sent. */
  sentOn: number;
  nacks: number;
  /** The broker returned its current send (no queue took it); its confirm follows. */
  returned: boolean;
  /** Sends returned so far, and when the first was, on connection `returnGen`. */
  returns: number;
  firstReturnAt: number;
  returnGen: number;
  /** When a returned publish is due to be sent again. */
  retryAt: number;
}

interface Incoming {
  msg: ConsumeMessage;
  ch: ConfirmChannel;
  queue: string;
}

interface AmqpSubscription {
  spec: ResolvedSpec;
  handler: BusHandler;
  multi: boolean;
  runner: DeliveryRunner<Incoming>;
  ch: ConfirmChannel | undefined;
  queueName: string;
  consumerTag: string | undefined;
  ending: boolean;
  /** Serial mode acks "everything up to" the last settled message once per tick. */
  ackUpTo: ConsumeMessage | undefined;
  ackScheduled: boolean;
  /** Messages settled since the last coalesced ack. */
  unackedSettled: number;
}

const MAX_NACKS = 5;
/** Backoff of a returned publish: first retry after 100 ms, doubling up to 2 s. */
const RETURN_RETRY_FIRST_MS = 100;
const RETURN_RETRY_MAX_MS = 2000;
/**
 * Most publishes handed to amqplib and not confirmed yet; the rest wait in our queue. amqplib
 * keeps its unconfirmed callbacks in an array it splices from the front on every confirm, so
 * handing it a 10,000-message burst at once made each confirm cost a move of thousands of slots
 * (~2 µs per message). 2,048 in flight keeps the broker as busy as 10,000.
 */
const MAX_UNCONFIRMED = 2048;

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

interface Corkable {
  cork(): void;
  uncork(): void;
  prependListener(event: "drain", fn: () => void): unknown;
}

/**
 * Sends the frames amqplib's muxer writes in one go as one `writev` instead of one syscall (and,
 * with TCP_NODELAY, one TCP segment) each. The muxer writes on a `setImmediate` that it schedules
 * from a `nextTick` after the first publish of a turn; the socket is corked at that publish and
 * uncorked on a `setImmediate` scheduled from a later `nextTick`, so it runs right after the muxer
 * in the same turn: nothing waits longer than it did. If the order is ever otherwise, the uncork
 * comes first and the frames go out one by one, as without this. When the socket was full, the
 * muxer writes what waited inside the socket's "drain" event: corked there too, uncorked on the
 * next tick. Uses amqplib's socket (`connection.stream`, feature-detected); without one, or with
 * `batchWrites: false`, frames go out one by one. See docs/decisions.md.
 */
class WriteBatcher {
  private corked = false;

  constructor(private readonly socket: Corkable) {
    // After a full socket drains, the muxer writes what waited right inside the "drain" event.
    socket.prependListener("drain", () => {
      if (this.corked) return;
      this.corked = true;
      socket.cork();
      process.nextTick(this.release);
    });
  }

  static of(conn: ChannelModel): WriteBatcher | undefined {
    const stream = (conn as unknown as { connection?: { stream?: Partial<Corkable> } }).connection?.stream;
    const ok = stream && typeof stream.cork === "function" && typeof stream.uncork === "function" && typeof stream.prependListener === "function";
    return ok ? new WriteBatcher(stream as Corkable) : undefined;
  }

  /** Call after handing a message to amqplib. */
  wrote(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(this.afterMuxScheduled);
  }

  private readonly afterMuxScheduled = (): void => {
    setImmediate(this.release);
  };

  private readonly release = (): void => {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  };
}

/** AMQP reply codes worth recognising. */
const PRECONDITION_FAILED = 406;

/**
 * The EventCenter on RabbitMQ (amqplib). At-least-once end to end: publisher confirms, acks only
 * after the handler succeeded, bounded redelivery then a dead-letter queue; a lost connection is
 * noticed from the socket at once, re-opened with backoff and jitter, every exchange, queue,
 * binding and consumer declared again, and publishes made meanwhile (plus any unconfirmed ones)
 * sent after reconnect.
 */
export class AmqpEventCenter implements EventCenter {
  readonly url: string;
  readonly nodeId: string;
  private readonly target: string;
  private readonly codec: BusCodec;
  private readonly confirms: boolean;
  private readonly maxBuffered: number;
  private readonly reconnectDelayMs: number;
  private readonly maxReconnectDelayMs: number;
  private readonly durableExchanges: boolean;
  private readonly mandatory: boolean;
  private readonly unroutableTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly noDelay: boolean;
  private readonly batchWrites: boolean;

  private state: CenterState = "idle";
  private closing = false;
  private closed: Promise<void> | undefined;
  private opening: Promise<void> | undefined;
  /** A reconnect attempt in progress; close() waits for it so no connection outlives the center. */
  private reopening: Promise<void> | undefined;
  private conn: ChannelModel | undefined;
  private pubCh: Channel | ConfirmChannel | undefined;
  private batcher: WriteBatcher | undefined;
  private adminCh: Channel | undefined;
  private adminConn: ChannelModel | undefined;
  /** Bumped on every connection; deliveries and sends of an older one are stale. */
  private generation = 0;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;

  /** Publishes waiting to be sent, in order (from `head`). */
  private pending: Outgoing[] = [];
  private head = 0;
  /** Sent and awaiting a confirm, in send order. */
  private readonly inflight = new Set<Outgoing>();
  /** Returned by the broker (no queue took them), waiting for `retryAt` to be sent again. */
  private returnedWaiting: Outgoing[] = [];
  private returnTimer: NodeJS.Timeout | undefined;
  private waitingDrain = false;
  private readonly exchanges = new Map<string, ExchangeType>();
  private readonly plainProps = new Map<BusCodec, Options.Publish>();
  /** Exchanges declared on the current connection. */
  private readonly declared = new Set<string>();
  private declaring: Promise<void> | undefined;
  private readonly subs = new Set<AmqpSubscription>();
  private readonly stats = newDeliveryStats();
  private published = 0;
  private confirmed = 0;
  private reconnects = 0;
  private unroutable = 0;
  private idleWaiters: Array<() => void> = [];
  /** Compresses aioquant bodies in batches (off the main thread for bursts), then flushes. */
  private readonly deflater = new BatchDeflater(aioquantDeflate, () => this.flush());

  constructor(options: AmqpEventCenterOptions = {}) {
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
    this.target = parsed.toString();
    this.url = redact(url);
    this.nodeId = options.nodeId ?? newNodeId();
    this.codec = codecById(options.codec ?? "aioquant");
    this.confirms = options.confirms ?? true;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 100;
    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? 5000;
    this.durableExchanges = options.durableExchanges ?? true;
    this.mandatory = this.confirms && options.mandatory !== false;
    this.unroutableTimeoutMs = options.unroutableTimeoutMs ?? 10_000;
    if (typeof this.unroutableTimeoutMs !== "number" || !(this.unroutableTimeoutMs >= 0)) {
      throw new TickwireError("TW_BUS_BAD_OPTION", `unroutableTimeoutMs must be a number >= 0 (ms), got ${String(options.unroutableTimeoutMs)}.`);
    }
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.noDelay = options.noDelay ?? true;
    this.batchWrites = options.batchWrites ?? true;
    for (const name of DEFAULT_EXCHANGES) this.exchanges.set(name, "topic");
  }

  // ---------------------------------------------------------------- connection

  /** Connects once; fails with TW_BUS_CONNECT if the broker cannot be reached now. */
  async connect(): Promise<void> {
    if (this.closing) throw closedError();
    if (this.state === "connected" || this.state === "reconnecting") return;
    if (this.opening) return this.opening;
    this.state = "connecting";
    this.opening = this.open().then(
      () => {
        this.opening = undefined;
      },
      (cause: unknown) => {
        this.opening = undefined;
        if (this.state === "connecting") this.state = "idle";
        throw new TickwireError(
          "TW_BUS_CONNECT",
          `Cannot connect to ${this.url}: ${errorText(cause)}. Is RabbitMQ running (rabbitmq-server -detached)?`,
          { cause },
        );
      },
    );
    return this.opening;
  }

  /** Opens a connection and restores everything on it; throws if any step fails. */
  private async open(): Promise<void> {
    const conn = await amqplib.connect(this.target, {
      noDelay: this.noDelay,
      clientProperties: { connection_name: `tickwire ${this.nodeId}` },
    });
    let lost: Error | undefined;
    const onLost = (err?: Error): void => {
      if (lost) return;
      lost = err ?? new Error("connection closed");
      if (conn === this.conn) this.connectionLost(lost);
    };
    conn.on("error", onLost);
    conn.on("close", onLost);
    try {
      const gen = this.generation + 1;
      const pubCh = this.confirms ? await conn.createConfirmChannel() : await conn.createChannel();
      let why: Error | undefined;
      pubCh.on("error", (err: Error) => (why = err)); // the close that follows is what we act on
      pubCh.on("return", (msg: ConsumeMessage) => {
        if (pubCh === this.pubCh) this.onReturn(msg);
      });
      // Prepended: it must run before amqplib's own listener fails the unconfirmed publishes one by
      // one, so they are taken back in send order (not counted as nacks) and nothing more is sent
      // on the dead channel.
      pubCh.prependListener("close", () => {
        if (pubCh !== this.pubCh) return;
        this.pubCh = undefined;
        this.waitingDrain = false;
        this.takeBackUnconfirmed();
        // A lost connection closes its channels first and says why right after; a channel error
        // alone (e.g. an exchange deleted under us: 404) leaves the connection up: start over.
        const err = new Error(`the broker closed the publishing channel${why ? `: ${why.message}` : ""}`);
        queueMicrotask(() => this.startOver(conn, err));
      });
      this.adminCh = await this.openAdmin(conn);
      this.adminConn = conn;
      this.declared.clear();
      for (const [name, type] of this.exchanges) await this.declareOn(conn, name, type);
      for (const sub of this.subs) {
        if (sub.ending) continue;
        try {
          await this.setUp(sub, conn);
        } catch (err) {
          if (lost) throw lost;
          // One subscription the broker refuses (permissions, another connection's exclusive
          // queue) must not keep the whole center offline: it is tried again on the next connection.
          const target = sub.spec.queue ?? sub.spec.exchange ?? "";
          this.stats.lastError = `cannot restore the subscription to "${target}": ${errorText(err)}`;
        }
      }
      if (lost) throw lost;
      if (this.closing) throw closedError(); // close() was called while we were connecting
      this.generation = gen;
      this.conn = conn;
      this.pubCh = pubCh;
      this.batcher = this.batchWrites ? WriteBatcher.of(conn) : undefined;
      this.state = "connected";
      this.attempt = 0;
      this.flush();
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  private async openAdmin(conn: ChannelModel): Promise<Channel> {
    const ch = await conn.createChannel();
    ch.on("error", () => undefined);
    ch.on("close", () => {
      if (this.adminCh === ch) this.adminCh = undefined;
    });
    return ch;
  }

  /** Runs one declaration on the admin channel (a refused one closes only that channel). */
  private async admin<T>(conn: ChannelModel, fn: (ch: Channel) => Promise<T>): Promise<T> {
    if (!this.adminCh || this.adminConn !== conn) {
      this.adminCh = await this.openAdmin(conn);
      this.adminConn = conn;
    }
    return fn(this.adminCh);
  }

  private async declareOn(conn: ChannelModel, name: string, type: ExchangeType): Promise<void> {
    try {
      await this.admin(conn, (ch) => ch.assertExchange(name, type, { durable: this.durableExchanges }));
    } catch (err) {
      // Declared already with other flags (e.g. durable by another system): use it as it is.
      if ((err as { code?: number }).code !== PRECONDITION_FAILED) throw err;
      this.adminCh = undefined; // the broker closed it with the refusal
      await this.admin(conn, (ch) => ch.checkExchange(name));
    }
    this.declared.add(name);
  }

  /** Declares a queue; one that exists with other arguments (a dead-letter queue, say) is used as it is. */
  private async declareQueueOn(conn: ChannelModel, name: string, options: Options.AssertQueue): Promise<void> {
    try {
      await this.admin(conn, (ch) => ch.assertQueue(name, options));
    } catch (err) {
      if ((err as { code?: number }).code !== PRECONDITION_FAILED) throw err;
      this.adminCh = undefined; // the broker closed it with the refusal
      await this.admin(conn, (ch) => ch.checkQueue(name));
    }
  }

  /**
   * Gives up `conn` at once (publishes wait, in order, for the next connection) and closes it:
   * for errors that leave it half-working, such as a closed channel or a cancelled consumer.
   */
  private startOver(conn: ChannelModel, err: Error): void {
    if (this.closing) return;
    if (conn === this.conn) this.connectionLost(err);
    void conn.close().catch(() => undefined);
  }

  private connectionLost(err: Error): void {
    if (this.closing || this.state === "reconnecting") return;
    this.stats.lastError = `connection lost: ${err.message}`;
    this.state = "reconnecting";
    this.conn = undefined;
    this.pubCh = undefined;
    this.batcher = undefined;
    this.adminCh = undefined;
    this.waitingDrain = false;
    this.declared.clear();
    this.takeBackUnconfirmed();
    for (const sub of this.subs) {
      sub.ch = undefined;
      sub.ackUpTo = undefined;
      sub.runner.discardQueued(); // unacked ones come back from the broker as redeliveries
    }
    this.scheduleReconnect();
  }

  /** Unconfirmed publishes may or may not have reached the broker: first in line again, in send order. */
  private takeBackUnconfirmed(): void {
    if (this.inflight.size === 0) return;
    const again = [...this.inflight];
    this.inflight.clear();
    for (const o of again) {
      o.sentOn = -1;
      o.returned = false; // sent again in any case
    }
    this.pending = again.concat(this.pending.slice(this.head));
    this.head = 0;
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    const base = Math.min(this.maxReconnectDelayMs, this.reconnectDelayMs * 2 ** this.attempt);
    this.attempt++;
    const delay = base / 2 + Math.random() * (base / 2); // "equal jitter": spread clients apart
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.reopening = this.open().then(
        () => {
          this.reopening = undefined;
          this.reconnects++;
        },
        (err: unknown) => {
          this.reopening = undefined;
          this.stats.lastError = `reconnect failed: ${errorText(err)}`;
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  // ---------------------------------------------------------------- publishing

  publish(event: BusEvent, options: PublishOptions = {}): Promise<void> {
    const codec = options.codec === undefined ? this.codec : codecById(options.codec);
    let body: Buffer | undefined;
    let text: string | undefined;
    try {
      // aioquant: the JSON is written now (bad data is refused here), the zlib step is batched.
      if (codec === aioquantCodec) text = aioquantText({ name: event.name, data: event.data });
      else body = event.encode(codec);
    } catch (err) {
      return Promise.reject(err);
    }
    let props = this.plainProps.get(codec);
    if (!props || options.headers || options.persistent) {
      props = { contentType: codec.contentType, appId: this.nodeId };
      if (this.mandatory) props.mandatory = true;
      if (codec.contentEncoding) props.contentEncoding = codec.contentEncoding;
      if (options.headers) props.headers = options.headers;
      if (options.persistent) props.persistent = true;
      // The common case (no headers, not persistent) shares one frozen object: no allocation per publish.
      if (!options.headers && !options.persistent) this.plainProps.set(codec, Object.freeze(props));
    }
    return this.enqueue(event.exchange, event.routingKey, body, props, text);
  }

  publishRaw(exchange: string, routingKey: string, body: Buffer, options: RawPublishOptions = {}): Promise<void> {
    if (!Buffer.isBuffer(body)) return Promise.reject(new TickwireError("TW_BUS_EVENT", "publishRaw needs a Buffer body."));
    const props: Options.Publish = { appId: this.nodeId };
    if (this.mandatory) props.mandatory = true;
    if (options.contentType) props.contentType = options.contentType;
    if (options.contentEncoding) props.contentEncoding = options.contentEncoding;
    if (options.headers) props.headers = options.headers;
    if (options.persistent) props.persistent = true;
    return this.enqueue(exchange, routingKey, body, props);
  }

  private enqueue(exchange: string, routingKey: string, body: Buffer | undefined, props: Options.Publish, text?: string): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    if (this.pending.length - this.head + this.returnedWaiting.length >= this.maxBuffered) {
      return Promise.reject(
        new TickwireError(
          "TW_BUS_BUFFER_FULL",
          `${this.maxBuffered} publishes are already waiting for the broker: wait for publishes to resolve, or raise maxBuffered.`,
          { details: { state: this.state } },
        ),
      );
    }
    if (!this.exchanges.has(exchange) && exchange !== "") this.exchanges.set(exchange, "topic");
    return new Promise<void>((resolve, reject) => {
      const o: Outgoing = {
        exchange,
        routingKey,
        body,
        text,
        props,
        resolve,
        reject,
        sentOn: -1,
        nacks: 0,
        returned: false,
        returns: 0,
        firstReturnAt: 0,
        returnGen: 0,
        retryAt: 0,
      };
      this.published++;
      if (body === undefined) {
        this.pending.push(o);
        this.deflater.add(o); // flushes once compressed
        return;
      }
      const ch = this.pubCh;
      if (ch && this.head === this.pending.length && !this.waitingDrain && this.inflight.size < MAX_UNCONFIRMED && this.declared.has(exchange)) {
        this.send(o, ch);
      } else {
        this.pending.push(o);
        this.flush();
      }
    });
  }

  /** Sends waiting publishes in order while there is a publishing channel and the socket takes them. */
  private flush(): void {
    let ch: Channel | ConfirmChannel | undefined;
    while (this.head < this.pending.length && (ch = this.pubCh) && !this.waitingDrain && this.inflight.size < MAX_UNCONFIRMED) {
      const o = this.pending[this.head];
      if (o.body === undefined) break; // still being compressed: the deflater flushes again when it is done
      if (o.exchange !== "" && !this.declared.has(o.exchange)) {
        this.declareThenFlush(o.exchange);
        return;
      }
      this.pending[this.head++] = undefined as unknown as Outgoing;
      this.send(o, ch);
    }
    if (this.head > 0 && (this.head === this.pending.length || this.head > 4096)) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    this.checkIdle();
  }

  private declareThenFlush(exchange: string): void {
    if (this.declaring || !this.conn) return;
    const conn = this.conn;
    this.declaring = this.declareOn(conn, exchange, this.exchanges.get(exchange) ?? "topic").then(
      () => {
        this.declaring = undefined;
        this.flush();
      },
      (err: unknown) => {
        this.declaring = undefined;
        if (conn !== this.conn) {
          this.flush(); // lost meanwhile: the reconnect declared it, or will
          return;
        }
        // The broker refused the exchange: fail its publishes rather than retry forever.
        this.exchanges.delete(exchange);
        const what = `Cannot declare exchange "${exchange}": ${errorText(err)}. Check the user's permissions on it, or publish elsewhere.`;
        const error = new TickwireError("TW_BUS_EXCHANGE", what, { cause: err });
        const keep: Outgoing[] = [];
        for (let i = this.head; i < this.pending.length; i++) {
          const o = this.pending[i];
          if (o.exchange === exchange) o.reject(error);
          else keep.push(o);
        }
        this.pending = keep;
        this.head = 0;
        this.flush();
      },
    );
  }

  /** Hands `o` to the channel; amqplib queues it if the socket is busy (then we wait for "drain"). */
  private send(o: Outgoing, ch: Channel | ConfirmChannel): void {
    const gen = this.generation;
    o.sentOn = gen;
    let ok: boolean;
    try {
      if (this.confirms) {
        this.inflight.add(o);
        ok = (ch as ConfirmChannel).publish(o.exchange, o.routingKey, o.body!, o.props, (err: unknown) => this.onConfirm(o, gen, err));
      } else {
        ok = ch.publish(o.exchange, o.routingKey, o.body!, o.props);
        this.confirmed++;
        o.resolve();
      }
    } catch (cause) {
      // A closed channel is never this.pubCh (its close listener clears it before anything can
      // run), so amqplib refused this message itself: a header it cannot encode, say.
      this.inflight.delete(o);
      const text = `The AMQP client refused the message: ${errorText(cause)}. Check its headers and routing key.`;
      o.reject(new TickwireError("TW_BUS_PUBLISH", text, { cause }));
      this.checkIdle();
      return;
    }
    this.batcher?.wrote();
    if (!ok) {
      this.waitingDrain = true;
      ch.once("drain", () => {
        if (ch !== this.pubCh) return;
        this.waitingDrain = false;
        this.flush();
      });
    }
  }

  private onConfirm(o: Outgoing, gen: number, err: unknown): void {
    // Taken back when its channel closed (sentOn reset) and sent again: this callback is stale.
    if (o.sentOn !== gen) return;
    this.inflight.delete(o);
    if (o.returned) {
      o.returned = false;
      if (!err) {
        this.returnedToSender(o);
        return;
      }
    }
    if (!err) {
      this.confirmed++;
      o.resolve();
      if (this.head < this.pending.length) this.flush(); // room in the window again
      else this.checkIdle();
      return;
    }
    // A nack: the broker could not take it (an internal error). Try again, a bounded number of times.
    o.sentOn = -1;
    if (++o.nacks > MAX_NACKS) {
      o.reject(new TickwireError("TW_BUS_NACK", `The broker refused the message ${MAX_NACKS} times: check the broker's logs.`));
      this.checkIdle();
      return;
    }
    this.pending.push(o);
    setImmediate(() => this.flush());
  }

  /**
   * A basic.return: no queue took one of the publishes in flight. It names no delivery tag, so it
   * is matched by exchange, key and body to the oldest such publish not yet returned (the broker
   * returns in publish order; among identical messages which one it was makes no difference).
   */
  private onReturn(msg: ConsumeMessage): void {
    const { exchange, routingKey } = msg.fields;
    for (const o of this.inflight) {
      if (!o.returned && o.routingKey === routingKey && o.exchange === exchange && o.body!.equals(msg.content)) {
        o.returned = true;
        return;
      }
    }
  }

  /** Its confirm came after a return: not delivered. Send it again later, or give up past the bound. */
  private returnedToSender(o: Outgoing): void {
    const now = Date.now();
    if (o.returnGen !== this.generation) {
      // A new connection gives subscribers a new chance to declare their queues: the bound restarts.
      o.returnGen = this.generation;
      o.returns = 0;
      o.firstReturnAt = now;
    }
    if (now - o.firstReturnAt >= this.unroutableTimeoutMs) {
      this.unroutable++;
      const where = o.exchange === "" ? `queue "${o.routingKey}"` : `exchange "${o.exchange}" with key "${o.routingKey}"`;
      this.stats.lastError = `unroutable: no queue took a publish to ${where}`;
      o.reject(
        new TickwireError(
          "TW_BUS_UNROUTABLE",
          `No queue took the publish to ${where} for ${this.unroutableTimeoutMs} ms: subscribe a queue to it first ` +
            "(or create the queue), or use mandatory: false if events nobody receives may be dropped.",
          { details: { exchange: o.exchange, routingKey: o.routingKey, returns: o.returns + 1 } },
        ),
      );
      if (this.head < this.pending.length) this.flush();
      else this.checkIdle();
      return;
    }
    o.sentOn = -1;
    o.retryAt = now + Math.min(RETURN_RETRY_MAX_MS, RETURN_RETRY_FIRST_MS * 2 ** o.returns++);
    this.returnedWaiting.push(o);
    this.returnTimer ??= setTimeout(this.retryReturned, RETURN_RETRY_FIRST_MS);
    if (this.head < this.pending.length) this.flush(); // room in the window again
  }

  /** Puts the returned publishes that are due back in line (behind what waits already), then sends. */
  private readonly retryReturned = (): void => {
    this.returnTimer = undefined;
    const now = Date.now();
    const later: Outgoing[] = [];
    for (const o of this.returnedWaiting) {
      if (o.retryAt <= now) this.pending.push(o);
      else later.push(o);
    }
    this.returnedWaiting = later;
    if (later.length > 0) this.returnTimer = setTimeout(this.retryReturned, RETURN_RETRY_FIRST_MS);
    this.flush();
  };

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.inflight.size > 0 || this.head < this.pending.length || this.returnedWaiting.length > 0) return;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }

  /** Resolves when every accepted publish has been confirmed (or failed). */
  private publishesSettled(): Promise<void> {
    if (this.inflight.size === 0 && this.head >= this.pending.length && this.returnedWaiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---------------------------------------------------------------- consuming

  async subscribe<T = unknown>(spec: SubscribeSpec, handler: BusHandler<T>, options: SubscribeOptions = {}): Promise<Unsubscribe> {
    if (this.closing) throw closedError();
    if (typeof handler !== "function") throw new TickwireError("TW_BUS_SPEC", "Bad subscription: the handler must be a function.");
    const resolved = resolveSpec(spec);
    const multi = options.multi === true;
    const sub: AmqpSubscription = {
      spec: resolved,
      handler: handler as BusHandler,
      multi,
      runner: undefined as unknown as DeliveryRunner<Incoming>,
      ch: undefined,
      queueName: resolved.queue ?? "",
      consumerTag: undefined,
      ending: false,
      ackUpTo: undefined,
      ackScheduled: false,
      unackedSettled: 0,
    };
    sub.runner = new DeliveryRunner<Incoming>(
      sub.handler,
      {
        decode: (m) => this.decode(m, resolved.raw),
        delivery: (m) => deliveryOf(m, resolved.maxRedeliveries),
        settle: (m, outcome) => this.settle(sub, m, outcome),
      },
      this.stats,
      { multi, noAck: resolved.noAck, maxRedeliveries: resolved.maxRedeliveries },
    );
    if (resolved.exchange !== undefined && !this.exchanges.has(resolved.exchange)) this.exchanges.set(resolved.exchange, "topic");
    this.subs.add(sub);
    if (this.state === "connected" && this.conn) {
      try {
        await this.setUp(sub, this.conn);
      } catch (cause) {
        this.subs.delete(sub);
        const what = resolved.queue === undefined ? `to exchange "${resolved.exchange ?? ""}"` : `to queue "${resolved.queue}"`;
        throw new TickwireError(
          "TW_BUS_SUBSCRIBE",
          `Cannot subscribe ${what}: ${errorText(cause)}. Check the spec against what the broker has (another connection's ` +
            "exclusive queue, permissions) and subscribe again once health().connected is true.",
          { cause },
        );
      }
    }
    return () => this.unsubscribe(sub);
  }

  /** Declares the subscription's queues and bindings on `conn` and starts its consumer. */
  private async setUp(sub: AmqpSubscription, conn: ChannelModel): Promise<void> {
    const { spec } = sub;
    const ch = await conn.createConfirmChannel();
    let why: Error | undefined;
    let closed = false;
    let consuming = false;
    ch.on("error", (err: Error) => (why = err));
    ch.on("close", () => {
      closed = true;
      // A channel error once consuming (not a connection loss, see the publishing channel) would
      // leave this subscription dead: start over. One while setting up fails the set-up instead.
      if (!consuming || sub.ch !== ch || sub.ending) return;
      const err = new Error(`the broker closed the channel of queue "${sub.queueName}"${why ? `: ${why.message}` : ""}`);
      queueMicrotask(() => this.startOver(conn, err));
    });
    try {
      await ch.prefetch(spec.prefetchCount);
      let queueName: string;
      if (spec.queue !== undefined) {
        await this.declareQueueOn(conn, spec.queue, { durable: spec.durable, exclusive: false, autoDelete: false });
        queueName = spec.queue;
      } else {
        const q = await ch.assertQueue("", { durable: false, exclusive: true, autoDelete: true });
        queueName = q.queue;
      }
      if (!spec.noAck) {
        await this.declareQueueOn(conn, spec.deadLetterQueue, {
          durable: true,
          arguments: { "x-max-length": DEAD_LETTER_MAX_LENGTH },
        });
      }
      if (spec.exchange !== undefined) {
        if (!this.declared.has(spec.exchange)) await this.declareOn(conn, spec.exchange, this.exchanges.get(spec.exchange) ?? "topic");
        for (const key of spec.bindingKeys) await ch.bindQueue(queueName, spec.exchange, key);
      }
      sub.queueName = queueName;
      sub.ch = ch;
      const ok = await ch.consume(
        queueName,
        (msg) => {
          if (msg === null) {
            // The broker cancelled us (queue deleted): re-declare everything via a reconnect.
            if (!sub.ending) this.startOver(conn, new Error(`the broker cancelled the consumer of queue "${queueName}"`));
            return;
          }
          if (sub.ch !== ch || sub.ending) return; // left unacked: it goes back to the queue
          sub.runner.push({ msg, ch, queue: queueName });
        },
        { noAck: spec.noAck },
      );
      if (closed) throw why ?? new Error(`the broker closed the channel of queue "${queueName}"`);
      sub.consumerTag = ok.consumerTag;
      consuming = true;
      if (sub.ending) {
        // Unsubscribed while this was being set up (during a reconnect): do not leave a consumer behind.
        sub.ch = undefined;
        await ch.close().catch(() => undefined);
      }
    } catch (err) {
      sub.ch = undefined;
      await ch.close().catch(() => undefined);
      throw err;
    }
  }

  private decode(m: Incoming, raw: boolean): BusEvent {
    const { fields, properties } = m.msg;
    const { exchange, routingKey } = originalRoute(headersOf(m.msg), fields.exchange, fields.routingKey);
    if (raw) return new BusEvent({ name: "", exchange, routingKey, data: m.msg.content });
    return BusEvent.decode(m.msg.content, { exchange, routingKey, contentType: properties.contentType as string | undefined });
  }

  /**
   * Acks, or sends a copy back to the queue (retry) or to the dead-letter queue, then acks. Every
   * message ends settled while its channel lives: a copy amqplib cannot write (a header such as
   * another client's double -1e300) goes with the headers it can write, then with tickwire's
   * alone; a copy the broker refuses is nacked back to the queue. Never left unacked (with
   * prefetch 1 that stalls the queue; with coalesced acks a later ack would cover it).
   */
  private settle(sub: AmqpSubscription, m: Incoming, outcome: Outcome): void | Promise<void> {
    if (m.ch !== sub.ch) return; // its channel is gone; the broker delivers it again
    if (outcome.kind === "ack") return this.ack(sub, m);
    const { msg } = m;
    const { exchange, routingKey } = msg.fields;
    const full = failureHeaders(outcome, headersOf(msg), { exchange, routingKey, queue: m.queue });
    const target = outcome.kind === "retry" ? m.queue : sub.spec.deadLetterQueue;
    const base = publishPropsOf(msg);
    // Copy first, confirm, then ack the original: a crash in between duplicates, never loses.
    return new Promise<void>((resolve) => {
      const confirmed = (err: unknown): void => {
        if (err) {
          this.stats.lastError = `the broker refused the ${outcome.kind === "retry" ? "retry" : "dead-letter"} copy: ${errorText(err)}`;
          this.nack(sub, m, true); // back to the queue: delivered again, not lost
        } else {
          if (outcome.kind === "retry") this.stats.redeliveries++;
          else this.stats.deadLetters++;
          this.ack(sub, m);
        }
        resolve();
      };
      let headers = full;
      for (let step = 0; ; step++) {
        try {
          m.ch.publish("", target, msg.content, { ...base, headers }, confirmed);
          return;
        } catch (err) {
          if (m.ch !== sub.ch) break; // its channel is gone; the broker delivers it again
          this.stats.lastError = `cannot write the copy of a message from "${m.queue}": ${errorText(err)}`;
          if (step === 0) headers = writableHeaders(full);
          else if (step === 1) headers = tickwireHeaders(full);
          else {
            // Not even tickwire's headers: give it to the queue's own dead-lettering (if any).
            this.nack(sub, m, false);
            break;
          }
        }
      }
      resolve();
    });
  }

  /** Settles one message with a nack, after the coalesced acks of those before it. */
  private nack(sub: AmqpSubscription, m: Incoming, requeue: boolean): void {
    if (m.ch !== sub.ch) return;
    this.flushAcks(sub);
    try {
      m.ch.nack(m.msg, false, requeue);
    } catch {
      // channel closed: the broker redelivers
    }
  }

  private ack(sub: AmqpSubscription, m: Incoming): void {
    if (m.ch !== sub.ch) return;
    this.stats.acked++;
    if (sub.multi || sub.spec.prefetchCount === 1) {
      try {
        m.ch.ack(m.msg);
      } catch {
        // channel closed: the broker redelivers
      }
      return;
    }
    // One at a time in order: everything before this message is settled, so one "multiple"
    // ack per tick covers them all and saves the broker a frame per message.
    sub.ackUpTo = m.msg;
    // Half the prefetch window settled: ack now, or the broker runs out of window and waits.
    if (++sub.unackedSettled * 2 >= sub.spec.prefetchCount) {
      this.flushAcks(sub);
      return;
    }
    if (sub.ackScheduled) return;
    sub.ackScheduled = true;
    setImmediate(() => {
      sub.ackScheduled = false;
      this.flushAcks(sub);
    });
  }

  private flushAcks(sub: AmqpSubscription): void {
    sub.unackedSettled = 0;
    const msg = sub.ackUpTo;
    sub.ackUpTo = undefined;
    if (!msg || !sub.ch) return;
    try {
      sub.ch.ack(msg, true);
    } catch {
      // channel closed: the broker redelivers
    }
  }

  private async unsubscribe(sub: AmqpSubscription): Promise<void> {
    if (!this.subs.has(sub) || sub.ending) return;
    sub.ending = true;
    const ch = sub.ch;
    if (ch && sub.consumerTag) await ch.cancel(sub.consumerTag).catch(() => undefined);
    await withDeadline(sub.runner.idle(), this.closeTimeoutMs);
    sub.runner.close(); // past the deadline, what it still holds goes back to the queue, not to the handler
    this.flushAcks(sub);
    this.subs.delete(sub);
    sub.ch = undefined;
    if (ch) await ch.close().catch(() => undefined); // anything still unacked goes back to the queue
  }

  // ---------------------------------------------------------------- admin

  async declareExchange(name: string, type: ExchangeType = "topic"): Promise<void> {
    if (typeof name !== "string" || name === "") throw new TickwireError("TW_BUS_SPEC", "An exchange needs a non-empty name.");
    this.exchanges.set(name, type);
    if (this.state === "connected" && this.conn) await this.declareOn(this.conn, name, type);
  }

  async deleteExchange(name: string): Promise<void> {
    this.exchanges.delete(name);
    this.declared.delete(name);
    const conn = this.requireConn();
    await this.admin(conn, (ch) => ch.deleteExchange(name));
  }

  async deleteQueue(name: string): Promise<void> {
    const conn = this.requireConn();
    await this.admin(conn, (ch) => ch.deleteQueue(name));
  }

  private requireConn(): ChannelModel {
    if (this.state !== "connected" || !this.conn) {
      throw new TickwireError("TW_BUS_NOT_CONNECTED", "Not connected to RabbitMQ: call connect() first (or wait for the reconnect).");
    }
    return this.conn;
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
    if (this.state === "connected" || this.state === "reconnecting") {
      await withDeadline(this.publishesSettled(), this.closeTimeoutMs);
    }
    await Promise.all([...this.subs].map((s) => this.unsubscribe(s)));
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.returnTimer) clearTimeout(this.returnTimer);
    this.returnTimer = undefined;
    const left = [...this.inflight, ...this.pending.slice(this.head), ...this.returnedWaiting];
    this.returnedWaiting = [];
    this.inflight.clear();
    this.pending = [];
    this.head = 0;
    for (const o of left) {
      o.sentOn = -1; // amqplib fails its confirm when the channel closes: nothing more to do for it
      o.reject(closedError());
    }
    const conn = this.conn;
    this.conn = undefined;
    this.pubCh = undefined;
    this.adminCh = undefined;
    this.state = "closed";
    if (conn) await conn.close().catch(() => undefined);
    if (this.opening) await this.opening.catch(() => undefined);
    if (this.reopening) await this.reopening;
    this.checkIdle();
  }

  health(): BusHealth {
    return {
      kind: "amqp",
      state: this.state,
      connected: this.state === "connected",
      buffered: this.pending.length - this.head + this.returnedWaiting.length,
      unconfirmed: this.inflight.size,
      published: this.published,
      confirmed: this.confirmed,
      delivered: this.stats.delivered,
      acked: this.stats.acked,
      redeliveries: this.stats.redeliveries,
      deadLetters: this.stats.deadLetters,
      handlerErrors: this.stats.handlerErrors,
      reconnects: this.reconnects,
      unroutable: this.unroutable,
      dropped: 0,
      subscriptions: this.subs.size,
      lastError: this.stats.lastError,
    };
  }
}

const NO_HEADERS: Readonly<Record<string, unknown>> = Object.freeze({});

function headersOf(msg: ConsumeMessage): Readonly<Record<string, unknown>> {
  return (msg.properties.headers ?? NO_HEADERS) as Record<string, unknown>;
}

function deliveryOf(m: Incoming, maxRedeliveries: number): Delivery {
  const { fields, properties } = m.msg;
  const headers = headersOf(m.msg);
  // The center's copies come through the default exchange; through any other, the count is someone else's.
  const attempt = fields.exchange === "" ? attemptOf(headers[HEADER.attempt], maxRedeliveries) : 1;
  return {
    queue: m.queue,
    attempt,
    redelivered: fields.redelivered || attempt > 1,
    origin: properties.appId as string | undefined,
    contentType: properties.contentType as string | undefined,
    headers,
  };
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

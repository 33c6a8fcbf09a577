import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from "amqplib";
import { TickwireError } from "../../event/errors.js";
import type { BusEvent } from "../BusEvent.js";
import { aioquantCodec, aioquantDeflate, aioquantText, codecById, type BusCodec } from "../codec.js";
import { BatchDeflater } from "../deflateBatch.js";
import { errorText, type DeliveryStats } from "../DeliveryRunner.js";
import type { CenterState, PublishOptions, RawPublishOptions } from "../EventCenter.js";
import { closedError } from "../shutdown.js";
import type { AmqpSettings } from "./options.js";
import type { Topology } from "./Topology.js";
import type { WriteBatcher } from "./WriteBatcher.js";
import {
  MAX_NACKS,
  MAX_UNCONFIRMED,
  RETURN_RETRY_FIRST_MS,
  RETURN_RETRY_MAX_MS,
  newOutgoing,
  publishProps,
  rawPublishProps,
  type Outgoing,
} from "./outgoing.js";

/**
 * The publishing side: a buffer that holds publishes in order while there is no channel (or no
 * room), a window of at most 2,048 unconfirmed ones, nacks sent again (bounded), `mandatory`
 * returns sent again with backoff until `unroutableTimeoutMs`, and writes batched per turn.
 * Unconfirmed publishes of a lost channel go first in line on the next one.
 */
export class Publisher {
  published = 0;
  confirmed = 0;
  unroutable = 0;
  private ch: Channel | ConfirmChannel | undefined;
  private conn: ChannelModel | undefined;
  private batcher: WriteBatcher | undefined;
  /** The connection's generation: sends and returns of an older one are stale. */
  private gen = 0;
  private closing = false;
  /** Publishes waiting to be sent, in order (from `head`). */
  private pending: Outgoing[] = [];
  private head = 0;
  /** Sent and awaiting a confirm, in send order. */
  private readonly inflight = new Set<Outgoing>();
  /** Returned by the broker (no queue took them), waiting for `retryAt` to be sent again. */
  private returnedWaiting: Outgoing[] = [];
  private returnTimer: NodeJS.Timeout | undefined;
  private waitingDrain = false;
  private declaring: Promise<void> | undefined;
  private readonly plainProps = new Map<BusCodec, Options.Publish>();
  private idleWaiters: Array<() => void> = [];
  /** Compresses aioquant bodies in batches (off the main thread for bursts), then flushes. */
  private readonly deflater = new BatchDeflater(aioquantDeflate, () => this.flush());

  constructor(
    private readonly settings: AmqpSettings,
    private readonly topology: Topology,
    private readonly stats: DeliveryStats,
    private readonly state: () => CenterState,
    /** Gives up a connection whose publishing channel closed under it. */
    private readonly startOver: (conn: ChannelModel, err: Error) => void,
  ) {}

  /** Publishes waiting: for a connection, for room in the window, or to be tried again. */
  get buffered(): number {
    return this.pending.length - this.head + this.returnedWaiting.length;
  }

  get unconfirmed(): number {
    return this.inflight.size;
  }

  // ---------------------------------------------------------------- the channel

  /** Opens the publishing channel on a fresh connection; `attach` starts using it. */
  async openChannel(conn: ChannelModel): Promise<Channel | ConfirmChannel> {
    const ch = this.settings.confirms ? await conn.createConfirmChannel() : await conn.createChannel();
    let why: Error | undefined;
    ch.on("error", (err: Error) => (why = err)); // the close that follows is what we act on
    ch.on("return", (msg: ConsumeMessage) => {
      if (ch === this.ch) this.onReturn(msg);
    });
    // Prepended: it must run before amqplib's own listener fails the unconfirmed publishes one by
    // one, so they are taken back in send order (not counted as nacks) and nothing more is sent
    // on the dead channel.
    ch.prependListener("close", () => {
      if (ch !== this.ch) return;
      this.ch = undefined;
      this.waitingDrain = false;
      this.takeBackUnconfirmed();
      // A lost connection closes its channels first and says why right after; a channel error
      // alone (e.g. an exchange deleted under us: 404) leaves the connection up: start over.
      const err = new Error(`the broker closed the publishing channel${why ? `: ${why.message}` : ""}`);
      queueMicrotask(() => this.startOver(conn, err));
    });
    return ch;
  }

  /** The connection of generation `gen` is up: send what waits. */
  attach(conn: ChannelModel, ch: Channel | ConfirmChannel, gen: number, batcher: WriteBatcher | undefined): void {
    this.conn = conn;
    this.ch = ch;
    this.gen = gen;
    this.batcher = batcher;
    this.flush();
  }

  /** The connection is lost: publishes wait, the unconfirmed first, for the next one. */
  detach(): void {
    this.conn = undefined;
    this.ch = undefined;
    this.batcher = undefined;
    this.waitingDrain = false;
    this.takeBackUnconfirmed();
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

  // ---------------------------------------------------------------- publishing

  publish(event: BusEvent, options: PublishOptions = {}): Promise<void> {
    const codec = options.codec === undefined ? this.settings.codec : codecById(options.codec);
    let body: Buffer | undefined;
    let text: string | undefined;
    try {
      // aioquant: the JSON is written now (bad data is refused here), the zlib step is batched.
      if (codec === aioquantCodec) text = aioquantText({ name: event.name, data: event.data });
      else body = event.encode(codec);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.enqueue(event.exchange, event.routingKey, body, publishProps(this.settings, codec, options, this.plainProps), text);
  }

  publishRaw(exchange: string, routingKey: string, body: Buffer, options: RawPublishOptions): Promise<void> {
    return this.enqueue(exchange, routingKey, body, rawPublishProps(this.settings, options));
  }

  private enqueue(exchange: string, routingKey: string, body: Buffer | undefined, props: Options.Publish, text?: string): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    if (this.buffered >= this.settings.maxBuffered) {
      return Promise.reject(
        new TickwireError(
          "TW_BUS_BUFFER_FULL",
          `${this.settings.maxBuffered} publishes are already waiting for the broker: wait for publishes to resolve, or raise maxBuffered.`,
          { details: { state: this.state() } },
        ),
      );
    }
    this.topology.know(exchange);
    return new Promise<void>((resolve, reject) => {
      const o = newOutgoing(exchange, routingKey, body, props, text, resolve, reject);
      this.published++;
      if (body === undefined) {
        this.pending.push(o);
        this.deflater.add(o); // flushes once compressed
        return;
      }
      const ch = this.ch;
      if (ch && this.head === this.pending.length && !this.waitingDrain && this.inflight.size < MAX_UNCONFIRMED && this.topology.isDeclared(exchange)) {
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
    while (this.head < this.pending.length && (ch = this.ch) && !this.waitingDrain && this.inflight.size < MAX_UNCONFIRMED) {
      const o = this.pending[this.head];
      if (o.body === undefined) break; // still being compressed: the deflater flushes again when it is done
      if (o.exchange !== "" && !this.topology.isDeclared(o.exchange)) {
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
    this.declaring = this.topology.declareExchange(conn, exchange).then(
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
        this.topology.forget(exchange);
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
    const gen = this.gen;
    o.sentOn = gen;
    let ok: boolean;
    try {
      if (this.settings.confirms) {
        this.inflight.add(o);
        ok = (ch as ConfirmChannel).publish(o.exchange, o.routingKey, o.body!, o.props, (err: unknown) => this.onConfirm(o, gen, err));
      } else {
        ok = ch.publish(o.exchange, o.routingKey, o.body!, o.props);
        this.confirmed++;
        o.resolve();
      }
    } catch (cause) {
      // A closed channel is never this.ch (its close listener clears it before anything can
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
        if (ch !== this.ch) return;
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
      if (this.head < this.pending.length)
        this.flush(); // room in the window again
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
    if (o.returnGen !== this.gen) {
      // A new connection gives subscribers a new chance to declare their queues: the bound restarts.
      o.returnGen = this.gen;
      o.returns = 0;
      o.firstReturnAt = now;
    }
    const timeoutMs = this.settings.unroutableTimeoutMs;
    if (now - o.firstReturnAt >= timeoutMs) {
      this.unroutable++;
      const where = o.exchange === "" ? `queue "${o.routingKey}"` : `exchange "${o.exchange}" with key "${o.routingKey}"`;
      this.stats.lastError = `unroutable: no queue took a publish to ${where}`;
      o.reject(
        new TickwireError(
          "TW_BUS_UNROUTABLE",
          `No queue took the publish to ${where} for ${timeoutMs} ms: subscribe a queue to it first ` +
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

  // ---------------------------------------------------------------- settling and closing

  private isIdle(): boolean {
    return this.inflight.size === 0 && this.head >= this.pending.length && this.returnedWaiting.length === 0;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }

  /** Resolves when every accepted publish has been confirmed (or failed). */
  settled(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** No more publishes: what is still waiting or unconfirmed rejects with TW_BUS_CLOSED. */
  close(): void {
    this.closing = true;
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
    this.conn = undefined;
    this.ch = undefined;
  }

  /** Wakes `settled()` waiters once nothing is left (after close). */
  wake(): void {
    this.checkIdle();
  }
}

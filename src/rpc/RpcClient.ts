import { EventEmitter } from "node:events";
import { Dealer, Subscriber } from "zeromq";
import { TickwireError } from "../event/errors.js";
import { PublicationDecoder } from "./publicationCodec.js";
import { generateKeyPair } from "./curve.js";
import { RpcErrorCode } from "./errors.js";
import { HEARTBEAT_TOPIC, type HeartbeatData } from "./heartbeat.js";
import { Outbox } from "./Outbox.js";
import { watchSession } from "./sessionWatch.js";
import { PendingCalls, stoppedError, type RequestEntry } from "./PendingCalls.js";
import {
  resolveClientOptions,
  type CallOptions,
  type ConnectionState,
  type RemoteApi,
  type ResolvedClientOptions,
  type RpcClientEvents,
  type RpcClientOptions,
  type RpcClientStats,
} from "./clientOptions.js";

export type { CallOptions, ConnectionState, RemoteApi, RpcClientEvents, RpcClientOptions, RpcClientStats } from "./clientOptions.js";

type MessageListener = (...args: RpcClientEvents["message"]) => void;

/**
 * Calls functions of an RpcServer (many calls in flight, each with its own timeout) and receives
 * its publications for the topics subscribed. Tells connection loss and return with
 * `disconnected` / `reconnected` events driven by the server's heartbeats.
 */
export class RpcClient extends EventEmitter<RpcClientEvents> {
  private readonly opts: ResolvedClientOptions;
  private dealer: Dealer | undefined = undefined;
  private subscriber: Subscriber | undefined = undefined;
  private requests: Outbox<RequestEntry> | undefined = undefined;
  private readonly pending: PendingCalls;
  private readonly topics = new Set<string>();
  private connState: ConnectionState = "stopped";
  private serverId = "";
  private lastHeard = 0;
  private downSince = 0;
  private watchdog: NodeJS.Timeout | undefined = undefined;
  private reqAddress = "";
  private subAddress = "";
  private security: Record<string, string> = {};
  /** Bumped each time the DEALER is recreated, so calls know which socket carried them. */
  private dealerGeneration = 0;
  /** False from a dropped DEALER until its replacement has completed its handshake. */
  private dealerUp = true;
  /** The server id of a heartbeat heard while the replacement DEALER was still connecting. */
  private heardSinceDrop: string | undefined = undefined;
  private unwatchDealer: (() => void) | undefined = undefined;
  private unwatchSubscriber: (() => void) | undefined = undefined;
  private readonly counters = {
    messages: 0,
    badMessages: 0,
    heartbeats: 0,
    listenerErrors: 0,
  };

  constructor(options: RpcClientOptions = {}) {
    super();
    this.opts = resolveClientOptions(options);
    this.pending = new PendingCalls(this.opts.maxMessageSize);
  }

  /** Connects both sockets (ZeroMQ connects in the background: the server may come up later). */
  start(reqAddress = "tcp://127.0.0.1:2014", subAddress = "tcp://127.0.0.1:4102"): void {
    if (this.connState !== "stopped") return;
    const curve = this.opts.curve;
    this.security = {};
    if (curve) {
      const own = curve.publicKey && curve.secretKey ? { publicKey: curve.publicKey, secretKey: curve.secretKey } : generateKeyPair();
      this.security = { curveServerKey: curve.serverPublicKey, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey };
    }
    this.reqAddress = reqAddress;
    this.subAddress = subAddress;
    const dealer = this.openDealer();
    let subscriber: Subscriber;
    try {
      subscriber = this.openSubscriber();
    } catch (err) {
      this.closeDealer(dealer);
      throw err;
    }
    this.dealer = dealer;
    this.subscriber = subscriber;
    this.dealerUp = true;
    this.requests = new Outbox<RequestEntry>({
      send: (batch) => this.sendBatch(batch),
      joins: () => true,
      bytes: (r) => r.frame.length,
      maxBatchEntries: this.opts.maxBatch,
      maxBatchBytes: 256 * 1024,
      retryMs: 10,
      isLive: (r) => this.pending.has(r.callId),
      onError: () => undefined, // the calls in it time out and say so
    });
    this.connState = "connecting";
    this.lastHeard = Date.now();
    const every = Math.max(10, Math.min(1000, Math.floor(this.opts.heartbeatTolerance / 4)));
    this.watchdog = setInterval(this.checkHeartbeat, every);
  }

  /** ZeroMQ's own limit: beyond it libzmq ends the connection (see `dropped`). */
  private get hardLimit(): number {
    return this.opts.maxMessageSize * 4 + 1024 * 1024;
  }

  private openDealer(): Dealer {
    // immediate + sendTimeout 0: a request only leaves our queue for a live connection, so a call
    // that timed out while the server was away is never delivered later.
    const dealer = new Dealer({ ...this.security, linger: 0, immediate: true, sendTimeout: 0, maxMessageSize: this.hardLimit });
    // Watch before connecting: a loopback handshake can finish before a later observer exists.
    const generation = ++this.dealerGeneration;
    this.unwatchDealer = watchSession(dealer, () => this.dealerDropped(generation));
    dealer.events.on("handshake", () => {
      if (generation !== this.dealerGeneration || this.dealerUp) return;
      this.dealerUp = true;
      if (this.connState === "disconnected" && this.heardSinceDrop !== undefined) this.resume(this.heardSinceDrop);
    });
    if (this.opts.curve) this.watchAuth(dealer);
    try {
      dealer.connect(this.reqAddress);
    } catch (err) {
      this.closeDealer(dealer);
      throw this.connectError(err);
    }
    void this.replyLoop(dealer);
    return dealer;
  }

  private openSubscriber(): Subscriber {
    // The same limit as the DEALER: without one, a server could make this client buffer any size.
    // libzmq never reconnects a session it ended for size, so watchSession recreates the socket.
    const subscriber = new Subscriber({
      ...this.security,
      linger: 0,
      receiveHighWaterMark: this.opts.receiveHighWaterMark,
      maxMessageSize: this.hardLimit,
    });
    this.unwatchSubscriber = watchSession(subscriber, () => this.subscriberDropped(subscriber));
    try {
      subscriber.connect(this.subAddress);
    } catch (err) {
      this.closeSubscriber(subscriber);
      throw this.connectError(err);
    }
    subscriber.subscribe(HEARTBEAT_TOPIC);
    for (const topic of this.topics) subscriber.subscribe(topic);
    void this.messageLoop(subscriber);
    return subscriber;
  }

  private connectError(err: unknown): TickwireError {
    return new TickwireError(
      RpcErrorCode.SOCKET,
      `Cannot connect to ${this.reqAddress} / ${this.subAddress}: ${(err as Error).message}. Use tcp://host:port endpoints.`,
      { cause: err },
    );
  }

  private closeDealer(dealer: Dealer): void {
    this.unwatchDealer?.();
    this.unwatchDealer = undefined;
    dealer.close();
  }

  private closeSubscriber(subscriber: Subscriber): void {
    this.unwatchSubscriber?.();
    this.unwatchSubscriber = undefined;
    subscriber.close();
  }

  private sendBatch(batch: RequestEntry[]): Promise<void> {
    const dealer = this.dealer;
    if (!dealer) return Promise.reject(stoppedError(batch[0].call.name));
    const generation = this.dealerGeneration;
    return dealer.send(batch.map((r) => r.frame)).then(() => {
      for (let i = 0; i < batch.length; i++) batch[i].call.sentOn = generation;
    });
  }

  /**
   * libzmq ended the DEALER's session (a reply over its limit) and will not reconnect it: fail
   * the calls it carried, open a new socket, and report the loss until the new one is up.
   */
  private dealerDropped(generation: number): void {
    const old = this.dealer;
    if (!old || generation !== this.dealerGeneration || this.connState === "stopped") return;
    this.closeDealer(old);
    this.dealerUp = false;
    this.heardSinceDrop = undefined;
    this.dealer = this.openDealer();
    this.pending.failSentOn(generation, this.hardLimit);
    this.lost();
  }

  /** libzmq ended the SUB's session (a publication over its limit): a new socket, same topics. */
  private subscriberDropped(subscriber: Subscriber): void {
    if (subscriber !== this.subscriber || this.connState === "stopped") return;
    this.closeSubscriber(subscriber);
    this.subscriber = this.openSubscriber();
    this.lost();
  }

  private lost(): void {
    if (this.connState !== "connected") return;
    this.connState = "disconnected";
    this.downSince = Date.now();
    this.emit("disconnected", { serverId: this.serverId, silentMs: 0, reason: "dropped" });
  }

  get state(): ConnectionState {
    return this.connState;
  }

  get connected(): boolean {
    return this.connState === "connected";
  }

  /** Resolves once the server's heartbeat arrives (at once if connected); rejects with TW_RPC_TIMEOUT after `timeout` ms. */
  waitForConnection(timeout = this.opts.timeout): Promise<void> {
    if (this.connState === "connected") return Promise.resolve();
    if (this.connState === "stopped") return Promise.reject(stoppedError("waitForConnection"));
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.off("connected", done);
        this.off("reconnected", done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off("connected", done);
        this.off("reconnected", done);
        reject(
          new TickwireError(
            RpcErrorCode.TIMEOUT,
            `No heartbeat from the server within ${timeout} ms: is it running, and are the addresses (and CURVE keys) right?`,
          ),
        );
      }, timeout);
      this.on("connected", done);
      this.on("reconnected", done);
    });
  }

  /** Receive publications whose topic starts with `topic` ("" = everything). Filtering happens on the server. */
  subscribeTopic(topic: string): void {
    if (typeof topic !== "string") throw new TickwireError(RpcErrorCode.BAD_ARGUMENT, "subscribeTopic needs a string topic prefix.");
    if (this.topics.has(topic)) return;
    this.topics.add(topic);
    this.subscriber?.subscribe(topic);
  }

  unsubscribeTopic(topic: string): void {
    if (!this.topics.delete(topic)) return;
    this.subscriber?.unsubscribe(topic);
  }

  /** Calls `name` on the server with `args`. Rejects with RemoteError, TW_RPC_TIMEOUT, TW_RPC_UNKNOWN_FUNCTION, ... */
  call<R = unknown>(name: string, args: readonly unknown[] = [], options: CallOptions = {}): Promise<R> {
    const requests = this.requests;
    if (this.connState === "stopped" || !requests) return Promise.reject(stoppedError(name));
    return this.pending.open<R>(name, args, options.timeout ?? this.opts.timeout, (entry) => requests.push(entry));
  }

  /** A typed stand-in for the server: `await client.proxy<Api>().sendOrder(req)` calls "sendOrder". */
  proxy<T>(options: CallOptions = {}): RemoteApi<T> {
    const cache = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    return new Proxy(Object.create(null) as object, {
      get: (_target, prop) => {
        // "then" must stay undefined or `await proxy` would call the server.
        if (typeof prop !== "string" || prop === "then") return undefined;
        let fn = cache.get(prop);
        if (!fn) {
          fn = (...args: unknown[]) => this.call(prop, args, options);
          cache.set(prop, fn);
        }
        return fn;
      },
    }) as RemoteApi<T>;
  }

  stats(): RpcClientStats {
    return { ...this.pending.counters, ...this.counters, pending: this.pending.size };
  }

  /** Closes both sockets; pending calls reject with TW_RPC_STOPPED. Resolves at once. */
  async stop(): Promise<void> {
    if (this.connState === "stopped") return;
    this.connState = "stopped";
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.requests?.close();
    this.requests = undefined;
    this.pending.stopAll();
    if (this.dealer) this.closeDealer(this.dealer);
    if (this.subscriber) this.closeSubscriber(this.subscriber);
    this.dealer = undefined;
    this.subscriber = undefined;
  }

  private async replyLoop(dealer: Dealer): Promise<void> {
    try {
      for await (const frames of dealer) {
        // Callers awaiting these replies often call again at once: hold their requests until
        // their continuations (queued by the resolves below) have run, then send them as one.
        const requests = this.requests;
        requests?.cork();
        for (const frame of frames) this.pending.settle(frame);
        if (requests) queueMicrotask(() => requests.uncork());
      }
    } catch {
      // Closed by stop().
    }
  }

  private async messageLoop(subscriber: Subscriber): Promise<void> {
    const decoder = new PublicationDecoder();
    try {
      for await (const frames of subscriber) {
        this.lastHeard = Date.now();
        const topic = frames[0].toString();
        if (topic === HEARTBEAT_TOPIC) {
          if (frames.length > 1) this.handleHeartbeat(decoder, frames[1]);
          continue;
        }
        // Read once per wire message (a batch), not per publication.
        const listeners = this.listeners("message") as MessageListener[];
        const deliver = (data: unknown, seq: number): void => {
          this.counters.messages++;
          // Each listener on its own: one that throws doesn't keep the message from the others.
          for (let l = 0; l < listeners.length; l++) {
            try {
              listeners[l](topic, data, seq);
            } catch (err) {
              this.counters.listenerErrors++;
              this.reportListenerError(err, topic);
            }
          }
        };
        for (let i = 1; i < frames.length; i++) {
          try {
            this.counters.badMessages += decoder.decode(frames[i], deliver);
          } catch {
            this.counters.badMessages++;
          }
        }
      }
    } catch {
      // Closed by stop().
    }
  }

  private reportListenerError(err: unknown, topic: string): void {
    if (this.listenerCount("messageError") === 0) return;
    try {
      this.emit("messageError", err, topic);
    } catch {
      // A throwing messageError listener must not cost the rest of the batch.
    }
  }

  private handleHeartbeat(decoder: PublicationDecoder, frame: Buffer): void {
    let hb: HeartbeatData | undefined;
    try {
      decoder.decode(frame, (data) => (hb ??= data as HeartbeatData));
      if (typeof hb?.serverId !== "string") throw new Error("no serverId");
    } catch {
      this.counters.badMessages++;
      return;
    }
    this.counters.heartbeats++;
    if (this.connState === "connecting") {
      this.connState = "connected";
      this.serverId = hb.serverId;
      this.emit("connected", { serverId: hb.serverId });
    } else if (this.connState === "disconnected") {
      // After a dropped DEALER, calls work again only once its replacement is connected.
      if (this.dealerUp) this.resume(hb.serverId);
      else this.heardSinceDrop = hb.serverId;
    } else if (this.connState === "connected" && hb.serverId !== this.serverId) {
      // Restarted faster than the tolerance: still a new server whose state may differ.
      const old = this.serverId;
      this.serverId = hb.serverId;
      this.emit("disconnected", { serverId: old, silentMs: 0, reason: "restart" });
      this.emit("reconnected", { serverId: hb.serverId, restarted: true, downMs: 0 });
    }
  }

  private resume(serverId: string): void {
    const restarted = serverId !== this.serverId;
    this.connState = "connected";
    this.serverId = serverId;
    this.emit("reconnected", { serverId, restarted, downMs: Date.now() - this.downSince });
  }

  private readonly checkHeartbeat = (): void => {
    if (this.connState !== "connected") return;
    const silent = Date.now() - this.lastHeard;
    if (silent <= this.opts.heartbeatTolerance) return;
    this.connState = "disconnected";
    this.downSince = this.lastHeard;
    this.emit("disconnected", { serverId: this.serverId, silentMs: silent, reason: "silence" });
  };

  private watchAuth(dealer: Dealer): void {
    dealer.events.on("handshake:error:auth", (event) => {
      this.emit(
        "authFailed",
        new TickwireError(
          RpcErrorCode.AUTH,
          `The server at ${event.address} refused this client's CURVE key: add its public key to the server's allowed clients.`,
        ),
      );
    });
  }
}

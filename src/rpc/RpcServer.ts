import { randomBytes } from "node:crypto";
import { Context, Publisher, Router } from "zeromq";
import { TickwireError } from "../event/errors.js";
import { decodeValue, findForeignExtension, readRequestHeader } from "./codec.js";
import { PublicationEncoder, encodePublicationBatch, type PublicationEntry } from "./publicationCodec.js";
import { ZapHandler } from "./curve.js";
import { RpcErrorCode } from "./errors.js";
import { Outbox } from "./Outbox.js";
import { HEARTBEAT_TOPIC, type HeartbeatData } from "./heartbeat.js";
import { isLoopbackEndpoint } from "./endpoints.js";
import { ReplySender, type Peer } from "./ReplySender.js";
import {
  bindWithRetry,
  resolveServerOptions,
  type ResolvedServerOptions,
  type RpcFunction,
  type RpcServerOptions,
  type RpcServerStats,
} from "./serverOptions.js";

export type { RpcFunction, RpcServerOptions, RpcServerStats } from "./serverOptions.js";

/**
 * Serves registered functions to RpcClients over a ROUTER socket and publishes topics over a PUB
 * socket. Requests run concurrently; a bad request gets an error reply (or is dropped and counted)
 * and never disturbs other callers.
 */
export class RpcServer {
  private readonly functions = new Map<string, RpcFunction>();
  private readonly opts: ResolvedServerOptions;
  private router: Router | undefined = undefined;
  private publisher: Publisher | undefined = undefined;
  private context: Context | undefined = undefined;
  private zap: ZapHandler | undefined = undefined;
  private replies: ReplySender | undefined = undefined;
  private publications: Outbox<PublicationEntry> | undefined = undefined;
  private readonly encoder = new PublicationEncoder();
  private heartbeatTimer: NodeJS.Timeout | undefined = undefined;
  private seq = 0;
  private serverId = "";
  private active = false;
  private readonly counters = {
    requests: 0,
    replies: 0,
    remoteErrors: 0,
    unknownFunction: 0,
    badRequests: 0,
    oversize: 0,
    malformed: 0,
    encodeErrors: 0,
    published: 0,
    inFlight: 0,
  };
  /** The endpoints actually bound (ports resolved when `*` or 0 was asked for). */
  repEndpoint = "";
  pubEndpoint = "";

  constructor(options: RpcServerOptions = {}) {
    this.opts = resolveServerOptions(options);
  }

  /** Registers `fn` under `name`, or under `fn.name` when only a function is given. */
  register(name: string, fn: RpcFunction): this;
  register(fn: RpcFunction): this;
  register(nameOrFn: string | RpcFunction, maybeFn?: RpcFunction): this {
    const fn = typeof nameOrFn === "function" ? nameOrFn : maybeFn;
    const name = typeof nameOrFn === "function" ? nameOrFn.name.replace(/^bound /, "") : nameOrFn;
    if (typeof fn !== "function") {
      throw new TickwireError(RpcErrorCode.BAD_ARGUMENT, `register("${String(name)}") needs a function.`);
    }
    if (!name || Buffer.byteLength(name) > 249) {
      throw new TickwireError(RpcErrorCode.BAD_ARGUMENT, "A registered function needs a name of 1 to 249 bytes: pass one, register(name, fn).");
    }
    this.functions.set(name, fn);
    return this;
  }

  unregister(name: string): boolean {
    return this.functions.delete(name);
  }

  /** Names of the registered functions. */
  get functionNames(): string[] {
    return [...this.functions.keys()];
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Binds both sockets and starts the heartbeat. Defaults bind on 127.0.0.1. */
  async start(repAddress = "tcp://127.0.0.1:2014", pubAddress = "tcp://127.0.0.1:4102"): Promise<void> {
    if (this.active) return;
    const curve = this.opts.curve;
    for (const address of [repAddress, pubAddress]) {
      if (!curve && !this.opts.insecure && !isLoopbackEndpoint(address)) {
        throw new TickwireError(
          RpcErrorCode.INSECURE_BIND,
          `Refusing to bind ${address} without CURVE: anyone who reaches it could trade. ` +
            "Pass curve keys (tickwire keygen), or insecure: true on a trusted network.",
        );
      }
    }
    let context: Context | undefined;
    if (curve) {
      // A context of its own so that this server's ZAP handler (and allow-list) is the one used.
      context = new Context();
      this.zap = new ZapHandler(context, curve.allowedClients);
      await this.zap.start();
    }
    const security = curve ? { curveServer: true, curveSecretKey: curve.secretKey, zapDomain: "tickwire" } : {};
    // ZeroMQ itself cuts off a peer whose message is far beyond the limit, so nobody can make the
    // server buffer gigabytes; requests between the two limits get a TW_RPC_OVERSIZE reply.
    const hardLimit = this.opts.maxMessageSize * 4 + 1024 * 1024;
    const router = new Router({ ...(context ? { context } : {}), ...security, linger: 0, sendTimeout: 0, maxMessageSize: hardLimit });
    const publisher = new Publisher({
      ...(context ? { context } : {}),
      ...security,
      linger: 0,
      sendHighWaterMark: this.opts.publishHighWaterMark,
      noDrop: false,
    });
    try {
      await bindWithRetry(router, repAddress);
      await bindWithRetry(publisher, pubAddress);
    } catch (err) {
      router.close();
      publisher.close();
      this.zap?.stop();
      this.zap = undefined;
      throw new TickwireError(RpcErrorCode.SOCKET, `Cannot bind ${repAddress} / ${pubAddress}: ${(err as Error).message}. Is another server running there?`, {
        cause: err,
      });
    }
    this.context = context;
    this.router = router;
    this.publisher = publisher;
    this.repEndpoint = router.lastEndpoint ?? repAddress;
    this.pubEndpoint = publisher.lastEndpoint ?? pubAddress;
    this.serverId = randomBytes(8).toString("hex");
    this.active = true;

    const maxBytes = 256 * 1024;
    this.replies = new ReplySender(router, this.opts, this.counters);
    // A batch of publications is one frame: the same topic and consecutive sequence numbers
    // (heartbeats carry seq 0, so each goes alone).
    this.publications = new Outbox<PublicationEntry>({
      send: (batch) => publisher.send([batch[0].topic, encodePublicationBatch(batch)]),
      joins: (a, b) => b.seq === a.seq + 1 && a.topic === b.topic,
      bytes: (p) => p.body.length,
      maxBatchEntries: this.opts.maxBatch,
      maxBatchBytes: maxBytes,
      retryMs: 5,
      onError: () => undefined,
    });
    void this.receiveLoop(router);
    this.heartbeat();
    this.heartbeatTimer = setInterval(this.heartbeat, this.opts.heartbeatInterval);
  }

  /**
   * Publishes `data` under `topic` to every client subscribed to a prefix of it. Returns the
   * message's sequence number (1, 2, ... per server start). Dropped silently when not started.
   */
  publish(topic: string, data: unknown): number {
    if (!this.active || !this.publications) return 0;
    if (topic === HEARTBEAT_TOPIC) {
      throw new TickwireError(RpcErrorCode.BAD_ARGUMENT, `Topic "${HEARTBEAT_TOPIC}" is reserved for heartbeats: publish under another topic.`);
    }
    const seq = ++this.seq;
    let entry: PublicationEntry;
    try {
      entry = this.encoder.encode(topic, seq, data);
    } catch (err) {
      this.seq--;
      throw new TickwireError(
        RpcErrorCode.ENCODE,
        `Cannot encode the data published under "${topic}" as msgpack: send plain data (no cycles, no class instances with state).`,
        {
          cause: err,
        },
      );
    }
    if (entry.body.length > this.opts.maxMessageSize) {
      this.seq--;
      throw new TickwireError(
        RpcErrorCode.OVERSIZE,
        `The publication under "${topic}" is ${entry.body.length} bytes, over maxMessageSize ${this.opts.maxMessageSize}: publish less per message, or raise maxMessageSize on the server and its clients.`,
      );
    }
    this.counters.published++;
    this.publications.push(entry);
    return seq;
  }

  /** The sequence number of the last publication (what a snapshot taken now already includes). */
  get lastSeq(): number {
    return this.seq;
  }

  /** The id of this server run; it changes on every start, so clients can tell a restart. */
  get id(): string {
    return this.serverId;
  }

  stats(): RpcServerStats {
    return {
      ...this.counters,
      publishBatches: this.publications?.batches ?? 0,
      authAccepted: this.zap?.accepted ?? 0,
      authRefused: this.zap?.refused ?? 0,
    };
  }

  /** Stops serving: closes both sockets, whose ports ZeroMQ frees at once (a new server can bind them). Calls still running finish unreplied. */
  async stop(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.replies?.close();
    this.publications?.close();
    const router = this.router;
    const publisher = this.publisher;
    this.router = undefined;
    this.publisher = undefined;
    // close() alone: it frees the ports (linger 0). Unbinding first raced with the termination of
    // pipes of clients that had just disconnected and could abort the process inside libzmq 4.3.5
    // ("Assertion failed: _state == term_ack_sent || _state == term_req_sent2", pipe.cpp:355; about
    // one stop in a thousand right after a client's stop, never seen in 4,200 stops without it).
    router?.close();
    publisher?.close();
    this.zap?.stop();
    this.zap = undefined;
    this.context = undefined;
  }

  private readonly heartbeat = (): void => {
    if (!this.publications) return;
    const data: HeartbeatData = { serverId: this.serverId, time: Date.now(), seq: this.seq, interval: this.opts.heartbeatInterval };
    this.publications.push(this.encoder.encode(HEARTBEAT_TOPIC, 0, data));
  };

  private async receiveLoop(router: Router): Promise<void> {
    try {
      for await (const frames of router) {
        const peer = frames[0];
        if (frames.length < 2) {
          this.counters.malformed++;
          continue;
        }
        const replies = this.replies;
        if (!replies) continue;
        replies.cork();
        for (let i = 1; i < frames.length; i++) this.handleRequest(replies, peer, frames[i]);
        replies.uncork();
      }
    } catch {
      // The socket was closed by stop().
    }
  }

  private handleRequest(replies: ReplySender, peer: Peer, frame: Buffer): void {
    const header = readRequestHeader(frame);
    if (!header) {
      this.counters.malformed++;
      return;
    }
    this.counters.requests++;
    const { callId, name, bodyOffset } = header;
    if (frame.length > this.opts.maxMessageSize) {
      this.counters.oversize++;
      replies.replyError(peer, callId, name, {
        code: RpcErrorCode.OVERSIZE,
        name: "TickwireError",
        message: `The request to "${name}" is ${frame.length} bytes, over the server's limit of ${this.opts.maxMessageSize}: send less per call or raise maxMessageSize.`,
      });
      return;
    }
    const fn = this.functions.get(name);
    if (fn === undefined) {
      this.counters.unknownFunction++;
      replies.replyError(peer, callId, name, {
        code: RpcErrorCode.UNKNOWN_FUNCTION,
        name: "TickwireError",
        message: `The server has no function "${name}". Registered: ${this.functionNames.join(", ") || "none"}.`,
      });
      return;
    }
    // Refused before decoding: a peer's BigInt of 256 KiB decodes quickly but costs ~1 s of CPU
    // the first time anything turns it into a string (msgpackr's own encode error does).
    const ext = findForeignExtension(frame, bodyOffset);
    if (ext !== undefined) {
      this.counters.badRequests++;
      replies.replyError(peer, callId, name, {
        code: RpcErrorCode.BAD_REQUEST,
        name: "TickwireError",
        message: `The arguments of "${name}" hold a msgpack extension of type 0x${ext.toString(16)} (0x42 is a BigInt over 64 bits), which tickwire never sends: pass plain data (numbers, strings, Dates, Buffers, arrays, objects).`,
      });
      return;
    }
    let args: unknown;
    try {
      args = decodeValue(frame.subarray(bodyOffset));
    } catch (err) {
      this.counters.badRequests++;
      replies.replyError(peer, callId, name, {
        code: RpcErrorCode.BAD_REQUEST,
        name: "TickwireError",
        message: `The arguments of "${name}" could not be decoded (${(err as Error).message}): send them as a msgpack array.`,
      });
      return;
    }
    if (!Array.isArray(args)) {
      this.counters.badRequests++;
      replies.replyError(peer, callId, name, {
        code: RpcErrorCode.BAD_REQUEST,
        name: "TickwireError",
        message: `The arguments of "${name}" must be an array, got ${args === null ? "null" : typeof args}.`,
      });
      return;
    }
    const started = this.opts.onCall ? performance.now() : 0;
    let result: unknown;
    try {
      result = (fn as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      replies.failed(peer, callId, name, err, started);
      return;
    }
    if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
      this.counters.inFlight++;
      (result as PromiseLike<unknown>).then(
        (value) => {
          this.counters.inFlight--;
          replies.succeeded(peer, callId, name, value, started);
        },
        (err: unknown) => {
          this.counters.inFlight--;
          replies.failed(peer, callId, name, err, started);
        },
      );
      return;
    }
    replies.succeeded(peer, callId, name, result, started);
  }
}

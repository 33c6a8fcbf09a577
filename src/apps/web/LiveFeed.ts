import type { WebSocket } from "ws";

/** Topics a client can watch besides ticks; their events are never conflated, and keep their order. */
export const ORDERED_TOPICS = ["orders", "trades", "positions", "accounts", "logs", "gateways", "strategies", "stats"] as const;
export type OrderedTopic = (typeof ORDERED_TOPICS)[number];

export interface LiveFeedOptions {
  /** Most ticks per second sent per symbol per client (the latest wins). Default 10. */
  maxTicksPerSecond: number;
  /** A client whose unsent bytes exceed this is dropped (it reconnects and resyncs). Default 1 MiB. */
  maxBufferedBytes: number;
}

/** Close code sent to a client dropped for falling behind (4000-4999 are the application's). */
export const CLOSE_TOO_SLOW = 4008;

/** One connected page: what it watches, and its ticks waiting for the next flush. */
class LiveClient {
  ticks = new Set<string>();
  allTicks = false;
  topics = new Set<OrderedTopic>();
  /** Latest tick per symbol not sent yet: conflation keeps only the newest. */
  pending = new Map<string, unknown>();
  constructor(readonly socket: WebSocket) {}
}

/**
 * Fans engine events out to WebSocket clients. Ticks are conflated per symbol per client and sent
 * by a flush timer at most `maxTicksPerSecond` times a second; ordered topics go out at once. A
 * client that cannot keep up is closed rather than buffered without bound, so a slow browser
 * never holds memory or time of the engine.
 */
export class LiveFeed {
  private readonly clients = new Set<LiveClient>();
  private readonly timer: NodeJS.Timeout;
  /** Clients closed for falling behind, since start. */
  dropped = 0;

  constructor(private readonly options: LiveFeedOptions) {
    this.timer = setInterval(() => this.flush(), Math.max(1, Math.floor(1000 / options.maxTicksPerSecond)));
    this.timer.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Adds a socket; `onWatch` answers its watch messages with a snapshot (the resync). */
  add(socket: WebSocket, onWatch: (topics: ReadonlySet<OrderedTopic>, send: (msg: unknown) => void) => void): void {
    const client = new LiveClient(socket);
    this.clients.add(client);
    socket.on("close", () => this.clients.delete(client));
    socket.on("message", (raw) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(raw));
      } catch {
        this.send(client, { type: "error", code: "TW_WEB_BAD_MESSAGE", message: 'Send JSON: {"op":"watch","ticks":[…],"topics":[…]}.' });
        return;
      }
      const m = msg as { op?: unknown; ticks?: unknown; topics?: unknown };
      if (m.op !== "watch") {
        this.send(client, { type: "error", code: "TW_WEB_BAD_MESSAGE", message: 'The only operation is "watch".' });
        return;
      }
      client.allTicks = m.ticks === "*";
      client.ticks = new Set(Array.isArray(m.ticks) ? m.ticks.filter((t): t is string => typeof t === "string").slice(0, 1000) : []);
      for (const vt of client.pending.keys()) if (!client.allTicks && !client.ticks.has(vt)) client.pending.delete(vt);
      const topics = Array.isArray(m.topics) ? m.topics : [];
      client.topics = new Set(ORDERED_TOPICS.filter((t) => topics.includes(t)));
      onWatch(client.topics, (out) => this.send(client, out));
    });
  }

  /** A tick: kept as the client's latest for its symbol until the next flush. */
  tick(vtSymbol: string, tick: unknown): void {
    for (const c of this.clients) if (c.allTicks || c.ticks.has(vtSymbol)) c.pending.set(vtSymbol, tick);
  }

  /** An event of an ordered topic: sent now to every client watching it. */
  publish(topic: OrderedTopic, data: unknown): void {
    let text: string | undefined;
    for (const c of this.clients) {
      if (!c.topics.has(topic)) continue;
      text ??= JSON.stringify({ type: topic, data });
      this.sendText(c, text);
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const c of this.clients) c.socket.close(1001, "server closing");
    this.clients.clear();
  }

  private flush(): void {
    for (const c of this.clients) {
      if (c.pending.size === 0) continue;
      const ticks = [...c.pending.values()];
      c.pending.clear();
      this.sendText(c, JSON.stringify({ type: "ticks", data: ticks }));
    }
  }

  private send(c: LiveClient, msg: unknown): void {
    this.sendText(c, JSON.stringify(msg));
  }

  private sendText(c: LiveClient, text: string): void {
    if (!this.clients.has(c)) return;
    if (c.socket.bufferedAmount + text.length > this.options.maxBufferedBytes) {
      // Fell behind: drop it (the page reconnects and resyncs) instead of queueing without bound.
      this.clients.delete(c);
      this.dropped++;
      c.socket.close(CLOSE_TOO_SLOW, "too slow: reconnect and resync");
      // close() waits for the peer's close frame, which a stalled peer never reads.
      setTimeout(() => c.socket.terminate(), 1000).unref();
      return;
    }
    c.socket.send(text);
  }
}

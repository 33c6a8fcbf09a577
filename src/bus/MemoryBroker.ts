import { TickwireError } from "../event/errors.js";
import type { ExchangeType } from "./EventCenter.js";
import { topicMatcher, type TopicMatcher } from "./topic.js";

/**
 * A message inside the memory broker. Events published as objects travel as `name`/`data`
 * (no encoding in one process); raw publishes travel as `body` and are decoded on delivery.
 */
export interface MemoryMessage {
  exchange: string;
  routingKey: string;
  name: string;
  data: unknown;
  body: Buffer | undefined;
  contentType: string | undefined;
  headers: Record<string, unknown>;
  redelivered: boolean;
  /** Failed handler runs, kept by the center on the copies it makes (a header anyone could forge). */
  failures: number;
}

interface Binding {
  queue: MemoryQueue;
  key: string;
  match: TopicMatcher;
}

interface MemoryExchange {
  name: string;
  type: ExchangeType;
  bindings: Binding[];
  /** routing key → queues, rebuilt lazily after any binding change. */
  routes: Map<string, MemoryQueue[]>;
}

/** A consumer on a queue: gets messages while it holds fewer than `prefetch` unacknowledged. */
export class MemoryConsumer {
  unacked = new Set<MemoryMessage>();
  active = true;

  constructor(
    readonly queue: MemoryQueue,
    readonly prefetch: number,
    readonly noAck: boolean,
    readonly onMessage: (message: MemoryMessage) => void,
    /** The queue was deleted under it (RabbitMQ cancels such a consumer, too). */
    readonly onCancel: () => void = () => undefined,
  ) {}
}

export class MemoryQueue {
  private items: MemoryMessage[] = [];
  private head = 0;
  readonly consumers: MemoryConsumer[] = [];
  rr = 0;

  constructor(
    readonly name: string,
    readonly durable: boolean,
    readonly owner: string | undefined,
    readonly autoDelete: boolean,
    readonly maxLength: number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds a message; returns false if the queue was full and its oldest message was dropped. */
  push(m: MemoryMessage): boolean {
    this.items.push(m);
    if (this.length > this.maxLength) {
      this.head++;
      return false;
    }
    return true;
  }

  unshift(m: MemoryMessage): void {
    if (this.head > 0) this.items[--this.head] = m;
    else this.items.unshift(m);
  }

  shift(): MemoryMessage | undefined {
    if (this.head >= this.items.length) return undefined;
    const m = this.items[this.head];
    this.items[this.head++] = undefined as unknown as MemoryMessage;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return m;
  }

  purge(): void {
    this.items = [];
    this.head = 0;
  }
}

/** Largest number of deliveries in one go before yielding to I/O. */
const PUMP_BATCH = 4096;

/**
 * The embedded broker: exchanges (topic, fanout, direct), queues, bindings, consumers with
 * prefetch, acknowledgement and requeue — RabbitMQ's model inside one process. Centers opened
 * on the same `memory://<name>` URL share one broker.
 */
export class MemoryBroker {
  private static readonly brokers = new Map<string, MemoryBroker>();

  /** The broker of that name in this process, made on first use. */
  static named(name: string): MemoryBroker {
    let b = MemoryBroker.brokers.get(name);
    if (!b) {
      b = new MemoryBroker(name);
      MemoryBroker.brokers.set(name, b);
    }
    return b;
  }

  private readonly exchanges = new Map<string, MemoryExchange>();
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly scheduled = new Set<MemoryQueue>();
  private pumpPending = false;
  /** Messages dropped because a queue was at its maximum length. */
  dropped = 0;

  private constructor(readonly name: string) {}

  declareExchange(name: string, type: ExchangeType = "topic"): void {
    const ex = this.exchanges.get(name);
    if (ex) {
      if (ex.type !== type) {
        throw new TickwireError("TW_BUS_EXCHANGE_TYPE", `Exchange "${name}" exists as ${ex.type}, not ${type}: use the existing type or another name.`);
      }
      return;
    }
    this.exchanges.set(name, { name, type, bindings: [], routes: new Map() });
  }

  hasExchange(name: string): boolean {
    return this.exchanges.has(name);
  }

  deleteExchange(name: string): void {
    this.exchanges.delete(name);
  }

  declareQueue(name: string, options: { durable: boolean; owner: string | undefined; autoDelete: boolean; maxLength: number }): MemoryQueue {
    const q = this.queues.get(name);
    if (q) {
      if (q.owner !== undefined && q.owner !== options.owner) {
        throw new TickwireError("TW_BUS_QUEUE_LOCKED", `Queue "${name}" is exclusive to another connection: use another name.`);
      }
      return q;
    }
    const created = new MemoryQueue(name, options.durable, options.owner, options.autoDelete, options.maxLength);
    this.queues.set(name, created);
    return created;
  }

  queue(name: string): MemoryQueue | undefined {
    return this.queues.get(name);
  }

  deleteQueue(name: string): void {
    const q = this.queues.get(name);
    if (!q) return;
    this.queues.delete(name);
    const cancelled = q.consumers.splice(0);
    for (const c of cancelled) c.active = false;
    for (const ex of this.exchanges.values()) {
      const before = ex.bindings.length;
      ex.bindings = ex.bindings.filter((b) => b.queue !== q);
      if (ex.bindings.length !== before) ex.routes.clear();
    }
    for (const c of cancelled) c.onCancel();
  }

  bind(queue: MemoryQueue, exchange: string, key: string): void {
    const ex = this.exchanges.get(exchange);
    if (!ex) throw new TickwireError("TW_BUS_NO_EXCHANGE", `No exchange "${exchange}": declare it first.`);
    if (ex.bindings.some((b) => b.queue === queue && b.key === key)) return;
    ex.bindings.push({ queue, key, match: topicMatcher(key) });
    ex.routes.clear();
  }

  /** Routes a message to every queue bound to its exchange with a matching key. */
  publish(m: MemoryMessage): void {
    if (m.exchange === "") {
      // The default exchange: the routing key names the queue.
      const q = this.queues.get(m.routingKey);
      if (q) this.enqueue(q, m);
      return;
    }
    const ex = this.exchanges.get(m.exchange);
    if (!ex) throw new TickwireError("TW_BUS_NO_EXCHANGE", `No exchange "${m.exchange}": declare it first.`);
    let targets = ex.routes.get(m.routingKey);
    if (!targets) {
      targets = this.route(ex, m.routingKey);
      if (ex.routes.size > 10_000) ex.routes.clear();
      ex.routes.set(m.routingKey, targets);
    }
    for (let i = 0; i < targets.length; i++) this.enqueue(targets[i], i === 0 ? m : { ...m, headers: { ...m.headers } });
  }

  private route(ex: MemoryExchange, key: string): MemoryQueue[] {
    const out: MemoryQueue[] = [];
    for (const b of ex.bindings) {
      const hit = ex.type === "fanout" || (ex.type === "direct" ? b.key === key : b.match(key));
      if (hit && !out.includes(b.queue)) out.push(b.queue);
    }
    return out;
  }

  enqueue(q: MemoryQueue, m: MemoryMessage): void {
    if (!q.push(m)) this.dropped++;
    this.schedule(q);
  }

  addConsumer(c: MemoryConsumer): void {
    c.queue.consumers.push(c);
    this.schedule(c.queue);
  }

  /** Stops a consumer; its unacknowledged messages go back to the front of the queue. */
  removeConsumer(c: MemoryConsumer): void {
    c.active = false;
    const q = c.queue;
    const i = q.consumers.indexOf(c);
    if (i >= 0) q.consumers.splice(i, 1);
    const back = [...c.unacked].reverse();
    c.unacked.clear();
    for (const m of back) {
      m.redelivered = true;
      q.unshift(m);
    }
    if (q.autoDelete && q.consumers.length === 0) this.deleteQueue(q.name);
    else this.schedule(q);
  }

  ack(c: MemoryConsumer, m: MemoryMessage): void {
    if (!c.unacked.delete(m)) return; // already requeued when its consumer stopped
    this.schedule(c.queue);
  }

  private schedule(q: MemoryQueue): void {
    if (q.length === 0 || q.consumers.length === 0) return;
    this.scheduled.add(q);
    if (this.pumpPending) return;
    this.pumpPending = true;
    setImmediate(this.pump);
  }

  /** Hands queued messages to consumers with room under their prefetch, round-robin. */
  private readonly pump = (): void => {
    this.pumpPending = false;
    let budget = PUMP_BATCH;
    const queues = [...this.scheduled];
    this.scheduled.clear();
    for (const q of queues) {
      while (budget > 0 && q.length > 0) {
        const c = this.nextConsumer(q);
        if (!c) break;
        const m = q.shift() as MemoryMessage;
        if (!c.noAck) c.unacked.add(m);
        budget--;
        c.onMessage(m); // a sync handler acks inside this call, freeing room at once
      }
      if (q.length > 0 && budget === 0) this.scheduled.add(q);
    }
    if (this.scheduled.size > 0 && !this.pumpPending) {
      this.pumpPending = true;
      setImmediate(this.pump);
    }
  };

  private nextConsumer(q: MemoryQueue): MemoryConsumer | undefined {
    const n = q.consumers.length;
    for (let i = 0; i < n; i++) {
      const c = q.consumers[(q.rr + i) % n];
      if (c.active && (c.noAck || c.unacked.size < c.prefetch)) {
        q.rr = (q.rr + i + 1) % n;
        return c;
      }
    }
    return undefined;
  }
}

import { Event } from "../event/Event.js";
import { TickwireError } from "../event/errors.js";
import { BusEvent } from "./BusEvent.js";
import { errorText } from "./DeliveryRunner.js";
import type { BusHandler, EventCenter, PublishOptions, Unsubscribe } from "./EventCenter.js";
import { keyWord } from "./topic.js";

/** The part of an EventEngine the bridge uses (any EventEngine<M> fits). */
export interface BridgeEngine {
  register(type: string, handler: (event: Event) => unknown): void;
  unregister(type: string, handler: (event: Event) => unknown): void;
  put(event: Event): void;
}

/** Local → bus: events of `type` go to `exchange`. */
export interface OutboundRoute {
  /** Local event type, e.g. "eTick." (register the general type: gateways put each event twice). */
  type: string;
  /** Exchange, e.g. "Orderbook". */
  exchange: string;
  /** Bus event name; default the local type, so a receiving bridge puts the same type. */
  name?: string;
  /** Routing key from the data; default "<gatewayName>.<symbol>" when the data has them, else "". */
  key?: (data: unknown) => string;
}

/** Bus → local: what arrives on `exchange` with a matching key is put into the engine. */
export interface InboundRoute {
  exchange: string;
  /** Binding key(s); default "#". */
  routingKey?: string | readonly string[];
  /** A named (durable, shared) queue; default a private queue that goes with the bridge. */
  queue?: string;
  prefetchCount?: number;
  /** Local type for a received event; default its bus name. */
  type?: (event: BusEvent) => string;
}

export interface EventBridgeOptions {
  engine: BridgeEngine;
  center: EventCenter;
  outbound?: OutboundRoute[];
  inbound?: InboundRoute[];
  publish?: PublishOptions;
}

/** What the bridge puts in `event.context.bus` of events it brings in from the bus. */
export interface BridgeContext {
  exchange: string;
  routingKey: string;
  /** Node id of the publisher. */
  origin: string | undefined;
}

export interface BridgeStats {
  forwarded: number;
  received: number;
  /** Own events that came back through a subscription and were dropped. */
  droppedEchoes: number;
  publishFailures: number;
  lastError: string | undefined;
}

function defaultKey(data: unknown): string {
  if (typeof data !== "object" || data === null) return "";
  const d = data as { gatewayName?: unknown; symbol?: unknown; accountid?: unknown; vtOrderid?: unknown };
  const gw = typeof d.gatewayName === "string" ? keyWord(d.gatewayName) : undefined;
  const second = typeof d.symbol === "string" ? d.symbol : typeof d.accountid === "string" ? d.accountid : undefined;
  if (gw === undefined) return "";
  return second === undefined ? gw : `${gw}.${keyWord(second)}`;
}

/**
 * Connects a local EventEngine to an EventCenter: chosen local event types are published to
 * exchanges, and events from the bus are put into the engine — never echoed back: events the
 * bridge brought in carry `context.bus` and are not forwarded out again, and events this
 * center published that come back through its own subscription are dropped.
 */
export class EventBridge {
  private readonly engine: BridgeEngine;
  private readonly center: EventCenter;
  private readonly outbound: OutboundRoute[];
  private readonly inbound: InboundRoute[];
  private readonly publishOptions: PublishOptions | undefined;
  private readonly handlers: Array<{ type: string; fn: (event: Event) => unknown }> = [];
  private readonly unsubscribes: Unsubscribe[] = [];
  private started = false;
  private readonly counters: BridgeStats = { forwarded: 0, received: 0, droppedEchoes: 0, publishFailures: 0, lastError: undefined };

  constructor(options: EventBridgeOptions) {
    this.engine = options.engine;
    this.center = options.center;
    this.outbound = [...(options.outbound ?? [])];
    this.inbound = [...(options.inbound ?? [])];
    this.publishOptions = options.publish;
    for (const r of this.outbound) {
      if (typeof r.type !== "string" || r.type === "" || typeof r.exchange !== "string" || r.exchange === "") {
        const example = '{ type: "eTick.", exchange: "Orderbook" }';
        throw new TickwireError("TW_BUS_BRIDGE", `Each outbound route needs a local type and an exchange, e.g. ${example}.`);
      }
    }
    for (const r of this.inbound) {
      if (typeof r.exchange !== "string" || r.exchange === "") {
        const example = '{ exchange: "Orderbook", routingKey: "SIM.#" }';
        throw new TickwireError("TW_BUS_BRIDGE", `Each inbound route needs an exchange, e.g. ${example}.`);
      }
    }
  }

  /** Registers the outbound handlers and subscribes the inbound routes; if a subscription fails, undoes the rest. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      this.registerOutbound();
      await this.subscribeInbound();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private registerOutbound(): void {
    for (const route of this.outbound) {
      const keyOf = route.key ?? defaultKey;
      const name = route.name ?? route.type;
      const fn = (event: Event): void => {
        if (event.context?.bus !== undefined) return; // it came from the bus: do not send it back
        let ev: BusEvent;
        try {
          ev = new BusEvent({ name, exchange: route.exchange, routingKey: keyOf(event.data), data: event.data });
        } catch (err) {
          this.failed(err);
          return;
        }
        this.counters.forwarded++;
        this.center.publish(ev, this.publishOptions).catch((err: unknown) => this.failed(err));
      };
      this.engine.register(route.type, fn);
      this.handlers.push({ type: route.type, fn });
    }
  }

  private async subscribeInbound(): Promise<void> {
    for (const route of this.inbound) {
      const typeOf = route.type ?? ((e: BusEvent) => e.name);
      const handler: BusHandler = (event, delivery) => {
        if (delivery.origin === this.center.nodeId) {
          this.counters.droppedEchoes++;
          return;
        }
        this.counters.received++;
        const bus: BridgeContext = { exchange: event.exchange, routingKey: event.routingKey, origin: delivery.origin };
        this.engine.put(new Event(typeOf(event), event.data, { origin: `bus:${delivery.origin ?? "unknown"}`, bus }));
      };
      this.unsubscribes.push(
        await this.center.subscribe(
          { exchange: route.exchange, routingKey: route.routingKey, queue: route.queue, prefetchCount: route.prefetchCount ?? 100 },
          handler,
        ),
      );
    }
  }

  /** Unregisters and unsubscribes; the center stays open (it is yours). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const h of this.handlers.splice(0)) this.engine.unregister(h.type, h.fn);
    await Promise.all(this.unsubscribes.splice(0).map((u) => u()));
  }

  stats(): BridgeStats {
    return { ...this.counters };
  }

  private failed(err: unknown): void {
    this.counters.publishFailures++;
    this.counters.lastError = errorText(err);
  }
}

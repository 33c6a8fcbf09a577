import { TickwireError } from "../event/errors.js";
import { BusEvent } from "./BusEvent.js";
import type { BusHandler, Delivery, EventCenter, SubscribeOptions, SubscribeSpec, Unsubscribe } from "./EventCenter.js";

/**
 * A kind of event with a fixed name and exchange (aioquant's EventOrderbook, EventKline, …):
 * it makes events from typed data with the routing key derived from the data, and `parse`
 * turns a received event back into the typed object.
 */
export interface BusEventKind<T> {
  readonly name: string;
  readonly exchange: string;
  /** The routing key for `data`, e.g. "SIM.rb2410". */
  key(data: T): string;
  create(data: T, options?: { routingKey?: string; queue?: string; prefetchCount?: number }): BusEvent<T>;
  /** The typed object an event of this kind carries. Throws TW_BUS_KIND for another kind's event. */
  parse(event: BusEvent): T;
  is(event: BusEvent): event is BusEvent<T>;
  /** Subscribe to this kind on `center`: binding `routingKey` (default "#") on this kind's exchange. */
  subscribe(
    center: EventCenter,
    handler: (data: T, event: BusEvent<T>, delivery: Delivery) => unknown,
    spec?: Omit<SubscribeSpec, "exchange">,
    options?: SubscribeOptions,
  ): Promise<Unsubscribe>;
  /** The same kind, typed with your own object type (e.g. `OrderbookEvent.typed<TickData>()`). */
  typed<U>(): BusEventKind<U>;
}

export interface BusEventKindOptions<T> {
  /** Routing key from the data; default: none (""), pass `routingKey` to `create`. */
  key?: (data: T) => string;
  /** Turns received data into `T` (e.g. checks fields, revives dates); default: as received. */
  revive?: (data: unknown) => T;
}

export function defineBusEvent<T>(name: string, exchange: string, options: BusEventKindOptions<T> = {}): BusEventKind<T> {
  const keyOf = options.key ?? (() => "");
  const revive = options.revive ?? ((d: unknown) => d as T);
  const kind: BusEventKind<T> = {
    name,
    exchange,
    key: keyOf,
    create(data, opts = {}) {
      return new BusEvent<T>({
        name,
        exchange,
        routingKey: opts.routingKey ?? keyOf(data),
        queue: opts.queue,
        prefetchCount: opts.prefetchCount,
        data,
      });
    },
    parse(event) {
      if (event.name !== name) {
        throw new TickwireError("TW_BUS_KIND", `Expected a ${name} event, got "${event.name}": subscribe to ${name} only.`, {
          details: { expected: name, got: event.name },
        });
      }
      return revive(event.data);
    },
    is(event): event is BusEvent<T> {
      return event.name === name;
    },
    subscribe(center, handler, spec = {}, subOptions) {
      const wrapped: BusHandler = (event, delivery) => handler(kind.parse(event), event as BusEvent<T>, delivery);
      return center.subscribe({ ...spec, exchange }, wrapped, subOptions);
    },
    typed<U>() {
      return kind as unknown as BusEventKind<U>;
    },
  };
  return kind;
}

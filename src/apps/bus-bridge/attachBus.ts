import { createEventCenter, type EventCenterOptions } from "../../bus/createEventCenter.js";
import { EventBridge, type BridgeEngine, type InboundRoute, type OutboundRoute } from "../../bus/EventBridge.js";
import type { EventCenter } from "../../bus/EventCenter.js";

/**
 * The trading event types and the exchanges they go to (aioquant's names). The strings match
 * src/trader's EVENT_* constants (kept as strings: importing trader would load the trading core).
 */
export const TRADING_ROUTES: readonly OutboundRoute[] = [
  { type: "eTick.", exchange: "Orderbook" },
  { type: "eTrade.", exchange: "Trade" },
  { type: "eOrder.", exchange: "Order" },
  { type: "ePosition.", exchange: "Position" },
  { type: "eAccount.", exchange: "Asset" },
];

export interface AttachedBus {
  center: EventCenter;
  bridge: EventBridge;
  /** Stops the bridge and closes the center (waiting, bounded, for unconfirmed publishes). */
  close(): Promise<void>;
}

export interface AttachBusOptions extends EventCenterOptions {
  /** Local types to publish; default TRADING_ROUTES (ticks, trades, orders, positions, accounts). */
  outbound?: OutboundRoute[];
  /** Bus events to bring into the engine; default none. */
  inbound?: InboundRoute[];
}

/**
 * Publishes an engine's trading events to the EventCenter at `url` (`amqp://…` or `memory://…`):
 * connect, bridge, done. What `tickwire run --bus <url>` uses.
 */
export async function attachBus(engine: BridgeEngine, url: string, options: AttachBusOptions = {}): Promise<AttachedBus> {
  const { outbound, inbound, ...centerOptions } = options;
  const center = createEventCenter(url, centerOptions);
  await center.connect();
  const bridge = new EventBridge({ engine, center, outbound: outbound ?? [...TRADING_ROUTES], inbound: inbound ?? [] });
  try {
    await bridge.start();
  } catch (err) {
    await center.close();
    throw err;
  }
  return {
    center,
    bridge,
    async close() {
      await bridge.stop();
      await center.close();
    },
  };
}

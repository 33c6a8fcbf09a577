import { TickwireError } from "../event/errors.js";
import { AmqpEventCenter, DEFAULT_AMQP_URL, type AmqpEventCenterOptions } from "./AmqpEventCenter.js";
import type { EventCenter } from "./EventCenter.js";
import { MemoryEventCenter, type MemoryEventCenterOptions } from "./MemoryEventCenter.js";

export type EventCenterOptions = Omit<AmqpEventCenterOptions, "url"> & Omit<MemoryEventCenterOptions, "url">;

/**
 * The EventCenter a URL names: `memory://<name>` for the embedded broker, `amqp://` or
 * `amqps://` for RabbitMQ. Without a URL: `TICKWIRE_AMQP_URL` if set, else the embedded broker.
 * Moving code from one process to many machines is changing this URL.
 */
export function createEventCenter(url?: string, options: EventCenterOptions = {}): EventCenter {
  const target = url ?? process.env.TICKWIRE_AMQP_URL ?? "memory://default";
  if (target.startsWith("memory:")) return new MemoryEventCenter({ ...options, url: target });
  if (target.startsWith("amqp:") || target.startsWith("amqps:")) return new AmqpEventCenter({ ...options, url: target });
  throw new TickwireError("TW_BUS_URL", `Unknown bus URL "${target}": use memory://<name> or ${DEFAULT_AMQP_URL}.`, {
    details: { url: target.replace(/\/\/[^@/]*@/, "//***@") },
  });
}

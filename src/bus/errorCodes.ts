import type { ErrorCatalogue } from "../errorCodes.js";

/** The error codes of tickwire/bus (event centers on RabbitMQ or in memory, EventBridge). See docs/errors.md. */
export const BUS_ERRORS = {
  TW_BUS_BAD_OPTION: {
    meaning: "An event center option is out of range (the message names it).",
    fix: "Pass the option as the message says (docs/bus.md lists them).",
  },
  TW_BUS_URL: {
    meaning: "The bus URL is not amqp://…, amqps://… or memory://<name>.",
    fix: "Use amqp://user:pass@host:5672[/vhost] or memory://<name>.",
  },
  TW_BUS_CONNECT: {
    meaning: "The first connection to RabbitMQ failed.",
    fix: "Check the URL and that RabbitMQ runs (rabbitmq-server -detached).",
  },
  TW_BUS_NOT_CONNECTED: {
    meaning: "An operation needs the broker connection and there is none.",
    fix: "Call connect() first, or wait for the reconnect (health().connected).",
  },
  TW_BUS_CLOSED: {
    meaning: "The event center is closed.",
    fix: "Make a new event center to publish or subscribe.",
  },
  TW_BUS_BUFFER_FULL: {
    meaning: "maxBuffered publishes already wait for the broker (while disconnected or unconfirmed).",
    fix: "Wait for publishes to resolve, or raise maxBuffered.",
  },
  TW_BUS_PUBLISH: {
    meaning: "A publish failed (the channel closed under it, or the broker refused it for a reason given).",
    fix: "Read the cause; publish again once health().connected is true.",
  },
  TW_BUS_NACK: {
    meaning: "The broker refused (nacked) the message repeatedly.",
    fix: "Check the broker's logs (disk or memory alarm, queue limits).",
  },
  TW_BUS_UNROUTABLE: {
    meaning: "A mandatory publish reached no queue within unroutableTimeoutMs.",
    fix: "Subscribe a queue to the exchange and key first, or publish with mandatory: false.",
  },
  TW_BUS_EXCHANGE: {
    meaning: "The broker refused to declare or use an exchange (wrong type, missing, no permission).",
    fix: "Use the exchange's existing type, declare it first, or check the user's permissions.",
  },
  TW_BUS_EXCHANGE_TYPE: {
    meaning: "An exchange exists with another type than the one asked for (memory broker).",
    fix: "Use the existing type, or another exchange name.",
  },
  TW_BUS_NO_EXCHANGE: {
    meaning: "A queue was bound to, or a message published to, an exchange that was never declared (memory broker).",
    fix: "Declare the exchange first.",
  },
  TW_BUS_QUEUE_LOCKED: {
    meaning: "The queue is exclusive to another connection (memory broker).",
    fix: "Use another queue name.",
  },
  TW_BUS_SPEC: {
    meaning: "A subscription spec or handler is invalid (no exchange, bad queue options, not a function).",
    fix: "Fix the spec as the message says (docs/bus.md shows the forms).",
  },
  TW_BUS_SUBSCRIBE: {
    meaning: "The broker refused a subscription (another connection's exclusive queue, permissions, argument mismatch).",
    fix: "Check the spec against what the broker has, and subscribe again once health().connected is true.",
  },
  TW_BUS_HANDLER: {
    meaning: "A subscription handler threw something that is not a TickwireError (the code in the dead-letter headers).",
    fix: "Read the x-tickwire-error headers of the dead-lettered message and fix the handler.",
  },
  TW_BUS_EVENT: {
    meaning: "A bus event is invalid (no name, a body that is not a Buffer for publishRaw).",
    fix: "Build events with new BusEvent(...) or a defineBusEvent() kind.",
  },
  TW_BUS_KIND: {
    meaning: "A typed bus event kind was asked to read an event of another kind.",
    fix: "Subscribe to that kind only, or check event.name first.",
  },
  TW_BUS_ENCODE: {
    meaning: "The event data cannot be encoded by the codec (JSON or msgpack).",
    fix: "Publish plain data (no cycles).",
  },
  TW_BUS_DECODE: {
    meaning: "A message body could not be decoded (not the codec's format, not an event envelope, unknown content type).",
    fix: "Check what the publisher sends and with which codec.",
  },
  TW_BUS_CODEC: {
    meaning: "An unknown codec was asked for.",
    fix: 'Use "aioquant" or "msgpack".',
  },
  TW_BUS_BRIDGE: {
    meaning: "An EventBridge route is invalid (no local type or no exchange).",
    fix: "Give each route a local type and an exchange, as the message shows.",
  },
} as const satisfies ErrorCatalogue<"TW_BUS_">;

export { BusEvent, DEFAULT_PREFETCH, type BusEventInit } from "./BusEvent.js";
export { defineBusEvent, type BusEventKind, type BusEventKindOptions } from "./BusEventKind.js";
export {
  aioquantCodec,
  msgpackCodec,
  AIOQUANT_CONTENT_TYPE,
  AIOQUANT_CONTENT_ENCODING,
  MSGPACK_CONTENT_TYPE,
  type BusCodec,
  type CodecId,
  type WirePayload,
} from "./codec.js";
export {
  DEFAULT_EXCHANGES,
  HEADER,
  type EventCenter,
  type SubscribeSpec,
  type SubscribeOptions,
  type Delivery,
  type BusHandler,
  type Unsubscribe,
  type PublishOptions,
  type RawPublishOptions,
  type BusStats,
  type BusHealth,
  type CenterState,
  type ExchangeType,
} from "./EventCenter.js";
export { DEFAULT_MAX_REDELIVERIES, SHARED_DEAD_LETTER_QUEUE, DEAD_LETTER_MAX_LENGTH } from "./subscribeSpec.js";
export { MemoryEventCenter, type MemoryEventCenterOptions } from "./MemoryEventCenter.js";
export { AmqpEventCenter, DEFAULT_AMQP_URL, type AmqpEventCenterOptions } from "./AmqpEventCenter.js";
export { createEventCenter, type EventCenterOptions } from "./createEventCenter.js";
export { topicMatches, keyWord } from "./topic.js";
export {
  EventBridge,
  type BridgeEngine,
  type OutboundRoute,
  type InboundRoute,
  type EventBridgeOptions,
  type BridgeContext,
  type BridgeStats,
} from "./EventBridge.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../event/errors.js";
export { BUS_ERRORS } from "./errorCodes.js";

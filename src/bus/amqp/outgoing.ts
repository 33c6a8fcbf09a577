import type { Options } from "amqplib";
import type { BusCodec } from "../codec.js";
import type { DeflateJob } from "../deflateBatch.js";
import type { PublishOptions, RawPublishOptions } from "../EventCenter.js";
import type { AmqpSettings } from "./options.js";

/** One publish on its way: waiting, in flight (unconfirmed), or returned and waiting to be sent again. */
export interface Outgoing extends DeflateJob {
  exchange: string;
  routingKey: string;
  /** Undefined while its JSON `text` is being compressed (see deflateBatch.ts); sent only once set. */
  body: Buffer | undefined;
  props: Options.Publish;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** Generation it was last sent on; -1 while waiting to be (re)sent. */
  sentOn: number;
  nacks: number;
  /** The broker returned its current send (no queue took it); its confirm follows. */
  returned: boolean;
  /** Sends returned so far, and when the first was, on connection `returnGen`. */
  returns: number;
  firstReturnAt: number;
  returnGen: number;
  /** When a returned publish is due to be sent again. */
  retryAt: number;
}

export const MAX_NACKS = 5;
/** Backoff of a returned publish: first retry after 100 ms, doubling up to 2 s. */
export const RETURN_RETRY_FIRST_MS = 100;
export const RETURN_RETRY_MAX_MS = 2000;
/**
 * Most publishes handed to amqplib and not confirmed yet; the rest wait in our queue. amqplib
 * keeps its unconfirmed callbacks in an array it splices from the front on every confirm, so
 * handing it a 10,000-message burst at once made each confirm cost a move of thousands of slots
 * (~2 µs per message). 2,048 in flight keeps the broker as busy as 10,000.
 */
export const MAX_UNCONFIRMED = 2048;

export function newOutgoing(
  exchange: string,
  routingKey: string,
  body: Buffer | undefined,
  props: Options.Publish,
  text: string | undefined,
  resolve: () => void,
  reject: (err: unknown) => void,
): Outgoing {
  return {
    exchange,
    routingKey,
    body,
    text,
    props,
    resolve,
    reject,
    sentOn: -1,
    nacks: 0,
    returned: false,
    returns: 0,
    firstReturnAt: 0,
    returnGen: 0,
    retryAt: 0,
  };
}

/** The properties of a `publish`; the common case (no headers, not persistent) shares one frozen
 * object per codec from `cache`: no allocation per publish. */
export function publishProps(settings: AmqpSettings, codec: BusCodec, options: PublishOptions, cache: Map<BusCodec, Options.Publish>): Options.Publish {
  const plain = !options.headers && !options.persistent;
  let props = plain ? cache.get(codec) : undefined;
  if (props) return props;
  props = { contentType: codec.contentType, appId: settings.nodeId };
  if (settings.mandatory) props.mandatory = true;
  if (codec.contentEncoding) props.contentEncoding = codec.contentEncoding;
  if (options.headers) props.headers = options.headers;
  if (options.persistent) props.persistent = true;
  if (plain) cache.set(codec, Object.freeze(props));
  return props;
}

/** The properties of a `publishRaw`. */
export function rawPublishProps(settings: AmqpSettings, options: RawPublishOptions): Options.Publish {
  const props: Options.Publish = { appId: settings.nodeId };
  if (settings.mandatory) props.mandatory = true;
  if (options.contentType) props.contentType = options.contentType;
  if (options.contentEncoding) props.contentEncoding = options.contentEncoding;
  if (options.headers) props.headers = options.headers;
  if (options.persistent) props.persistent = true;
  return props;
}

import { createRequire } from "node:module";
import { Packr, type Unpackr } from "msgpackr";
import { TickwireError } from "../event/errors.js";
import { parsePythonJson, pythonJson } from "./pythonJson.js";
import { createDeflater, createInflater } from "./zlibContext.js";

/** The two things on the wire besides routing: the event's name and its data. */
export interface WirePayload {
  name: string;
  data: unknown;
}

/** A way to turn `{ name, data }` into bytes and back, announced by a content type. */
export interface BusCodec {
  readonly id: CodecId;
  readonly contentType: string;
  readonly contentEncoding: string | undefined;
  encode(payload: WirePayload): Buffer;
  decode(body: Buffer): WirePayload;
}

export type CodecId = "aioquant" | "msgpack";

/** Content type of aioquant's format (aioquant itself sends none; we label ours). */
export const AIOQUANT_CONTENT_TYPE = "application/json";
export const AIOQUANT_CONTENT_ENCODING = "deflate";
export const MSGPACK_CONTENT_TYPE = "application/msgpack";

const deflate = createDeflater();
const inflate = createInflater();

function checkPayload(value: unknown): WirePayload {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TickwireError("TW_BUS_DECODE", "The message is not an event envelope {n, d}: check what the publisher sends.");
  }
  const env = value as { n?: unknown; d?: unknown };
  const name = env.n;
  if (name !== undefined && name !== null && typeof name !== "string") {
    throw new TickwireError("TW_BUS_DECODE", "The event name (key n) must be a string: check what the publisher sends.");
  }
  return { name: typeof name === "string" ? name : "", data: env.d ?? null };
}

/**
 * The JSON text inside an aioquant body (before compression); throws TW_BUS_ENCODE for data that
 * cannot be written. `aioquantCodec.encode` is `aioquantDeflate` of its UTF-8 bytes.
 */
export function aioquantText(payload: WirePayload): string {
  try {
    return pythonJson({ n: payload.name, d: payload.data });
  } catch (cause) {
    throw new TickwireError("TW_BUS_ENCODE", "The event data cannot be written as JSON: publish plain data (no cycles).", {
      cause,
    });
  }
}

/** The compression step of aioquant's format: zlib level 6, exactly `zlib.deflateSync`'s bytes. */
export function aioquantDeflate(input: Buffer): Buffer {
  return deflate(input);
}

/**
 * aioquant's format: zlib (level 6, as Python's `zlib.compress`) over UTF-8 JSON of
 * `{"n": name, "d": data}` written the way Python's `json.dumps` writes it, so the JSON text matches
 * byte for byte (the deflate stream itself may differ between zlib builds; each side inflates the other's).
 * Decoding also takes plain uncompressed JSON (TheNextQuant's older format).
 */
export const aioquantCodec: BusCodec = {
  id: "aioquant",
  contentType: AIOQUANT_CONTENT_TYPE,
  contentEncoding: AIOQUANT_CONTENT_ENCODING,
  encode(payload: WirePayload): Buffer {
    return deflate(Buffer.from(aioquantText(payload), "utf8"));
  },
  decode(body: Buffer): WirePayload {
    let text: string;
    try {
      // 0x7b is "{": an uncompressed JSON envelope.
      text = body.length > 0 && body[0] === 0x7b ? body.toString("utf8") : inflate(body).toString("utf8");
    } catch (cause) {
      throw new TickwireError("TW_BUS_DECODE", "The message is not zlib-compressed JSON: check the publisher's codec.", {
        cause,
      });
    }
    let value: unknown;
    try {
      value = parsePythonJson(text);
    } catch (cause) {
      throw new TickwireError("TW_BUS_DECODE", "The message does not hold valid JSON: check the publisher's codec.", {
        cause,
      });
    }
    return checkPayload(value);
  },
};

// Plain maps, no record extension: any msgpack library can read what we write.
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: "number" });
// Decoding uses msgpackr's build without code generation: the regular build compiles a reader
// with `new Function` from the key names of record definitions a publisher sends (see src/rpc/codec.ts).
const { Unpackr: NoEvalUnpackr } = createRequire(import.meta.url)("msgpackr/unpack-no-eval") as { Unpackr: typeof Unpackr };
const unpackr: Unpackr = new NoEvalUnpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: "number" });

/** msgpack of `{ n, d }`: several times cheaper than zlib+JSON, for tickwire-to-tickwire traffic. */
export const msgpackCodec: BusCodec = {
  id: "msgpack",
  contentType: MSGPACK_CONTENT_TYPE,
  contentEncoding: undefined,
  encode(payload: WirePayload): Buffer {
    try {
      return packr.pack({ n: payload.name, d: payload.data });
    } catch (cause) {
      throw new TickwireError("TW_BUS_ENCODE", "The event data cannot be written as msgpack: publish plain data.", { cause });
    }
  },
  decode(body: Buffer): WirePayload {
    let value: unknown;
    try {
      value = unpackr.unpack(body) as unknown;
    } catch (cause) {
      throw new TickwireError("TW_BUS_DECODE", "The message is not valid msgpack: check the publisher's codec.", { cause });
    }
    return checkPayload(value);
  },
};

export const CODECS: Readonly<Record<CodecId, BusCodec>> = { aioquant: aioquantCodec, msgpack: msgpackCodec };

/** The codec a message's content type names; no content type means aioquant (which sets none). */
export function codecForContentType(contentType: string | undefined): BusCodec {
  if (contentType === undefined || contentType === "" || contentType === AIOQUANT_CONTENT_TYPE) return aioquantCodec;
  if (contentType === MSGPACK_CONTENT_TYPE || contentType === "application/x-msgpack") return msgpackCodec;
  throw new TickwireError("TW_BUS_DECODE", `No codec for content type "${contentType}": publish with aioquant or msgpack.`, {
    details: { contentType },
  });
}

export function codecById(id: string): BusCodec {
  const codec = (CODECS as Record<string, BusCodec | undefined>)[id];
  if (!codec) {
    throw new TickwireError("TW_BUS_CODEC", `Unknown codec "${id}": use "aioquant" or "msgpack".`, { details: { codec: id } });
  }
  return codec;
}

/** Decode a body by its content type. Throws TW_BUS_DECODE for anything it cannot read. */
export function decodeBody(body: Buffer, contentType: string | undefined): WirePayload {
  return codecForContentType(contentType).decode(body);
}

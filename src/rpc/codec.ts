/**
 * The wire format of tickwire rpc. msgpack (msgpackr) for values — data only, nothing on the wire
 * can run code — behind a small binary header that can be read without decoding the body, so a
 * reply can name the call even when the body is oversize or undecodable.
 *
 *   request frame      [0x01][callId u32 LE][nameLen u8][name utf8][msgpack args array]
 *   reply frame        [0x02 ok | 0x03 error][callId u32 LE][msgpack result | RemoteErrorInfo]
 *   publications frame see publicationCodec.ts (frame 0 of the message is the topic)
 *
 * One ZeroMQ message may carry several request or reply frames (a batch): the sender packs what
 * queued up while the socket was busy, the receiver walks the frames.
 */
import { createRequire } from "node:module";
import { Packr, RESERVE_START_SPACE, type Unpackr } from "msgpackr";
import type { RemoteErrorInfo } from "./errors.js";

export const KIND_REQUEST = 0x01;
export const KIND_REPLY_OK = 0x02;
export const KIND_REPLY_ERROR = 0x03;

export const REQUEST_HEADER = 6; // kind + callId + nameLen
export const REPLY_HEADER = 5; // kind + callId
export const MAX_NAME_BYTES = 255 - REQUEST_HEADER;

// Records (shared structures) stay off: both ends would have to share mutable state.
export const packr = new Packr({ useRecords: false, moreTypes: false });

// Decoding uses msgpackr's build without code generation. The regular build decodes record
// definitions (0xd4 0x72) whatever `useRecords` says, and compiles a reader with `new Function`
// from their key names once a record repeats: a peer could make us generate code from its bytes.
// The no-eval build reads records with a plain loop (keys stay data, `__proto__` is renamed).
const { Unpackr: NoEvalUnpackr } = createRequire(import.meta.url)("msgpackr/unpack-no-eval") as { Unpackr: typeof Unpackr };
export const unpackr: Unpackr = new NoEvalUnpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

/** msgpack-encodes a value (Dates as timestamps, Buffers as bin; functions become undefined). */
export function encodeValue(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes msgpack, generating no code. Keys named `__proto__` are renamed by msgpackr and never reach a prototype. */
export function decodeValue(buf: Uint8Array): unknown {
  return unpackr.unpack(buf);
}

export function encodeRequest(callId: number, nameBytes: Buffer, args: readonly unknown[]): Buffer {
  const head = REQUEST_HEADER + nameBytes.length;
  const frame = packr.pack(args, RESERVE_START_SPACE | head);
  frame[0] = KIND_REQUEST;
  frame.writeUInt32LE(callId, 1);
  frame[5] = nameBytes.length;
  nameBytes.copy(frame, REQUEST_HEADER);
  return frame;
}

export interface RequestHeader {
  callId: number;
  name: string;
  bodyOffset: number;
}

/** Reads a request's header, or returns undefined when the frame is not a request at all. */
export function readRequestHeader(frame: Buffer): RequestHeader | undefined {
  if (frame.length < REQUEST_HEADER || frame[0] !== KIND_REQUEST) return undefined;
  const nameLen = frame[5];
  const bodyOffset = REQUEST_HEADER + nameLen;
  if (frame.length < bodyOffset) return undefined;
  return { callId: frame.readUInt32LE(1), name: frame.toString("utf8", REQUEST_HEADER, bodyOffset), bodyOffset };
}

export function encodeReplyOk(callId: number, result: unknown): Buffer {
  const frame = packr.pack(result, RESERVE_START_SPACE | REPLY_HEADER);
  frame[0] = KIND_REPLY_OK;
  frame.writeUInt32LE(callId, 1);
  return frame;
}

export function encodeReplyError(callId: number, info: RemoteErrorInfo): Buffer {
  const frame = packr.pack(info, RESERVE_START_SPACE | REPLY_HEADER);
  frame[0] = KIND_REPLY_ERROR;
  frame.writeUInt32LE(callId, 1);
  return frame;
}

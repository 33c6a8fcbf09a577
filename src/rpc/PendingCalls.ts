import { TickwireError } from "../event/errors.js";
import { KIND_REPLY_ERROR, KIND_REPLY_OK, MAX_NAME_BYTES, REPLY_HEADER, decodeValue, encodeRequest } from "./codec.js";
import { RpcErrorCode, errorFromReply, type RemoteErrorInfo } from "./errors.js";

export interface PendingCall {
  name: string;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
  /** The DEALER generation the request was handed to (0 = still queued). */
  sentOn: number;
}

/** A request waiting in the client's outbox. */
export interface RequestEntry {
  callId: number;
  frame: Buffer;
  call: PendingCall;
}

/**
 * The RpcClient's calls in flight: each request's id, encoding and timeout, and the settling of
 * its reply (or its failure when the socket that carried it is dropped or the client stops).
 */
export class PendingCalls {
  private readonly calls = new Map<number, PendingCall>();
  private readonly nameCache = new Map<string, Buffer>();
  private nextId = 1;
  readonly counters = { calls: 0, timeouts: 0, remoteErrors: 0, lateReplies: 0, badReplies: 0 };

  constructor(private readonly maxMessageSize: number) {}

  get size(): number {
    return this.calls.size;
  }

  has(callId: number): boolean {
    return this.calls.has(callId);
  }

  /** Encodes the call, registers it with its timeout and hands the request to `send`. */
  open<R>(name: string, args: readonly unknown[], timeout: number, send: (entry: RequestEntry) => void): Promise<R> {
    let nameBytes = this.nameCache.get(name);
    if (nameBytes === undefined) {
      if (typeof name !== "string" || name.length === 0 || Buffer.byteLength(name) > MAX_NAME_BYTES) {
        return Promise.reject(new TickwireError(RpcErrorCode.BAD_ARGUMENT, `A function name must be a string of 1 to ${MAX_NAME_BYTES} bytes.`));
      }
      nameBytes = Buffer.from(name);
      if (this.nameCache.size < 1000) this.nameCache.set(name, nameBytes);
    }
    if (!Array.isArray(args)) {
      return Promise.reject(new TickwireError(RpcErrorCode.BAD_ARGUMENT, `The arguments of "${name}" must be an array: call(name, [a, b]).`));
    }
    const callId = this.nextId;
    this.nextId = this.nextId === 0xffffffff ? 1 : this.nextId + 1;
    let frame: Buffer;
    try {
      frame = encodeRequest(callId, nameBytes, args);
    } catch (err) {
      return Promise.reject(
        new TickwireError(RpcErrorCode.ENCODE, `The arguments of "${name}" cannot be encoded as msgpack: pass plain data (no cycles).`, { cause: err }),
      );
    }
    if (frame.length > this.maxMessageSize) {
      return Promise.reject(
        new TickwireError(
          RpcErrorCode.OVERSIZE,
          `The request to "${name}" is ${frame.length} bytes, over maxMessageSize ${this.maxMessageSize}: send less per call.`,
        ),
      );
    }
    this.counters.calls++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(callId);
        this.counters.timeouts++;
        reject(
          new TickwireError(
            RpcErrorCode.TIMEOUT,
            `No reply to "${name}" within ${timeout} ms. The client stays usable; raise the timeout if the call is slow.`,
            {
              details: { functionName: name, timeout },
            },
          ),
        );
      }, timeout);
      const call: PendingCall = { name, resolve: resolve as (v: unknown) => void, reject, timer, sentOn: 0 };
      this.calls.set(callId, call);
      send({ callId, frame, call });
    });
  }

  /** Settles the call a reply frame answers (a late or malformed reply is only counted). */
  settle(frame: Buffer): void {
    const kind = frame[0];
    if (frame.length < REPLY_HEADER || (kind !== KIND_REPLY_OK && kind !== KIND_REPLY_ERROR)) {
      this.counters.badReplies++;
      return;
    }
    const callId = frame.readUInt32LE(1);
    const call = this.calls.get(callId);
    if (!call) {
      this.counters.lateReplies++;
      return;
    }
    this.calls.delete(callId);
    clearTimeout(call.timer);
    if (frame.length > this.maxMessageSize) {
      call.reject(
        new TickwireError(
          RpcErrorCode.OVERSIZE,
          `The reply to "${call.name}" is ${frame.length} bytes, over maxMessageSize: ask for less per call or raise it.`,
        ),
      );
      return;
    }
    let body: unknown;
    try {
      body = decodeValue(frame.subarray(REPLY_HEADER));
    } catch (err) {
      this.counters.badReplies++;
      call.reject(
        new TickwireError(RpcErrorCode.BAD_REPLY, `The reply to "${call.name}" could not be decoded: are client and server the same tickwire version?`, {
          cause: err,
        }),
      );
      return;
    }
    if (kind === KIND_REPLY_OK) {
      call.resolve(body);
      return;
    }
    this.counters.remoteErrors++;
    call.reject(errorFromReply(call.name, toErrorInfo(body)));
  }

  /** Fails the calls sent on DEALER `generation` (libzmq ended it after a reply over `limit` bytes); queued ones stay. */
  failSentOn(generation: number, limit: number): void {
    for (const [callId, call] of this.calls) {
      if (call.sentOn !== generation) continue; // still queued: it goes out on the new socket
      this.calls.delete(callId);
      clearTimeout(call.timer);
      call.reject(
        new TickwireError(
          RpcErrorCode.OVERSIZE,
          `ZeroMQ ended the connection after a reply over this client's limit of ${limit} bytes (4 × maxMessageSize + 1 MiB): ` +
            `the reply to "${call.name}" or to another call in flight. Whether "${call.name}" ran on the server is unknown. ` +
            "The client reconnected on a new socket; ask for less per call, or give client and server the same maxMessageSize.",
          { details: { functionName: call.name, limit } },
        ),
      );
    }
  }

  /** Rejects every call in flight with TW_RPC_STOPPED. */
  stopAll(): void {
    for (const [, call] of this.calls) {
      clearTimeout(call.timer);
      call.reject(stoppedError(call.name));
    }
    this.calls.clear();
  }
}

export function stoppedError(name: string): TickwireError {
  return new TickwireError(RpcErrorCode.STOPPED, `The call to "${name}" cannot complete: the RpcClient is stopped. Call start() first.`);
}

function toErrorInfo(body: unknown): RemoteErrorInfo {
  const b = (body ?? {}) as Partial<RemoteErrorInfo>;
  return {
    code: typeof b.code === "string" ? b.code : RpcErrorCode.REMOTE,
    name: typeof b.name === "string" ? b.name : "Error",
    message: typeof b.message === "string" ? b.message : String(body),
    ...(typeof b.stack === "string" ? { stack: b.stack } : {}),
    ...(typeof b.remoteCode === "string" ? { remoteCode: b.remoteCode } : {}),
  };
}

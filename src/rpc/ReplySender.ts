import type { Router } from "zeromq";
import { encodeReplyError, encodeReplyParts, encodeReplyOk, isLongResult } from "./codec.js";
import { RpcErrorCode, describeError, type RemoteErrorInfo } from "./errors.js";
import { Outbox } from "./Outbox.js";
import type { ResolvedServerOptions } from "./serverOptions.js";

export type Peer = Buffer;

/** Long results are encoded a slice of about this many bytes at a time (~1 ms of msgpack). */
const SLICE_BYTES = 64 * 1024;

interface ReplyEntry {
  peer: Peer;
  frame: Buffer;
}

/** The RpcServer's counters this part keeps up to date. */
export interface ReplyCounters {
  replies: number;
  remoteErrors: number;
  oversize: number;
  encodeErrors: number;
  inFlight: number;
}

/**
 * Encodes the replies of one server run (results, long results a slice at a time, errors) and
 * batches them per peer onto the ROUTER. Once closed (the server stopped) it sends nothing.
 */
export class ReplySender {
  private readonly outbox: Outbox<ReplyEntry>;
  private open = true;

  constructor(
    router: Router,
    private readonly opts: ResolvedServerOptions,
    private readonly counters: ReplyCounters,
  ) {
    this.outbox = new Outbox<ReplyEntry>({
      send: (batch) => router.send([batch[0].peer, ...batch.map((r) => r.frame)]),
      joins: (a, b) => a.peer === b.peer || a.peer.equals(b.peer),
      bytes: (r) => r.frame.length,
      maxBatchEntries: opts.maxBatch,
      maxBatchBytes: 256 * 1024,
      retryMs: 5,
      onError: () => undefined, // a reply to a peer that went away: nothing to do
    });
  }

  /** Holds replies back while a wire message's requests are handled, so they leave together. */
  cork(): void {
    this.outbox.cork();
  }

  uncork(): void {
    this.outbox.uncork();
  }

  close(): void {
    this.open = false;
    this.outbox.close();
  }

  succeeded(peer: Peer, callId: number, name: string, value: unknown, started: number): void {
    if (!this.open) return;
    if (isLongResult(value)) {
      void this.succeededSliced(peer, callId, name, value, started);
      return;
    }
    let frame: Buffer;
    try {
      frame = encodeReplyOk(callId, value);
    } catch (err) {
      this.encodeFailed(peer, callId, name, err);
      return;
    }
    if (frame.length > this.opts.maxMessageSize) {
      this.resultOversize(peer, callId, name, `is ${frame.length} bytes`);
      return;
    }
    this.deliver(peer, frame, name, started);
  }

  /**
   * A long result (an array of 50,000 bars is ~10 MB, ~0.15 s of msgpack; a snapshot of a large
   * OMS) is encoded a slice at a time with the event loop yielded between slices, so other callers
   * and the heartbeat go on meanwhile; it stops as soon as the bytes pass maxMessageSize. The
   * bytes are those of one encode. Its items are read as it goes: results must not change after
   * they are returned (the OMS getters return fresh arrays of objects that are replaced, never
   * changed).
   */
  private async succeededSliced(peer: Peer, callId: number, name: string, value: unknown, started: number): Promise<void> {
    const max = this.opts.maxMessageSize;
    const parts: Buffer[] = [];
    let bytes = 0;
    let sinceYield = 0;
    this.counters.inFlight++;
    try {
      const encoding = encodeReplyParts(callId, value, SLICE_BYTES);
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = encoding.next();
        } catch (err) {
          if ((err as { code?: string })?.code === RpcErrorCode.OVERSIZE) this.resultOversize(peer, callId, name, "has more than 65,535 fields");
          else this.encodeFailed(peer, callId, name, err);
          return;
        }
        if (next.done) break;
        bytes += next.value.length;
        if (bytes > max) {
          this.resultOversize(peer, callId, name, `passed ${max} bytes while being encoded`);
          return;
        }
        parts.push(next.value);
        sinceYield += next.value.length;
        if (sinceYield >= SLICE_BYTES) {
          sinceYield = 0;
          await new Promise((resolve) => setImmediate(resolve));
          if (!this.open) return;
        }
      }
    } finally {
      this.counters.inFlight--;
    }
    this.deliver(peer, Buffer.concat(parts, bytes), name, started);
  }

  private deliver(peer: Peer, frame: Buffer, name: string, started: number): void {
    if (!this.open) return;
    this.counters.replies++;
    this.outbox.push({ peer, frame });
    this.opts.onCall?.({ name, ms: performance.now() - started, ok: true });
  }

  private encodeFailed(peer: Peer, callId: number, name: string, err: unknown): void {
    this.counters.encodeErrors++;
    // msgpackr's message can hold the whole value (a huge BigInt's digits): keep the start.
    const why = String((err as Error)?.message ?? err).slice(0, 200);
    this.replyError(peer, callId, name, {
      code: RpcErrorCode.ENCODE,
      name: "TickwireError",
      message: `The result of "${name}" could not be encoded as msgpack (${why}): return plain data.`,
    });
  }

  private resultOversize(peer: Peer, callId: number, name: string, size: string): void {
    this.counters.oversize++;
    this.replyError(peer, callId, name, {
      code: RpcErrorCode.OVERSIZE,
      name: "TickwireError",
      message: `The result of "${name}" ${size}, over the server's limit of ${this.opts.maxMessageSize}: ask for less per call.`,
    });
  }

  failed(peer: Peer, callId: number, name: string, err: unknown, started: number): void {
    this.counters.remoteErrors++;
    const info = describeError(err, this.opts.exposeStack);
    this.replyError(peer, callId, name, info);
    this.opts.onCall?.({ name, ms: performance.now() - started, ok: false, code: info.remoteCode ?? info.code });
  }

  replyError(peer: Peer, callId: number, name: string, info: RemoteErrorInfo): void {
    if (!this.open) return;
    if (info.code !== RpcErrorCode.REMOTE) this.opts.onCall?.({ name, ms: 0, ok: false, code: info.code });
    this.counters.replies++;
    this.outbox.push({ peer, frame: encodeReplyError(callId, info) });
  }
}

import type { ChannelModel } from "amqplib";

interface Corkable {
  cork(): void;
  uncork(): void;
  prependListener(event: "drain", fn: () => void): unknown;
}

/**
 * Sends the frames amqplib's muxer writes in one go as one `writev` instead of one syscall (and,
 * with TCP_NODELAY, one TCP segment) each. The muxer writes on a `setImmediate` that it schedules
 * from a `nextTick` after the first publish of a turn; the socket is corked at that publish and
 * uncorked on a `setImmediate` scheduled from a later `nextTick`, so it runs right after the muxer
 * in the same turn: nothing waits longer than it did. If the order is ever otherwise, the uncork
 * comes first and the frames go out one by one, as without this. When the socket was full, the
 * muxer writes what waited inside the socket's "drain" event: corked there too, uncorked on the
 * next tick. Uses amqplib's socket (`connection.stream`, feature-detected); without one, or with
 * `batchWrites: false`, frames go out one by one. See docs/decisions.md.
 */
export class WriteBatcher {
  private corked = false;

  constructor(private readonly socket: Corkable) {
    // After a full socket drains, the muxer writes what waited right inside the "drain" event.
    socket.prependListener("drain", () => {
      if (this.corked) return;
      this.corked = true;
      socket.cork();
      process.nextTick(this.release);
    });
  }

  static of(conn: ChannelModel): WriteBatcher | undefined {
    const stream = (conn as unknown as { connection?: { stream?: Partial<Corkable> } }).connection?.stream;
    const ok = stream && typeof stream.cork === "function" && typeof stream.uncork === "function" && typeof stream.prependListener === "function";
    return ok ? new WriteBatcher(stream as Corkable) : undefined;
  }

  /** Call after handing a message to amqplib. */
  wrote(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(this.afterMuxScheduled);
  }

  private readonly afterMuxScheduled = (): void => {
    setImmediate(this.release);
  };

  private readonly release = (): void => {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  };
}

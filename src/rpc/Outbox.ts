/**
 * The outgoing queue of one socket. A message is handed to ZeroMQ at once when the socket is idle
 * (a lone message is never delayed); messages that queue up meanwhile (a burst) leave together as
 * one multipart ZeroMQ message per run of consecutive messages with the same key (topic, peer),
 * which is what makes small messages cheap on the wire. Order is kept.
 */
export interface OutboxOptions<K> {
  /** Hands one batch to the socket. Must not block: sockets use sendTimeout 0 or never block. */
  send: (key: K, frames: Buffer[]) => Promise<void>;
  sameKey: (a: K, b: K) => boolean;
  /** Most frames in one batch. */
  maxBatchFrames: number;
  /** A batch stops growing once it holds this many bytes. */
  maxBatchBytes: number;
  /** When the socket can't take a message now (EAGAIN), keep it and retry after this many ms. */
  retryMs: number;
  /** A queued message whose tag is no longer live is dropped before sending (a timed-out call). */
  isLive?: (tag: number) => boolean;
  /** A send failed for good (socket closed, ...): the batch is dropped. */
  onError: (err: unknown, frames: number) => void;
}

export class Outbox<K> {
  private readonly opts: OutboxOptions<K>;
  private keys: K[] = [];
  private frames: Buffer[] = [];
  private tags: number[] = [];
  private head = 0;
  private busy = false;
  private corked = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined = undefined;
  /** Batches handed to the socket and frames in them, for stats. */
  batches = 0;
  sentFrames = 0;

  constructor(opts: OutboxOptions<K>) {
    this.opts = opts;
  }

  get queued(): number {
    return this.frames.length - this.head;
  }

  push(key: K, frame: Buffer, tag = -1): void {
    if (this.closed) return;
    this.keys.push(key);
    this.frames.push(frame);
    this.tags.push(tag);
    if (!this.busy && !this.corked) this.flush();
  }

  /**
   * Holds messages back until `uncork()`: used while handling one received batch so the answers
   * to it leave as one batch too (otherwise a batch splits into "first alone + the rest" at every
   * round trip and decays to one message per call).
   */
  cork(): void {
    this.corked = true;
  }

  uncork(): void {
    this.corked = false;
    if (!this.busy) this.flush();
  }

  /** Drops everything queued and sends nothing more. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.keys = [];
    this.frames = [];
    this.tags = [];
    this.head = 0;
  }

  private readonly flush = (): void => {
    this.retryTimer = undefined;
    if (this.closed) return;
    const { isLive, maxBatchFrames, maxBatchBytes, sameKey } = this.opts;
    // Skip messages nobody waits for any more.
    if (isLive) while (this.head < this.frames.length && this.tags[this.head] >= 0 && !isLive(this.tags[this.head])) this.head++;
    const total = this.frames.length;
    if (this.head >= total) {
      this.keys.length = 0;
      this.frames.length = 0;
      this.tags.length = 0;
      this.head = 0;
      this.busy = false;
      return;
    }
    this.busy = true;
    const key = this.keys[this.head];
    const batch: Buffer[] = [this.frames[this.head]];
    let bytes = batch[0].length;
    let end = this.head + 1;
    while (end < total && batch.length < maxBatchFrames && bytes < maxBatchBytes && sameKey(this.keys[end], key)) {
      const tag = this.tags[end];
      if (tag < 0 || !isLive || isLive(tag)) {
        batch.push(this.frames[end]);
        bytes += this.frames[end].length;
      }
      end++;
    }
    let sent: Promise<void>;
    try {
      sent = this.opts.send(key, batch);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      () => {
        this.batches++;
        this.sentFrames += batch.length;
        this.advance(end);
        this.flush();
      },
      (err: unknown) => {
        if (this.closed) return;
        if ((err as { code?: unknown }).code === "EAGAIN") {
          // Nothing was sent: keep the batch at the head and try again (it is rebuilt, so calls
          // that time out meanwhile are left out).
          this.retryTimer = setTimeout(this.flush, this.opts.retryMs);
          return;
        }
        this.advance(end);
        this.opts.onError(err, batch.length);
        this.flush();
      },
    );
  };

  private advance(end: number): void {
    // Compact now and then so the arrays don't grow without bound under steady load.
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.frames.length) {
      this.keys = this.keys.slice(this.head);
      this.frames = this.frames.slice(this.head);
      this.tags = this.tags.slice(this.head);
      this.head = 0;
    }
  }
}

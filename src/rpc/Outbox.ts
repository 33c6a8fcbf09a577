/**
 * The outgoing queue of one socket. A message is handed to ZeroMQ at once when the socket is idle
 * (a lone message is never delayed); messages that queue up meanwhile (a burst) leave together as
 * one ZeroMQ message per run of consecutive entries that may share one (same peer, same topic),
 * which is what makes small messages cheap on the wire. Order is kept.
 */
export interface OutboxOptions<E> {
  /** Hands one batch (one ZeroMQ message) to the socket. Must not block: sockets use sendTimeout 0 or never block. */
  send: (batch: E[]) => Promise<void>;
  /** Whether `next` may leave in the same ZeroMQ message right after `prev`. */
  joins: (prev: E, next: E) => boolean;
  /** The size of an entry on the wire, bytes. */
  bytes: (entry: E) => number;
  /** Most entries in one batch. */
  maxBatchEntries: number;
  /** A batch stops growing once it holds this many bytes. */
  maxBatchBytes: number;
  /** When the socket can't take a message now (EAGAIN), keep it and retry after this many ms. */
  retryMs: number;
  /** A queued entry nobody waits for any more (a timed-out call) is dropped before sending. */
  isLive?: (entry: E) => boolean;
  /** A send failed for good (socket closed, ...): the batch is dropped. */
  onError: (err: unknown, entries: number) => void;
}

export class Outbox<E> {
  private readonly opts: OutboxOptions<E>;
  private entries: E[] = [];
  private head = 0;
  private busy = false;
  private corked = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined = undefined;
  /** Batches handed to the socket and entries in them, for stats. */
  batches = 0;
  sentEntries = 0;

  constructor(opts: OutboxOptions<E>) {
    this.opts = opts;
  }

  get queued(): number {
    return this.entries.length - this.head;
  }

  push(entry: E): void {
    if (this.closed) return;
    this.entries.push(entry);
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
    this.entries = [];
    this.head = 0;
  }

  private readonly flush = (): void => {
    this.retryTimer = undefined;
    if (this.closed) return;
    const { isLive, maxBatchEntries, maxBatchBytes, joins, bytes: sizeOf } = this.opts;
    const entries = this.entries;
    // Skip entries nobody waits for any more.
    if (isLive) while (this.head < entries.length && !isLive(entries[this.head])) this.head++;
    const total = entries.length;
    if (this.head >= total) {
      entries.length = 0;
      this.head = 0;
      this.busy = false;
      return;
    }
    this.busy = true;
    let prev = entries[this.head];
    const batch: E[] = [prev];
    let bytes = sizeOf(prev);
    let end = this.head + 1;
    while (end < total && batch.length < maxBatchEntries && bytes < maxBatchBytes && joins(prev, entries[end])) {
      const next = entries[end++];
      if (isLive && !isLive(next)) continue;
      batch.push(next);
      bytes += sizeOf(next);
      prev = next;
    }
    let sent: Promise<void>;
    try {
      sent = this.opts.send(batch);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      () => {
        this.batches++;
        this.sentEntries += batch.length;
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
    // Compact now and then so the array doesn't grow without bound under steady load.
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

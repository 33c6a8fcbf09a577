import type { Event } from "./Event.js";
import type { EventQueue } from "./EventQueue.js";
import type { OverflowPolicy } from "./engineOptions.js";
import { TickwireError } from "./errors.js";

/**
 * What a bounded queue does when it is full (`maxQueue`): reject the new event, drop the oldest,
 * or conflate (a newer event replaces a queued one with the same key). Only a bounded engine
 * has one, so an unbounded `put` never pays for it.
 */
export class Overflow {
  dropped = 0;
  conflated = 0;
  rejected = 0;
  /** Conflation key → sequence number of the queued event holding it (conflate only). */
  private readonly index: Map<string, number> | undefined;

  constructor(
    private readonly queue: EventQueue,
    private readonly engineName: string,
    readonly maxQueue: number,
    private readonly policy: OverflowPolicy,
    private readonly key: (event: Event) => string | undefined,
    /** An event dropped from the queue (drop-oldest). */
    private readonly onDropped: (event: Event) => void,
    /** The conflation key threw on an event leaving the queue. */
    private readonly onKeyError: (error: unknown, event: Event) => void,
  ) {
    this.index = policy === "conflate" ? new Map() : undefined;
  }

  get conflating(): boolean {
    return this.index !== undefined;
  }

  /** Before a push: true when `ev` should be queued; throws TW_EVENT_QUEUE_FULL under "reject". */
  admit(ev: Event): boolean {
    if (this.queue.length >= this.maxQueue) return this.overflowed(ev);
    return !(this.index !== undefined && this.conflateInto(ev));
  }

  /** After a push of `ev`: index its key. */
  pushed(ev: Event): void {
    if (this.index === undefined) return;
    const key = this.key(ev);
    if (key !== undefined) this.index.set(key, this.queue.pushed - 1);
  }

  /** After a shift of `ev`: its key no longer points into the queue. */
  shifted(ev: Event): void {
    if (this.index === undefined) return;
    let key: string | undefined;
    try {
      key = this.key(ev);
    } catch (e) {
      // a key that failed now was indexed when the event was put: a stale entry only skips one conflation
      this.onKeyError(e, ev);
      return;
    }
    if (key !== undefined && this.index.get(key) === this.queue.headSequence - 1) this.index.delete(key);
  }

  clear(): void {
    this.index?.clear();
  }

  /** Replaces a queued event with the same conflation key; true when it did. */
  private conflateInto(ev: Event): boolean {
    if (ev.result !== undefined) return false; // a dispatch() result must not vanish
    const key = this.key(ev);
    if (key === undefined) return false;
    const seq = this.index!.get(key);
    if (seq === undefined || seq < this.queue.headSequence) return false;
    this.queue.replace(seq, ev);
    this.conflated++;
    return true;
  }

  /** The queue is full: apply the policy. True when `ev` should still be queued. */
  private overflowed(ev: Event): boolean {
    if (this.policy === "conflate" && this.conflateInto(ev)) return false;
    if (this.policy === "drop-oldest") {
      const old = this.queue.shift();
      if (old !== undefined) {
        this.shifted(old);
        this.dropped++;
        old.result?.reject(new TickwireError("TW_EVENT_QUEUE_DROPPED", "The event was dropped from a full queue (overflow: drop-oldest)."));
        this.onDropped(old);
      }
      return true;
    }
    this.rejected++;
    throw new TickwireError(
      "TW_EVENT_QUEUE_FULL",
      `Event queue of "${this.engineName}" is full (${this.maxQueue} events): handlers are falling behind. ` +
        `Raise maxQueue, make handlers faster, or choose overflow "drop-oldest" or "conflate".`,
      { details: { type: ev.type, maxQueue: this.maxQueue } },
    );
  }
}

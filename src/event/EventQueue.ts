import type { Event } from "./Event.js";

/**
 * A growable ring buffer of events: O(1) push and shift with no allocation per event
 * (Array#shift is O(n) on large arrays, and a linked list allocates a node per event).
 */
export class EventQueue {
  private buf: Array<Event | undefined>;
  private mask: number;
  /** Absolute sequence numbers: the slot of sequence s is s & mask. */
  private headSeq = 0;
  private tailSeq = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.buf = new Array<Event | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  get length(): number {
    return this.tailSeq - this.headSeq;
  }

  /** Sequence number the next shift() returns. */
  get head(): number {
    return this.headSeq;
  }

  /** Appends and returns the event's sequence number. */
  push(ev: Event): number {
    if (this.tailSeq - this.headSeq > this.mask) this.grow();
    const seq = this.tailSeq++;
    this.buf[seq & this.mask] = ev;
    return seq;
  }

  shift(): Event | undefined {
    if (this.headSeq === this.tailSeq) return undefined;
    const i = this.headSeq++ & this.mask;
    const ev = this.buf[i];
    this.buf[i] = undefined;
    return ev;
  }

  /** Replaces the event still queued at `seq` (conflation). */
  replace(seq: number, ev: Event): void {
    this.buf[seq & this.mask] = ev;
  }

  clear(): number {
    const n = this.length;
    while (this.shift() !== undefined);
    return n;
  }

  private grow(): void {
    const old = this.buf;
    const oldMask = this.mask;
    const cap = old.length * 2;
    const buf = new Array<Event | undefined>(cap).fill(undefined);
    const mask = cap - 1;
    for (let s = this.headSeq; s < this.tailSeq; s++) buf[s & mask] = old[s & oldMask];
    this.buf = buf;
    this.mask = mask;
  }
}

import type { Event } from "./Event.js";

const CHUNK = 2048;
const MASK = CHUNK - 1;

interface Chunk {
  items: Array<Event | undefined>;
  next: Chunk | undefined;
}

function newChunk(): Chunk {
  return { items: new Array<Event | undefined>(CHUNK).fill(undefined), next: undefined };
}

/**
 * A FIFO of events in a linked list of fixed 2,048-slot chunks (the shape of Node's own
 * FixedQueue): O(1) push and shift, no copying when it grows, no allocation per event, and a
 * spare chunk kept so a queue that fills and drains in turn allocates nothing at all.
 * (Array#shift is O(n) on large arrays; a doubling ring buffer copies and churns the GC.)
 */
export class EventQueue {
  private head: Chunk = newChunk();
  private tail: Chunk = this.head;
  private spare: Chunk | undefined = undefined;
  /** Absolute sequence numbers: the next shift() returns headSeq, the next push() gets tailSeq. */
  private headSeq = 0;
  private tailSeq = 0;

  get length(): number {
    return this.tailSeq - this.headSeq;
  }

  /** How many events were ever pushed. */
  get pushed(): number {
    return this.tailSeq;
  }

  /** Sequence number the next shift() returns. */
  get headSequence(): number {
    return this.headSeq;
  }

  /** Appends and returns the event's sequence number. */
  push(ev: Event): number {
    const seq = this.tailSeq++;
    const i = seq & MASK;
    if (i === 0 && seq !== this.headSeq) {
      // the tail chunk is full: link a fresh one
      const c = this.spare ?? newChunk();
      this.spare = undefined;
      this.tail.next = c;
      this.tail = c;
    }
    this.tail.items[i] = ev;
    return seq;
  }

  shift(): Event | undefined {
    if (this.headSeq === this.tailSeq) return undefined;
    const i = this.headSeq & MASK;
    const head = this.head;
    const ev = head.items[i];
    head.items[i] = undefined;
    this.headSeq++;
    if (i === MASK) {
      // finished this chunk: move on and keep it as the spare
      const next = head.next;
      if (next !== undefined) {
        this.head = next;
        head.next = undefined;
        this.spare = head;
      }
    }
    return ev;
  }

  /** Replaces the event still queued at `seq` (conflation). */
  replace(seq: number, ev: Event): void {
    let c = this.head;
    const chunks = Math.floor(seq / CHUNK) - Math.floor(this.headSeq / CHUNK);
    for (let k = 0; k < chunks && c.next !== undefined; k++) c = c.next;
    c.items[seq & MASK] = ev;
  }

  clear(): number {
    const n = this.length;
    while (this.shift() !== undefined);
    return n;
  }
}

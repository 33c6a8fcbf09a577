import type { Event } from "./Event.js";

// 16,384 slots (128 KiB) puts a chunk just past V8's largest regular object, in large-object space,
// which a scavenge never copies. Five bursts of 1M events took 47 scavenges with 2,048-slot chunks
// (16 KiB young objects, copied like the events) and 40-41 with these, promoting ~9% fewer bytes.
const CHUNK = 16384;
const MASK = CHUNK - 1;

interface Chunk {
  items: Array<Event | undefined>;
  next: Chunk | undefined;
}

function newChunk(): Chunk {
  return { items: new Array<Event | undefined>(CHUNK).fill(undefined), next: undefined };
}

/**
 * A FIFO of events in a linked list of fixed 16,384-slot chunks (the shape of Node's own
 * FixedQueue): O(1) push and shift, no copying when it grows, no allocation per event, and a
 * spare chunk kept so a queue that fills and drains in turn allocates nothing at all.
 * (Array#shift is O(n) on large arrays; a doubling ring buffer copies and churns the GC.)
 * A queue that empties starts again at the front of its chunk, so a steady stream reuses the same
 * few cache lines instead of walking 128 KiB of slots.
 */
export class EventQueue {
  private head: Chunk = newChunk();
  private tail: Chunk = this.head;
  private spare: Chunk | undefined = undefined;
  /** Slot of the next shift() in `head`, and of the next push() in `tail`. */
  private headIdx = 0;
  private tailIdx = 0;
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

  /** Appends and returns the length after it (what the high-water mark needs, without a second read);
   * the event's sequence number is `pushed - 1`. */
  push(ev: Event): number {
    let i = this.tailIdx;
    if (this.tailSeq === this.headSeq) {
      // empty, so head and tail are the same chunk: start again at its front
      i = 0;
      this.headIdx = 0;
    } else if (i === CHUNK) {
      this.link();
      i = 0;
    }
    this.tail.items[i] = ev;
    this.tailIdx = i + 1;
    return ++this.tailSeq - this.headSeq;
  }

  /** The tail chunk is full: link the spare or a fresh one. */
  private link(): void {
    const c = this.spare ?? newChunk();
    this.spare = undefined;
    this.tail.next = c;
    this.tail = c;
  }

  shift(): Event | undefined {
    if (this.headSeq === this.tailSeq) return undefined;
    const head = this.head;
    const i = this.headIdx;
    const ev = head.items[i];
    head.items[i] = undefined;
    this.headSeq++;
    if (i + 1 === CHUNK && head.next !== undefined) {
      // finished this chunk: move on and keep it as the spare
      this.head = head.next;
      head.next = undefined;
      this.spare = head;
      this.headIdx = 0;
    } else {
      this.headIdx = i + 1;
    }
    return ev;
  }

  /** Replaces the event still queued at `seq` (conflation). */
  replace(seq: number, ev: Event): void {
    const at = this.headIdx + (seq - this.headSeq);
    let c = this.head;
    for (let k = Math.floor(at / CHUNK); k > 0 && c.next !== undefined; k--) c = c.next;
    c.items[at & MASK] = ev;
  }

  clear(): number {
    const n = this.length;
    while (this.shift() !== undefined);
    return n;
  }
}

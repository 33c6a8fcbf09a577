/**
 * A FIFO of rows waiting to be written: push at the back, take batches or drop from the front in
 * O(1) per row (an array with a head index, compacted now and then; `shift()` on a large array
 * moves every element).
 */
export class RowQueue<T extends { datetime: number }> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Time of the oldest row, or +Infinity when empty. */
  get oldestTime(): number {
    return this.head < this.items.length ? this.items[this.head].datetime : Number.POSITIVE_INFINITY;
  }

  push(row: T): void {
    this.items.push(row);
  }

  /** Removes and returns up to `n` rows from the front. */
  take(n: number): T[] {
    const end = Math.min(this.items.length, this.head + n);
    const rows = this.items.slice(this.head, end);
    this.head = end;
    this.compact();
    return rows;
  }

  /** Puts rows taken earlier (and not written) back at the front, in their order. */
  putBack(rows: readonly T[]): void {
    if (rows.length === 0) return;
    this.items = rows.concat(this.items.slice(this.head));
    this.head = 0;
  }

  /** Drops the oldest row; returns false when empty. */
  dropOldest(): boolean {
    if (this.head >= this.items.length) return false;
    this.head++;
    this.compact();
    return true;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

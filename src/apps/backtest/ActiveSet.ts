/**
 * The active orders of a backtest, in send order: arrays searched by id. A strategy has a
 * handful open at a time, where an array beats a Map (no hashing of fresh id strings). The
 * arrays never shrink (a count says how much is in use): an order sent and filled on every
 * other bar would otherwise reallocate both backing stores each time.
 */
export class ActiveSet<T> {
  private readonly ids: string[] = [];
  private readonly items: (T | undefined)[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  set(id: string, item: T): void {
    const n = this.n++;
    this.ids[n] = id;
    this.items[n] = item;
  }

  private find(id: string): number {
    const ids = this.ids;
    for (let i = 0; i < this.n; i++) if (ids[i] === id) return i;
    return -1;
  }

  has(id: string): boolean {
    return this.find(id) >= 0;
  }

  get(id: string): T | undefined {
    const i = this.find(id);
    return i >= 0 ? this.items[i] : undefined;
  }

  delete(id: string): boolean {
    const i = this.find(id);
    if (i < 0) return false;
    const ids = this.ids;
    const items = this.items;
    const last = --this.n;
    for (let j = i; j < last; j++) {
      ids[j] = ids[j + 1];
      items[j] = items[j + 1];
    }
    // The freed slot lets go of its item (and stays a string / value slot: the arrays stay packed).
    ids[last] = "";
    items[last] = undefined;
    return true;
  }

  /**
   * The items, copied into `out` (the caller's reusable array), safe to iterate while callbacks
   * add and remove; returns how many. Entries of `out` past that count are stale.
   */
  copyInto(out: T[]): number {
    const items = this.items;
    const n = this.n;
    for (let i = 0; i < n; i++) out[i] = items[i] as T;
    return n;
  }

  /** A copy of the items. */
  snapshot(): T[] {
    return this.items.slice(0, this.n) as T[];
  }

  keys(): string[] {
    return this.ids.slice(0, this.n);
  }

  clear(): void {
    for (let i = 0; i < this.n; i++) {
      this.ids[i] = "";
      this.items[i] = undefined;
    }
    this.n = 0;
  }
}

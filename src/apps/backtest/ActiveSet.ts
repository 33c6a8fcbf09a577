/**
 * The active orders of a backtest, in send order: an array searched by id. A strategy has a
 * handful open at a time, where an array beats a Map (no hashing of fresh id strings, and the
 * per-bar snapshot is a slice instead of an iterator).
 */
export class ActiveSet<T> {
  private ids: string[] = [];
  private items: T[] = [];

  get size(): number {
    return this.ids.length;
  }

  set(id: string, item: T): void {
    this.ids.push(id);
    this.items.push(item);
  }

  private find(id: string): number {
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] === id) return i;
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
    this.ids.splice(i, 1);
    this.items.splice(i, 1);
    return true;
  }

  /** A copy of the items, safe to iterate while callbacks add and remove. */
  snapshot(): T[] {
    return this.items.slice();
  }

  keys(): string[] {
    return this.ids.slice();
  }

  clear(): void {
    this.ids.length = 0;
    this.items.length = 0;
  }
}

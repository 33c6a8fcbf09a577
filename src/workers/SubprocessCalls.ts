import { Pending } from "../event/Pending.js";
import { decodeError, type SerializedError } from "./remoteError.js";
import { REP_DISPATCH, REP_ERROR, REP_OK, REQUEST_FIELDS } from "./subprocessProtocol.js";

/**
 * A Subprocess's requests whose result has not come back: their Pendings by id, the time limits
 * of those not yet sent and the clocks of those sent (a clock starts when its request goes out).
 */
export class SubprocessCalls {
  private readonly waiting = new Map<number, Pending<unknown>>();
  /** Time limits of requests not yet sent, by id. */
  private readonly limits = new Map<number, number>();
  /** Running clocks of requests sent to the child, by id. */
  private readonly clocks = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  /** `onTimeout` is called when a sent request passes its limit (its Pending is still here). */
  constructor(private readonly onTimeout: (id: number, ms: number) => void) {}

  get size(): number {
    return this.waiting.size;
  }

  /** A new request with its time limit (Infinity for none). */
  open(limit: number): { id: number; pending: Pending<unknown> } {
    const id = this.nextId++;
    const pending = new Pending<unknown>();
    this.waiting.set(id, pending);
    if (limit !== Infinity) this.limits.set(id, limit);
    return { id, pending };
  }

  /** The ids of the requests waiting, in the order they were made. */
  ids(): number[] {
    return [...this.waiting.keys()];
  }

  /** Starts the clocks of the timed requests of a batch that is going out. */
  startClocks(batch: unknown[]): void {
    if (this.limits.size === 0) return;
    for (let i = 0; i < batch.length; i += REQUEST_FIELDS) {
      const id = batch[i + 1] as number;
      const ms = this.limits.get(id);
      if (ms === undefined) continue;
      this.limits.delete(id);
      const timer = setTimeout(() => {
        this.clocks.delete(id);
        this.onTimeout(id, ms);
      }, ms);
      timer.unref();
      this.clocks.set(id, timer);
    }
  }

  /** Settles request `id`: takes its Pending and stops its clock. */
  take(id: number): Pending<unknown> | undefined {
    const p = this.waiting.get(id);
    if (p === undefined) return undefined;
    this.waiting.delete(id);
    this.limits.delete(id);
    const clock = this.clocks.get(id);
    if (clock !== undefined) {
      clearTimeout(clock);
      this.clocks.delete(id);
    }
    return p;
  }

  /** Settles request `id` with the child's reply of `kind` (REP_OK, REP_DISPATCH or REP_ERROR). */
  settle(kind: number, id: number, payload: unknown): void {
    const p = this.take(id);
    if (p === undefined) return; // the shutdown reply has no Pending
    if (kind === REP_OK) p.resolve(payload);
    else if (kind === REP_DISPATCH) {
      const [values, failed] = payload as [unknown[], number[]];
      for (const j of failed) values[j] = decodeError(values[j] as SerializedError);
      p.resolve(values);
    } else if (kind === REP_ERROR) p.reject(decodeError(payload as SerializedError));
  }

  /** The child is gone: every request rejects with `err`. */
  rejectAll(err: Error): void {
    for (const p of this.waiting.values()) p.reject(err);
    this.waiting.clear();
    for (const clock of this.clocks.values()) clearTimeout(clock);
    this.clocks.clear();
    this.limits.clear();
  }
}

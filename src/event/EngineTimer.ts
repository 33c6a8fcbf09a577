import { EVENT_TIMER, Event, type TimerData } from "./Event.js";
import { checkInterval } from "./engineOptions.js";

/**
 * vnpy's timer: an `eTimer` event every `interval` seconds while the engine runs. At most one
 * waits in the queue at a time, so a busy engine skips ticks instead of piling them up.
 */
export class EngineTimer {
  /** The timer event waiting in the queue, if any: the drain clears it when it dispatches it. */
  queued: Event | undefined = undefined;
  private handle: NodeJS.Timeout | undefined = undefined;

  constructor(
    private seconds: number | null,
    /** Queues the event; false when the engine does not take it (not running). May throw (full queue). */
    private readonly fire: (event: Event) => boolean,
  ) {}

  get interval(): number | null {
    return this.seconds;
  }

  /** Changes the period (seconds) or turns the timer off with `null`; re-arms when `running`. */
  setInterval(seconds: number | null, running: boolean): void {
    this.seconds = checkInterval(seconds, "seconds");
    this.disarm();
    if (running) this.arm();
  }

  arm(): void {
    if (this.seconds === null || this.handle !== undefined) return;
    this.handle = setInterval(this.tick, this.seconds * 1000);
    this.handle.unref(); // the engine alone never keeps a process alive; its producers do
  }

  disarm(): void {
    if (this.handle !== undefined) clearInterval(this.handle);
    this.handle = undefined;
  }

  /** The dropped or abandoned event was the queued timer event: the next tick may queue one. */
  forget(event: Event): void {
    if (event === this.queued) this.queued = undefined;
  }

  private readonly tick = (): void => {
    if (this.queued !== undefined) return; // at most one waiting
    const ev = new Event(EVENT_TIMER, { time: Date.now(), interval: this.seconds ?? 0 } satisfies TimerData);
    try {
      if (this.fire(ev)) this.queued = ev;
    } catch {
      // a full queue: skip this tick
    }
  };
}

const DAY_MS = 86_400_000;

/**
 * The trading day in a time zone: its date ("2024-06-03") and the instant the next one starts.
 * Formatting a date in a zone costs about a microsecond, so `dayAt` does it only when the clock
 * has passed the next midnight; every other call is one comparison.
 */
export class TradingDay {
  readonly timezone: string;
  private readonly format: Intl.DateTimeFormat;
  private day = "";
  private start = Infinity;
  private next = -Infinity;

  constructor(timezone: string) {
    this.timezone = timezone;
    this.format = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
  }

  /** The date of the trading day `now` (epoch ms) falls in, as YYYY-MM-DD. */
  dayAt(now: number): string {
    if (now >= this.start && now < this.next) return this.day;
    const wall = this.wallClock(now);
    const midnight = Math.floor(wall / DAY_MS) * DAY_MS;
    this.day = new Date(midnight).toISOString().slice(0, 10);
    this.start = this.instantOf(midnight, now);
    this.next = this.instantOf(midnight + DAY_MS, now);
    return this.day;
  }

  /** The instant the day after `dayAt`'s starts. */
  get nextStart(): number {
    return this.next;
  }

  /** The wall-clock time at `t` in the zone, as if it were UTC (epoch ms). */
  private wallClock(t: number): number {
    const p: Record<string, number> = {};
    for (const part of this.format.formatToParts(t)) if (part.type !== "literal") p[part.type] = Number(part.value);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, t % 1000 < 0 ? 0 : Math.floor(t % 1000));
  }

  /** The instant whose wall-clock time is `wall`, using the zone's offset near `hint` and then near the answer (DST). */
  private instantOf(wall: number, hint: number): number {
    let t = wall - (this.wallClock(hint) - hint);
    t = wall - (this.wallClock(t) - t);
    return t;
  }
}

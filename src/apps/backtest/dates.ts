import { TickwireError } from "../../event/errors.js";

export const TW_BACKTEST_BAD_OPTION = "TW_BACKTEST_BAD_OPTION";

const DAY_MS = 86_400_000;

/** A time as epoch ms, a Date or ISO 8601 text; throws TW_BACKTEST_BAD_OPTION naming `what`. */
export function toEpochMs(value: number | Date | string, what: string): number {
  const ms = typeof value === "number" ? value : value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new TickwireError(TW_BACKTEST_BAD_OPTION, `${what} must be epoch ms, a Date or ISO 8601 text, got ${JSON.stringify(value)}.`);
  }
  return ms;
}

/** `YYYY-MM-DD` of a UTC day number (days since 1970-01-01). */
function isoDate(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The calendar date of epoch ms in one time zone, as `YYYY-MM-DD` (vnpy's `datetime.date()` of
 * a datetime carrying that tzinfo). Bars come in time order, so the answer is cached for the
 * whole local day it falls in: one Intl call per day, not per bar.
 */
export class DayClock {
  readonly timezone: string;
  private readonly utc: boolean;
  private readonly format: Intl.DateTimeFormat | null;
  private lo = Infinity;
  private hi = -Infinity;
  private key = "";

  constructor(timezone = "UTC") {
    this.timezone = timezone;
    this.utc = timezone === "UTC" || timezone === "Etc/UTC";
    try {
      this.format = this.utc
        ? null
        : new Intl.DateTimeFormat("en-CA", {
            timeZone: timezone,
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
            second: "2-digit",
            hourCycle: "h23",
          });
    } catch (err) {
      throw new TickwireError(TW_BACKTEST_BAD_OPTION, `Unknown time zone ${JSON.stringify(timezone)}: use an IANA name such as "UTC" or "Asia/Shanghai".`, {
        cause: err,
      });
    }
  }

  /** The last answer of `dateOf` holds for every instant in [from, to) (an empty range before the first). */
  get from(): number {
    return this.lo;
  }

  get to(): number {
    return this.hi;
  }

  /** The date of `ms` in the zone. */
  dateOf(ms: number): string {
    // Called for every bar: the cached case kept small to inline.
    return ms >= this.lo && ms < this.hi ? this.key : this.lookup(ms);
  }

  private lookup(ms: number): string {
    if (this.utc) {
      const day = Math.floor(ms / DAY_MS);
      this.lo = day * DAY_MS;
      this.hi = this.lo + DAY_MS;
      this.key = isoDate(day);
      return this.key;
    }
    const offset = this.offsetAt(ms);
    const local = ms + offset;
    const day = Math.floor(local / DAY_MS);
    this.key = isoDate(day);
    // The local day's bounds in UTC when one offset holds all day; on a DST change day, no cache.
    this.lo = day * DAY_MS - offset;
    this.hi = this.lo + DAY_MS;
    if (this.offsetAt(this.lo) !== offset || this.offsetAt(this.hi - 1) !== offset) {
      this.lo = ms;
      this.hi = ms + 1;
    }
    return this.key;
  }

  private offsetAt(ms: number): number {
    const parts = this.format!.formatToParts(new Date(ms));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)!.value);
    const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
    return asUtc - Math.floor(ms / 1000) * 1000;
  }
}

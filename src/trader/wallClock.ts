import { TickwireError } from "../event/errors.js";

/** Milliseconds of one minute, hour and day. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Gives the offset (local wall clock minus UTC, in ms) of an IANA time zone at an instant. */
export type OffsetOf = (epochMs: number) => number;

// Offsets change at most every quarter hour of UTC (zones move by 30 or 60 minutes, at whole or
// half hours), so one Intl call per 15-minute slot serves a whole run of bars.
const SLOT_MS = 15 * MINUTE_MS;

/**
 * The offset function of `timezone` ("UTC", "Asia/Shanghai", ...). Throws TW_TRADER_BAD_OPTION
 * for a name Intl does not know.
 */
export function offsetFinder(timezone: string): OffsetOf {
  if (timezone === "UTC" || timezone === "Etc/UTC") return () => 0;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch (cause) {
    throw new TickwireError("TW_TRADER_BAD_OPTION", `Unknown time zone ${JSON.stringify(timezone)}: give an IANA name such as "Asia/Shanghai" or "UTC".`, {
      cause,
      details: { timezone },
    });
  }
  let slot = Number.NaN;
  let offset = 0;
  return (epochMs: number): number => {
    const s = Math.floor(epochMs / SLOT_MS);
    if (s !== slot) {
      const at = s * SLOT_MS;
      const p: Record<string, number> = {};
      for (const part of format.formatToParts(at)) if (part.type !== "literal") p[part.type] = Number(part.value);
      offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at;
      slot = s;
    }
    return offset;
  };
}

/** `HH:MM` (24-hour) as minutes after midnight. */
export function parseClockTime(text: string, what: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) {
    throw new TickwireError("TW_TRADER_BAD_OPTION", `${what} must be a time of day as "HH:MM" (e.g. "15:00"), not ${JSON.stringify(text)}.`, {
      details: { [what]: text },
    });
  }
  return minutes;
}

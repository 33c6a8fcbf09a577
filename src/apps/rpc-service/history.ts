import { TickwireError } from "../../event/errors.js";
import { Interval } from "../../trader/constants.js";
import type { Awaitable } from "../../trader/BaseGateway.js";
import type { BarData, HistoryRequest } from "../../trader/objects.js";

/** Error code of a history request over the service's `maxHistoryBars`. */
export const HISTORY_TOO_LARGE = "TW_RPC_SERVICE_HISTORY_TOO_LARGE";

/** Default most bars per queryHistory call: about 10 MB of msgpack, under the 16 MiB message limit. */
export const DEFAULT_MAX_HISTORY_BARS = 50_000;

/** A bar is ~190 bytes of msgpack; the bound never lets a reply outgrow the message limit. */
const BAR_BYTES = 256;

const PERIOD_MS: Partial<Record<string, number>> = {
  [Interval.MINUTE]: 60_000,
  [Interval.HOUR]: 3_600_000,
  [Interval.DAILY]: 86_400_000,
  [Interval.WEEKLY]: 7 * 86_400_000,
};

/** Each page should hold the event loop for about this long (the gateway's synchronous work). */
const PAGE_TARGET_MS = 10;
const FIRST_PAGE_BARS = 64;
const MAX_PAGE_BARS = 10_000;

export type HistoryQuery = (req: HistoryRequest) => Awaitable<BarData[]>;

/** The bar limit the service applies: `maxHistoryBars`, lowered to what fits in `maxMessageSize`. */
export function historyLimit(maxHistoryBars: number | undefined, maxMessageSize: number): number {
  const limit = maxHistoryBars ?? DEFAULT_MAX_HISTORY_BARS;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new TickwireError("TW_RPC_SERVICE_BAD_OPTION", `maxHistoryBars must be a whole number >= 1, got ${String(maxHistoryBars)}.`);
  }
  return Math.max(1, Math.min(limit, Math.floor(maxMessageSize / BAR_BYTES)));
}

/**
 * Runs a history request bounded and in pages. The number of bars is known from the range
 * before any work: over `limit` it is refused at once. Otherwise the gateway is asked page by
 * page, each page sized from the last one's synchronous time (a simulated history computes every
 * bar on the event loop) and the loop is yielded between pages, so other callers and heartbeats
 * are served meanwhile. Pages split the range on multiples of the period, so each bar (a bar
 * belongs to the request holding its start) comes once, as in a single query.
 */
export async function queryHistoryPaged(req: HistoryRequest, limit: number, query: HistoryQuery): Promise<BarData[]> {
  const period = PERIOD_MS[req?.interval];
  // Ticks, a gateway's own interval, or a malformed range: one call, judged by MainEngine's
  // request checks and the gateway as before.
  if (period === undefined || !Number.isFinite(req.start) || !Number.isFinite(req.end) || req.end <= req.start) return await query(req);
  const bars = Math.ceil((req.end - req.start) / period);
  if (bars > limit) {
    throw new TickwireError(
      HISTORY_TOO_LARGE,
      `A history of ${bars} ${req.interval} bars is more than the ${limit} one call may ask for: ask for at most ${limit} bars (a shorter start..end) and page through the range.`,
      { details: { bars, limit } },
    );
  }
  const out: BarData[] = [];
  let pageBars = FIRST_PAGE_BARS;
  for (let from = req.start; from < req.end;) {
    const to = Math.min(req.end, (Math.floor(from / period) + pageBars) * period);
    const started = performance.now();
    const pending = query({ ...req, start: from, end: to });
    const syncMs = performance.now() - started;
    const page = await pending;
    for (let i = 0; i < page.length; i++) out.push(page[i]);
    from = to;
    // Grow at most 8× a page: a gateway that answers asynchronously quickly reaches the largest pages.
    pageBars = Math.max(1, Math.min(MAX_PAGE_BARS, Math.round((pageBars * PAGE_TARGET_MS) / Math.max(syncMs, PAGE_TARGET_MS / 8))));
    if (from < req.end) await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

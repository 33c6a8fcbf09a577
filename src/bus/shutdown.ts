import { TickwireError } from "../event/errors.js";

/** What both centers refuse with once closed. */
export function closedError(): TickwireError {
  return new TickwireError("TW_BUS_CLOSED", "The event center is closed: make a new one to publish or subscribe.");
}

/** Waits for `p`, or `ms` at most (close and unsubscribe must end even if a handler never does). */
export function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

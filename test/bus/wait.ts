/** Polling helpers for the bus tests: wait for a condition, failing (rather than hanging) if it never holds. */

export async function until(cond: () => boolean, what: string, timeoutMs = 20_000, everyMs = 5): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

import { isPromiseLike, type CtaStrategyClass, type CtaTemplate, type StrategySetting } from "../../strategy/CtaTemplate.js";

/** One strategy as the engine hosts it. */
export interface Hosted {
  strategy: CtaTemplate;
  cls: CtaStrategyClass;
  file: string | undefined;
  setting: StrategySetting;
  /** Callbacks run one at a time per strategy: an async one holds the next until it settles. */
  chain: Promise<void> | undefined;
  activeOrders: Set<string>;
  /** Why the strategy was stopped by the engine, if it was. */
  error: string | undefined;
}

/** What to do when a callback throws or rejects: stop the strategy; always answers false. */
export type OnStrategyError = (h: Hosted, what: string, err: unknown) => false;

/**
 * Runs one callback of a strategy; resolves true when it succeeded. While an async callback is
 * pending, the next one waits for it. After a failure (`h.error` set) only `onInit` runs again.
 */
export function callStrategy(h: Hosted, what: string, fn: () => unknown, failed: OnStrategyError): Promise<boolean> | boolean {
  const run = (): Promise<boolean> | boolean => {
    if (h.error !== undefined && what !== "onInit") return false;
    try {
      const r = fn();
      if (isPromiseLike(r)) {
        return Promise.resolve(r).then(
          () => true,
          (err: unknown) => failed(h, what, err),
        );
      }
      return true;
    } catch (err) {
      return failed(h, what, err);
    }
  };
  if (h.chain !== undefined) {
    const next = h.chain.then(run);
    holdChain(h, next);
    return next;
  }
  const r = run();
  if (isPromiseLike(r)) holdChain(h, r);
  return r;
}

/** Makes the strategy's next callback wait for `p`. */
export function holdChain(h: Hosted, p: Promise<boolean>): void {
  const chain = p.then(() => {
    if (h.chain === chain) h.chain = undefined;
  });
  h.chain = chain;
}

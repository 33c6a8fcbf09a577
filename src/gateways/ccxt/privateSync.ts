import type { Order as CcxtOrder } from "ccxt";
import { ACTIVE_STATUSES, LogLevel } from "../../trader/constants.js";
import { pushBalances } from "./account.js";
import { mapCcxtError } from "./errors.js";
import type { OrderTracker } from "./orders.js";
import type { CcxtSession } from "./session.js";

/**
 * The private side of the ccxt gateway: the order, trade and balance streams (the order stream
 * is the one that reconnects; the others wait while it does) and the REST reconciliation of
 * orders and trades after every reconnect, every `reconcileIntervalMs` and on request — trades
 * since the last one with a minute of overlap (the tracker dedupes them by id).
 */
export class PrivateSync {
  /** Trades since this time are asked for on the next reconciliation. */
  private tradeSyncFrom = 0;
  private reconciling: Promise<void> | undefined;
  /** While the private stream is being re-established, the other private watches wait here (one subscriber at a time). */
  private privateGate: { promise: Promise<void>; open: () => void } | undefined;

  constructor(
    private readonly s: CcxtSession,
    private readonly orders: OrderTracker,
  ) {}

  /** Trades from now on are asked for by the next reconciliation (connect). */
  markSynced(): void {
    this.tradeSyncFrom = Date.now();
  }

  /** Lets the watches waiting for the private stream go (close). */
  release(): void {
    const g = this.privateGate;
    this.privateGate = undefined;
    g?.open();
  }

  start(gen: number): void {
    const s = this.s;
    const ex = s.ex!;
    if (!ex.has.watchOrders) return;
    const authenticate = (ex as unknown as { authenticate?: (p?: Record<string, unknown>) => Promise<unknown> }).authenticate;
    const closeGate = () => {
      if (this.privateGate) return;
      let open = () => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      this.privateGate = { promise, open };
    };
    const gate = async () => {
      while (this.privateGate && s.gen === gen) await this.privateGate.promise;
    };
    void s.runLoop(
      "private stream",
      gen,
      async () => {
        const list = await ex.watchOrders();
        if (s.gen !== gen) return;
        for (const o of list) this.orders.applyOrder(o);
      },
      {
        onFail: closeGate,
        onBack: () => this.release(),
        // Subscribed again first, then everything that happened meanwhile from REST: no fill is missed.
        recover: async () => {
          await s.restReady();
          if (typeof authenticate === "function") await authenticate.call(ex, { type: s.cfg!.marketType });
          await this.reconcile("reconnected", gen, true);
        },
      },
    );
    if (ex.has.watchMyTrades) {
      void s.runLoop(
        "trades stream",
        gen,
        async () => {
          await gate();
          const list = await ex.watchMyTrades();
          if (s.gen !== gen) return;
          for (const t of list) this.orders.applyTrade(t);
        },
        { silent: true },
      );
    }
    if (ex.has.watchBalance) {
      void s.runLoop(
        "balance stream",
        gen,
        async () => {
          await gate();
          const b = await ex.watchBalance();
          if (s.gen !== gen) return;
          pushBalances(s, b);
        },
        { silent: true },
      );
    }
  }

  /** One reconciliation at a time: a call while one runs joins it. Errors are logged unless `throwErrors`. */
  reconcile(reason: string, gen: number, throwErrors: boolean): Promise<void> {
    if (!this.reconciling) {
      this.reconciling = this.doReconcile(reason, gen).finally(() => {
        this.reconciling = undefined;
      });
    }
    return throwErrors
      ? this.reconciling
      : this.reconciling.catch((e) => this.s.gw.writeLog(mapCcxtError(e, "reconcile", this.s.secrets).message, LogLevel.WARNING));
  }

  private async doReconcile(reason: string, gen: number): Promise<void> {
    const s = this.s;
    const ex = s.ex;
    if (!ex || !s.hasKeys() || s.gen !== gen) return;
    await s.restReady();
    const started = Date.now();
    const since = this.tradeSyncFrom;
    const open = await this.fetchOpenOrders();
    if (s.gen !== gen) return;
    const openIds = new Set(open.map((o) => String(o.id)));
    for (const o of open) this.orders.applyOrder(o);
    const touched = new Set<string>();
    for (const state of this.orders.states()) {
      if (state.unknownFate) {
        await this.orders.resolveUnknown(state, gen);
        continue;
      }
      if (!ACTIVE_STATUSES.has(state.data.status) || state.exchangeId === undefined) continue;
      touched.add(state.unified);
      if (openIds.has(state.exchangeId)) continue;
      // Active here, not open there: it finished while the stream was away.
      const o = await ex.fetchOrder(state.exchangeId, state.unified);
      if (s.gen !== gen) return;
      this.orders.applyOrder(o, state);
    }
    for (const o of open) if (o.symbol) touched.add(o.symbol);
    for (const state of this.orders.states()) if (state.data.datetime >= since - 60_000) touched.add(state.unified);
    if (ex.has.fetchMyTrades) {
      for (const unified of touched) {
        // A minute of overlap: the ids dedupe what was seen already.
        const trades = await ex.fetchMyTrades(unified, Math.max(0, since - 60_000));
        if (s.gen !== gen) return;
        for (const t of trades) this.orders.applyTrade(t);
      }
    }
    this.tradeSyncFrom = started;
    if (reason !== "periodic check") s.gw.writeLog(`Reconciled orders and trades over REST (${reason}): ${open.length} open orders, ${touched.size} symbols.`);
  }

  /** The open orders of the traded symbols (of all symbols at once where the exchange allows it). */
  async fetchOpenOrders(): Promise<CcxtOrder[]> {
    const s = this.s;
    const ex = s.ex!;
    if (!ex.has.fetchOpenOrders) return [];
    const symbols = s.cfg!.symbols;
    if (symbols.length === 0 || s.cfg!.exchange === "binance") return ex.fetchOpenOrders();
    const out: CcxtOrder[] = [];
    for (const sym of s.map!.symbols()) out.push(...(await ex.fetchOpenOrders(s.map!.unifiedOf(sym))));
    return out;
  }
}

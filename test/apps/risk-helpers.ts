import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RiskApp, type RiskEngine } from "../../src/apps/risk/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import {
  Direction,
  Exchange,
  MainEngine,
  Offset,
  OrderType,
  Product,
  createContract,
  createOrderRequest,
  createPosition,
  createTick,
  type OrderRequest,
} from "../../src/trader/index.js";
import { DeskGateway } from "../trader/desk.js";

/** 2024-01-02 10:00 UTC: the clock the risk engine reads in these tests. */
export const T0 = Date.UTC(2024, 0, 2, 10);

export interface Desk {
  main: MainEngine;
  gw: DeskGateway;
  risk: RiskEngine;
  clock: { now: number };
  /** Calls that reached the gateway, after setup. */
  sent: () => string[];
}

/** A MainEngine with the hand-operated desk gateway, contract X.SIM (tick 0.5, size 10) at last price 100, and the risk app. */
export async function deskWithRisk(): Promise<Desk> {
  const main = new MainEngine(undefined, { log: false });
  const gw = main.addGateway(DeskGateway);
  await main.connect({}, "DESK");
  gw.onContract(createContract({ gatewayName: "DESK", symbol: "X", exchange: Exchange.SIM, name: "X", product: Product.FUTURES, size: 10, priceTick: 0.5 }));
  gw.onContract(createContract({ gatewayName: "DESK", symbol: "Y", exchange: Exchange.SIM, name: "Y", product: Product.FUTURES, size: 1, priceTick: 1 }));
  gw.onTick(createTick({ gatewayName: "DESK", symbol: "X", exchange: Exchange.SIM, datetime: T0, lastPrice: 100 }));
  gw.onTick(createTick({ gatewayName: "DESK", symbol: "Y", exchange: Exchange.SIM, datetime: T0, lastPrice: 100 }));
  const risk = main.addApp(RiskApp);
  const clock = { now: T0 };
  risk.now = () => clock.now;
  await main.eventEngine.waitForIdle();
  gw.calls.length = 0;
  return { main, gw, risk, clock, sent: () => gw.calls.filter((c) => c.startsWith("sendOrder")) };
}

export function order(over: Partial<OrderRequest> & { symbol?: string } = {}): OrderRequest {
  const base = createOrderRequest({
    symbol: over.symbol ?? "X",
    exchange: Exchange.SIM,
    direction: over.direction ?? Direction.LONG,
    type: over.type ?? OrderType.LIMIT,
    volume: over.volume ?? 1,
    price: over.price ?? 100,
    offset: over.offset ?? Offset.NONE,
  });
  return { ...base, ...over, vtSymbol: base.vtSymbol };
}

/** Pushes a position of X as the gateway would. */
export function position(d: Desk, direction: Direction, volume: number, symbol = "X"): void {
  d.gw.onPosition(createPosition({ gatewayName: "DESK", symbol, exchange: Exchange.SIM, direction, volume }));
}

/** Asserts that `fn` throws the TickwireError `code` (returns its details). */
export function assertRefused(fn: () => unknown, code: string): Record<string, unknown> {
  let details: Record<string, unknown> | undefined;
  assert.throws(fn, (e: unknown) => {
    if (!isTickwireError(e, code)) return false;
    details = e.details;
    return true;
  });
  return details ?? {};
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "tickwire-risk-"));
}

import { Direction, Offset, OrderType } from "../trader/constants.js";
import { createCancelRequest, createOrderRequest, type ContractData, type OrderRequest, type TickData } from "../trader/objects.js";
import type { MainEngine } from "../trader/MainEngine.js";

/** How long a demonstration order may rest before the demo cancels it. */
const STALE_MS = 6000;

/**
 * Places demonstration orders through `main` so that orders, trades and positions move in the
 * console view: passive limits that rest and fill later, market and FAK orders that fill at once,
 * stops, closes of what it holds, and cancels of orders that rested too long. Every `intervalMs`
 * it takes the next step of a fixed cycle on the next instrument. Returns a stop function.
 */
export function startDemoOrders(main: MainEngine, gatewayName: string, intervalMs = 1500): () => void {
  let step = 0;
  let instrument = 0;
  const send = (req: OrderRequest) => {
    try {
      void Promise.resolve(main.sendOrder(req, gatewayName)).catch((e: unknown) => main.writeLog(`demo order failed: ${String(e)}`, "demo"));
    } catch (e) {
      main.writeLog(`demo order failed: ${String(e)}`, "demo");
    }
  };
  const order = (c: ContractData, t: TickData, direction: Direction, type: OrderType, price: number, lots: number, offset: Offset = Offset.OPEN) =>
    send(
      createOrderRequest({
        symbol: c.symbol,
        exchange: c.exchange,
        direction,
        type,
        price,
        volume: Math.round(lots * c.minVolume * 1e8) / 1e8,
        offset: c.netPosition ? Offset.NONE : offset,
        reference: "demo",
      }),
    );

  const act = (): void => {
    const contracts = main.getAllContracts().filter((c) => c.gatewayName === gatewayName && main.getTick(c.vtSymbol));
    if (contracts.length === 0) return;
    const c = contracts[instrument++ % contracts.length];
    const t = main.getTick(c.vtSymbol)!;
    const lots = c.size >= 100 || c.minVolume >= 100 ? 1 : c.minVolume < 1 ? 50 : 2;
    const kind = step++ % 6;
    switch (kind) {
      case 0: // a passive bid that rests until the market comes down to it
        order(c, t, Direction.LONG, OrderType.LIMIT, t.bidPrice1, lots);
        break;
      case 1: // take the offer now
        order(c, t, Direction.LONG, OrderType.MARKET, 0, lots);
        break;
      case 2: // a buy stop a few ticks above the market
        order(c, t, Direction.LONG, OrderType.STOP, Math.round((t.lastPrice + 3 * c.priceTick) / c.priceTick) * c.priceTick, lots);
        break;
      case 3: // futures: sell short with FAK at the bid
        if (!c.netPosition) order(c, t, Direction.SHORT, OrderType.FAK, t.bidPrice1, lots);
        else order(c, t, Direction.LONG, OrderType.FAK, t.askPrice1, lots);
        break;
      default: {
        // close what is held on this instrument
        for (const p of main.getAllPositions()) {
          if (p.vtSymbol !== c.vtSymbol || p.volume - p.frozen <= 0) continue;
          const direction = p.direction === Direction.SHORT ? Direction.LONG : Direction.SHORT;
          const volume = p.volume - p.frozen;
          send(
            createOrderRequest({
              symbol: c.symbol,
              exchange: c.exchange,
              direction,
              type: OrderType.MARKET,
              volume: Math.round(volume * 1e8) / 1e8,
              offset: c.netPosition ? Offset.NONE : Offset.CLOSE,
              reference: "demo",
            }),
          );
        }
      }
    }
    const now = t.datetime;
    for (const o of main.getAllActiveOrders()) {
      if (o.gatewayName === gatewayName && o.reference === "demo" && now - o.datetime > STALE_MS) {
        try {
          void Promise.resolve(main.cancelOrder(createCancelRequest(o), gatewayName)).catch(() => {});
        } catch {
          // Finished in the meantime: nothing to cancel.
        }
      }
    }
  };
  const timer = setInterval(act, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

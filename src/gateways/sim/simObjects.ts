import { vtOrderidOf, vtTradeidOf } from "../../trader/ids.js";
import { createPosition, type AccountData, type OrderData, type PositionData, type TickData, type TradeData } from "../../trader/objects.js";
import type { InstrumentMarket } from "./InstrumentMarket.js";
import type { SimAccount, SimPosition } from "./SimAccount.js";
import type { SimOrder, SimTrade } from "./SimOrder.js";

// The paper exchange's state as trader objects: snapshots with the same keys in the same order as
// the create* factories (one object shape for the engine's handlers).

/** The market's current state as a TickData (same keys, same order as createTick: one object shape). */
export function tickOf(gatewayName: string, m: InstrumentMarket): TickData {
  const i = m.instrument;
  const bp = m.bidPrice;
  const ap = m.askPrice;
  const bv = m.bidVolume;
  const av = m.askVolume;
  return {
    gatewayName: gatewayName,
    symbol: i.symbol,
    exchange: i.exchange,
    vtSymbol: m.vtSymbol,
    datetime: m.time,
    name: i.name,
    volume: m.volume,
    turnover: m.turnover,
    openInterest: m.openInterest,
    lastPrice: m.lastPrice,
    lastVolume: m.lastVolume,
    limitUp: m.limitUp,
    limitDown: m.limitDown,
    openPrice: m.openPrice,
    highPrice: m.highPrice,
    lowPrice: m.lowPrice,
    preClose: m.preClose,
    bidPrice1: bp[0],
    bidPrice2: bp[1],
    bidPrice3: bp[2],
    bidPrice4: bp[3],
    bidPrice5: bp[4],
    askPrice1: ap[0],
    askPrice2: ap[1],
    askPrice3: ap[2],
    askPrice4: ap[3],
    askPrice5: ap[4],
    bidVolume1: bv[0],
    bidVolume2: bv[1],
    bidVolume3: bv[2],
    bidVolume4: bv[3],
    bidVolume5: bv[4],
    askVolume1: av[0],
    askVolume2: av[1],
    askVolume3: av[2],
    askVolume4: av[3],
    askVolume5: av[4],
  };
}

/** A snapshot of the order (same keys and order as createOrder). */
export function orderData(gatewayName: string, o: SimOrder): OrderData {
  if (o.vtOrderid === "") o.vtOrderid = vtOrderidOf(gatewayName, o.orderid);
  return {
    gatewayName: gatewayName,
    symbol: o.symbol,
    exchange: o.exchange,
    vtSymbol: o.vtSymbol,
    orderid: o.orderid,
    vtOrderid: o.vtOrderid,
    type: o.type,
    direction: o.direction,
    offset: o.offset,
    price: o.price,
    volume: o.volume,
    traded: o.traded,
    status: o.status,
    datetime: o.market ? o.market.time : o.time,
    reference: o.reference,
    statusMsg: o.reason,
  };
}

export function tradeData(gatewayName: string, t: SimTrade): TradeData {
  const o = t.order;
  return {
    gatewayName: gatewayName,
    symbol: o.symbol,
    exchange: o.exchange,
    vtSymbol: o.vtSymbol,
    orderid: o.orderid,
    vtOrderid: o.vtOrderid,
    tradeid: t.tradeid,
    vtTradeid: vtTradeidOf(gatewayName, t.tradeid),
    direction: o.direction,
    offset: o.offset,
    price: t.price,
    volume: t.volume,
    datetime: t.time,
  };
}

export function positionData(gatewayName: string, p: SimPosition): PositionData {
  const i = p.market.instrument;
  return createPosition({
    gatewayName: gatewayName,
    symbol: i.symbol,
    exchange: i.exchange,
    direction: p.direction,
    volume: p.volume,
    frozen: p.frozen,
    price: p.price,
    pnl: p.pnl,
    ydVolume: 0,
  });
}

export function accountData(gatewayName: string, vtAccountid: string, a: SimAccount): AccountData {
  const balance = a.balance;
  const frozen = a.frozen;
  return { gatewayName: gatewayName, accountid: a.accountid, vtAccountid: vtAccountid, balance, frozen, available: balance - frozen };
}

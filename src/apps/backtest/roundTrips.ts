import { Direction } from "../../trader/constants.js";
import type { TradeData } from "../../trader/objects.js";

/** One entry matched with its exit (first in, first out). */
export interface RoundTrip {
  /** LONG: bought then sold; SHORT: sold then bought. */
  direction: typeof Direction.LONG | typeof Direction.SHORT;
  volume: number;
  entryTime: number;
  entryPrice: number;
  entryTradeid: string;
  exitTime: number;
  exitPrice: number;
  exitTradeid: string;
  /** (exit − entry) × volume × size, sign by direction. */
  pnl: number;
  /** Commission and slippage of both fills, for this volume. */
  cost: number;
  netPnl: number;
  holdingMs: number;
}

export interface TradeAnalysis {
  roundTrips: RoundTrip[];
  count: number;
  winning: number;
  losing: number;
  /** winning / count (0 when there are none). */
  winRate: number;
  grossProfit: number;
  grossLoss: number;
  /** grossProfit / |grossLoss|; 0 without losses. */
  profitFactor: number;
  averageWin: number;
  averageLoss: number;
  averageNetPnl: number;
  largestWin: number;
  largestLoss: number;
  maxWinStreak: number;
  maxLossStreak: number;
  averageHoldingMs: number;
  /** Volume still open at the end (signed), not in any round trip. */
  openVolume: number;
}

interface Lot {
  trade: TradeData;
  volume: number;
}

/**
 * Pair fills into round trips FIFO and summarize them by net P&L (after commission and
 * slippage): what vnpy 1 printed and vnpy 2 dropped. Offsets are ignored: a fill against the
 * open position closes it, the rest opens the other way.
 */
export function analyzeTrades(trades: readonly TradeData[], o: { size: number; rate: number; slippage: number }): TradeAnalysis {
  const lots: Lot[] = [];
  let side = 0; // +1 long, -1 short, 0 flat
  const trips: RoundTrip[] = [];
  for (const t of trades) {
    const dir = t.direction === Direction.LONG ? 1 : -1;
    let left = t.volume;
    while (left > 0 && side === -dir && lots.length > 0) {
      const lot = lots[0];
      const v = Math.min(left, lot.volume);
      const entry = lot.trade;
      const pnl = (t.price - entry.price) * v * o.size * side;
      const cost = (entry.price + t.price) * v * o.size * o.rate + 2 * v * o.size * o.slippage;
      trips.push({
        direction: side > 0 ? Direction.LONG : Direction.SHORT,
        volume: v,
        entryTime: entry.datetime,
        entryPrice: entry.price,
        entryTradeid: entry.tradeid,
        exitTime: t.datetime,
        exitPrice: t.price,
        exitTradeid: t.tradeid,
        pnl,
        cost,
        netPnl: pnl - cost,
        holdingMs: t.datetime - entry.datetime,
      });
      lot.volume -= v;
      left -= v;
      if (lot.volume <= 0) lots.shift();
      if (lots.length === 0) side = 0;
    }
    if (left > 0) {
      lots.push({ trade: t, volume: left });
      side = dir;
    }
  }

  let winning = 0;
  let losing = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let largestWin = 0;
  let largestLoss = 0;
  let net = 0;
  let holding = 0;
  let streak = 0;
  let maxWinStreak = 0;
  let maxLossStreak = 0;
  for (const r of trips) {
    net += r.netPnl;
    holding += r.holdingMs;
    if (r.netPnl > 0) {
      winning++;
      grossProfit += r.netPnl;
      largestWin = Math.max(largestWin, r.netPnl);
      streak = streak > 0 ? streak + 1 : 1;
      maxWinStreak = Math.max(maxWinStreak, streak);
    } else if (r.netPnl < 0) {
      losing++;
      grossLoss += r.netPnl;
      largestLoss = Math.min(largestLoss, r.netPnl);
      streak = streak < 0 ? streak - 1 : -1;
      maxLossStreak = Math.max(maxLossStreak, -streak);
    } else {
      streak = 0;
    }
  }
  const count = trips.length;
  let openVolume = 0;
  for (const l of lots) openVolume += l.volume * side;
  return {
    roundTrips: trips,
    count,
    winning,
    losing,
    winRate: count ? winning / count : 0,
    grossProfit,
    grossLoss,
    profitFactor: grossLoss !== 0 ? grossProfit / -grossLoss : 0,
    averageWin: winning ? grossProfit / winning : 0,
    averageLoss: losing ? grossLoss / losing : 0,
    averageNetPnl: count ? net / count : 0,
    largestWin,
    largestLoss,
    maxWinStreak,
    maxLossStreak,
    averageHoldingMs: count ? holding / count : 0,
    openVolume,
  };
}

import type { DailyResult } from "./DailyResult.js";
import { ewmMeanLast, ewmStdLast, kurt, mean, pairwiseSum, skew, stdBottleneck } from "./numeric.js";

/** vnpy's 28 statistics, camelCased; dates `YYYY-MM-DD` ("" when there are none). */
export interface BacktestStatistics {
  startDate: string;
  endDate: string;
  totalDays: number;
  profitDays: number;
  lossDays: number;
  capital: number;
  endBalance: number;
  maxDrawdown: number;
  maxDdpercent: number;
  maxDrawdownDuration: number;
  totalNetPnl: number;
  dailyNetPnl: number;
  totalCommission: number;
  dailyCommission: number;
  totalSlippage: number;
  dailySlippage: number;
  totalTurnover: number;
  dailyTurnover: number;
  totalTradeCount: number;
  dailyTradeCount: number;
  totalReturn: number;
  annualReturn: number;
  dailyReturn: number;
  returnStd: number;
  sharpeRatio: number;
  ewmSharpe: number;
  returnDrawdownRatio: number;
  rgrRatio: number;
}

export interface StatisticsOptions {
  capital: number;
  riskFree: number;
  annualDays: number;
  halfLife: number;
}

/** Every statistic zero and the dates empty: no days, or the balance reached 0. */
export function emptyStatistics(capital: number): BacktestStatistics {
  return {
    startDate: "",
    endDate: "",
    totalDays: 0,
    profitDays: 0,
    lossDays: 0,
    capital,
    endBalance: 0,
    maxDrawdown: 0,
    maxDdpercent: 0,
    maxDrawdownDuration: 0,
    totalNetPnl: 0,
    dailyNetPnl: 0,
    totalCommission: 0,
    dailyCommission: 0,
    totalSlippage: 0,
    dailySlippage: 0,
    totalTurnover: 0,
    dailyTurnover: 0,
    totalTradeCount: 0,
    dailyTradeCount: 0,
    totalReturn: 0,
    annualReturn: 0,
    dailyReturn: 0,
    returnStd: 0,
    sharpeRatio: 0,
    ewmSharpe: 0,
    returnDrawdownRatio: 0,
    rgrRatio: 0,
  };
}

const DAY_MS = 86_400_000;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

function column(days: readonly DailyResult[], key: keyof DailyResult): Float64Array {
  const out = new Float64Array(days.length);
  for (let i = 0; i < days.length; i++) out[i] = days[i][key] as number;
  return out;
}

/** A return-to-risk score of vnpy 4 (`rgr_ratio`): log growth × stability, over a blend of risks. */
function rgrRatio(returns: Float64Array, annualReturn: number, returnStd: number, maxDdpercent: number): number {
  const cagr = annualReturn / 100;
  const stability = returnStd > 0 ? 1 / (1 + returnStd / 100) : 0;
  const neg = returns.map((r) => {
    const m = Math.min(r, 0);
    return m * m;
  });
  const downside = Math.sqrt(mean(neg)) * Math.sqrt(252);
  const sk = skew(returns);
  const ku = kurt(returns);
  const k = Math.ceil(0.05 * returns.length);
  const lowest = Float64Array.from(returns).sort().subarray(0, k);
  const cvar = mean(lowest);
  const gain = cagr > 0 ? Math.log(1 + cagr) : -Math.log(1 - cagr);
  const mdd = Math.abs(maxDdpercent);
  let risk = 0.5 * Math.max(downside, 1e-6) + (0.3 * mdd) / 100 + 0.2 * (cvar !== 0 && !Number.isNaN(cvar) ? Math.abs(cvar) : mdd / 200);
  risk = Math.max(risk, 1e-9);
  return (gain * stability * (1 + 0.1 * Math.tanh(sk))) / (1 + 0.05 * Math.max(ku - 3, 0)) / risk;
}

/**
 * vnpy's `calculate_statistics` over daily rows whose balance columns are filled, with its
 * formulas and numpy/pandas' summation orders; every ±Infinity and NaN reported as 0.
 */
export function calculateStatistics(days: readonly DailyResult[], o: StatisticsOptions): BacktestStatistics {
  const n = days.length;
  if (n === 0 || days.some((d) => !(d.balance > 0))) return emptyStatistics(o.capital);

  const netPnl = column(days, "netPnl");
  const returns = column(days, "return");
  const endBalance = days[n - 1].balance;

  let ddIdx = 0;
  let maxDdpercent = Infinity;
  for (let i = 0; i < n; i++) {
    if (days[i].drawdown < days[ddIdx].drawdown) ddIdx = i;
    if (days[i].ddpercent < maxDdpercent) maxDdpercent = days[i].ddpercent;
  }
  let peakIdx = 0;
  for (let i = 0; i <= ddIdx; i++) if (days[i].balance > days[peakIdx].balance) peakIdx = i;

  const totalNetPnl = pairwiseSum(netPnl);
  const totalCommission = pairwiseSum(column(days, "commission"));
  const totalSlippage = pairwiseSum(column(days, "slippage"));
  const totalTurnover = pairwiseSum(column(days, "turnover"));
  let totalTradeCount = 0;
  for (const d of days) totalTradeCount += d.tradeCount;

  const totalReturn = (endBalance / o.capital - 1) * 100;
  const annualReturn = (totalReturn / n) * o.annualDays;
  const dailyReturn = mean(returns) * 100;
  const returnStd = stdBottleneck(returns) * 100;
  const sqrtDays = Math.sqrt(o.annualDays);
  const dailyRiskFree = o.riskFree / sqrtDays;

  let sharpeRatio = 0;
  let ewmSharpe = 0;
  // Python truthiness: NaN counts as true.
  if (returnStd !== 0) {
    sharpeRatio = ((dailyReturn - dailyRiskFree) / returnStd) * sqrtDays;
    const ewmMean = ewmMeanLast(returns, o.halfLife) * 100;
    const ewmStd = ewmStdLast(returns, o.halfLife) * 100;
    ewmSharpe = ((ewmMean - dailyRiskFree) / ewmStd) * sqrtDays;
  }
  const returnDrawdownRatio = maxDdpercent ? -totalReturn / maxDdpercent : 0;

  const stats: BacktestStatistics = {
    startDate: days[0].date,
    endDate: days[n - 1].date,
    totalDays: n,
    profitDays: days.filter((d) => d.netPnl > 0).length,
    lossDays: days.filter((d) => d.netPnl < 0).length,
    capital: o.capital,
    endBalance,
    maxDrawdown: days[ddIdx].drawdown,
    maxDdpercent,
    maxDrawdownDuration: daysBetween(days[peakIdx].date, days[ddIdx].date),
    totalNetPnl,
    dailyNetPnl: totalNetPnl / n,
    totalCommission,
    dailyCommission: totalCommission / n,
    totalSlippage,
    dailySlippage: totalSlippage / n,
    totalTurnover,
    dailyTurnover: totalTurnover / n,
    totalTradeCount,
    dailyTradeCount: totalTradeCount / n,
    totalReturn,
    annualReturn,
    dailyReturn,
    returnStd,
    sharpeRatio,
    ewmSharpe,
    returnDrawdownRatio,
    rgrRatio: rgrRatio(returns, annualReturn, returnStd, maxDdpercent),
  };
  const rec = stats as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(rec)) if (typeof v === "number" && !Number.isFinite(v)) rec[k] = 0;
  return stats;
}

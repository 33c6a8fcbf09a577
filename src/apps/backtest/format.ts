import type { BacktestStatistics } from "./statistics.js";
import type { TradeAnalysis } from "./roundTrips.js";

type Kind = "text" | "int" | "money" | "pct" | "num";

const ROWS: [keyof BacktestStatistics, string, Kind][] = [
  ["startDate", "First trading day", "text"],
  ["endDate", "Last trading day", "text"],
  ["totalDays", "Trading days", "int"],
  ["profitDays", "Profit days", "int"],
  ["lossDays", "Loss days", "int"],
  ["capital", "Capital", "money"],
  ["endBalance", "End balance", "money"],
  ["totalReturn", "Total return", "pct"],
  ["annualReturn", "Annual return", "pct"],
  ["maxDrawdown", "Max drawdown", "money"],
  ["maxDdpercent", "Max drawdown %", "pct"],
  ["maxDrawdownDuration", "Longest drawdown (days)", "int"],
  ["totalNetPnl", "Total net P&L", "money"],
  ["totalCommission", "Total commission", "money"],
  ["totalSlippage", "Total slippage", "money"],
  ["totalTurnover", "Total turnover", "money"],
  ["totalTradeCount", "Total trades", "int"],
  ["dailyNetPnl", "Daily net P&L", "money"],
  ["dailyCommission", "Daily commission", "money"],
  ["dailySlippage", "Daily slippage", "money"],
  ["dailyTurnover", "Daily turnover", "money"],
  ["dailyTradeCount", "Daily trades", "num"],
  ["dailyReturn", "Daily return", "pct"],
  ["returnStd", "Return std", "pct"],
  ["sharpeRatio", "Sharpe ratio", "num"],
  ["ewmSharpe", "EWM Sharpe", "num"],
  ["returnDrawdownRatio", "Return / drawdown", "num"],
  ["rgrRatio", "RGR ratio", "num"],
];

const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function show(v: number | string, kind: Kind): string {
  if (typeof v === "string") return v || "-";
  switch (kind) {
    case "int":
      return String(v);
    case "pct":
      return `${money.format(v)}%`;
    default:
      return money.format(v);
  }
}

/** The statistics (and the round-trip summary, when given) as an aligned two-column text table. */
export function formatStatistics(stats: BacktestStatistics, trades?: TradeAnalysis): string {
  const rows: [string, string][] = ROWS.map(([key, label, kind]) => [label, show(stats[key], kind)]);
  if (trades) {
    rows.push(
      ["Round trips", String(trades.count)],
      ["Win rate", `${money.format(trades.winRate * 100)}%`],
      ["Profit factor", money.format(trades.profitFactor)],
      ["Average win", money.format(trades.averageWin)],
      ["Average loss", money.format(trades.averageLoss)],
      ["Largest win", money.format(trades.largestWin)],
      ["Largest loss", money.format(trades.largestLoss)],
      ["Longest win streak", String(trades.maxWinStreak)],
      ["Longest loss streak", String(trades.maxLossStreak)],
      ["Average holding (min)", money.format(trades.averageHoldingMs / 60_000)],
    );
  }
  const w1 = Math.max(...rows.map((r) => r[0].length));
  const w2 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b]) => `${a.padEnd(w1)}  ${b.padStart(w2)}`).join("\n");
}

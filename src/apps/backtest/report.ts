/**
 * The HTML report of a backtest: one self-contained file (lightweight-charts inlined, the data
 * as JSON), so it opens from disk with no network and stays responsive over long histories.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { BarData, TradeData } from "../../trader/objects.js";
import type { StrategySetting } from "../../strategy/CtaTemplate.js";
import type { BacktestingEngine } from "./BacktestingEngine.js";
import { formatStatistics } from "./format.js";

export interface ReportOptions {
  /** Page title; default: the strategy class and symbol. */
  title?: string;
  /** The setting shown as parameters; default: what addStrategy got. */
  setting?: StrategySetting;
  /** Skip the candlestick chart (its data is most of the file for long histories). */
  candles?: boolean;
}

let chartLibrary: string | undefined;

function library(): string {
  const require = createRequire(import.meta.url);
  // The package exports only its ESM build; the standalone (global) build sits beside package.json.
  const dir = dirname(require.resolve("lightweight-charts/package.json"));
  return (chartLibrary ??= readFileSync(join(dir, "dist", "lightweight-charts.standalone.production.js"), "utf8"));
}

/** buy / sell / short / cover, from direction and offset (net positions: by direction). */
export function tradeKind(t: TradeData): "buy" | "sell" | "short" | "cover" {
  const closing = t.offset !== "OPEN" && t.offset !== "NONE";
  if (t.direction === "LONG") return closing ? "cover" : "buy";
  return closing ? "sell" : "short";
}

/** JSON safe inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Build the report's HTML for the last run of `engine` (after calculateResult()). */
export async function renderReport(engine: BacktestingEngine, options: ReportOptions = {}): Promise<string> {
  const p = engine.getParameters();
  const { className, setting } = engine.getStrategySetting();
  const stats = engine.calculateStatistics();
  const analysis = engine.analyzeTrades();
  const days = engine.getAllDailyResults();
  const trades = engine.getAllTrades();
  const bars: BarData[] = options.candles === false ? [] : await engine.getReplayedBars();
  const title = options.title ?? `${className} ${p.vtSymbol}`;
  const statRows = formatStatistics(stats, analysis)
    .split("\n")
    .map((line) => line.split(/\s{2,}/));
  const shownSetting = options.setting ?? setting;
  const paramRows: [string, string][] = [
    ["strategy", className],
    ...Object.entries(shownSetting).map(([k, v]): [string, string] => [k, String(v)]),
    ["vtSymbol", p.vtSymbol],
    ["interval", p.interval],
    ["start", Number.isFinite(p.start) ? new Date(p.start).toISOString() : "(first datum)"],
    ["end", Number.isFinite(p.end) ? new Date(p.end).toISOString() : "(last datum)"],
    ["rate", String(p.rate)],
    ["slippage", String(p.slippage)],
    ["size", String(p.size)],
    ["pricetick", String(p.pricetick)],
    ["capital", String(p.capital)],
    ["timezone", p.timezone],
    ["fillModel", p.fillModel],
  ];
  const data = {
    // Columns, not objects: a fifth of the size for half a million bars.
    bars: {
      t: bars.map((b) => Math.floor(b.datetime / 1000)),
      o: bars.map((b) => b.openPrice),
      h: bars.map((b) => b.highPrice),
      l: bars.map((b) => b.lowPrice),
      c: bars.map((b) => b.closePrice),
    },
    trades: trades.map((t) => [Math.floor(t.datetime / 1000), tradeKind(t), t.price, t.volume]),
    trips: analysis.roundTrips.map((r) => [Math.floor(r.entryTime / 1000), r.entryPrice, Math.floor(r.exitTime / 1000), r.exitPrice, r.netPnl]),
    days: days.map((d) => [d.date, d.balance, d.drawdown, d.netPnl]),
  };
  const table = (rows: string[][]) => rows.map((r) => `<tr><th>${escapeHtml(r[0] ?? "")}</th><td>${escapeHtml(r[1] ?? "")}</td></tr>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#fafafa;color:#222}
header{padding:12px 20px;background:#1f2933;color:#fff}h1{font-size:18px;margin:0}
main{display:grid;grid-template-columns:320px 1fr;gap:16px;padding:16px}
aside table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:16px}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;font-weight:normal}td{text-align:right;font-variant-numeric:tabular-nums}
h2{font-size:14px;margin:12px 0 4px}.chart{height:220px;background:#fff}#candles{height:420px}
.legend span{margin-right:12px}.buy{color:#1a7f37}.sell{color:#d97706}.short{color:#cf222e}.cover{color:#0969da}
</style></head><body>
<header><h1>${escapeHtml(title)}</h1></header>
<main><aside><h2>Statistics</h2><table id="stats">${table(statRows)}</table>
<h2>Parameters</h2><table id="params">${table(paramRows)}</table></aside>
<section>
<h2>Trades</h2><div class="legend"><span class="buy">▲ buy</span><span class="sell">▼ sell</span><span class="short">▼ short</span><span class="cover">▲ cover</span><span>— round trip (entry → exit)</span></div>
<div id="candles" class="chart"></div>
<h2>Balance</h2><div id="balance" class="chart"></div>
<h2>Drawdown</h2><div id="drawdown" class="chart"></div>
<h2>Daily net P&amp;L</h2><div id="pnl" class="chart"></div>
<h2>Daily P&amp;L distribution</h2><div id="dist" class="chart"></div>
</section></main>
<script>${library()}</script>
<script>const DATA=${scriptJson(data)};
${CLIENT}
</script></body></html>
`;
}

/** Write the report of the last run of `engine` to `path`. */
export async function writeReport(engine: BacktestingEngine, path: string, options: ReportOptions = {}): Promise<void> {
  writeFileSync(path, await renderReport(engine, options));
}

// The browser side: plain JS run after the library, reading DATA.
const CLIENT = String.raw`
const LC = LightweightCharts;
const base = (el) => LC.createChart(el, { autoSize: true, layout: { background: { color: "#fff" }, textColor: "#333" }, grid: { vertLines: { color: "#f0f0f0" }, horzLines: { color: "#f0f0f0" } } });
const COLORS = { buy: "#1a7f37", sell: "#d97706", short: "#cf222e", cover: "#0969da" };
const SHAPES = { buy: ["arrowUp", "belowBar"], sell: ["arrowDown", "aboveBar"], short: ["arrowDown", "aboveBar"], cover: ["arrowUp", "belowBar"] };

// Round trips as segments drawn by a series primitive: one line per trip, entry to exit.
class TripLines {
  constructor(trips) { this.trips = trips; }
  attached(p) { this.chart = p.chart; this.series = p.series; }
  detached() {}
  updateAllViews() {}
  paneViews() {
    return [{ renderer: () => ({ draw: (target) => target.useBitmapCoordinateSpace((scope) => {
      const ctx = scope.context, ts = this.chart.timeScale(), hr = scope.horizontalPixelRatio, vr = scope.verticalPixelRatio;
      const range = ts.getVisibleRange();
      if (!range) return;
      ctx.lineWidth = Math.max(1, hr);
      for (const [t1, p1, t2, p2, pnl] of this.trips) {
        if (t2 < range.from || t1 > range.to) continue;
        const x1 = ts.timeToCoordinate(t1), x2 = ts.timeToCoordinate(t2);
        const y1 = this.series.priceToCoordinate(p1), y2 = this.series.priceToCoordinate(p2);
        if (x1 === null || x2 === null || y1 === null || y2 === null) continue;
        ctx.strokeStyle = pnl >= 0 ? "rgba(26,127,55,0.8)" : "rgba(207,34,46,0.8)";
        ctx.setLineDash(pnl >= 0 ? [] : [4 * hr, 3 * hr]);
        ctx.beginPath(); ctx.moveTo(x1 * hr, y1 * vr); ctx.lineTo(x2 * hr, y2 * vr); ctx.stroke();
      }
    }) }) }];
  }
}

const B = DATA.bars;
if (B.t.length > 0) {
  const chart = base(document.getElementById("candles"));
  chart.applyOptions({ timeScale: { timeVisible: true, secondsVisible: false } });
  const candles = chart.addSeries(LC.CandlestickSeries, { upColor: "#ef5350", downColor: "#26a69a", wickUpColor: "#ef5350", wickDownColor: "#26a69a", borderVisible: false });
  const rows = new Array(B.t.length);
  for (let i = 0; i < rows.length; i++) rows[i] = { time: B.t[i], open: B.o[i], high: B.h[i], low: B.l[i], close: B.c[i] };
  candles.setData(rows);
  LC.createSeriesMarkers(candles, DATA.trades.map(([time, kind, price, volume]) => ({ time, position: SHAPES[kind][1], shape: SHAPES[kind][0], color: COLORS[kind], id: kind + " " + volume + "@" + price })));
  candles.attachPrimitive(new TripLines(DATA.trips));
  // Open on the last few hundred bars; the whole history is a scroll or zoom away.
  chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, rows.length - 300), to: rows.length });
} else document.getElementById("candles").textContent = "no bars";

const days = DATA.days;
const line = (id, rows, kind, opts) => { const c = base(document.getElementById(id)); const s = c.addSeries(kind, opts); s.setData(rows); c.timeScale().fitContent(); return c; };
line("balance", days.map((d) => ({ time: d[0], value: d[1] })), LC.LineSeries, { color: "#0969da", lineWidth: 2 });
line("drawdown", days.map((d) => ({ time: d[0], value: d[2] })), LC.AreaSeries, { lineColor: "#cf222e", topColor: "rgba(207,34,46,0.05)", bottomColor: "rgba(207,34,46,0.4)", invertFilledArea: true });
line("pnl", days.map((d) => ({ time: d[0], value: d[3], color: d[3] >= 0 ? "#ef5350" : "#26a69a" })), LC.HistogramSeries, {});

// Distribution: days counted per P&L bucket; the x axis is the bucket index, labelled by its range.
const pnl = days.map((d) => d[3]);
if (pnl.length > 0) {
  const lo = Math.min(...pnl), hi = Math.max(...pnl), n = Math.min(50, Math.max(5, Math.ceil(Math.sqrt(pnl.length))));
  const w = hi > lo ? (hi - lo) / n : 1, counts = new Array(n).fill(0);
  for (const v of pnl) counts[Math.min(n - 1, Math.floor((v - lo) / w))]++;
  const label = (i) => (lo + (i - 1) * w).toFixed(0);
  const c = base(document.getElementById("dist"));
  c.applyOptions({ localization: { timeFormatter: (t) => label(t) + " … " + (lo + t * w).toFixed(0) }, timeScale: { tickMarkFormatter: (t) => label(t) } });
  const s = c.addSeries(LC.HistogramSeries, { color: "#8250df" });
  s.setData(counts.map((v, i) => ({ time: i + 1, value: v })));
  c.timeScale().fitContent();
}
`;

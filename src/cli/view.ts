import { EVENT_LOG } from "../trader/events.js";
import type { LogData, OrderData, TradeData } from "../trader/objects.js";
import type { MainEngine } from "../trader/MainEngine.js";

/** Where the view writes: stdout or any writable with the same shape. */
export interface ViewOutput {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ViewOptions {
  /** Default process.stdout. */
  out?: ViewOutput;
  /** Redraw in place (true) or print plain snapshots one after another (false). Default: out.isTTY. */
  tty?: boolean;
  /** Milliseconds between redraws. Default 500 in place, 2000 for snapshots. */
  interval?: number;
  /** First line of every frame. Default "tickwire". */
  title?: string;
  /** Lines of recent orders, trades and logs shown. Default 5, 5, 3. */
  orders?: number;
  trades?: number;
  logs?: number;
  /** More sections (e.g. the strategies of `run --strategies`), drawn before the log. */
  sections?: ReadonlyArray<() => string[]>;
}

/** The numbers a frame shows besides the OMS state. */
export interface ViewStats {
  eventsPerSecond: number;
  queueDepth: number;
  now: number;
  logs: readonly LogData[];
}

const CLEAR_FROM_HOME = "\x1b[H";
const CLEAR_LINE_END = "\x1b[K";
const CLEAR_BELOW = "\x1b[J";
const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const ENTER_ALT_SCREEN = "\x1b[?1049h";
const LEAVE_ALT_SCREEN = "\x1b[?1049l";

function decimalsOf(step: number): number {
  for (let d = 0; d <= 8; d++) if (Math.abs(step * 10 ** d - Math.round(step * 10 ** d)) < 1e-9) return d;
  return 8;
}

export function num(v: number, decimals: number): string {
  // A value that rounds to zero shows as 0.00, never -0.00.
  const r = Math.round(v * 10 ** decimals) / 10 ** decimals;
  return (r === 0 ? 0 : v).toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function signed(v: number, decimals: number): string {
  return (Math.round(v * 10 ** decimals) > 0 ? "+" : "") + num(v, decimals);
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function lpad(s: string, n: number): string {
  return s.length >= n ? s : " ".repeat(n - s.length) + s;
}

function side(d: string): string {
  return d === "LONG" ? "BUY" : d === "SHORT" ? "SELL" : d;
}

/**
 * One frame of the console view, as lines: a line per instrument (last, bid/ask, change), recent
 * orders and trades, positions, accounts and events per second — all read from the OMS, so the
 * same view serves a local engine (`tickwire run`) and a remote one (`tickwire client`).
 */
export function renderView(main: MainEngine, stats: ViewStats, options: ViewOptions = {}): string[] {
  const lines: string[] = [];
  const title = options.title ?? "tickwire";
  const gateways = main.getAllGatewayNames().join(", ") || "no gateway";
  const ticks = main.getAllTicks().sort((a, b) => a.vtSymbol.localeCompare(b.vtSymbol));
  // The market's clock (a sim run may start in 2024): the time of the latest tick, as in the TIME
  // column; the wall clock only until the first tick.
  const marketTime = ticks.reduce((m, t) => Math.max(m, t.datetime), 0);
  const clock = marketTime > 0 ? `market time ${time(marketTime)} UTC` : `${time(stats.now)} UTC`;
  lines.push(`${title} · ${gateways} · ${clock} · ${num(stats.eventsPerSecond, 0)} events/s · queue ${stats.queueDepth}`);
  lines.push("");

  const decimals = (vtSymbol: string) => {
    const c = main.getContract(vtSymbol);
    return c ? decimalsOf(c.priceTick) : 2;
  };
  lines.push(`${pad("INSTRUMENT", 18)}${lpad("LAST", 12)}${lpad("BID", 12)}${lpad("ASK", 12)}${lpad("CHANGE", 12)}${lpad("%", 9)}${lpad("VOLUME", 14)}  TIME`);
  if (ticks.length === 0) lines.push("  (no market data yet)");
  for (const t of ticks) {
    const d = decimals(t.vtSymbol);
    const change = t.preClose ? t.lastPrice - t.preClose : 0;
    const pct = t.preClose ? (change / t.preClose) * 100 : 0;
    lines.push(
      pad(t.vtSymbol, 18) +
        lpad(num(t.lastPrice, d), 12) +
        lpad(num(t.bidPrice1, d), 12) +
        lpad(num(t.askPrice1, d), 12) +
        lpad(signed(change, d), 12) +
        lpad(signed(pct, 2), 9) +
        lpad(num(t.volume, t.volume % 1 === 0 ? 0 : 3), 14) +
        "  " +
        time(t.datetime),
    );
  }

  const orderLine = (o: OrderData) =>
    `  ${pad(o.vtOrderid, 10)} ${pad(`${side(o.direction)} ${o.offset === "NONE" ? "" : o.offset + " "}${o.type}`, 20)} ${pad(o.vtSymbol, 16)} ${lpad(String(o.volume), 7)} @ ${lpad(o.price ? num(o.price, decimals(o.vtSymbol)) : "market", 11)}  traded ${pad(String(o.traded), 7)} ${o.status}${o.statusMsg ? ` (${o.statusMsg})` : ""}`;
  const tradeLine = (t: TradeData) =>
    `  ${time(t.datetime)} ${pad(t.vtTradeid, 10)} ${pad(side(t.direction), 5)} ${pad(t.vtSymbol, 16)} ${lpad(String(t.volume), 7)} @ ${num(t.price, decimals(t.vtSymbol))}  (order ${t.vtOrderid})`;

  lines.push("");
  const orders = main.getAllOrders();
  lines.push(`ORDERS (${main.getAllActiveOrders().length} active of ${orders.length})`);
  for (const o of orders.slice(-(options.orders ?? 5))) lines.push(orderLine(o));
  lines.push("");
  const trades = main.getAllTrades();
  lines.push(`TRADES (${trades.length})`);
  for (const t of trades.slice(-(options.trades ?? 5))) lines.push(tradeLine(t));

  lines.push("");
  const positions = main.getAllPositions().filter((p) => p.volume !== 0 || p.frozen !== 0);
  lines.push("POSITIONS");
  if (positions.length === 0) lines.push("  (flat)");
  for (const p of positions) {
    const d = decimals(p.vtSymbol);
    lines.push(
      `  ${pad(p.vtSymbol, 16)} ${pad(p.direction, 6)} ${lpad(String(p.volume), 8)} @ ${lpad(num(p.price, d + 2), 14)}  pnl ${lpad(signed(p.pnl, 2), 12)}  frozen ${p.frozen}`,
    );
  }
  lines.push("");
  lines.push("ACCOUNT");
  for (const a of main.getAllAccounts()) {
    lines.push(
      `  ${pad(a.vtAccountid, 14)} balance ${lpad(num(a.balance, 2), 16)}  frozen ${lpad(num(a.frozen, 2), 14)}  available ${lpad(num(a.available, 2), 16)}`,
    );
  }
  for (const section of options.sections ?? []) {
    lines.push("");
    lines.push(...section());
  }
  const logCount = options.logs ?? 3;
  if (logCount > 0) {
    lines.push("");
    lines.push("LOG (wall clock, UTC)");
    if (stats.logs.length === 0) lines.push("  (nothing logged yet)");
    for (const l of stats.logs.slice(-logCount)) lines.push(`  ${time(l.datetime)} ${pad(l.level, 7)} ${l.gatewayName}: ${l.msg}`);
  }
  return lines;
}

/**
 * Starts the live console view of `main`: redrawn in place about twice a second on a terminal,
 * printed as plain snapshots otherwise. Returns a function that stops it (and restores the
 * terminal). The view's timer keeps the process alive until stopped.
 */
export function startView(main: MainEngine, options: ViewOptions = {}): () => void {
  const out: ViewOutput = options.out ?? process.stdout;
  const tty = options.tty ?? out.isTTY === true;
  const interval = options.interval ?? (tty ? 500 : 2000);
  const ee = main.eventEngine;
  // Seeded with what was logged before the view started (connecting, the exchange opening).
  const logs: LogData[] = main.logEngine?.recent().slice(-20) ?? [];
  const onLog = (e: { data: LogData }) => {
    logs.push(e.data);
    if (logs.length > 20) logs.shift();
  };
  ee.register(EVENT_LOG, onLog);

  let lastCount = ee.stats().dispatched;
  let lastTime = performance.now();
  const draw = (): void => {
    const stats = ee.stats();
    const t = performance.now();
    const eventsPerSecond = ((stats.dispatched - lastCount) * 1000) / Math.max(1, t - lastTime);
    lastCount = stats.dispatched;
    lastTime = t;
    const lines = renderView(main, { eventsPerSecond, queueDepth: stats.queueDepth, now: Date.now(), logs }, options);
    if (tty) {
      const width = out.columns || 200; // 0 when the terminal does not say
      out.write(CLEAR_FROM_HOME + lines.map((l) => (l.length > width ? l.slice(0, width) : l) + CLEAR_LINE_END).join("\n") + "\n" + CLEAR_BELOW);
    } else {
      out.write(lines.join("\n") + "\n\n");
    }
  };

  if (tty) out.write(ENTER_ALT_SCREEN + HIDE_CURSOR);
  const timer = setInterval(draw, interval);
  // The first frame comes once the connect events are dispatched, not a whole interval later.
  const first = setTimeout(draw, Math.min(interval, 200));
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    clearTimeout(first);
    ee.unregister(EVENT_LOG, onLog);
    if (tty) out.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
}

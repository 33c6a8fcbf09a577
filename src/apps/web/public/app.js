// The web trader page: plain ES module, no build step. State comes from the WebSocket's snapshot
// (sent on every (re)connect, so a reconnect is a full resync) and the updates that follow.
const $ = (id) => document.getElementById(id);
const LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
const TOPICS = ["orders", "trades", "positions", "accounts", "logs", "gateways", "strategies", "stats"];
const PERIOD = { "1m": 60_000, "1h": 3_600_000, d: 86_400_000 };

const state = {
  contracts: new Map(),
  ticks: new Map(),
  orders: new Map(),
  trades: [],
  positions: new Map(),
  accounts: new Map(),
  logs: [],
  gateways: new Map(),
  strategies: new Map(),
  stats: null,
  selected: null,
  sent: new Set(),
};

async function api(path, init = {}) {
  // A JSON content type without a body is refused by the server, so it goes only with a body.
  const type = init.body === undefined ? {} : { "content-type": "application/json" };
  const res = await fetch(path, { ...init, headers: { ...type, "x-tickwire": "1", ...(init.headers ?? {}) } });
  if (res.status === 401) {
    location.href = "/";
    throw new Error("logged out");
  }
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(body?.message ?? res.statusText), { code: body?.code });
  return body;
}

const fmt = (v, d = 2) =>
  typeof v === "number" && Number.isFinite(v) ? v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }) : "–";
const digits = (vt) => {
  const t = state.contracts.get(vt)?.priceTick ?? 0.01;
  return Math.max(0, Math.min(8, Math.ceil(-Math.log10(t) - 1e-9)));
};
const time = (ms) => new Date(ms).toISOString().slice(11, 19);
function cell(tr, text, cls) {
  const td = tr.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

// Batched redraws: many updates in one frame cost one render.
const dirty = new Set();
let scheduled = false;
function mark(...what) {
  for (const w of what) dirty.add(w);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(render);
  }
}
function render() {
  scheduled = false;
  const d = new Set(dirty);
  dirty.clear();
  if (d.has("orders")) renderOrders();
  if (d.has("trades")) renderTrades();
  if (d.has("positions")) renderPositions();
  if (d.has("accounts")) renderAccounts();
  if (d.has("logs")) renderLogs();
  if (d.has("strategies")) renderStrategies();
  if (d.has("health")) renderHealth();
  if (d.has("symbols")) renderSymbols();
}

// --- market watch
const rows = new Map();
function watchRow(vt) {
  let r = rows.get(vt);
  if (r) return r;
  const tr = document.createElement("tr");
  tr.tabIndex = 0;
  tr.dataset.vt = vt;
  const cells = ["", "", "", "", "", ""].map((_, i) => cell(tr, "", i ? "n" : ""));
  cells[0].textContent = vt;
  tr.addEventListener("click", () => select(vt));
  tr.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      select(vt);
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      tr.nextElementSibling?.focus();
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      tr.previousElementSibling?.focus();
    }
  });
  const body = $("watch-body");
  const after = [...body.children].find((x) => x.dataset.vt > vt);
  body.insertBefore(tr, after ?? null);
  r = { tr, cells, last: undefined };
  rows.set(vt, r);
  return r;
}
function onTick(t) {
  state.ticks.set(t.vtSymbol, t);
  const r = watchRow(t.vtSymbol);
  const dg = digits(t.vtSymbol);
  const chg = t.preClose ? ((t.lastPrice - t.preClose) / t.preClose) * 100 : 0;
  r.cells[1].textContent = fmt(t.lastPrice, dg);
  r.cells[2].textContent = fmt(chg, 2);
  r.cells[2].className = "n " + (chg >= 0 ? "up" : "down");
  r.cells[3].textContent = fmt(t.bidPrice1, dg);
  r.cells[4].textContent = fmt(t.askPrice1, dg);
  r.cells[5].textContent = fmt(t.volume, 0);
  if (r.last !== undefined && r.last !== t.lastPrice) {
    const c = r.cells[1];
    c.classList.remove("flash-up", "flash-down");
    void c.offsetWidth;
    c.classList.add(t.lastPrice > r.last ? "flash-up" : "flash-down");
  }
  r.last = t.lastPrice;
  if (t.vtSymbol === state.selected) chartTick(t);
  if (!state.contracts.has(t.vtSymbol)) mark("symbols");
}

// --- chart
let chart,
  series,
  markers,
  forming = null,
  barsLoadedFor = null;
function initChart() {
  const LC = window.LightweightCharts;
  chart = LC.createChart($("chart"), {
    autoSize: true,
    layout: { background: { color: "#12161d" }, textColor: "#7b8594", fontSize: 11, attributionLogo: false },
    grid: { vertLines: { color: "#1a2029" }, horzLines: { color: "#1a2029" } },
    rightPriceScale: { borderColor: "#1f2630" },
    timeScale: { borderColor: "#1f2630", timeVisible: true, secondsVisible: false },
    crosshair: { mode: 0 },
  });
  series = chart.addSeries(LC.CandlestickSeries, {
    upColor: "#26a69a",
    downColor: "#ef5350",
    borderVisible: false,
    wickUpColor: "#26a69a",
    wickDownColor: "#ef5350",
  });
  markers = LC.createSeriesMarkers(series, []);
}
const interval = () => $("chart-interval").value;
async function select(vt) {
  state.selected = vt;
  for (const [k, r] of rows) r.tr.classList.toggle("selected", k === vt);
  $("chart-title").textContent = vt;
  $("t-symbol").value = vt;
  const t = state.ticks.get(vt);
  if (t) $("t-price").value = String(t.lastPrice);
  forming = null;
  barsLoadedFor = null;
  series.setData([]);
  try {
    const bars = await api(`/api/bars?vtSymbol=${encodeURIComponent(vt)}&interval=${interval()}`);
    if (state.selected !== vt) return;
    series.setData(bars.map((b) => ({ time: b.datetime / 1000, open: b.openPrice, high: b.highPrice, low: b.lowPrice, close: b.closePrice })));
    const last = bars[bars.length - 1];
    if (last) forming = { time: last.datetime / 1000, open: last.openPrice, high: last.highPrice, low: last.lowPrice, close: last.closePrice };
    barsLoadedFor = vt;
    chart.timeScale().scrollToRealTime();
  } catch (e) {
    $("chart-last").textContent = `no history: ${e.message}`;
  }
  renderMarkers();
  $("chart").dataset.vt = vt;
}
function chartTick(t) {
  if (barsLoadedFor !== t.vtSymbol) return;
  const p = PERIOD[interval()];
  const bucket = (Math.floor(t.datetime / p) * p) / 1000;
  if (forming && bucket < forming.time) return;
  if (!forming || bucket > forming.time) forming = { time: bucket, open: t.lastPrice, high: t.lastPrice, low: t.lastPrice, close: t.lastPrice };
  else {
    forming.high = Math.max(forming.high, t.lastPrice);
    forming.low = Math.min(forming.low, t.lastPrice);
    forming.close = t.lastPrice;
  }
  series.update({ ...forming });
  $("chart-last").textContent = `${fmt(t.lastPrice, digits(t.vtSymbol))} · ${time(t.datetime)}`;
  $("chart").dataset.close = String(forming.close);
  $("chart").dataset.updates = String(Number($("chart").dataset.updates ?? 0) + 1);
}
function renderMarkers() {
  if (!markers) return;
  const p = PERIOD[interval()];
  const ms = state.trades
    .filter((t) => t.vtSymbol === state.selected)
    .map((t) => ({
      time: (Math.floor(t.datetime / p) * p) / 1000,
      position: t.direction === "SHORT" ? "aboveBar" : "belowBar",
      color: t.direction === "SHORT" ? "#ef5350" : "#26a69a",
      shape: t.direction === "SHORT" ? "arrowDown" : "arrowUp",
      text: `${t.direction === "SHORT" ? "S" : "B"} ${t.volume}@${t.price}`,
    }))
    .sort((a, b) => a.time - b.time);
  markers.setMarkers(ms);
}

// --- tables
function renderOrders() {
  const activeOnly = $("orders-active").checked;
  const list = [...state.orders.values()]
    .filter((o) => !activeOnly || ["SUBMITTING", "NOTTRADED", "PARTTRADED"].includes(o.status))
    .sort((a, b) => b.datetime - a.datetime)
    .slice(0, 300);
  const body = $("orders-body");
  body.replaceChildren();
  for (const o of list) {
    const tr = body.insertRow();
    tr.dataset.id = o.vtOrderid;
    const dg = digits(o.vtSymbol);
    cell(tr, o.vtOrderid);
    cell(tr, o.vtSymbol);
    cell(tr, o.direction, o.direction === "SHORT" ? "down" : "up");
    cell(tr, o.offset);
    cell(tr, o.type);
    cell(tr, fmt(o.price, dg), "n");
    cell(tr, String(o.volume), "n");
    cell(tr, String(o.traded), "n");
    const st = cell(tr, o.status, `st-${o.status}`);
    if (o.statusMsg) st.title = o.statusMsg;
    cell(tr, time(o.datetime));
    const c = tr.insertCell();
    if (["SUBMITTING", "NOTTRADED", "PARTTRADED"].includes(o.status)) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "cancel";
      b.textContent = "Cancel";
      b.setAttribute("aria-label", `Cancel ${o.vtOrderid}`);
      b.addEventListener("click", () => api(`/api/orders/${encodeURIComponent(o.vtOrderid)}`, { method: "DELETE" }).catch((e) => ticketMsg(e.message, true)));
      c.append(b);
    }
  }
}
function renderTrades() {
  const body = $("trades-body");
  body.replaceChildren();
  for (const t of state.trades.slice(-300).reverse()) {
    const tr = body.insertRow();
    cell(tr, time(t.datetime));
    cell(tr, t.vtSymbol);
    cell(tr, t.direction, t.direction === "SHORT" ? "down" : "up");
    cell(tr, fmt(t.price, digits(t.vtSymbol)), "n");
    cell(tr, String(t.volume), "n");
    cell(tr, t.vtOrderid, "muted");
  }
  renderMarkers();
}
function renderPositions() {
  const body = $("positions-body");
  body.replaceChildren();
  for (const p of [...state.positions.values()].filter((p) => p.volume !== 0 || p.frozen !== 0)) {
    const tr = body.insertRow();
    tr.dataset.vt = p.vtSymbol;
    cell(tr, p.vtSymbol);
    cell(tr, p.direction);
    cell(tr, String(p.volume), "n");
    cell(tr, String(p.frozen), "n");
    cell(tr, fmt(p.price, digits(p.vtSymbol)), "n");
    cell(tr, fmt(p.pnl), "n " + (p.pnl >= 0 ? "up" : "down"));
  }
}
function renderAccounts() {
  const body = $("accounts-body");
  body.replaceChildren();
  for (const a of state.accounts.values()) {
    const tr = body.insertRow();
    cell(tr, a.vtAccountid);
    cell(tr, fmt(a.balance), "n");
    cell(tr, fmt(a.frozen), "n");
    cell(tr, fmt(a.available), "n");
  }
}
function renderLogs() {
  const min = LEVELS.indexOf($("log-level").value);
  const body = $("logs-body");
  body.replaceChildren();
  for (const l of state.logs
    .filter((l) => LEVELS.indexOf(l.level) >= min)
    .slice(-200)
    .reverse()) {
    const tr = body.insertRow();
    tr.className = `lv-${l.level}`;
    cell(tr, time(l.datetime), "muted");
    cell(tr, l.level);
    cell(tr, l.gatewayName, "muted");
    cell(tr, l.msg, "msgcell");
  }
}
function renderStrategies() {
  const body = $("strategies-body");
  body.replaceChildren();
  $("strategies-empty").hidden = state.strategies.size > 0;
  for (const s of state.strategies.values()) {
    const tr = body.insertRow();
    tr.dataset.name = s.strategyName;
    const v = s.variables ?? {};
    cell(tr, s.strategyName);
    cell(tr, s.className);
    cell(tr, s.vtSymbol);
    cell(tr, v.trading ? "trading" : v.inited ? "inited" : "added", v.trading ? "up" : "muted");
    cell(
      tr,
      Object.entries(v)
        .filter(([k]) => k !== "inited" && k !== "trading")
        .map(([k, x]) => `${k}=${typeof x === "number" ? +x.toFixed(4) : x}`)
        .join(" "),
      "muted",
    );
    const c = tr.insertCell();
    for (const action of ["init", "start", "stop"]) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "small";
      b.textContent = action;
      b.addEventListener("click", () =>
        api(`/api/strategies/${encodeURIComponent(s.strategyName)}/${action}`, { method: "POST", body: "{}" }).catch((e) => ticketMsg(e.message, true)),
      );
      c.append(b);
    }
  }
}
function renderHealth() {
  const s = state.stats;
  if (!s) return;
  $("h-eps").textContent = fmt(s.eventsPerSecond, 0);
  $("h-queue").textContent = String(s.engine.queueDepth);
  $("h-hw").textContent = String(s.engine.highWater);
  $("h-errors").textContent = String(s.engine.handlerErrors);
  $("h-errors").className = s.engine.handlerErrors ? "down" : "";
  $("h-slow").textContent = String(s.engine.slowHandlers);
  $("h-clients").textContent = String(s.web.clients);
  document.body.classList.toggle("has-strategies", Boolean(s.web.strategyEngine));
  const g = $("gateways");
  g.replaceChildren();
  for (const gw of state.gateways.values()) {
    const p = document.createElement("span");
    p.className = "pill " + (gw.status === "CONNECTED" || gw.status === "RECONNECTED" ? "ok" : gw.status === "CONNECTING" ? "warn" : "bad");
    p.textContent = `${gw.gatewayName} ${gw.status.toLowerCase()}`;
    if (gw.msg) p.title = gw.msg;
    g.append(p);
  }
}
function renderSymbols() {
  const sel = $("t-symbol");
  const names = [...new Set([...state.contracts.keys(), ...state.ticks.keys()])].sort();
  if (sel.options.length === names.length) return;
  const v = sel.value;
  sel.replaceChildren(...names.map((n) => new Option(n, n)));
  if (v) sel.value = v;
}

// --- ticket
function ticketMsg(text, error = false) {
  const m = $("t-msg");
  m.textContent = text;
  m.className = "msg " + (error ? "error" : "ok");
}
$("ticket").addEventListener("submit", async (e) => {
  e.preventDefault();
  const direction = e.submitter?.value ?? "LONG";
  const vt = $("t-symbol").value;
  const c = state.contracts.get(vt);
  const type = $("t-type").value;
  const price = Number($("t-price").value);
  const volume = Number($("t-volume").value);
  if (!vt || !c) return ticketMsg("Choose a symbol.", true);
  if (!(volume > 0)) return ticketMsg("Volume must be more than 0.", true);
  if (type !== "MARKET" && !(price > 0)) return ticketMsg("Price must be more than 0.", true);
  const body = {
    symbol: c.symbol,
    exchange: c.exchange,
    direction,
    type,
    volume,
    price: type === "MARKET" ? 0 : price,
    offset: $("t-offset").value,
    reference: $("t-ref").value,
  };
  try {
    const { vtOrderid } = await api("/api/orders", { method: "POST", body: JSON.stringify(body) });
    state.sent.add(vtOrderid);
    ticketMsg(`Sent ${vtOrderid}`);
    const o = state.orders.get(vtOrderid);
    if (o) onOrder(o);
  } catch (err) {
    ticketMsg(`Refused: ${err.message}`, true);
  }
});
$("cancel-all").addEventListener("click", () =>
  api("/api/orders", { method: "DELETE" })
    .then((r) => ticketMsg(`Cancelling ${r.cancelled.length} orders`))
    .catch((e) => ticketMsg(e.message, true)),
);
$("orders-active").addEventListener("change", () => mark("orders"));
$("log-level").addEventListener("change", () => mark("logs"));
$("chart-interval").addEventListener("change", () => state.selected && select(state.selected));

function onOrder(o) {
  state.orders.set(o.vtOrderid, o);
  if (state.sent.has(o.vtOrderid) && o.status === "REJECTED") {
    state.sent.delete(o.vtOrderid);
    ticketMsg(`Rejected ${o.vtOrderid}: ${o.statusMsg || "no reason given"}`, true);
  }
  mark("orders");
}

// --- live connection
let ws,
  retry = 0;
function setConn(text, cls) {
  const c = $("conn");
  c.textContent = text;
  c.className = "pill " + cls;
}
function connect() {
  ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  ws.onopen = () => {
    retry = 0;
    setConn("live", "ok");
    ws.send(JSON.stringify({ op: "watch", ticks: "*", topics: TOPICS }));
  };
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    switch (m.type) {
      case "snapshot":
        return onSnapshot(m.data);
      case "ticks":
        for (const t of m.data) onTick(t);
        return;
      case "orders":
        return onOrder(m.data);
      case "trades":
        state.trades.push(m.data);
        return mark("trades");
      case "positions":
        state.positions.set(m.data.vtPositionid, m.data);
        return mark("positions");
      case "accounts":
        state.accounts.set(m.data.vtAccountid, m.data);
        return mark("accounts");
      case "logs":
        state.logs.push(m.data);
        if (state.logs.length > 1000) state.logs.splice(0, 200);
        return mark("logs");
      case "gateways":
        state.gateways.set(m.data.gatewayName, m.data);
        return mark("health");
      case "strategies":
        state.strategies.set(m.data.strategyName, m.data);
        return mark("strategies");
      case "stats":
        state.stats = m.data;
        return mark("health");
    }
  };
  ws.onclose = async () => {
    setConn("reconnecting…", "bad");
    // A server restarted with a new token no longer knows this session: go to the login page.
    const res = await fetch("/api/stats", { headers: { "x-tickwire": "1" } }).catch(() => null);
    if (res?.status === 401) {
      location.href = "/";
      return;
    }
    setTimeout(connect, Math.min(5000, 250 * 2 ** retry++));
  };
}
async function onSnapshot(s) {
  const contracts = await api("/api/contracts").catch(() => []);
  state.contracts = new Map(contracts.map((c) => [c.vtSymbol, c]));
  state.orders = new Map(s.orders.map((o) => [o.vtOrderid, o]));
  state.trades = s.trades.slice().sort((a, b) => a.datetime - b.datetime);
  state.positions = new Map(s.positions.map((p) => [p.vtPositionid, p]));
  state.accounts = new Map(s.accounts.map((a) => [a.vtAccountid, a]));
  state.logs = s.logs.slice();
  state.gateways = new Map(s.gateways.map((g) => [g.gatewayName, g]));
  state.strategies = new Map(s.strategies.map((x) => [x.strategyName, x]));
  state.stats = s.stats;
  for (const t of s.ticks) onTick(t);
  mark("orders", "trades", "positions", "accounts", "logs", "strategies", "health", "symbols");
  requestAnimationFrame(() => {
    if (state.selected) select(state.selected);
    else if (rows.size) select([...rows.keys()].sort()[0]);
  });
}

initChart();
connect();

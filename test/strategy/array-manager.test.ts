/*
 * ArrayManager against TA-Lib's definitions, each written here the plain way (whole-window
 * loops straight from the formula), on a random walk: seeding of EMA with the SMA of the first
 * n values, Wilder smoothing of RSI/ATR, MACD's fast EMA starting with the slow one, population
 * standard deviation.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ArrayManager } from "../../src/strategy/index.js";
import { randomBars } from "./host.js";

const SIZE = 100;
const bars = randomBars(250, 7);
const am = new ArrayManager(SIZE);
for (const b of bars) am.updateBar(b);
const w = bars.slice(-SIZE);
const c = w.map((b) => b.closePrice);
const h = w.map((b) => b.highPrice);
const l = w.map((b) => b.lowPrice);
const v = w.map((b) => b.volume);

function close(a: number, b: number, what: string): void {
  const tol = 1e-9 * Math.max(1, Math.abs(b));
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

function ema(xs: number[], n: number, from = 0): number[] {
  const out: number[] = new Array(xs.length).fill(NaN);
  out[from + n - 1] = mean(xs.slice(from, from + n));
  for (let i = from + n; i < xs.length; i++) out[i] = out[i - 1] + (2 / (n + 1)) * (xs[i] - out[i - 1]);
  return out;
}

function tr(i: number): number {
  return Math.max(h[i], c[i - 1]) - Math.min(l[i], c[i - 1]);
}

test("the series hold the last size bars, oldest first, and inited turns true at the size-th bar", () => {
  const fresh = new ArrayManager(3);
  fresh.updateBar(bars[0]);
  fresh.updateBar(bars[1]);
  assert.equal(fresh.inited, false);
  assert.deepEqual([...fresh.close], [0, bars[0].closePrice, bars[1].closePrice]);
  fresh.updateBar(bars[2]);
  fresh.updateBar(bars[3]);
  assert.equal(fresh.inited, true);
  assert.deepEqual(
    [...fresh.close],
    [1, 2, 3].map((i) => bars[i].closePrice),
  );
});

test("sma is the mean of the last n closes and its series has NaN over the lookback", () => {
  close(am.sma(10), mean(c.slice(-10)), "sma");
  const s = am.sma(10, true);
  assert.ok(Number.isNaN(s[8]));
  close(s[9], mean(c.slice(0, 10)), "sma[9]");
});

test("ema is seeded with the sma of the window's first n closes", () => {
  const ref = ema(c, 12);
  close(am.ema(12), ref[SIZE - 1], "ema");
  close(am.ema(12, true)[11], mean(c.slice(0, 12)), "ema seed");
});

test("rsi uses Wilder smoothing seeded with the plain mean of the first n changes", () => {
  const n = 14;
  let g = 0;
  let lo = 0;
  for (let i = 1; i <= n; i++) {
    const d = c[i] - c[i - 1];
    if (d > 0) g += d;
    else lo -= d;
  }
  g /= n;
  lo /= n;
  for (let i = n + 1; i < SIZE; i++) {
    const d = c[i] - c[i - 1];
    g = (g * (n - 1) + Math.max(d, 0)) / n;
    lo = (lo * (n - 1) + Math.max(-d, 0)) / n;
  }
  close(am.rsi(n), (100 * g) / (g + lo), "rsi");
});

test("atr is Wilder's average of the true range seeded with the mean of the first n ranges", () => {
  const n = 14;
  let a = 0;
  for (let i = 1; i <= n; i++) a += tr(i);
  a /= n;
  for (let i = n + 1; i < SIZE; i++) a = (a * (n - 1) + tr(i)) / n;
  close(am.atr(n), a, "atr");
  close(am.natr(n), (a / c[SIZE - 1]) * 100, "natr");
  close(am.trange(), tr(SIZE - 1), "trange");
});

test("std is the population standard deviation and boll is sma plus and minus dev of it", () => {
  const last = c.slice(-20);
  const m = mean(last);
  const sd = Math.sqrt(mean(last.map((x) => (x - m) * (x - m))));
  close(am.std(20), sd, "std");
  const [up, down] = am.boll(20, 2);
  close(up, m + 2 * sd, "boll up");
  close(down, m - 2 * sd, "boll down");
});

test("macd starts both EMAs at the slow window's end, as TA-Lib does", () => {
  const slow = ema(c, 26);
  const fast = ema(c, 12, 26 - 12);
  const macd = c.map((_, i) => (i >= 25 ? fast[i] - slow[i] : NaN));
  const signal = ema(macd, 9, 25);
  const [m, s, hist] = am.macd(12, 26, 9);
  close(m, macd[SIZE - 1], "macd");
  close(s, signal[SIZE - 1], "signal");
  close(hist, macd[SIZE - 1] - signal[SIZE - 1], "hist");
  assert.ok(Number.isNaN(am.macd(12, 26, 9, true)[0][32]));
});

test("donchian, willr and cci read the last n bars", () => {
  const n = 20;
  const hh = Math.max(...h.slice(-n));
  const ll = Math.min(...l.slice(-n));
  assert.deepEqual(am.donchian(n), [hh, ll]);
  close(am.willr(n), ((hh - c[SIZE - 1]) / (hh - ll)) * -100, "willr");
  const tp = w.map((b) => (b.highPrice + b.lowPrice + b.closePrice) / 3).slice(-n);
  const m = mean(tp);
  const md = mean(tp.map((x) => Math.abs(x - m)));
  close(am.cci(n), (tp[n - 1] - m) / (0.015 * md), "cci");
});

test("mom, roc, wma, obv, mfi and bop follow their definitions", () => {
  close(am.mom(10), c[SIZE - 1] - c[SIZE - 11], "mom");
  close(am.roc(10), (c[SIZE - 1] / c[SIZE - 11] - 1) * 100, "roc");
  close(am.rocr(10), c[SIZE - 1] / c[SIZE - 11], "rocr");
  let ws = 0;
  for (let j = 1; j <= 10; j++) ws += c[SIZE - 11 + j] * j;
  close(am.wma(10), ws / 55, "wma");
  let obv = v[0];
  for (let i = 1; i < SIZE; i++) obv += c[i] > c[i - 1] ? v[i] : c[i] < c[i - 1] ? -v[i] : 0;
  close(am.obv(), obv, "obv");
  const tp = w.map((b) => (b.highPrice + b.lowPrice + b.closePrice) / 3);
  let pos = 0;
  let neg = 0;
  for (let i = SIZE - 14; i < SIZE; i++) {
    if (tp[i] > tp[i - 1]) pos += tp[i] * v[i];
    else if (tp[i] < tp[i - 1]) neg += tp[i] * v[i];
  }
  close(am.mfi(14), (100 * pos) / (pos + neg), "mfi");
  const b = w[SIZE - 1];
  close(am.bop(), b.highPrice > b.lowPrice ? (b.closePrice - b.openPrice) / (b.highPrice - b.lowPrice) : 0, "bop");
});

test("adx is Wilder's smoothing of dx, which comes from the smoothed directional movement", () => {
  const n = 14;
  let pdm = 0;
  let mdm = 0;
  let trs = 0;
  const dx: number[] = [];
  for (let i = 1; i < SIZE; i++) {
    const up = h[i] - h[i - 1];
    const dn = l[i - 1] - l[i];
    const p = up > 0 && up > dn ? up : 0;
    const m = dn > 0 && dn > up ? dn : 0;
    if (i < n) {
      pdm += p;
      mdm += m;
      trs += tr(i);
      continue;
    }
    pdm = pdm - pdm / n + p;
    mdm = mdm - mdm / n + m;
    trs = trs - trs / n + tr(i);
    const pdi = (100 * pdm) / trs;
    const mdi = (100 * mdm) / trs;
    dx.push((100 * Math.abs(pdi - mdi)) / (pdi + mdi));
    if (i === SIZE - 1) {
      close(am.plusDi(n), pdi, "plusDi");
      close(am.minusDi(n), mdi, "minusDi");
    }
  }
  close(am.dx(n), dx[dx.length - 1], "dx");
  let adx = mean(dx.slice(0, n));
  for (let i = n; i < dx.length; i++) adx = (adx * (n - 1) + dx[i]) / n;
  close(am.adx(n), adx, "adx");
});

test("every indicator of vnpy's set returns a number once the window is full", () => {
  const values: number[] = [
    am.kama(30),
    am.apo(12, 26),
    am.ppo(12, 26),
    am.cmo(14),
    am.rocp(10),
    am.rocr100(10),
    am.trix(10),
    am.adxr(14),
    am.ultosc(),
    am.aroonosc(14),
    am.ad(),
    am.adosc(3, 10),
    am.sar(0.02, 0.2),
    ...am.keltner(20, 2),
    ...am.aroon(14),
    ...am.stoch(9, 3, 0, 3, 0),
    am.minusDm(14),
    am.plusDm(14),
  ];
  for (const x of values) assert.ok(Number.isFinite(x), String(values));
});

test("the last values of the recursive indicators are the last element of their series, bit for bit", () => {
  for (const n of [2, 5, 14, 30]) {
    assert.equal(am.ema(n), am.ema(n, true)[SIZE - 1]);
    assert.equal(am.rsi(n), am.rsi(n, true)[SIZE - 1]);
    assert.equal(am.cmo(n), am.cmo(n, true)[SIZE - 1]);
    assert.equal(am.atr(n), am.atr(n, true)[SIZE - 1]);
    assert.equal(am.natr(n), am.natr(n, true)[SIZE - 1]);
  }
  assert.equal(am.atr(1), am.atr(1, true)[SIZE - 1]);
});

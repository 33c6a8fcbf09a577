/// <reference lib="dom" />
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { chromiumMissing, launchChromium } from "../web/chromium.js";
import { tickwire, type Proc } from "./tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 90_000 };
const ENDPOINTS = /requests (tcp:\/\/127\.0\.0\.1:\d+) publications (tcp:\/\/127\.0\.0\.1:\d+)/;
const LOGIN_URL = /^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m;

interface Api {
  origin: string;
  token: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<{ status: number; body: T }>;
}

async function apiOf(proc: Proc): Promise<Api> {
  const [line] = await proc.until(LOGIN_URL);
  const url = new URL(line);
  const token = url.searchParams.get("token")!;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  return {
    origin: url.origin,
    token,
    async get<T>(path: string) {
      const res = await fetch(url.origin + path, { headers });
      assert.equal(res.status, 200, `GET ${path}: ${res.status}`);
      return (await res.json()) as T;
    },
    async post<T>(path: string, body: unknown) {
      const res = await fetch(url.origin + path, { method: "POST", headers, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as T };
    },
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Tick {
  vtSymbol: string;
  datetime: number;
  askPrice1: number;
  gatewayName: string;
}
interface Trade {
  vtOrderid: string;
  gatewayName: string;
}

describe("tickwire serve --web and tickwire web --req --sub", () => {
  let server: Proc;
  let web: Proc;
  let remote: Api;
  before(async () => {
    server = tickwire(
      "serve",
      "--rep",
      "tcp://127.0.0.1:*",
      "--pub",
      "tcp://127.0.0.1:*",
      "--tick-rate",
      "20",
      "--instruments",
      "rb2410.SHFE,IF2412.CFFEX",
      "--web",
      "--web-port",
      "0",
    );
    const [, req, sub] = await server.until(ENDPOINTS);
    web = tickwire("web", "--req", req, "--sub", sub, "--web-port", "0");
    remote = await apiOf(web);
  });
  after(async () => {
    web?.child.kill("SIGINT");
    server?.child.kill("SIGINT");
    if (web) assert.equal((await web.exit).code, 0, web.stderr());
    if (server) assert.equal((await server.exit).code, 0, server.stderr());
  });

  test("serve --web serves the page from the serving process itself", GUARD, async () => {
    const local = await apiOf(server);
    assert.equal((await fetch(`${local.origin}/api/contracts`)).status, 401);
    const ticks = await until("ticks", async () => {
      const t = await local.get<Tick[]>("/api/ticks");
      return t.length === 2 ? t : undefined;
    });
    assert.deepEqual(
      ticks.map((t) => t.gatewayName),
      ["SIM", "SIM"],
    );
  });

  test("the standalone web process sees the server's contracts and ticks over RPC, updating", GUARD, async () => {
    const contracts = await remote.get<Array<{ vtSymbol: string; gatewayName: string }>>("/api/contracts");
    assert.deepEqual(contracts.map((c) => c.vtSymbol).sort(), ["IF2412.CFFEX", "rb2410.SHFE"]);
    assert.ok(contracts.every((c) => c.gatewayName === "RPC"));
    const first = await until("a tick", async () => (await remote.get<Tick[]>("/api/ticks")).find((t) => t.vtSymbol === "rb2410.SHFE"));
    await until("a newer tick", async () => {
      const t = (await remote.get<Tick[]>("/api/ticks")).find((x) => x.vtSymbol === "rb2410.SHFE");
      return t && t.datetime > first.datetime ? t : undefined;
    });
    const bars = await remote.get<Array<{ vtSymbol: string }>>("/api/bars?vtSymbol=rb2410.SHFE&interval=1m&count=5");
    assert.ok(bars.length > 0 && bars.every((b) => b.vtSymbol === "rb2410.SHFE"));
  });

  test("an order placed through the standalone web process comes back as a trade and a position", GUARD, async () => {
    const tick = (await remote.get<Tick[]>("/api/ticks")).find((t) => t.vtSymbol === "rb2410.SHFE")!;
    const sent = await remote.post<{ vtOrderid: string }>("/api/orders", {
      symbol: "rb2410",
      exchange: "SHFE",
      direction: "LONG",
      type: "LIMIT",
      volume: 1,
      price: tick.askPrice1 + 50,
      offset: "OPEN",
    });
    assert.equal(sent.status, 201);
    assert.match(sent.body.vtOrderid, /^RPC\.\d+$/);
    const trade = await until("the trade", async () => (await remote.get<Trade[]>("/api/trades")).find((t) => t.vtOrderid === sent.body.vtOrderid));
    assert.equal(trade.gatewayName, "RPC");
    const positions = await remote.get<Array<{ vtSymbol: string; volume: number }>>("/api/positions");
    assert.ok(positions.some((p) => p.vtSymbol === "rb2410.SHFE" && p.volume > 0));
    // The server's own web trader sees the same trade under its own gateway's name.
    const local = await apiOf(server);
    const serverTrades = await until("the trade on the server", async () => {
      const all = await local.get<Trade[]>("/api/trades");
      return all.length > 0 ? all : undefined;
    });
    assert.ok(serverTrades.every((t) => t.gatewayName === "SIM"));
  });

  test("client --web serves the page of a client of the server, next to its console view", GUARD, async () => {
    const [, req, sub] = ENDPOINTS.exec(server.stdout())!;
    const client = tickwire("client", "--req", req, "--sub", sub, "--web", "--web-port", "0");
    try {
      const api = await apiOf(client);
      const contracts = await until("the server's contracts", async () => {
        const c = await api.get<Array<{ vtSymbol: string; gatewayName: string }>>("/api/contracts");
        return c.length === 2 ? c : undefined;
      });
      assert.ok(contracts.every((c) => c.gatewayName === "RPC"));
    } finally {
      client.child.kill("SIGINT");
    }
    assert.equal((await client.exit).code, 0, `client exit code, stderr:\n${client.stderr()}`);
  });

  test(
    "the standalone web process's page in Chromium shows ticks and trades an order from the ticket",
    { ...GUARD, skip: chromiumMissing("the standalone web page test") },
    async () => {
      const browser: Browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
        await page.goto(`${remote.origin}/?token=${remote.token}`);
        await page.locator("#conn", { hasText: "live" }).waitFor();
        const cell = `#watch-body tr[data-vt="rb2410.SHFE"] td:nth-child(2)`;
        await page.locator(cell).waitFor();
        const first = await page.locator(cell).textContent();
        await page.waitForFunction(([sel, v]) => document.querySelector(sel)?.textContent !== v, [cell, first] as const);
        await page.locator('#watch-body tr[data-vt="rb2410.SHFE"]').click();
        const tick = (await remote.get<Tick[]>("/api/ticks")).find((t) => t.vtSymbol === "rb2410.SHFE")!;
        await page.locator("#t-offset").selectOption("OPEN");
        await page.locator("#t-type").selectOption("LIMIT");
        await page.locator("#t-price").fill(String(tick.askPrice1 + 50));
        await page.locator("#t-volume").fill("1");
        await page.locator("#t-buy").click();
        await page.locator("#t-msg", { hasText: "Sent" }).waitFor();
        const vtOrderid = (await page.locator("#t-msg").textContent())!.replace("Sent ", "");
        assert.match(vtOrderid, /^RPC\.\d+$/);
        await page.locator("#trades-body tr", { hasText: vtOrderid }).waitFor();
      } finally {
        await browser.close();
      }
    },
  );
});

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { hashPassword, startWebServer } from "../../src/apps/web/index.js";
import { webTrader } from "./webFixture.js";

type Trader = Awaited<ReturnType<typeof webTrader>>;

describe("web trader REST API", () => {
  let t: Trader;
  let bearer: Record<string, string>;
  before(async () => {
    t = await webTrader();
    bearer = { authorization: `Bearer ${t.web.token}` };
  });
  after(async () => t.close());

  const routes: Array<[string, string]> = [
    ["GET", "/api/contracts"],
    ["GET", "/api/ticks"],
    ["GET", "/api/orders"],
    ["GET", "/api/orders?active=true"],
    ["GET", "/api/trades"],
    ["GET", "/api/positions"],
    ["GET", "/api/accounts"],
    ["GET", "/api/logs"],
    ["GET", "/api/stats"],
    ["GET", "/api/strategies"],
    ["GET", "/api/bars?vtSymbol=rb2410.SHFE&interval=1m"],
    ["POST", "/api/subscribe"],
    ["POST", "/api/orders"],
    ["DELETE", "/api/orders/SIM.1"],
    ["DELETE", "/api/orders"],
    ["POST", "/api/strategies/x/start"],
    ["GET", "/ws"],
    ["GET", "/docs/json"],
  ];

  test("every API route and the WebSocket refuse a request without credentials with 401 and a typed body", async () => {
    for (const [method, url] of routes) {
      const res = await t.web.app.inject({ method: method as "GET", url, headers: { "x-tickwire": "1" } });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
      assert.equal(res.json().code, "TW_WEB_UNAUTHORIZED", `${method} ${url}`);
    }
  });

  test("every API route refuses a wrong bearer token", async () => {
    for (const [method, url] of routes) {
      const res = await t.web.app.inject({ method: method as "GET", url, headers: { authorization: "Bearer nope" } });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
    }
  });

  test("the bearer token reads the state", async () => {
    const res = await t.web.app.inject({ url: "/api/contracts", headers: bearer });
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().some((c: { vtSymbol: string }) => c.vtSymbol === "rb2410.SHFE"));
  });

  test("the token in the URL is traded for an HttpOnly SameSite=Strict cookie and dropped from the address", async () => {
    const res = await t.web.app.inject({ url: `/?token=${t.web.token}` });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, "/");
    const cookie = String(res.headers["set-cookie"]);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const session = cookie.split(";")[0];
    const api = await t.web.app.inject({ url: "/api/accounts", headers: { cookie: session } });
    assert.equal(api.statusCode, 200);
  });

  test("a session cookie without the cross-site header cannot change anything", async () => {
    const login = await t.web.app.inject({ url: `/?token=${t.web.token}` });
    const cookie = String(login.headers["set-cookie"]).split(";")[0];
    const body = { symbol: "rb2410", exchange: "SHFE", direction: "LONG", type: "LIMIT", volume: 1, price: 1, offset: "OPEN" };
    const res = await t.web.app.inject({ method: "POST", url: "/api/orders", headers: { cookie }, payload: body });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, "TW_WEB_CROSS_SITE");
    const ok = await t.web.app.inject({ method: "POST", url: "/api/orders", headers: { cookie, "x-tickwire": "1" }, payload: body });
    assert.equal(ok.statusCode, 201);
  });

  test("a WebSocket upgrade from another origin is refused even with a valid credential", async () => {
    const res = await t.web.app.inject({ url: "/ws", headers: { ...bearer, origin: "http://evil.example" } });
    assert.equal(res.statusCode, 403);
  });

  test("an order with an unknown field, a bad enum or a volume as a string is refused with TW_WEB_BAD_REQUEST", async () => {
    const good = { symbol: "rb2410", exchange: "SHFE", direction: "LONG", type: "LIMIT", volume: 1, price: 3500, offset: "OPEN" };
    for (const bad of [{ ...good, extra: 1 }, { ...good, direction: "UP" }, { ...good, volume: "1" }, { ...good, volume: 0 }, { symbol: "rb2410" }]) {
      const res = await t.web.app.inject({ method: "POST", url: "/api/orders", headers: bearer, payload: bad });
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
      assert.equal(res.json().code, "TW_WEB_BAD_REQUEST");
      assert.equal(typeof res.json().message, "string");
    }
  });

  test("a valid order returns its vtOrderid and can be cancelled by it", async () => {
    const tick = t.main.getTick("rb2410.SHFE");
    const tickSize = t.main.getContract("rb2410.SHFE")?.priceTick ?? 1;
    // Below the bid and inside the price limits: the order rests.
    const price = (tick?.bidPrice1 ?? 3500) - 5 * tickSize;
    const payload = { symbol: "rb2410", exchange: "SHFE", direction: "LONG", type: "LIMIT", volume: 1, price, offset: "OPEN", reference: "test" };
    const res = await t.web.app.inject({ method: "POST", url: "/api/orders", headers: bearer, payload });
    assert.equal(res.statusCode, 201);
    const { vtOrderid } = res.json() as { vtOrderid: string };
    await t.main.eventEngine.waitForIdle();
    assert.equal(t.main.getOrder(vtOrderid)?.status, "NOTTRADED", t.main.getOrder(vtOrderid)?.statusMsg);
    const del = await t.web.app.inject({ method: "DELETE", url: `/api/orders/${vtOrderid}`, headers: bearer });
    assert.equal(del.statusCode, 202);
  });

  test("an order for an unknown contract is refused with TW_WEB_UNKNOWN_CONTRACT", async () => {
    const payload = { symbol: "zz9999", exchange: "SHFE", direction: "LONG", type: "LIMIT", volume: 1, price: 1 };
    const res = await t.web.app.inject({ method: "POST", url: "/api/orders", headers: bearer, payload });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, "TW_WEB_UNKNOWN_CONTRACT");
  });

  test("bars come from the gateway's history for a known symbol and a bad interval is refused", async () => {
    const res = await t.web.app.inject({ url: "/api/bars?vtSymbol=rb2410.SHFE&interval=1m&count=30", headers: bearer });
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().length > 0);
    const bad = await t.web.app.inject({ url: "/api/bars?vtSymbol=rb2410.SHFE&interval=5m", headers: bearer });
    assert.equal(bad.json().code, "TW_WEB_BAD_REQUEST");
  });

  test("every response carries a strict Content Security Policy", async () => {
    const res = await t.web.app.inject({ url: "/" });
    assert.equal(res.statusCode, 401);
    assert.match(String(res.headers["content-security-policy"]), /script-src 'self'/);
    assert.doesNotMatch(String(res.headers["content-security-policy"]), /unsafe-inline/);
  });
});

describe("web trader login", () => {
  test("login attempts beyond the limit are refused with 429 even with the right token", async () => {
    const t = await webTrader({ loginAttemptsPerMinute: 3 });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await t.web.app.inject({ method: "POST", url: "/login", headers: { "x-tickwire": "1" }, payload: { token: "wrong" } });
        assert.equal(res.statusCode, 401);
      }
      const res = await t.web.app.inject({ method: "POST", url: "/login", headers: { "x-tickwire": "1" }, payload: { token: t.web.token } });
      assert.equal(res.statusCode, 429);
      assert.equal(res.json().code, "TW_WEB_TOO_MANY_LOGINS");
      assert.ok(Number(res.headers["retry-after"]) > 0);
    } finally {
      await t.close();
    }
  });

  test("a user and password log in when a password hash is set", async () => {
    const t = await webTrader({ user: "ana", passwordHash: hashPassword("s3cret") });
    try {
      const wrong = await t.web.app.inject({ method: "POST", url: "/login", headers: { "x-tickwire": "1" }, payload: { user: "ana", password: "nope" } });
      assert.equal(wrong.statusCode, 401);
      const res = await t.web.app.inject({ method: "POST", url: "/login", headers: { "x-tickwire": "1" }, payload: { user: "ana", password: "s3cret" } });
      assert.equal(res.statusCode, 204);
      assert.match(String(res.headers["set-cookie"]), /HttpOnly/);
    } finally {
      await t.close();
    }
  });

  test("listening on a non-loopback address without a password is refused", async () => {
    const t = await webTrader();
    try {
      await assert.rejects(startWebServer(t.main, { host: "0.0.0.0", port: 0 }), { code: "TW_WEB_PUBLIC_WITHOUT_PASSWORD" });
    } finally {
      await t.close();
    }
  });
});

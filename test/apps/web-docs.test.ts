import { test } from "node:test";
import assert from "node:assert/strict";
import { webTrader } from "./webFixture.js";

/** Every /api route of the web trader, as docs/web.md lists them. */
const API_ROUTES = [
  "GET /api/contracts",
  "GET /api/ticks",
  "GET /api/bars",
  "POST /api/subscribe",
  "GET /api/orders",
  "POST /api/orders",
  "DELETE /api/orders",
  "DELETE /api/orders/{vtOrderid}",
  "GET /api/trades",
  "GET /api/positions",
  "GET /api/accounts",
  "GET /api/logs",
  "GET /api/stats",
  "GET /api/strategies",
  "POST /api/strategies/{name}/{action}",
];

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { summary?: string; parameters?: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }
    >
  >;
}

test("GET /docs/json is an OpenAPI document of every /api route, with summaries and the routes' own schemas", async () => {
  const t = await webTrader();
  try {
    const res = await t.web.app.inject({ url: "/docs/json", headers: { authorization: `Bearer ${t.web.token}` } });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as OpenApi;
    assert.match(doc.openapi, /^3\./);
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    assert.deepEqual([...listed].sort(), [...API_ROUTES].sort());
    for (const [path, ops] of Object.entries(doc.paths)) for (const [m, op] of Object.entries(ops)) assert.ok(op.summary, `${m} ${path} has a summary`);
    // Each listed route exists on the server (Fastify's :param form).
    for (const r of API_ROUTES) {
      const [method, path] = r.split(" ");
      assert.ok(t.web.app.hasRoute({ method: method as "GET", url: path.replace(/\{(\w+)\}/g, ":$1") }), r);
    }
    // The schemas are the routes' own: the order body's required fields, the bars query.
    assert.deepEqual(doc.paths["/api/orders"].post.requestBody!.content["application/json"].schema.required, [
      "symbol",
      "exchange",
      "direction",
      "type",
      "volume",
    ]);
    assert.deepEqual(doc.paths["/api/bars"].get.parameters!.map((p) => `${p.in}:${p.name}`).sort(), ["query:count", "query:interval", "query:vtSymbol"]);
  } finally {
    await t.close();
  }
});

test("/docs and /docs/json need the same login as /api, and /docs is served under the strict CSP", async () => {
  const t = await webTrader();
  try {
    const json = await t.web.app.inject({ url: "/docs/json" });
    assert.equal(json.statusCode, 401);
    assert.equal(json.json().code, "TW_WEB_UNAUTHORIZED");
    const wrong = await t.web.app.inject({ url: "/docs/json", headers: { authorization: "Bearer not-the-token" } });
    assert.equal(wrong.statusCode, 401);
    const page = await t.web.app.inject({ url: "/docs" });
    assert.equal(page.statusCode, 401);
    assert.match(page.body, /form id="login"/);
    const ok = await t.web.app.inject({ url: "/docs", headers: { authorization: `Bearer ${t.web.token}` } });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /src="\/static\/docs\.js"/);
    assert.match(String(ok.headers["content-security-policy"]), /script-src 'self'/);
  } finally {
    await t.close();
  }
});

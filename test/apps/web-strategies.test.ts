import { test } from "node:test";
import assert from "node:assert/strict";
import type { WebStrategyData, WebStrategySource } from "../../src/apps/web/index.js";
import { webTrader } from "./webFixture.js";

/** A strategy engine with the CtaEngine's shape, as the web server sees it. */
function engine(): WebStrategySource & { started: string[] } {
  const data: WebStrategyData = {
    strategyName: "atr1",
    vtSymbol: "rb2410.SHFE",
    className: "AtrRsi",
    parameters: {},
    variables: { inited: true, trading: false, pos: 0 },
  };
  const started: string[] = [];
  return {
    started,
    getAllStrategyNames: () => ["atr1"],
    getStrategy: (n) => (n === "atr1" ? { getData: () => data } : undefined),
    initStrategy: async () => {},
    startStrategy: async (n) => {
      started.push(n);
      data.variables.trading = true;
    },
    stopStrategy: async () => {},
  };
}

test("strategies of a given strategy engine are listed and started through the API", async () => {
  const cta = engine();
  const t = await webTrader({ strategies: cta });
  try {
    const headers = { authorization: `Bearer ${t.web.token}` };
    const list = await t.web.app.inject({ url: "/api/strategies", headers });
    assert.deepEqual(
      list.json().map((s: WebStrategyData) => s.strategyName),
      ["atr1"],
    );
    const start = await t.web.app.inject({ method: "POST", url: "/api/strategies/atr1/start", headers });
    assert.equal(start.statusCode, 202);
    assert.deepEqual(cta.started, ["atr1"]);
    const unknown = await t.web.app.inject({ method: "POST", url: "/api/strategies/nope/start", headers });
    assert.equal(unknown.json().code, "TW_WEB_UNKNOWN_STRATEGY");
    const bad = await t.web.app.inject({ method: "POST", url: "/api/strategies/atr1/explode", headers });
    assert.equal(bad.json().code, "TW_WEB_BAD_REQUEST");
  } finally {
    await t.close();
  }
});

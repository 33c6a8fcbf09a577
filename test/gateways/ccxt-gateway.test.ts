import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CcxtGateway, parseCcxtSettings } from "../../src/gateways/ccxt/index.js";
import { isTickwireError } from "../../src/event/index.js";
import {
  Direction,
  Exchange,
  GatewayStatus,
  MainEngine,
  OrderType,
  Product,
  Status,
  createCancelRequest,
  createOrderRequest,
  createSubscribeRequest,
  type OrderData,
  type TickData,
} from "../../src/trader/index.js";
import { emulatorSetting, startHarness, until, TEST_KEY, TEST_SECRET, type Harness } from "../support/ccxtHarness.js";
import { BinanceEmulator } from "../support/binanceEmulator.js";

const harnesses: Harness[] = [];
after(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  // Every event of every test: the keys never appear in one.
  for (const h of harnesses) {
    for (const text of h.seen) {
      assert.ok(!text.includes(TEST_SECRET), `secret leaked: ${text}`);
      assert.ok(!text.includes(TEST_KEY), `api key leaked: ${text}`);
    }
  }
});

async function harness(opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(opts);
  harnesses.push(h);
  return h;
}

const BTC = { symbol: "BTCUSDT", exchange: Exchange.BINANCE };

function order(h: Harness, vtOrderid: string): OrderData | undefined {
  return h.main.getOrder(vtOrderid);
}

function tradesOf(h: Harness, vtOrderid: string) {
  return h.main.getAllTrades().filter((t) => t.vtOrderid === vtOrderid);
}

async function send(h: Harness, init: { direction: Direction; type: OrderType; volume: number; price?: number; symbol?: string }): Promise<string> {
  return h.main.sendOrder(createOrderRequest({ ...BTC, ...init }), h.gw.gatewayName);
}

async function userStreamUp(h: Harness): Promise<void> {
  await until(() => h.emu.userStreamSubscribed, "the user data subscription");
}

describe("CcxtGateway against the Binance emulator", () => {
  test("connect: contracts from exchangeInfo, accounts per currency, CONNECTED", async () => {
    const h = await harness();
    await h.main.eventEngine.waitForIdle();
    const c = h.main.getContract("BTCUSDT.BINANCE");
    assert.ok(c, "BTCUSDT.BINANCE loaded");
    assert.equal(c.product, Product.SPOT);
    assert.equal(c.priceTick, 0.01);
    assert.equal(c.minVolume, 0.00001);
    assert.equal(c.maxVolume, 9000);
    assert.equal(c.size, 1);
    assert.equal(c.stopSupported, true);
    assert.equal(c.name, "BTC/USDT");
    assert.ok(h.main.getContract("ETHUSDT.BINANCE"));
    const usdt = h.main.getAccount("CCXT.USDT");
    assert.equal(usdt?.balance, 100_000);
    assert.equal(h.main.getAccount("CCXT.BTC")?.balance, 1);
    assert.equal(h.main.getGatewayStatus("CCXT")?.status, GatewayStatus.CONNECTED);
    assert.deepEqual(h.emu.requests.slice(0, 3), ["GET /api/v3/exchangeInfo", "GET /api/v3/account", "GET /api/v3/openOrders"]);
  });

  test("symbols setting loads only those markets; an unknown one is TW_CCXT_BAD_SYMBOL", async () => {
    const h = await harness({ setting: { symbols: "BTC/USDT" } });
    await h.main.eventEngine.waitForIdle();
    assert.deepEqual(
      h.gw.getContracts().map((c) => c.vtSymbol),
      ["BTCUSDT.BINANCE"],
    );
    const main = new MainEngine(undefined, { log: false });
    const gw = main.addGateway(CcxtGateway);
    await assert.rejects(
      main.connect(emulatorSetting(h.emu, { symbols: "DOGE/USDT" }), gw.gatewayName),
      (e) => isTickwireError(e, "TW_CCXT_BAD_SYMBOL") && /DOGE\/USDT/.test(e.message),
    );
    await main.close();
  });

  test("ticks: the ticker and depth streams give a 5-level TickData", async () => {
    const h = await harness();
    await h.main.subscribe(createSubscribeRequest(BTC), "CCXT");
    await until(() => h.emu.hasSubscriber("btcusdt@ticker") && h.emu.hasSubscriber("btcusdt@depth@100ms"), "stream subscriptions");
    await until(() => h.emu.requests.includes("GET /api/v3/depth"), "the depth snapshot");
    // The book snapshot is applied once a diff follows it.
    const ticks: TickData[] = [];
    h.main.eventEngine.register("eTick.BTCUSDT.BINANCE", (e) => ticks.push(e.data as TickData));
    h.emu.setBook(
      "BTCUSDT",
      [
        [99.99, 1.5],
        [99.98, 2],
        [99.97, 3],
        [99.96, 4],
        [99.95, 5],
      ],
      [
        [100.01, 0.5],
        [100.02, 1],
        [100.03, 1.5],
        [100.04, 2],
        [100.05, 2.5],
      ],
    );
    h.emu.publishTicker("BTCUSDT", 100);
    await until(() => ticks.some((t) => t.lastPrice === 100 && t.bidVolume1 === 1.5), "a tick with the ticker and the new book");
    const t = ticks.find((x) => x.lastPrice === 100 && x.bidVolume1 === 1.5)!;
    assert.equal(t.vtSymbol, "BTCUSDT.BINANCE");
    assert.deepEqual([t.bidPrice1, t.bidPrice2, t.bidPrice3, t.bidPrice4, t.bidPrice5], [99.99, 99.98, 99.97, 99.96, 99.95]);
    assert.deepEqual([t.askPrice1, t.askPrice5], [100.01, 100.05]);
    assert.deepEqual([t.askVolume1, t.askVolume5], [0.5, 2.5]);
    assert.equal(h.main.getTick("BTCUSDT.BINANCE")?.gatewayName, "CCXT");
  });

  test("a stream with no update is reported stale and polled over REST", async () => {
    const h = await harness({ setting: { staleAfterMs: 100, pollIntervalMs: 50 } });
    await h.main.subscribe(createSubscribeRequest(BTC), "CCXT");
    await until(() => h.logs.some((m) => m.includes("is stale")), "the stale report");
    await until(() => h.emu.requests.includes("GET /api/v3/ticker/24hr"), "a REST poll of the ticker");
    await until(() => h.main.getTick("BTCUSDT.BINANCE") !== undefined, "a tick from the poll");
    assert.ok(h.logs.some((m) => /Market stream of BTCUSDT\.BINANCE is stale: no update for \d+ ms \(limit 100 ms\)/.test(m)));
    // Updates again: reported back.
    await until(() => h.emu.hasSubscriber("btcusdt@ticker"), "the ticker subscription");
    h.emu.publishTicker("BTCUSDT", 101);
    await until(() => h.logs.some((m) => m.includes("updates again")), "the stream back");
  });

  test("REST polling mode (websocket off) gives ticks too", async () => {
    const h = await harness({ setting: { websocket: false, pollIntervalMs: 30 } });
    await h.main.subscribe(createSubscribeRequest(BTC), "CCXT");
    await until(() => h.main.getTick("BTCUSDT.BINANCE") !== undefined, "a polled tick");
    const t = h.main.getTick("BTCUSDT.BINANCE")!;
    assert.equal(t.bidPrice1, 99.99);
    assert.equal(t.askPrice5, 100.05);
    assert.equal(h.emu.hasSubscriber("btcusdt@ticker"), false);
  });

  test("order round trip: a buy larger than the best level fills partially, rests, then fills; each fill once", async () => {
    const h = await harness();
    await userStreamUp(h);
    const id = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 1, price: 100.02 });
    // 0.5 at 100.01, then 0.5 of the 1 at 100.02.
    await until(() => order(h, id)?.status === Status.ALLTRADED || order(h, id)?.status === Status.PARTTRADED, "the order's fills");
    await until(() => tradesOf(h, id).length === 2, "two fills");
    const o = order(h, id)!;
    assert.equal(o.status, Status.ALLTRADED);
    assert.equal(o.traded, 1);
    const trades = tradesOf(h, id);
    assert.deepEqual(
      trades.map((t) => [t.price, t.volume]),
      [
        [100.01, 0.5],
        [100.02, 0.5],
      ],
    );
    assert.equal(new Set(trades.map((t) => t.vtTradeid)).size, 2);
    // The client order id is the tickwire orderid.
    assert.ok(h.emu.orderByClientId(o.orderid));

    const id2 = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 1, price: 100.02 });
    await until(() => order(h, id2)?.status === Status.PARTTRADED, "a partial fill against the 0.5 left at 100.02");
    assert.equal(order(h, id2)!.traded, 0.5);
    const emuOrder = h.emu.orderByClientId(order(h, id2)!.orderid)!;
    assert.equal(emuOrder.status, "PARTIALLY_FILLED");
    h.emu.fillResting(emuOrder.orderId, 0.5);
    await until(() => order(h, id2)?.status === Status.ALLTRADED, "the rest filled");
    await until(() => tradesOf(h, id2).length === 2, "both fills");
    assert.equal(
      tradesOf(h, id2).reduce((s, t) => s + t.volume, 0),
      1,
    );
    // The account follows the fills (outboundAccountPosition).
    await until(() => Math.abs((h.main.getAccount("CCXT.BTC")?.balance ?? 0) - 3) < 1e-9, "the BTC balance after buying 2");
    await h.main.eventEngine.waitForIdle();
    assert.equal(tradesOf(h, id).length, 2, "no fill doubled");
  });

  test("cancel a resting order", async () => {
    const h = await harness();
    await userStreamUp(h);
    const id = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.1, price: 90 });
    await until(() => order(h, id)?.status === Status.NOTTRADED, "the order resting");
    await h.main.cancelOrder(createCancelRequest(order(h, id)!), "CCXT");
    await until(() => order(h, id)?.status === Status.CANCELLED, "the cancel");
    assert.equal(h.emu.orderByClientId(order(h, id)!.orderid)?.status, "CANCELED");
    assert.equal(h.main.getAllActiveOrders().length, 0);
  });

  test("FAK fills what it can and cancels the rest; FOK that cannot fill does nothing", async () => {
    const h = await harness();
    const fak = await send(h, { direction: Direction.LONG, type: OrderType.FAK, volume: 1, price: 100.01 });
    await until(() => order(h, fak)?.status === Status.CANCELLED, "the FAK done");
    assert.equal(order(h, fak)!.traded, 0.5);
    assert.match(order(h, fak)!.statusMsg, /expired/);
    const fok = await send(h, { direction: Direction.LONG, type: OrderType.FOK, volume: 5, price: 100.02 });
    await until(() => order(h, fok)?.status === Status.CANCELLED, "the FOK done");
    assert.equal(order(h, fok)!.traded, 0);
    assert.equal(tradesOf(h, fok).length, 0);
  });

  test("MARKET and STOP orders", async () => {
    const h = await harness();
    await userStreamUp(h);
    const m = await send(h, { direction: Direction.SHORT, type: OrderType.MARKET, volume: 0.2 });
    await until(() => order(h, m)?.status === Status.ALLTRADED, "the market sell");
    assert.deepEqual(
      tradesOf(h, m).map((t) => [t.price, t.volume, t.direction]),
      [[99.99, 0.2, Direction.SHORT]],
    );
    const stop = await send(h, { direction: Direction.SHORT, type: OrderType.STOP, volume: 0.1, price: 99.5 });
    await until(() => order(h, stop)?.status === Status.NOTTRADED, "the stop waiting");
    assert.equal(h.emu.orderByClientId(order(h, stop)!.orderid)?.type, "STOP_LOSS");
    h.emu.setBook("BTCUSDT", [[99.4, 1]], [[99.6, 1]]);
    await until(() => order(h, stop)?.status === Status.ALLTRADED, "the stop triggered and filled");
    assert.deepEqual(
      tradesOf(h, stop).map((t) => t.price),
      [99.4],
    );
  });

  test("a rejected order: insufficient funds from the exchange, an off-grid price before it", async () => {
    const h = await harness();
    const big = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 5000, price: 100 });
    await until(() => order(h, big)?.status === Status.REJECTED, "the rejection");
    assert.match(order(h, big)!.statusMsg, /^TW_CCXT_INSUFFICIENT_FUNDS: .*insufficient balance/);
    const posts = h.emu.requests.filter((r) => r === "POST /api/v3/order").length;
    const off = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.1, price: 100.005 });
    await until(() => order(h, off)?.status === Status.REJECTED, "the off-grid rejection");
    assert.match(order(h, off)!.statusMsg, /not on the price tick 0\.01/);
    const filter = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.00001, price: 100 });
    await until(() => order(h, filter)?.status === Status.REJECTED, "the notional rejection");
    assert.match(order(h, filter)!.statusMsg, /^TW_CCXT_REJECTED: .*NOTIONAL/);
    assert.equal(h.emu.requests.filter((r) => r === "POST /api/v3/order").length, posts + 1, "the off-grid order never reached the exchange");
  });

  test("a dropped WebSocket with fills during the outage: reconciled on reconnect, none missed or doubled", async () => {
    const h = await harness();
    await userStreamUp(h);
    const statuses: string[] = [];
    h.main.eventEngine.register("eGateway.", (e) => statuses.push((e.data as { status: string }).status));
    const a = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 1, price: 99 });
    const b = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 1, price: 98 });
    await until(() => order(h, a)?.status === Status.NOTTRADED && order(h, b)?.status === Status.NOTTRADED, "both resting");
    const ea = h.emu.orderByClientId(order(h, a)!.orderid)!;
    const eb = h.emu.orderByClientId(order(h, b)!.orderid)!;
    h.emu.fillResting(ea.orderId, 0.25);
    await until(() => tradesOf(h, a).length === 1, "a fill over the stream");

    h.emu.setStreamsDown(true);
    await until(() => statuses.includes(GatewayStatus.DISCONNECTED), "the disconnect reported");
    // While nobody listens: a finishes, b fills partly.
    h.emu.fillResting(ea.orderId, 0.35);
    h.emu.fillResting(ea.orderId, 0.4);
    h.emu.fillResting(eb.orderId, 0.3);
    const tradesBefore = h.emu.requests.filter((r) => r === "GET /api/v3/myTrades").length;
    h.emu.setStreamsDown(false);
    await until(() => statuses.includes(GatewayStatus.RECONNECTED), "the reconnect reported");
    await until(() => order(h, a)?.status === Status.ALLTRADED && order(h, b)?.status === Status.PARTTRADED, "the orders reconciled");
    await until(() => tradesOf(h, a).length === 3 && tradesOf(h, b).length === 1, "the missed fills");
    assert.ok(h.emu.requests.filter((r) => r === "GET /api/v3/myTrades").length > tradesBefore, "trades asked over REST");
    assert.equal(order(h, b)!.traded, 0.3);

    // After the reconnect the stream delivers again, once.
    await userStreamUp(h);
    h.emu.fillResting(eb.orderId, 0.7);
    await until(() => order(h, b)?.status === Status.ALLTRADED, "b filled over the new stream");
    await until(() => tradesOf(h, b).length === 2, "b's second fill");
    await h.gw.reconcile("test");
    await h.main.eventEngine.waitForIdle();
    const all = [...tradesOf(h, a), ...tradesOf(h, b)];
    assert.equal(all.length, 5, "no fill missed or doubled");
    assert.equal(new Set(all.map((t) => t.vtTradeid)).size, 5);
    assert.deepEqual(
      tradesOf(h, a).map((t) => t.volume),
      [0.25, 0.35, 0.4],
    );
    const emuIds = h.emu.trades
      .filter((t) => t.orderId === ea.orderId || t.orderId === eb.orderId)
      .map((t) => `CCXT.${t.id}`)
      .sort();
    assert.deepEqual(all.map((t) => t.vtTradeid).sort(), emuIds);
  });

  test("an order sent again after a restart is found by its client order id", async () => {
    const h = await harness();
    const id = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.1, price: 95 });
    await until(() => order(h, id)?.status === Status.NOTTRADED, "resting");
    const orderid = order(h, id)!.orderid;
    // A new session (a restart) learns the open order under the same orderid.
    const main = new MainEngine(undefined, { log: false });
    const gw = main.addGateway(CcxtGateway);
    await main.connect(emulatorSetting(h.emu), gw.gatewayName);
    await main.eventEngine.waitForIdle();
    assert.equal(main.getOrder(`CCXT.${orderid}`)?.status, Status.NOTTRADED);
    assert.equal(main.getOrder(`CCXT.${orderid}`)?.price, 95);
    await main.cancelOrder(createCancelRequest(main.getOrder(`CCXT.${orderid}`)!), "CCXT");
    await until(() => main.getOrder(`CCXT.${orderid}`)?.status === Status.CANCELLED, "the cancel from the new session");
    await main.close();
  });

  test("an order whose answer is lost on the network is found by its client order id, not doubled", async () => {
    const h = await harness();
    h.emu.failNext(1, "lost", "/api/v3/order");
    const id = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.1, price: 96 });
    await until(() => h.logs.some((m) => m.includes("looking it up by its client order id")), "the lookup");
    await until(() => order(h, id)?.status === Status.NOTTRADED, "the order found");
    // Found by its client order id: from the stream's report, or the REST lookup, whichever is first.
    assert.equal(h.emu.orders.size, 1, "placed once");
    assert.equal(order(h, id)!.orderid, h.emu.orderByClientId(order(h, id)!.orderid)?.clientOrderId);
    // With the streams down only the REST lookup can find it.
    h.emu.setStreamsDown(true);
    h.emu.failNext(1, "lost", "/api/v3/order");
    const gets = h.emu.requests.filter((r) => r === "GET /api/v3/order").length;
    const id2 = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.1, price: 95 });
    await until(() => order(h, id2)?.status === Status.NOTTRADED, "the second order found over REST");
    assert.ok(h.emu.requests.filter((r) => r === "GET /api/v3/order").length > gets);
    assert.equal(h.emu.orders.size, 2);
    h.emu.setStreamsDown(false);
    // One that never reached the exchange is REJECTED after the lookup.
    h.emu.failNext(1, "429", "/api/v3/order");
    const refused = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.1, price: 96 });
    await until(() => order(h, refused)?.status === Status.REJECTED, "the refusal");
  });

  test("auth errors: a wrong secret (-1022) and an unknown key (-2015) are TW_CCXT_AUTH without the keys", async () => {
    const emu = await BinanceEmulator.start({ apiKey: TEST_KEY, secret: TEST_SECRET });
    try {
      for (const bad of [
        { apiKey: TEST_KEY, secret: "wrong-secret-777" },
        { apiKey: "unknown-key-888", secret: TEST_SECRET },
      ]) {
        const main = new MainEngine(undefined, { log: false });
        const seen: string[] = [];
        main.eventEngine.registerGeneral((e) => seen.push(JSON.stringify(e.data)));
        const gw = main.addGateway(CcxtGateway);
        await assert.rejects(main.connect(emulatorSetting(emu, bad), gw.gatewayName), (e: unknown) => {
          assert.ok(isTickwireError(e, "TW_CCXT_AUTH"), String(e));
          for (const s of [bad.apiKey, bad.secret]) assert.ok(!e.message.includes(s));
          assert.ok(!JSON.stringify(e.details).includes(bad.secret));
          return true;
        });
        await main.eventEngine.waitForIdle();
        assert.equal(main.getGatewayStatus("CCXT")?.status, GatewayStatus.DISCONNECTED);
        for (const text of seen) for (const s of [bad.apiKey, bad.secret]) assert.ok(!text.includes(s), text);
        await main.close();
      }
    } finally {
      await emu.close();
    }
  });

  test("a rate-limit answer rejects the order as TW_CCXT_RATE_LIMIT and pauses orders for the cooldown", async () => {
    const h = await harness({ setting: { rateLimitCooldownMs: 300 } });
    h.emu.failNext(1, "429", "/api/v3/order");
    const first = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.1, price: 90 });
    await until(() => order(h, first)?.status === Status.REJECTED, "the rate-limited order");
    assert.match(order(h, first)!.statusMsg, /^TW_CCXT_RATE_LIMIT: /);
    const posts = h.emu.requests.filter((r) => r === "POST /api/v3/order").length;
    const second = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.1, price: 90 });
    await until(() => order(h, second)?.status === Status.REJECTED, "the order refused during the cooldown");
    assert.match(order(h, second)!.statusMsg, /^TW_CCXT_RATE_LIMIT: rate limited/);
    assert.equal(h.emu.requests.filter((r) => r === "POST /api/v3/order").length, posts, "no request during the cooldown");
    assert.ok(h.logs.some((m) => m.includes("Rate limited by binance")));
    await new Promise((r) => setTimeout(r, 350));
    const third = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.1, price: 90 });
    await until(() => order(h, third)?.status === Status.NOTTRADED, "an order after the cooldown");
    // A -1003 body (HTTP 400) is a rate limit too.
    h.emu.failNext(1, "-1003", "/api/v3/account");
    await assert.rejects(Promise.resolve(h.gw.queryAccount()), (e) => isTickwireError(e, "TW_CCXT_RATE_LIMIT"));
  });

  test("settings: bad values are TW_CCXT_BAD_OPTION; keys from env or a key file; a key is never echoed", async () => {
    assert.throws(
      () => parseCcxtSettings({ marketType: "futures" }, {}),
      (e) => isTickwireError(e, "TW_CCXT_BAD_OPTION") && /marketType/.test(e.message),
    );
    assert.throws(
      () => parseCcxtSettings({ apiKey: "only-a-key-123" }, {}),
      (e) => isTickwireError(e, "TW_CCXT_BAD_OPTION") && !e.message.includes("only-a-key-123"),
    );
    assert.throws(
      () => parseCcxtSettings({ secret: 12345678 }, {}),
      (e) => isTickwireError(e, "TW_CCXT_BAD_OPTION") && !e.message.includes("12345678"),
    );
    const env = parseCcxtSettings({}, { TICKWIRE_CCXT_KEY: "k-env", TICKWIRE_CCXT_SECRET: "s-env" });
    assert.equal(env.apiKey, "k-env");
    assert.equal(env.secret, "s-env");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "ccxt17-"));
    const file = join(dir, "keys.json");
    writeFileSync(file, JSON.stringify({ apiKey: "k-file", secret: "s-file-secret" }));
    const fromFile = parseCcxtSettings({ keyFile: file }, {});
    assert.equal(fromFile.secret, "s-file-secret");
    writeFileSync(file, '{"apiKey": "k-file", "secret": 5, "x": "s-file-secret"');
    assert.throws(
      () => parseCcxtSettings({ keyFile: file }, {}),
      (e) => isTickwireError(e, "TW_CCXT_BAD_OPTION") && !e.message.includes("s-file-secret"),
    );
    const main = new MainEngine(undefined, { log: false });
    const gw = main.addGateway(CcxtGateway);
    await assert.rejects(main.connect({ exchange: "nosuchexchange" }, gw.gatewayName), (e) => isTickwireError(e, "TW_CCXT_BAD_OPTION"));
    await main.close();
  });

  test("market data without keys; orders are refused with the reason", async () => {
    const h = await harness({ setting: { apiKey: "", secret: "" } });
    await h.main.eventEngine.waitForIdle();
    assert.ok(h.main.getContract("BTCUSDT.BINANCE"));
    assert.equal(h.main.getAllAccounts().length, 0);
    const id = await send(h, { direction: Direction.LONG, type: OrderType.LIMIT, volume: 0.1, price: 90 });
    await until(() => order(h, id)?.status === Status.REJECTED, "the refusal");
    assert.match(order(h, id)!.statusMsg, /no API key/);
  });
});

test("ccxt is loaded lazily: no module of src imports it at load time", async () => {
  const { readdirSync, readFileSync, statSync } = await import("node:fs");
  const { join } = await import("node:path");
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts")) files.push(p);
    }
  };
  walk("src");
  const staticImport = /^\s*(?:import|export)\s+(?!type\b)[^;]*from\s+["']ccxt["']/m;
  const offenders = files.filter((f) => staticImport.test(readFileSync(f, "utf8")));
  assert.deepEqual(offenders, []);
  assert.match(readFileSync("src/gateways/ccxt/CcxtGateway.ts", "utf8"), /import\("ccxt"\)/);
});

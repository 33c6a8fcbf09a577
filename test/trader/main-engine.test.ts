import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { EventEngine, TickwireError, isTickwireError } from "../../src/event/index.js";
import {
  BaseEngine,
  Direction,
  Exchange,
  GatewayStatus,
  LogLevel,
  MainEngine,
  createHistoryRequest,
  createOrderRequest,
  createSubscribeRequest,
  type BaseApp,
  type LogData,
  type TraderEventEngine,
  type TraderEvents,
} from "../../src/trader/index.js";
import { DeskGateway } from "./desk.js";

const mains: MainEngine[] = [];
after(async () => {
  for (const main of mains) await main.close().catch(() => undefined);
});

function newMain(): MainEngine {
  const main = new MainEngine(undefined, { log: false, eventEngine: { interval: null } });
  mains.push(main);
  return main;
}

/** The eLog lines the engine dispatches from now on. */
function logsOf(main: MainEngine): LogData[] {
  const logs: LogData[] = [];
  main.eventEngine.register("eLog", (event) => {
    logs.push(event.data);
  });
  return logs;
}

const req = createOrderRequest({ symbol: "X", exchange: Exchange.SIM, direction: Direction.LONG, volume: 1, price: 1 });

describe("MainEngine routing", () => {
  test("each call goes to the gateway it names and to no other", async () => {
    const main = newMain();
    const a = main.addGateway(DeskGateway);
    const b = main.addGateway(DeskGateway, "DESK2");
    await main.connect({ account: "x" }, "DESK2");
    await main.subscribe(createSubscribeRequest({ symbol: "X", exchange: Exchange.SIM }), "DESK2");
    const vtOrderid = await main.sendOrder(req, "DESK2");
    const bars = await main.queryHistory(createHistoryRequest({ symbol: "X", exchange: Exchange.SIM, start: 60_000, end: 120_000 }), "DESK2");
    assert.equal(vtOrderid, "DESK2.1");
    assert.equal(bars.length, 1);
    assert.equal(bars[0].gatewayName, "DESK2");
    assert.deepEqual(b.calls, ['connect {"account":"x"}', "subscribe X.SIM", "sendOrder X.SIM", "queryHistory X.SIM"]);
    assert.deepEqual(a.calls, []);
    assert.deepEqual(main.getAllGatewayNames(), ["DESK", "DESK2"]);
    assert.deepEqual(main.getAllExchanges(), [Exchange.SIM, Exchange.LOCAL]);
    assert.equal(main.getGateway("DESK2"), b);
    assert.deepEqual(main.getDefaultSetting("DESK"), { account: "acc1" });
  });

  test("once connect resolves, the OMS holds what the gateway pushed while connecting", async () => {
    const main = newMain();
    main.addGateway(DeskGateway);
    await main.connect({}, "DESK");
    assert.equal(main.getGatewayStatus("DESK")?.status, GatewayStatus.CONNECTED);
  });

  test("a call naming an unknown gateway throws TW_TRADER_UNKNOWN_GATEWAY and writes an ERROR log line", async () => {
    const main = newMain();
    main.addGateway(DeskGateway);
    const logs = logsOf(main);
    assert.throws(
      () => main.sendOrder(req, "NOPE"),
      (err: unknown) => isTickwireError(err, "TW_TRADER_UNKNOWN_GATEWAY") && /NOPE/.test((err as Error).message) && /DESK/.test((err as Error).message),
    );
    await assert.rejects(main.connect({}, "NOPE"), (err: unknown) => isTickwireError(err, "TW_TRADER_UNKNOWN_GATEWAY"));
    await main.eventEngine.waitForIdle();
    assert.equal(logs.length, 2);
    for (const log of logs) {
      assert.equal(log.level, LogLevel.ERROR);
      assert.equal(log.gatewayName, "MainEngine");
      assert.match(log.msg, /no gateway named "NOPE"/);
    }
    assert.match(logs[0].msg, /^sendOrder/);
    assert.match(logs[1].msg, /^connect/);
  });

  test("adding two gateways under one name is refused and keeps the first", () => {
    const main = newMain();
    const first = main.addGateway(DeskGateway);
    assert.throws(
      () => main.addGateway(DeskGateway),
      (err: unknown) => isTickwireError(err, "TW_TRADER_DUPLICATE_GATEWAY"),
    );
    assert.equal(main.getGateway("DESK"), first);
  });

  test("a gateway built on another event engine is refused", async () => {
    const main = newMain();
    const other = new EventEngine<TraderEvents>({ interval: null });
    assert.throws(
      () => main.addGateway(new DeskGateway(other)),
      (err: unknown) => isTickwireError(err, "TW_TRADER_WRONG_ENGINE"),
    );
  });

  test("MainEngine uses and starts the event engine it is given", async () => {
    const ee = new EventEngine<TraderEvents>({ interval: null });
    assert.equal(ee.running, false);
    const main = new MainEngine(ee, { log: false });
    mains.push(main);
    assert.equal(main.eventEngine, ee);
    assert.equal(ee.running, true);
  });
});

describe("MainEngine engines and apps", () => {
  class NoteEngine extends BaseEngine {
    constructor(main: MainEngine, ee: TraderEventEngine) {
      super(main, ee, "Notes");
    }
  }
  const NotesApp: BaseApp<NoteEngine> = { appName: "Notes", displayName: "Notes", engineClass: NoteEngine };

  test("addApp creates the app's engine, which getEngine then returns", () => {
    const main = newMain();
    const engine = main.addApp(NotesApp);
    assert.ok(engine instanceof NoteEngine);
    assert.equal(main.getEngine<NoteEngine>("Notes"), engine);
    assert.deepEqual(main.getAllApps(), [NotesApp]);
    assert.deepEqual(main.getAllEngineNames(), ["oms", "Notes"]);
    assert.throws(
      () => main.addApp(NotesApp),
      (err: unknown) => isTickwireError(err, "TW_TRADER_DUPLICATE_APP"),
    );
  });

  test("getEngine of an unknown name throws TW_TRADER_UNKNOWN_ENGINE", () => {
    const main = newMain();
    assert.throws(
      () => main.getEngine("nope"),
      (err: unknown) => isTickwireError(err, "TW_TRADER_UNKNOWN_ENGINE"),
    );
  });

  test("MainEngine starts with a log engine and the oms unless logging is off", async () => {
    const main = new MainEngine(undefined, { log: { console: false }, eventEngine: { interval: null } });
    mains.push(main);
    assert.deepEqual(main.getAllEngineNames(), ["log", "oms"]);
    assert.ok(main.logEngine);
  });
});

describe("MainEngine.close", () => {
  test("close stops apps, then other engines, then gateways, then the event engine, and resolves when done", async () => {
    const main = newMain();
    const order: string[] = [];
    const gw = main.addGateway(DeskGateway);
    await main.connect({}, "DESK");
    class AppEngine extends BaseEngine {
      constructor(m: MainEngine, ee: TraderEventEngine) {
        super(m, ee, "App");
      }
      override async close(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(`app (gateway ${gw.connectionStatus}, events ${main.eventEngine.running ? "running" : "stopped"})`);
      }
    }
    class ToolEngine extends BaseEngine {
      constructor(m: MainEngine, ee: TraderEventEngine) {
        super(m, ee, "Tool");
      }
      override close(): void {
        order.push(`tool (gateway ${gw.connectionStatus})`);
      }
    }
    main.addEngine(ToolEngine);
    main.addApp({ appName: "App", displayName: "App", engineClass: AppEngine });
    gw.onClose = () => order.push(`gateway (events ${main.eventEngine.running ? "running" : "stopped"})`);

    await main.close();
    order.push(`done (events ${main.eventEngine.running ? "running" : "stopped"})`);
    assert.deepEqual(order, ["app (gateway CONNECTED, events running)", "tool (gateway CONNECTED)", "gateway (events running)", "done (events stopped)"]);
    // The event engine drained before stopping: the OMS saw the gateway's last state.
    assert.equal(main.getGatewayStatus("DESK")?.status, GatewayStatus.DISCONNECTED);
  });

  test("calling close twice returns the same promise", async () => {
    const main = newMain();
    const p1 = main.close();
    const p2 = main.close();
    assert.equal(p1, p2);
    await p1;
  });

  test("a part that fails to close is reported and everything else still closes", async () => {
    const main = newMain();
    class BrokenGateway extends DeskGateway {
      static override readonly defaultName = "BROKEN";
      override async close(): Promise<void> {
        throw new Error("socket stuck");
      }
    }
    main.addGateway(BrokenGateway);
    const ok = main.addGateway(DeskGateway);
    const logs = logsOf(main);
    await assert.rejects(main.close(), (err: unknown) => isTickwireError(err, "TW_TRADER_CLOSE_FAILED") && (err as Error).cause instanceof Error);
    assert.deepEqual(ok.calls, ["close"]);
    assert.equal(main.eventEngine.running, false);
    assert.ok(logs.some((l) => l.level === LogLevel.ERROR && /gateway BROKEN failed: Error: socket stuck/.test(l.msg)));
  });
});

describe("MainEngine constructor arguments", () => {
  test("options passed first (as from JavaScript) are TW_TRADER_BAD_OPTION saying they go second", () => {
    assert.throws(
      () => new MainEngine({ log: false } as never),
      (err: unknown) => {
        assert.ok(err instanceof TickwireError);
        assert.equal(err.code, "TW_TRADER_BAD_OPTION");
        assert.match(err.message, /options go second — new MainEngine\(undefined, \{ log: … \}\)/);
        return true;
      },
    );
  });

  test("a first argument that is not an event engine, or options that are not an object, are TW_TRADER_BAD_OPTION", () => {
    for (const bad of [42, "main", null, { register: 1 }]) {
      assert.throws(
        () => new MainEngine(bad as never),
        (err: unknown) => err instanceof TickwireError && err.code === "TW_TRADER_BAD_OPTION" && /must be an EventEngine/.test(err.message),
      );
    }
    assert.throws(
      () => new MainEngine(undefined, 5 as never),
      (err: unknown) => err instanceof TickwireError && err.code === "TW_TRADER_BAD_OPTION" && /options must be an object/.test(err.message),
    );
  });
});

describe("MainEngine ids from their parts", () => {
  test("getPositionOf and getAccountOf find what getPosition and getAccount find by the built id; tickwire/trader has isTickwireError", async () => {
    const { SimGateway } = await import("../../src/gateways/sim/index.js");
    const trader = await import("../../src/trader/index.js");
    const main = new MainEngine(undefined, { log: false });
    try {
      main.addGateway(SimGateway);
      await main.connect({ seed: 2, instruments: "rb2410.SHFE", tickRate: 1 }, "SIM");
      const vtOrderid = await main.sendOrder(
        trader.createOrderRequest({
          symbol: "rb2410",
          exchange: trader.Exchange.SHFE,
          direction: trader.Direction.LONG,
          offset: trader.Offset.OPEN,
          type: trader.OrderType.MARKET,
          volume: 1,
        }),
        "SIM",
      );
      await main.eventEngine.waitForIdle();
      assert.equal(main.getOrder(vtOrderid)?.status, trader.Status.ALLTRADED);
      // the sim's trade ids are "T<n>", never of its order ids' form
      const [trade] = main.getAllTrades();
      assert.match(trade.vtTradeid, /^SIM\.T\d+$/);
      assert.match(trade.vtOrderid, /^SIM\.\d+$/);
      const pos = main.getPositionOf("rb2410.SHFE", trader.Direction.LONG, "SIM");
      assert.equal(pos?.volume, 1);
      assert.equal(pos, main.getPosition(trader.vtPositionidOf("SIM", "rb2410.SHFE", trader.Direction.LONG)));
      assert.equal(main.getAccountOf("SIM", "PAPER"), main.getAccount("SIM.PAPER"));
      assert.ok(main.getAccountOf("SIM", "PAPER"));
      assert.equal(main.getPositionOf("rb2410.SHFE", trader.Direction.SHORT, "SIM")?.volume ?? 0, 0);
      assert.equal(trader.isTickwireError, isTickwireError);
      assert.equal(trader.TickwireError, TickwireError);
    } finally {
      await main.close();
    }
  });
});

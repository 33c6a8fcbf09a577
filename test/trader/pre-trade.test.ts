import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { isTickwireError } from "../../src/event/errors.js";
import {
  Direction,
  Exchange,
  MainEngine,
  Status,
  createCancelRequest,
  createOrderRequest,
  type OrderData,
  type PreTradeCheck,
} from "../../src/trader/index.js";
import { DeskGateway } from "./desk.js";

const buy = (volume = 1) => createOrderRequest({ symbol: "X", exchange: Exchange.SIM, direction: Direction.LONG, volume, price: 10 });

async function desk(): Promise<{ main: MainEngine; gw: DeskGateway }> {
  const main = new MainEngine(undefined, { log: false });
  const gw = main.addGateway(DeskGateway);
  await main.connect({}, "DESK");
  gw.calls.length = 0;
  return { main, gw };
}

const refuseAll: PreTradeCheck = {
  checkOrder: () => ({ code: "TW_RISK_TEST", rule: "test", limit: 1, value: 2, message: "refused by the test" }),
  checkCancel: () => ({ code: "TW_RISK_TEST", rule: "test", limit: 0, value: 1, message: "no cancels" }),
};

describe("MainEngine pre-trade checks", () => {
  test("a refused order never reaches the gateway and the caller gets the refusal's code, rule, limit and value", async () => {
    const { main, gw } = await desk();
    main.addPreTradeCheck(refuseAll);
    assert.throws(
      () => main.sendOrder(buy(), "DESK"),
      (e: unknown) => isTickwireError(e, "TW_RISK_TEST") && e.details?.rule === "test" && e.details.limit === 1 && e.details.value === 2,
    );
    assert.deepEqual(gw.calls, []);
    await main.close();
  });

  test("a refused order is published as an order event with status REJECTED and the reason", async () => {
    const { main } = await desk();
    main.addPreTradeCheck(refuseAll);
    const seen: OrderData[] = [];
    main.eventEngine.register("eOrder.", (e) => void seen.push(e.data));
    let vtOrderid = "";
    try {
      main.sendOrder(buy(), "DESK");
    } catch (e) {
      vtOrderid = String((e as { details: { vtOrderid: string } }).details.vtOrderid);
    }
    await main.eventEngine.waitForIdle();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].status, Status.REJECTED);
    assert.equal(seen[0].statusMsg, "refused by the test");
    assert.equal(seen[0].vtOrderid, vtOrderid);
    assert.equal(main.getOrder(vtOrderid)?.status, Status.REJECTED);
    await main.close();
  });

  test("a passed order reaches the gateway and every check is told its vtOrderid", async () => {
    const { main, gw } = await desk();
    const told: Array<string | null> = [];
    main.addPreTradeCheck({ checkOrder: () => undefined, afterSend: (_r, _g, id) => void told.push(id) });
    const vtOrderid = main.sendOrder(buy(), "DESK");
    assert.deepEqual(gw.calls, ["sendOrder X.SIM"]);
    assert.deepEqual(told, [vtOrderid]);
    await main.close();
  });

  test("a refused cancel never reaches the gateway", async () => {
    const { main, gw } = await desk();
    const vtOrderid = main.sendOrder(buy(), "DESK") as string;
    await main.eventEngine.waitForIdle();
    main.addPreTradeCheck(refuseAll);
    assert.throws(
      () => main.cancelOrder(createCancelRequest(main.getOrder(vtOrderid)!), "DESK"),
      (e: unknown) => isTickwireError(e, "TW_RISK_TEST"),
    );
    assert.deepEqual(gw.calls, ["sendOrder X.SIM"]);
    await main.close();
  });

  test("a removed check no longer runs", async () => {
    const { main, gw } = await desk();
    main.addPreTradeCheck(refuseAll);
    main.removePreTradeCheck(refuseAll);
    main.sendOrder(buy(), "DESK");
    assert.deepEqual(gw.calls, ["sendOrder X.SIM"]);
    await main.close();
  });
});

/**
 * Gateway settings are typed by the gateway (a wrong key is a compile error: the @ts-expect-error
 * lines below are checked by `npm run lint`'s tsc) and refused at run time, as from JavaScript.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { SimGateway, type SimGatewaySetting } from "../../src/gateways/sim/index.js";
import { RpcGateway } from "../../src/gateways/rpc/index.js";
import { CcxtGateway } from "../../src/gateways/ccxt/index.js";
import { CCXT_SETTING_KEYS } from "../../src/gateways/ccxt/settings.js";
import { MainEngine, type GatewaySettingFor, type SettingOf } from "../../src/trader/index.js";
import { TickwireError } from "../../src/event/index.js";

const engines: MainEngine[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.close()));
});
function engine(): MainEngine {
  const m = new MainEngine(undefined, { log: false });
  engines.push(m);
  return m;
}

// Types only: these lines must compile (or fail to, where marked) under the project's tsc.
export function typeChecks(main: MainEngine): void {
  const sim = main.addGateway(SimGateway);
  const ok: SettingOf<SimGateway> = { seed: 3, tickRate: 50 };
  const byName: GatewaySettingFor<"SIM"> = ok satisfies SimGatewaySetting;
  void main.connect(byName, "SIM");
  void main.connect({ seed: 3, tickRate: 50, instruments: "rb2410.SHFE" }, "SIM");
  void main.connect({ seed: 3 }, sim); // the handle addGateway returned
  // @ts-expect-error "sed" is not a SimGateway setting (the typo the issue found)
  void main.connect({ tickRate: 50, sed: 3 }, "SIM");
  // @ts-expect-error "tickrate" is not a SimGateway setting
  void main.connect({ tickrate: 50 }, sim);
  // @ts-expect-error "reqAdress" is not an RpcGateway setting
  void main.connect({ reqAdress: "tcp://127.0.0.1:2014" }, "RPC");
  const binance = main.addGateway(CcxtGateway, "BINANCE");
  void main.connect({ exchange: "binance", sandbox: true, symbols: ["BTC/USDT"] }, binance);
  // @ts-expect-error "exchnge" is not a CcxtGateway setting
  void main.connect({ exchnge: "binance" }, binance);
  // @ts-expect-error "apikey" is not a CcxtGateway setting (apiKey is)
  void main.connect({ apikey: "k" }, "CCXT");
  // a name that is not a known gateway's default takes any settings; the gateway checks them
  const name: string = "SIM2";
  void main.connect({ anything: 1 }, name);
}

function refusal(code: string, key: string, known: string[]) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof TickwireError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, new RegExp(`Unknown setting "${key}"`));
    for (const k of known) assert.match(err.message, new RegExp(`\\b${k}\\b`));
    assert.deepEqual((err.details as { setting: string }).setting, key);
    return true;
  };
}

describe("gateway settings", () => {
  test("SimGateway refuses an unknown key with TW_SIM_BAD_OPTION naming it and the known ones", async () => {
    const main = engine();
    main.addGateway(SimGateway);
    // as a JavaScript caller passes it: no types
    const setting = JSON.parse('{ "tickRate": 50, "sed": 3 }') as never;
    await assert.rejects(main.connect(setting, "SIM"), refusal("TW_SIM_BAD_OPTION", "sed", Object.keys(SimGateway.defaultSetting)));
    assert.equal(main.getGateway("SIM")?.connectionStatus, "DISCONNECTED");
  });

  test("SimGateway refuses settings that are not an object", async () => {
    const main = engine();
    main.addGateway(SimGateway);
    await assert.rejects(
      main.connect([] as never, "SIM"),
      (e: unknown) => e instanceof TickwireError && e.code === "TW_SIM_BAD_OPTION" && /must be an object/.test(e.message),
    );
  });

  test("known keys connect, by name and by the handle addGateway returned", async () => {
    const main = engine();
    const sim = main.addGateway(SimGateway);
    await main.connect({ seed: 3, tickRate: 1, instruments: "rb2410.SHFE" }, sim);
    assert.equal(sim.connected, true);
    const other = engine();
    other.addGateway(SimGateway);
    await assert.rejects(
      main.connect({}, other.getGateway("SIM") as SimGateway),
      (e: unknown) => e instanceof TickwireError && e.code === "TW_TRADER_UNKNOWN_GATEWAY",
    );
  });

  test("RpcGateway refuses an unknown key with TW_RPC_GATEWAY_BAD_OPTION naming it and the known ones", async () => {
    const main = engine();
    main.addGateway(RpcGateway);
    const setting = JSON.parse('{ "reqAdress": "tcp://127.0.0.1:2014" }') as never;
    await assert.rejects(main.connect(setting, "RPC"), refusal("TW_RPC_GATEWAY_BAD_OPTION", "reqAdress", Object.keys(RpcGateway.defaultSetting)));
  });

  test("CcxtGateway refuses an unknown key with TW_CCXT_BAD_OPTION before it loads ccxt or reaches the network, and does not echo the value", async () => {
    const main = engine();
    main.addGateway(CcxtGateway, "BINANCE");
    // "exchnge" would otherwise connect to the default exchange; "apikey" would trade with no key
    const setting = JSON.parse('{ "exchange": "binance", "apikey": "tw-secret-value-1234" }') as never;
    await assert.rejects(main.connect(setting, "BINANCE"), (err: unknown) => {
      refusal("TW_CCXT_BAD_OPTION", "apikey", ["exchange", "apiKey", "urls", "options", "accountPrefix"])(err);
      assert.doesNotMatch((err as Error).message, /tw-secret-value-1234/);
      return true;
    });
    assert.equal(main.getGateway("BINANCE")?.connectionStatus, "DISCONNECTED");
    assert.ok(CCXT_SETTING_KEYS.includes("urls"));
  });
});

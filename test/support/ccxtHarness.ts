/** Shared set-up of the ccxt gateway tests: an emulator, a MainEngine with the gateway, event capture. */
import { CcxtGateway } from "../../src/gateways/ccxt/index.js";
import { MainEngine } from "../../src/trader/index.js";
import { BinanceEmulator, type EmulatorOptions } from "./binanceEmulator.js";

export const TEST_KEY = "tw-test-key-Q7F2";
export const TEST_SECRET = "tw-test-secret-9XK4Z";

export interface Harness {
  emu: BinanceEmulator;
  main: MainEngine;
  gw: CcxtGateway;
  /** JSON of every event the engine dispatched (to look for secrets). */
  seen: string[];
  logs: string[];
  close(): Promise<void>;
}

/** The connect setting that points the gateway at `emu`, with fast reconnects. */
export function emulatorSetting(emu: BinanceEmulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    exchange: "binance",
    apiKey: emu.apiKey,
    secret: emu.secret,
    urls: emu.ccxtUrls(),
    rateLimit: 5,
    reconnectMinMs: 20,
    reconnectMaxMs: 200,
    staleAfterMs: 0,
    reconcileIntervalMs: 0,
    ...extra,
  };
}

export async function startHarness(opts: { emulator?: EmulatorOptions; setting?: Record<string, unknown>; connect?: boolean } = {}): Promise<Harness> {
  const emu = await BinanceEmulator.start({ apiKey: TEST_KEY, secret: TEST_SECRET, ...opts.emulator });
  emu.setBook(
    "BTCUSDT",
    [
      [99.99, 1],
      [99.98, 2],
      [99.97, 3],
      [99.96, 4],
      [99.95, 5],
      [99.9, 9],
    ],
    [
      [100.01, 0.5],
      [100.02, 1],
      [100.03, 1.5],
      [100.04, 2],
      [100.05, 2.5],
      [100.1, 9],
    ],
  );
  emu.setBook("ETHUSDT", [[9.99, 10]], [[10.01, 10]]);
  const main = new MainEngine(undefined, { log: false });
  const seen: string[] = [];
  const logs: string[] = [];
  main.eventEngine.registerGeneral((e) => {
    if (e.type === "eTimer") return;
    const text = JSON.stringify(e.data);
    seen.push(text);
    if (e.type === "eLog") logs.push((e.data as { msg: string }).msg);
  });
  const gw = main.addGateway(CcxtGateway);
  if (opts.connect !== false) await main.connect(emulatorSetting(emu, opts.setting), gw.gatewayName);
  return {
    emu,
    main,
    gw,
    seen,
    logs,
    async close() {
      await main.close();
      await emu.close();
    },
  };
}

/** Waits until `pred` holds (checked every 10 ms), holding the process open; fails after `ms` with `what`. */
export async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

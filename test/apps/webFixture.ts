import { SimGateway } from "../../src/gateways/sim/index.js";
import { MainEngine, createSubscribeRequest } from "../../src/trader/index.js";
import { startWebServer, type WebServer, type WebServerOptions } from "../../src/apps/web/index.js";

export const START = Date.UTC(2024, 2, 5, 6, 0);

/** A MainEngine on the paper exchange, every instrument subscribed, with the web trader on port 0. */
export async function webTrader(
  options: WebServerOptions = {},
  setting: Record<string, unknown> = {},
): Promise<{ main: MainEngine; web: WebServer; close(): Promise<void> }> {
  const main = new MainEngine(undefined, { log: false });
  const gw = main.addGateway(SimGateway);
  await main.connect({ seed: 7, startTime: START, tickRate: 20, ...setting }, gw.gatewayName);
  for (const m of gw.exchange.markets) {
    await main.subscribe(createSubscribeRequest({ symbol: m.instrument.symbol, exchange: m.instrument.exchange }), gw.gatewayName);
  }
  const web = await startWebServer(main, { port: 0, ...options });
  // The sim's timers are unref'd; a test waiting for ticks must hold the process open.
  const hold = setInterval(() => {}, 1000);
  const trader = {
    main,
    web,
    async close() {
      clearInterval(hold);
      // trader.web, not web: a test may have restarted the server.
      await trader.web.close();
      await main.close();
    },
  };
  return trader;
}

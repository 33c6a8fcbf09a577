import { TickwireError } from "../event/errors.js";
import type { BaseApp } from "./BaseApp.js";
import type { BaseEngine } from "./BaseEngine.js";
import type { BaseGateway, TraderEventEngine } from "./BaseGateway.js";
import { LogLevel, type Exchange } from "./constants.js";
import { MAIN_ENGINE_LOG_SOURCE } from "./mainEngineOptions.js";
import { describeValue } from "./requestChecks.js";

/**
 * What a MainEngine holds: its gateways, engines and apps by name, and the exchanges its
 * gateways trade on. Refuses duplicates and parts built for another engine; a lookup of a name
 * that was not added logs an ERROR line and throws.
 */
export class TraderRegistry {
  readonly gateways = new Map<string, BaseGateway>();
  readonly engines = new Map<string, BaseEngine>();
  readonly apps = new Map<string, BaseApp>();
  readonly exchanges = new Set<Exchange>();
  /** The log and OMS engines, in the order added. */
  readonly coreEngines: BaseEngine[] = [];
  /** The apps' engines, in the order added. */
  readonly appEngines: BaseEngine[] = [];

  constructor(
    private readonly eventEngine: TraderEventEngine,
    private readonly writeLog: (msg: string, source: string, level: LogLevel) => void,
  ) {}

  addGateway(gateway: BaseGateway): void {
    if (gateway.eventEngine !== this.eventEngine) {
      throw new TickwireError(
        "TW_TRADER_WRONG_ENGINE",
        `Gateway "${gateway.gatewayName}" was built on another event engine: build it with mainEngine.eventEngine, or pass its class.`,
      );
    }
    if (this.gateways.has(gateway.gatewayName)) {
      throw new TickwireError(
        "TW_TRADER_DUPLICATE_GATEWAY",
        `A gateway named "${gateway.gatewayName}" was already added: give the new one another name (addGateway(cls, "NAME")).`,
        { details: { gatewayName: gateway.gatewayName } },
      );
    }
    this.gateways.set(gateway.gatewayName, gateway);
    for (const exchange of gateway.exchanges) this.exchanges.add(exchange);
  }

  /** Adds an engine that must have been made for `owner` (the MainEngine). */
  addEngine(engine: BaseEngine, owner: unknown): void {
    if (engine.mainEngine !== owner) {
      throw new TickwireError(
        "TW_TRADER_WRONG_ENGINE",
        `Engine "${engine.engineName}" was made for another MainEngine: pass its class, or construct it with this one.`,
      );
    }
    this.registerEngine(engine);
  }

  /** The log or OMS engine. */
  addCoreEngine(engine: BaseEngine): void {
    this.registerEngine(engine);
    this.coreEngines.push(engine);
  }

  /** Adds an app with the engine `makeEngine` creates (and adds). */
  addApp<E extends BaseEngine>(app: BaseApp<E>, makeEngine: () => E): E {
    if (this.apps.has(app.appName)) {
      throw new TickwireError("TW_TRADER_DUPLICATE_APP", `An app named "${app.appName}" was already added; add each app once.`, {
        details: { appName: app.appName },
      });
    }
    const engine = makeEngine();
    this.apps.set(app.appName, app as BaseApp);
    this.appEngines.push(engine);
    return engine;
  }

  private registerEngine(engine: BaseEngine): void {
    if (this.engines.has(engine.engineName)) {
      throw new TickwireError("TW_TRADER_DUPLICATE_ENGINE", `An engine named "${engine.engineName}" was already added: engine names must be unique.`, {
        details: { engineName: engine.engineName },
      });
    }
    this.engines.set(engine.engineName, engine);
  }

  /** The engine named `engineName`; throws TW_TRADER_UNKNOWN_ENGINE (and logs) if there is none. */
  engine(engineName: string): BaseEngine {
    const engine = this.engines.get(engineName);
    if (engine !== undefined) return engine;
    const msg = `getEngine: no engine named "${engineName}". Engines: ${[...this.engines.keys()].join(", ")}.`;
    this.writeLog(msg, MAIN_ENGINE_LOG_SOURCE, LogLevel.ERROR);
    throw new TickwireError("TW_TRADER_UNKNOWN_ENGINE", msg, { details: { engineName } });
  }

  /** The gateway named `gatewayName` for `action`; throws TW_TRADER_UNKNOWN_GATEWAY (and logs) if there is none. */
  gateway(gatewayName: string, action: string): BaseGateway {
    const gateway = typeof gatewayName === "string" ? this.gateways.get(gatewayName) : undefined;
    if (gateway !== undefined) return gateway;
    const known = [...this.gateways.keys()].join(", ") || "none";
    // From an RPC client the name can be anything (JSON.stringify throws on a BigInt).
    const msg = `${action}: no gateway named ${describeValue(gatewayName)} (gateways: ${known}). Add it with addGateway() or fix the name.`;
    this.writeLog(msg, MAIN_ENGINE_LOG_SOURCE, LogLevel.ERROR);
    throw new TickwireError("TW_TRADER_UNKNOWN_GATEWAY", msg, { details: { gatewayName, action } });
  }
}

import type { TraderEventEngine } from "./BaseGateway.js";
import type { MainEngine } from "./MainEngine.js";

/**
 * A function engine: a small class with a name, registered on the MainEngine (as vnpy's
 * BaseEngine). It registers its handlers in the constructor and undoes everything in `close()`.
 */
export abstract class BaseEngine {
  readonly mainEngine: MainEngine;
  readonly eventEngine: TraderEventEngine;
  readonly engineName: string;

  constructor(mainEngine: MainEngine, eventEngine: TraderEventEngine, engineName: string) {
    this.mainEngine = mainEngine;
    this.eventEngine = eventEngine;
    this.engineName = engineName;
  }

  /** Unregisters handlers and releases resources; MainEngine.close() awaits it. */
  close(): void | Promise<void> {}
}

/** An engine class, as `MainEngine.addEngine` takes it. */
export type EngineClass<E extends BaseEngine = BaseEngine> = new (mainEngine: MainEngine, eventEngine: TraderEventEngine) => E;

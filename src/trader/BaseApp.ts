import type { BaseEngine, EngineClass } from "./BaseEngine.js";

/**
 * A plugin (vnpy's BaseApp): a descriptor whose engine MainEngine creates in `addApp`.
 * Apps come before everything else in `MainEngine.close()`: they stop trading first.
 *
 *   export const CtaApp: BaseApp<CtaEngine> = { appName: "CtaStrategy", displayName: "CTA", engineClass: CtaEngine };
 *   const cta = mainEngine.addApp(CtaApp);
 */
export interface BaseApp<E extends BaseEngine = BaseEngine> {
  /** Unique name; by convention also the `engineName` of its engine. */
  readonly appName: string;
  /** Name for people (UIs, logs). */
  readonly displayName: string;
  readonly engineClass: EngineClass<E>;
  /** One line on what the app does. */
  readonly description?: string;
}

import type { Exchange as CcxtExchange } from "ccxt";
import { TickwireError } from "../../event/errors.js";
import type { BaseGateway } from "../../trader/BaseGateway.js";
import { LogLevel } from "../../trader/constants.js";
import type { ContractData } from "../../trader/objects.js";
import { TW_CCXT_NOT_CONNECTED, TW_CCXT_RATE_LIMIT, mapCcxtError, redact } from "./errors.js";
import type { CcxtSettings } from "./settings.js";
import { sleep } from "./util.js";
import type { SymbolMap } from "./venues.js";

/** What the parts of the ccxt gateway push through: the gateway's events and log. */
export type GatewayPort = Pick<
  BaseGateway,
  "gatewayName" | "writeLog" | "onTick" | "onOrder" | "onTrade" | "onAccount" | "onPosition" | "onContract" | "onConnected" | "onDisconnected"
>;

/** Hooks of one `runLoop`. */
export interface LoopHooks {
  /** Called each round while the stream is down (a REST fallback). */
  onDown?: () => Promise<void>;
  /** Called before the next step after a failure (re-subscribe, reconcile). */
  recover?: () => Promise<void>;
  /** Failures are logged at DEBUG and do not count as a lost stream. */
  silent?: boolean;
  onFail?: () => void;
  onBack?: () => void;
}

/**
 * The state one connection of the ccxt gateway shares between its parts: the ccxt exchange, the
 * settings, the symbol map, the secrets to redact, the session generation (bumped by connect and
 * close: loops of an older session stop), the loaded contracts, which streams are down, and the
 * rate-limit pause. Runs the stream loops with their reconnect backoff.
 */
export class CcxtSession {
  ex: CcxtExchange | undefined;
  cfg: CcxtSettings | undefined;
  map: SymbolMap | undefined;
  secrets: string[] = [];
  /** Bumped by connect and close: loops of an older session stop. */
  gen = 0;
  readonly contracts = new Map<string, ContractData>();
  private readonly downStreams = new Map<string, string>();
  /** No requests of the gateway's own before this time (epoch ms): it was rate limited. */
  restPausedUntil = 0;

  constructor(readonly gw: GatewayPort) {}

  /** The ccxt exchange object; throws before connect. */
  exchange(): CcxtExchange {
    if (!this.ex)
      throw new TickwireError(TW_CCXT_NOT_CONNECTED, `Gateway ${this.gw.gatewayName} is not connected: call connect() (or MainEngine.connect) first.`);
    return this.ex;
  }

  hasKeys(): boolean {
    return this.cfg !== undefined && this.cfg.apiKey !== "";
  }

  useWebsocket(): boolean {
    const ex = this.ex;
    return Boolean(this.cfg?.websocket && ex && ex.has.watchTicker && ex.has.watchOrderBook);
  }

  /** Forgets the streams that were down (close). */
  clearStreams(): void {
    this.downStreams.clear();
  }

  private streamDown(name: string, why: string): void {
    const first = this.downStreams.size === 0;
    this.downStreams.set(name, why);
    this.gw.writeLog(`Stream ${name} lost: ${why}; reconnecting with backoff.`, LogLevel.WARNING);
    if (first) this.gw.onDisconnected(`${name}: ${why}`);
  }

  private streamUp(name: string): void {
    if (!this.downStreams.delete(name)) return;
    this.gw.writeLog(`Stream ${name} back.`);
    if (this.downStreams.size === 0) this.gw.onConnected(`${name} reconnected`);
  }

  /**
   * Runs `step` over and over while the session lasts. After a failure it waits (exponential
   * backoff), calls `onDown` each round (a REST fallback), and `recover` before the next step
   * (re-subscribe, reconcile); the stream counts as back once `recover` (or, without one, a step) succeeds.
   */
  async runLoop(name: string, gen: number, step: () => Promise<void>, hooks: LoopHooks = {}): Promise<void> {
    const cfg = this.cfg!;
    let delay = cfg.reconnectMinMs;
    let failed = false;
    while (this.gen === gen) {
      try {
        if (failed && hooks.recover) {
          await hooks.recover();
          if (this.gen !== gen) return;
          failed = false;
          delay = cfg.reconnectMinMs;
          if (!hooks.silent) this.streamUp(name);
          hooks.onBack?.();
        }
        await step();
        if (failed) {
          failed = false;
          delay = cfg.reconnectMinMs;
          if (!hooks.silent) this.streamUp(name);
          hooks.onBack?.();
        }
      } catch (e) {
        if (this.gen !== gen) return;
        const err = mapCcxtError(e, name, this.secrets);
        if (!failed) {
          failed = true;
          const why = `${err.code}: ${redact(e instanceof Error ? e.message : String(e), this.secrets)}`;
          if (hooks.silent) this.gw.writeLog(`${name}: ${why}; retrying.`, LogLevel.DEBUG);
          else this.streamDown(name, why);
          hooks.onFail?.();
        }
        if (err.code === TW_CCXT_RATE_LIMIT) this.pauseRest();
        if (hooks.onDown) await hooks.onDown().catch(() => undefined);
        await sleep(delay + Math.floor(Math.random() * delay * 0.2));
        delay = Math.min(delay * 2, cfg.reconnectMaxMs);
      }
    }
  }

  pauseRest(): void {
    const until = Date.now() + this.cfg!.rateLimitCooldownMs;
    if (until > this.restPausedUntil) {
      this.restPausedUntil = until;
      this.gw.writeLog(
        `Rate limited by ${this.cfg!.exchange}: no requests of the gateway's own for ${this.cfg!.rateLimitCooldownMs} ms, orders are refused meanwhile.`,
        LogLevel.WARNING,
      );
    }
  }

  /** Waits out a rate-limit pause. */
  async restReady(): Promise<void> {
    const wait = this.restPausedUntil - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

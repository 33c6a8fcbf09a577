import { resolve } from "node:path";
import { isTickwireError } from "../../event/errors.js";
import { LogLevel } from "../../trader/constants.js";
import { readState, writeState, type CtaState, type SavedStrategy } from "./state.js";

/**
 * The engine's state file, read once (lazily) and written whole on every change. A write never
 * throws: a failure is logged once per streak of failures, and the next change retries.
 */
export class CtaStateStore {
  private file = resolve(".tickwire", "cta_state.json");
  private state: CtaState | undefined = undefined;
  /** A save failed and none succeeded since: the error was logged once for this streak. */
  private failing = false;

  /**
   * `loaded` takes what the engine keeps in memory from a freshly read state; `saving` puts it back
   * before a write; `log` reports a failed (and a recovered) save.
   */
  constructor(
    private readonly loaded: (state: CtaState) => void,
    private readonly saving: (state: CtaState) => void,
    private readonly log: (msg: string, level?: LogLevel) => void,
  ) {}

  get path(): string {
    return this.file;
  }

  /** Keeps the state in `file` from now on (read on the next `load` after `forget`). */
  moveTo(file: string): void {
    this.file = resolve(file);
  }

  /** Forgets the state read, so the next `load` reads the file again. */
  forget(): void {
    this.state = undefined;
  }

  load(): CtaState {
    if (this.state) return this.state;
    const state = readState(this.file);
    this.state = state;
    this.loaded(state);
    return state;
  }

  save(): void {
    const state = this.load();
    this.saving(state);
    // Never throws: a save runs inside a strategy's buy()/sell(), and a full disk must not stop it.
    try {
      writeState(this.file, state);
    } catch (err) {
      if (!this.failing) {
        this.failing = true;
        const why = isTickwireError(err) ? `${err.code}: ${err.message}` : String(err);
        this.log(`state not saved, retrying on every change: ${why}`, LogLevel.ERROR);
      }
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.log(`state saved again to ${this.file}`);
    }
  }

  /** Saves a strategy's class, module, symbol and setting, keeping its saved variables. */
  saveSetting(strategyName: string, saved: Omit<SavedStrategy, "variables">): void {
    const state = this.load();
    state.strategies[strategyName] = { ...saved, variables: state.strategies[strategyName]?.variables ?? {} };
    this.save();
  }

  /** Saves a strategy's variables (pos included), when the strategy is saved; writes the file either way. */
  saveVariables(strategyName: string, variables: Record<string, unknown>): void {
    const saved = this.load().strategies[strategyName];
    if (saved) saved.variables = variables;
    this.save();
  }

  removeStrategy(strategyName: string): void {
    delete this.load().strategies[strategyName];
    this.save();
  }
}

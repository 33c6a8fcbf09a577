import { TickwireError } from "../../event/errors.js";
import type { GatewaySetting } from "../../trader/BaseGateway.js";
import { DEFAULT_INSTRUMENTS, selectInstruments, type SimInstrument } from "./instruments.js";

// How SimGateway reads its connect settings (strings from a settings file or numbers).

export function badSetting(name: string, want: string, got: unknown): TickwireError {
  return new TickwireError("TW_SIM_BAD_OPTION", `Setting "${name}" must be ${want}, got ${JSON.stringify(got)}.`, {
    details: { setting: name },
  });
}

export function numberSetting(setting: GatewaySetting, name: string, fallback: number): number {
  const v = setting[name];
  if (v === undefined || v === null || v === "") return fallback;
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) throw badSetting(name, "a number", v);
  return n;
}

export function instrumentsSetting(setting: GatewaySetting): readonly SimInstrument[] {
  const v = setting.instruments;
  if (v === undefined || v === null || v === "") return DEFAULT_INSTRUMENTS;
  if (typeof v === "string") return selectInstruments(v.split(",").filter((s) => s.trim() !== ""));
  if (Array.isArray(v)) {
    // Each entry is a vtSymbol of the catalog or a full instrument description (validated by SimExchange).
    return v.map((e: unknown) => {
      if (typeof e === "string") return selectInstruments([e])[0];
      if (typeof e === "object" && e !== null) return e as SimInstrument;
      throw badSetting("instruments", "vtSymbols or instrument objects", v);
    });
  }
  throw badSetting("instruments", 'a comma-separated list of vtSymbols ("rb2410.SHFE,BTCUSDT.BINANCE") or a list of instruments', v);
}

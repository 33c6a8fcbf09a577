import type { SimInstrument } from "./instruments.js";

function decimalsOf(step: number): number {
  // Enough decimals to write the step exactly (0.2 -> 1, 0.001 -> 3, 5 -> 0).
  for (let d = 0; d <= 10; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9) return d;
  }
  return 10;
}

/**
 * The exchange's grid rules for one instrument: prices are multiples of the price tick, volumes
 * multiples of the minimum volume. Arithmetic on the grid is done in integer units so that
 * 0.1 + 0.2 never leaves the grid.
 */
export class InstrumentRules {
  readonly priceTick: number;
  readonly minVolume: number;
  readonly priceScale: number;
  readonly volumeScale: number;
  /** The tick and the minimum volume as integers of 1/priceScale and 1/volumeScale. */
  private readonly tickUnits: number;
  private readonly volumeUnits: number;

  constructor(instrument: SimInstrument) {
    this.priceTick = instrument.priceTick;
    this.minVolume = instrument.minVolume;
    this.priceScale = 10 ** decimalsOf(instrument.priceTick);
    this.volumeScale = 10 ** decimalsOf(instrument.minVolume);
    this.tickUnits = Math.round(instrument.priceTick * this.priceScale);
    this.volumeUnits = Math.round(instrument.minVolume * this.volumeScale);
  }

  /**
   * `n` ticks as a price, written exactly: an integer over a power of ten, so the division rounds
   * to the same double as the decimal literal (19499 ticks of 0.2 is exactly 3899.8).
   */
  ticksToPrice(n: number): number {
    return (n * this.tickUnits) / this.priceScale;
  }

  /** Nearest price on the grid. */
  snap(price: number): number {
    return this.ticksToPrice(Math.round(price / this.priceTick));
  }

  snapDown(price: number): number {
    return this.ticksToPrice(Math.floor(price / this.priceTick + 1e-9));
  }

  snapUp(price: number): number {
    return this.ticksToPrice(Math.ceil(price / this.priceTick - 1e-9));
  }

  isOnTick(price: number): boolean {
    const n = price / this.priceTick;
    return Math.abs(n - Math.round(n)) < 1e-6;
  }

  /** `n` lots (multiples of minVolume) as a volume, written exactly. */
  lotsToVolume(n: number): number {
    return this.volumeScale === 1 ? n * this.volumeUnits : (n * this.volumeUnits) / this.volumeScale;
  }

  /** A volume rounded to the volume grid's precision (after adding or subtracting volumes). */
  roundVolume(volume: number): number {
    return Math.round(volume * this.volumeScale) / this.volumeScale;
  }

  isVolumeMultiple(volume: number): boolean {
    const n = volume / this.minVolume;
    return Math.abs(n - Math.round(n)) < 1e-6;
  }
}

/*
 * TA-Lib's functions over a window of bars, written after TA-Lib's C sources (ta_*.c, default
 * "classic" compatibility, unstable periods 0), so ArrayManager returns the numbers vnpy gets
 * from talib on the same window. Each `*Series` returns a Float64Array as long as its input with
 * NaN over the lookback, as Python's talib does. Recursive indicators (EMA, RSI, ATR, ADX, ...)
 * depend on where the window starts, exactly as in vnpy, so they are computed over the window.
 */
/*
 * The functions live in talib/ by family; this file is the `talib` namespace (and ArrayManager's import).
 */
export { firstValid } from "./talib/common.js";
export * from "./talib/movingAverages.js";
export * from "./talib/momentum.js";
export * from "./talib/oscillators.js";
export * from "./talib/volatility.js";
export * from "./talib/volume.js";

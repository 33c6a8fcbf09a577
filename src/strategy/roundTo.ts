/** vnpy's `round_to`: round half to even of price/tick (decimal), times tick. */
export function roundTo(value: number, target: number): number {
  if (!target) return value;
  const q = value / target;
  let r = Math.round(q);
  // Math.round rounds .5 up; Python's Decimal round is half-even.
  if (Math.abs(q - Math.trunc(q)) === 0.5 && r % 2 !== 0) r -= 1;
  // int × float, as vnpy returns it (3 × 0.2 = 0.6000000000000001).
  return r * target;
}

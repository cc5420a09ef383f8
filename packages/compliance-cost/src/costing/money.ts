/*
 * Arithmetic on dollar figures for the costing and risk modules (the same rules as
 * `@enis/cost-model`'s, whose helpers are internal to it). Internal: not exported.
 */

/** `value` rounded to 12 significant digits: the decimal arithmetic a figure stands for, without the noise of the last bits. */
export function tidy(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(12));
}

/** Sum of `values` with Neumaier's compensation (the error stays about one rounding of the result). */
export function sumExact(values: Iterable<number>): number {
  let sum = 0;
  let compensation = 0;
  for (const value of values) {
    const total = sum + value;
    if (Math.abs(sum) >= Math.abs(value)) compensation += sum - total + value;
    else compensation += value - total + sum;
    sum = total;
  }
  return sum + compensation;
}

/** A plain number for an explanation, without floating-point noise or an exponent for small figures. */
export function num(value: number): string {
  const text = String(tidy(value));
  const match = /^-?(\d)(?:\.(\d+))?e-(\d+)$/.exec(text);
  if (match === null) return text;
  const decimals = Number(match[3]) + (match[2]?.length ?? 0);
  return tidy(value).toFixed(Math.min(decimals, 100));
}

/** A dollar figure for an explanation: `$70.08`, `$0.0000002`. */
export function usd(value: number): string {
  return `$${num(value)}`;
}

import { invalidField } from "@enis/core/validate";

/*
 * Arithmetic on dollar figures shared by the catalogue, the cost functions, the KPIs and the
 * budgets. Internal: not exported from the package.
 */

/**
 * `value` rounded to 12 significant digits. Binary floating point cannot hold most decimal prices
 * (0.096 × 730 is 70.08000000000001 in IEEE doubles); 12 significant digits keep every figure a
 * bill can show (AWS cost and usage reports carry 10 decimal places, far less on a large total)
 * and drop the noise of the last bits, so that results read as the decimal arithmetic they stand
 * for. Monotone: a larger input never gives a smaller output.
 */
export function tidy(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(12));
}

/**
 * Sum of `values` with Neumaier's compensation: the error of a long sum stays about one rounding
 * of the result, where a plain loop drifts with the number of terms.
 */
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

/**
 * The largest total, in US dollars, whose cents {@link allocateCents} keeps exactly (and that
 * {@link tidy}'s 12 significant digits still show to the cent): $10 billion, exclusive.
 */
export const maxCentExactUsd = 1e10;

/**
 * `value` read as the decimal it was written as, to 15 significant digits: the noise of the last
 * bits goes (0.29 × 100 is 28.999999999999996), while a cent count up to 1e12 keeps three decimals.
 */
function decimal(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(15));
}

/**
 * Whole cents for each of `amountsUsd` (each >= 0, summing to less than {@link maxCentExactUsd})
 * such that they sum exactly to the rounded total: each amount gets its cents rounded down, and the
 * cents the rounding lost go one each to the amounts with the largest fractions (the
 * largest-remainder method; ties to the earlier amount). Returns the cents per amount and the total.
 */
export function allocateCents(amountsUsd: readonly number[]): { cents: number[]; totalCents: number } {
  const raw = amountsUsd.map((amount) => decimal(amount * 100));
  const cents = raw.map((value) => Math.floor(value));
  const totalCents = Math.round(decimal(sumExact(raw)));
  let remainder = totalCents - sumExact(cents);
  const order = raw
    .map((value, index) => ({ index, fraction: value - Math.floor(value) }))
    .filter((entry) => entry.fraction > 0)
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const entry of order) {
    if (remainder <= 0) break;
    cents[entry.index]! += 1;
    remainder -= 1;
  }
  return { cents, totalCents };
}

/** A dollar figure for an explanation: `$70.08`, `$0.0000002`. */
export function usd(value: number): string {
  return `$${num(value)}`;
}

/** A plain number for an explanation, without floating-point noise or an exponent for small figures. */
export function num(value: number): string {
  const text = String(tidy(value));
  const match = /^-?(\d)(?:\.(\d+))?e-(\d+)$/.exec(text);
  if (match === null) return text;
  // 2.0833375e-9 → 0.0000000020833375: as many decimals as the exponent plus the mantissa's.
  const decimals = Number(match[3]) + (match[2]?.length ?? 0);
  return tidy(value).toFixed(Math.min(decimals, 100));
}

/** A dollar figure for a message a person reads: to the cent, with thousands separators (`$23,715.57`, `$620`). */
export function displayUsd(value: number): string {
  return `$${tidy(value).toLocaleString("en-US", { maximumFractionDigits: 2 })}`;
}

/** A fraction as a percentage for a message a person reads, to a tenth: 474.31144 → `47,431.1%`. */
export function displayPercent(value: number): string {
  return `${tidy(value * 100).toLocaleString("en-US", { maximumFractionDigits: 1 })}%`;
}

/** A fraction as a percentage for an explanation: 0.253 → `25.3%`. */
export function percent(value: number): string {
  return `${String(tidy(value * 100))}%`;
}

/**
 * Throws `INVALID_OPTIONS` naming `field` when `costUsd` overflowed to Infinity: the inputs were
 * finite but too large for their product (1e200 hours of anything). A cost is never Infinity.
 */
export function assertFiniteCost(costUsd: number, field: string, value: unknown): void {
  if (!Number.isFinite(costUsd)) {
    throw invalidField(field, value, "small enough that the cost is a finite number");
  }
}

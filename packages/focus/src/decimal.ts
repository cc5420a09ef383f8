/**
 * Decimal text (DuckDB's JSON rendering of a DECIMAL, e.g. "-12.500000000000") as an exact integer
 * count of 1e-12 units, so that sums of sums stay exact; NULL is 0.
 */
export function picoUnits(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  const text = String(value);
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? text.slice(1) : text).split(".");
  const units = BigInt(whole) * 10n ** 12n + BigInt(fraction.padEnd(12, "0").slice(0, 12) || "0");
  return negative ? -units : units;
}

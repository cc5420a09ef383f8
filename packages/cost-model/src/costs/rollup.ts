import { EnisError } from "@enis/core";
import { assertArray, assertId, assertNonNegative, invalidField } from "@enis/core/validate";
import { allocateCents, maxCentExactUsd, sumExact, tidy, usd } from "./money.js";

/**
 * One line of a {@link monthlyCost} roll-up. The result of any cost function
 * ({@link computeCost}, {@link lambdaCost}, {@link storageCost}, {@link transferCost},
 * {@link kmsCost}) is a line once it has an `id`: `{ id: "api", ...computeCost(...) }`; other
 * fields of a line are ignored.
 */
export interface CostLine {
  /** Unique id of the line. */
  readonly id: string;
  /** What kind of cost it is: `"compute"`, `"lambda"`, `"storage"`, `"transfer"`, `"kms"` or your own word. */
  readonly category: string;
  /** The line's cost in US dollars, finite and >= 0. */
  readonly costUsd: number;
}

/** A line of a {@link MonthlyCostResult}. */
export interface MonthlyCostLine {
  readonly id: string;
  readonly category: string;
  /** The line's cost as given, USD. */
  readonly costUsd: number;
  /** The line's whole cents: the lines' cents sum exactly to `totalCents` (largest remainder). */
  readonly cents: number;
  /** `costUsd / totalUsd`, or null when the total is 0. */
  readonly shareOfTotal: number | null;
}

/** A category's total in a {@link MonthlyCostResult}. */
export interface MonthlyCostCategory {
  readonly category: string;
  /** Sum of the category's lines, USD. */
  readonly costUsd: number;
  /** Sum of the category's lines' cents. */
  readonly cents: number;
  /** Number of lines in the category. */
  readonly lines: number;
  /** `costUsd / totalUsd`, or null when the total is 0. */
  readonly shareOfTotal: number | null;
}

/** Result of {@link monthlyCost}. */
export interface MonthlyCostResult {
  /** Sum of every line, USD (compensated summation, then 12 significant digits). */
  readonly totalUsd: number;
  /** The total in whole cents: the sum of the lines' cents and of the categories' cents. */
  readonly totalCents: number;
  /** The lines, in the order given. */
  readonly lines: readonly MonthlyCostLine[];
  /** Totals by category (a null-prototype record, categories in order of first appearance). */
  readonly byCategory: Readonly<Record<string, MonthlyCostCategory>>;
  /** The roll-up in words and numbers. */
  readonly explanation: string;
}

/**
 * Rolls cost lines up into a month's totals, per line and per category, that reconcile: the
 * categories' `costUsd` sum to `totalUsd` (to the last rounding), and in whole cents the lines'
 * `cents` and the categories' `cents` both sum exactly to `totalCents` — each line's cents are
 * rounded down and the cents lost go to the lines with the largest fractions. Throws `EnisError`
 * `INVALID_OPTIONS` (a line without an id or category, a negative or non-finite cost, a total of
 * $10 billion or more, whose cents 12 significant digits cannot hold) or `DUPLICATE_ID`.
 *
 * @example
 * ```ts
 * const month = monthlyCost([
 *   { id: "api", ...computeCost({ instanceType: "m5.large", hours: 730, count: 2 }) },
 *   { id: "jobs", ...lambdaCost({ invocations: 3_000_000, billedDurationMs: 200, memoryMb: 1024 }) },
 *   { id: "egress", ...transferCost({ gb: 250 }) },
 * ]);
 * month.totalUsd; // 140.16 + 10.60002 + 22.5 = 173.26002
 * month.byCategory.compute.cents; // 14016
 * ```
 */
export function monthlyCost(lines: readonly CostLine[]): MonthlyCostResult {
  assertArray(lines, "lines");
  const seen = new Set<string>();
  const amounts: number[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as CostLine | undefined;
    if (typeof line !== "object" || line === null || Array.isArray(line)) {
      throw invalidField(`lines[${index}]`, line, "an object");
    }
    assertId(line.id, `lines[${index}].id`);
    assertId(line.category, `lines[${index}].category`);
    assertNonNegative(line.costUsd, `lines[${index}].costUsd`);
    if (seen.has(line.id)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `lines[${index}].id must be unique, got ${JSON.stringify(line.id)} twice`,
        { field: `lines[${index}].id` },
      );
    }
    seen.add(line.id);
    amounts.push(line.costUsd);
  }
  const exactTotal = sumExact(amounts);
  if (!(exactTotal < maxCentExactUsd)) {
    // Beyond it, 12 significant digits of dollars (and a double's cents) no longer hold every cent.
    throw invalidField(
      "lines",
      lines,
      "cost lines whose total is below $10,000,000,000, so that every cent is exact",
    );
  }
  const totalUsd = tidy(exactTotal);
  const { cents, totalCents } = allocateCents(amounts);
  const share = (value: number): number | null => (exactTotal === 0 ? null : tidy(value / exactTotal));

  const groups = new Map<string, { amounts: number[]; cents: number }>();
  const outLines: MonthlyCostLine[] = lines.map((line, index) => {
    let group = groups.get(line.category);
    if (group === undefined) {
      group = { amounts: [], cents: 0 };
      groups.set(line.category, group);
    }
    group.amounts.push(line.costUsd);
    group.cents += cents[index]!;
    return {
      id: line.id,
      category: line.category,
      costUsd: line.costUsd,
      cents: cents[index]!,
      shareOfTotal: share(line.costUsd),
    };
  });
  const byCategory: Record<string, MonthlyCostCategory> = Object.create(null);
  for (const [category, group] of groups) {
    const costUsd = sumExact(group.amounts);
    byCategory[category] = {
      category,
      costUsd: tidy(costUsd),
      cents: group.cents,
      lines: group.amounts.length,
      shareOfTotal: share(costUsd),
    };
  }
  const categoryText = [...groups.keys()]
    .map((category) => `${category} ${usd(byCategory[category]!.costUsd)}`)
    .join(" + ");
  return {
    totalUsd,
    totalCents,
    lines: outLines,
    byCategory,
    explanation:
      lines.length === 0
        ? "no cost lines: total $0"
        : `${lines.length} lines in ${groups.size} categories: ${categoryText} = ${usd(totalUsd)} (${totalCents} cents)`,
  };
}

import { assertInteger, assertKnownKeys, assertObject, oneOf } from "@enis/core/validate";
import {
  type FocusFilter,
  type FocusReadOptions,
  validateAggregation,
  validatePath,
  validateReadOptions,
} from "./options.js";
import { type FocusReport, runAggregation, toReport } from "./read-focus.js";
import type { AggregationPlan } from "./sql.js";

/** Options of {@link readFocusMonthToDate}. */
export interface ReadFocusMonthToDateOptions extends FocusReadOptions {
  /** The tag key that names a row's tenant, e.g. `"business_unit"`. */
  readonly tenantTag: string;
  /** Now, in ms since the epoch: the month is the UTC calendar month holding it, counted up to it. */
  readonly nowMs: number;
  /**
   * Which cost is spend: `"effective"` (amortized, after discounts: what a tenant consumed) or
   * `"billed"` (what is invoiced this month, upfront purchases included).
   * @default "effective"
   */
  readonly cost?: "effective" | "billed";
  /** Rows to keep (see {@link FocusFilter}). @default every row */
  readonly filter?: FocusFilter;
}

/** One tenant's spend so far this month. */
export interface FocusTenantSpend {
  /** The tenant: the tenant tag's value (`id`, as `@enis/cost-model`'s budget tenants name it). */
  readonly id: string;
  /** Spend from the month's start up to `nowMs`, US dollars (credits and adjustments included). */
  readonly spendUsd: number;
  /** Rows counted. */
  readonly rowCount: number;
}

/** Result of {@link readFocusMonthToDate}: the input of a month-to-date budget check. */
export interface FocusMonthToDate {
  /** Start of the month (UTC). */
  readonly monthStartMs: number;
  /** Start of the next month (UTC), for a run-rate projection. */
  readonly monthEndMs: number;
  /** The instant spend is counted up to (exclusive). */
  readonly nowMs: number;
  /** The cost counted as spend. */
  readonly cost: "effective" | "billed";
  /** Each tenant's spend, sorted by id. */
  readonly tenants: readonly FocusTenantSpend[];
  /** Spend of the month's rows without the tenant tag. */
  readonly unassigned: { readonly spendUsd: number; readonly rowCount: number };
  /** The full report behind these figures (buckets, reconciliation). */
  readonly report: FocusReport;
}

const optionKeys = ["tenantTag", "nowMs", "cost", "filter", "format", "instance"];

/**
 * Month-to-date spend per tenant from FOCUS files: every row whose `ChargePeriodStart` is in the
 * UTC month of `nowMs` and before `nowMs`, grouped by the tenant tag. Rows of other months are
 * counted in `report.outsidePeriod`, untagged rows in `unassigned`.
 *
 * @example
 * ```ts
 * const spend = await readFocusMonthToDate("focus.parquet", {
 *   tenantTag: "business_unit",
 *   nowMs: Date.UTC(2024, 8, 15),
 * });
 * for (const { id, spendUsd } of spend.tenants) console.log(id, spendUsd);
 * ```
 */
export async function readFocusMonthToDate(
  pathOrGlob: string,
  options: ReadFocusMonthToDateOptions,
): Promise<FocusMonthToDate> {
  const path = validatePath(pathOrGlob);
  assertObject(options, "options");
  const record = options as unknown as Record<string, unknown>;
  assertKnownKeys(record, new Set(optionKeys), "options");
  assertInteger(record["nowMs"], "options.nowMs", 0, 8.64e15);
  const nowMs = record["nowMs"];
  const cost = oneOf(record["cost"], "options.cost", ["effective", "billed"], "effective");
  const now = new Date(nowMs);
  const monthStartMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const monthEndMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const basePlan = validateAggregation(
    { groupBy: "tenant-tag", tenantTag: record["tenantTag"], filter: record["filter"] },
    [],
    "duckdb",
    true,
  );
  // [monthStart, now): empty at the very first instant of a month, when nothing is spent yet.
  const plan: AggregationPlan = { ...basePlan, period: { startMs: monthStartMs, endMs: nowMs } };
  const { format, instance } = validateReadOptions(record);
  const report = toReport(await runAggregation(path, plan, format, instance));
  const spend = (totals: { effectiveCostUsd: number; billedCostUsd: number }) =>
    cost === "effective" ? totals.effectiveCostUsd : totals.billedCostUsd;
  return {
    monthStartMs,
    monthEndMs,
    nowMs,
    cost,
    tenants: report.groups.map((group) => ({
      id: group.key!,
      spendUsd: spend(group),
      rowCount: group.rowCount,
    })),
    unassigned: { spendUsd: spend(report.unassigned), rowCount: report.unassigned.rowCount },
    report,
  };
}

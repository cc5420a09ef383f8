import { EnisError } from "@enis/core";
import { picoUnits } from "./decimal.js";
import {
  checkParquetNumbers,
  openFiles,
  type ResolvedFiles,
  runChecked,
  sourceSql,
  throwOnCurrencies,
  throwOnMalformedTags,
  withConnection,
} from "./duckdb-source.js";
import {
  type FocusGroupBy,
  type FocusPeriod,
  type FocusSqlOptions,
  type ReadFocusOptions,
  validateAggregation,
  validatePath,
  validateReadOptions,
  validateSqlOptions,
} from "./options.js";
import {
  type AggregationPlan,
  buildAggregationSql,
  chargeCategories,
  columnsRead,
  pricingCategories,
} from "./sql.js";

/** Row count and cost totals of a set of FOCUS rows, in US dollars. */
export interface FocusCostTotals {
  /** Rows counted. */
  readonly rowCount: number;
  /** Sum of `BilledCost`: what is invoiced. */
  readonly billedCostUsd: number;
  /** Sum of `EffectiveCost`: the amortized cost after every discount (the cost to allocate). */
  readonly effectiveCostUsd: number;
  /** Sum of `ListCost`: the same usage at public list prices. */
  readonly listCostUsd: number;
  /**
   * Sum of `ContractedCost` (negotiated prices); null when the files lack that column or none of
   * these rows has a value in it (a FOCUS 1.0 column that some providers leave NULL).
   */
  readonly contractedCostUsd: number | null;
}

/** Usage rows of one `PricingCategory`. */
export interface FocusPricingTotals {
  /** Usage rows counted. */
  readonly rowCount: number;
  /** Sum of their `EffectiveCost`. */
  readonly effectiveCostUsd: number;
  /** Sum of their `ListCost`. */
  readonly listCostUsd: number;
}

/** Commitment discounts seen on usage rows (FOCUS 1.0 `CommitmentDiscountStatus`). */
export interface FocusCommitmentTotals {
  /** Usage rows that consumed a commitment (`CommitmentDiscountStatus` "Used"). */
  readonly usedRowCount: number;
  /** Their `EffectiveCost`: the commitment's cost that went to use. */
  readonly usedEffectiveCostUsd: number;
  /** Rows of a commitment's unused remainder (`CommitmentDiscountStatus` "Unused"). */
  readonly unusedRowCount: number;
  /** Their `EffectiveCost`: the commitment's cost that went to waste. */
  readonly unusedEffectiveCostUsd: number;
  /**
   * used / (used + unused) `EffectiveCost`, in [0, 1] when both are ≥ 0; null when that sum is 0
   * (no commitment rows, or commitments whose rows carry no cost).
   */
  readonly utilization: number | null;
}

/** Totals of one group (or bucket) of rows. */
export interface FocusGroupTotals extends FocusCostTotals {
  /** The group's key (a tenant, a sub-account, a service…); null for the buckets that have none. */
  readonly key: string | null;
  /**
   * The same totals by `ChargeCategory` (FOCUS 1.0: Usage, Purchase, Tax, Credit, Adjustment), so
   * that credits and adjustments are never netted into usage unseen; `other` holds any other value
   * and NULL.
   */
  readonly chargeCategories: Readonly<
    Record<"usage" | "purchase" | "tax" | "credit" | "adjustment" | "other", FocusCostTotals>
  >;
  /**
   * Usage rows by `PricingCategory`: `committed` (a commitment discount applied), `standard`
   * (on-demand), `dynamic` (spot and other market prices), `other` (Other, NULL, empty).
   */
  readonly pricing: Readonly<Record<"committed" | "standard" | "dynamic" | "other", FocusPricingTotals>>;
  /** Commitment consumption and waste. */
  readonly commitment: FocusCommitmentTotals;
  /**
   * Effective savings rate of the usage rows: (ListCost − EffectiveCost) / ListCost over
   * `ChargeCategory` "Usage"; null when their ListCost sums to 0.
   */
  readonly effectiveSavingsRate: number | null;
  /**
   * Share of the usage rows' ListCost priced under a commitment: committed ListCost / usage
   * ListCost; null when the latter is 0.
   */
  readonly commitmentCoverage: number | null;
}

/** Check that the buckets of a report partition the input: every row in exactly one. */
export interface FocusReconciliation {
  /** Rows read from the files: every data row (the header excluded). */
  readonly rowCount: number;
  /** Rows in `groups`. */
  readonly groupedRowCount: number;
  /** Rows in `unassigned`. */
  readonly unassignedRowCount: number;
  /** Rows in `excluded`. */
  readonly excludedRowCount: number;
  /** Rows in `outsidePeriod`. */
  readonly outsidePeriodRowCount: number;
  /**
   * The file's totals minus the sum of the buckets' totals, per cost. The sums are exact decimals
   * (12 places), so these are 0 unless something was lost.
   */
  readonly differenceUsd: {
    readonly billedCost: number;
    readonly effectiveCost: number;
    readonly listCost: number;
  };
  /** Empty (NULL) cells per cost column: they add nothing to a sum, and are counted here. */
  readonly nullCells: {
    readonly BilledCost: number;
    readonly EffectiveCost: number;
    readonly ListCost: number;
    /** null when the files lack the column. */
    readonly ContractedCost: number | null;
  };
}

/** Result of {@link readFocus}. */
export interface FocusReport {
  /** The files read, in name order. */
  readonly files: readonly string[];
  /** Their format. */
  readonly format: "csv" | "parquet";
  /** The grouping used. */
  readonly groupBy: FocusGroupBy;
  /** The tenant tag key, when grouped by it. */
  readonly tenantTag: string | null;
  /** The period, when one was given. */
  readonly period: FocusPeriod | null;
  /** One entry per distinct non-empty key, sorted by key. */
  readonly groups: readonly FocusGroupTotals[];
  /** Rows in the period and filter but without a key (no tenant tag, a NULL or empty column): key null. */
  readonly unassigned: FocusGroupTotals;
  /** Rows the filter did not keep (in the period): key null. */
  readonly excluded: FocusGroupTotals;
  /** Rows whose `ChargePeriodStart` is outside the period or NULL: key null. All zero without a period. */
  readonly outsidePeriod: FocusGroupTotals;
  /** Every row of the files: key null. */
  readonly file: FocusGroupTotals;
  /** How the buckets add up to the file. */
  readonly reconciliation: FocusReconciliation;
  /** The SQL that was run (DuckDB dialect), for audit. */
  readonly sql: string;
}

/**
 * The aggregation {@link readFocus} runs, as SQL text for a warehouse: one query over a table of
 * FOCUS rows (`from`), returning one row per bucket and group (`is_total` 0, `bucket` one of
 * "group", "unassigned", "excluded", "outside-period", `group_key`) and one row for the whole
 * input (`is_total` 1), each with the row count and the sums {@link FocusGroupTotals} is made of
 * (`billed_cost`, `usage_effective_cost`, `pricing_committed_list_cost`,
 * `commitment_used_effective_cost`, …), and `non_usd_row_count`.
 *
 * @example
 * ```ts
 * const sql = focusAggregationSql({
 *   groupBy: "tenant-tag",
 *   tenantTag: "business_unit",
 *   period: { startMs: Date.UTC(2024, 8, 1), endMs: Date.UTC(2024, 9, 1) },
 *   from: "billing.focus_v1",
 *   dialect: "trino",
 * });
 * ```
 */
export function focusAggregationSql(options: FocusSqlOptions): string {
  const record = options as unknown as Record<string, unknown>;
  const sqlOptions = validateSqlOptions(typeof options === "object" && options !== null ? record : {});
  const plan = validateAggregation(
    options,
    ["from", "dialect", "includeContractedCost"],
    sqlOptions.dialect,
    sqlOptions.includeContractedCost,
  );
  return buildAggregationSql(plan, sqlOptions.from);
}

function money(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function count(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/** Ratio, or null when the denominator is 0 (never NaN or Infinity). */
function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

type Row = Record<string, unknown>;

function costTotals(row: Row, prefix: string, contracted: boolean): FocusCostTotals {
  return {
    rowCount: count(row[`${prefix}row_count`]),
    billedCostUsd: money(row[`${prefix}billed_cost`]),
    effectiveCostUsd: money(row[`${prefix}effective_cost`]),
    listCostUsd: money(row[`${prefix}list_cost`]),
    contractedCostUsd:
      contracted && count(row[`${prefix}contracted_cost_cells`]) > 0
        ? money(row[`${prefix}contracted_cost`])
        : null,
  };
}

/** One result row of the aggregation as totals. */
export function groupTotals(row: Row | undefined, key: string | null, contracted: boolean): FocusGroupTotals {
  const source = row ?? {};
  const categories = Object.fromEntries(
    [...chargeCategories.map((name) => name.toLowerCase()), "other"].map((name) => [
      name,
      costTotals(source, `${name}_`, contracted),
    ]),
  ) as unknown as FocusGroupTotals["chargeCategories"];
  const pricing = Object.fromEntries(
    [...pricingCategories.map((name) => name.toLowerCase()), "other"].map((name) => [
      name,
      {
        rowCount: count(source[`pricing_${name}_row_count`]),
        effectiveCostUsd: money(source[`pricing_${name}_effective_cost`]),
        listCostUsd: money(source[`pricing_${name}_list_cost`]),
      },
    ]),
  ) as unknown as FocusGroupTotals["pricing"];
  const used = money(source["commitment_used_effective_cost"]);
  const unused = money(source["commitment_unused_effective_cost"]);
  const usage = categories.usage;
  return {
    key,
    ...costTotals(source, "", contracted),
    chargeCategories: categories,
    pricing,
    commitment: {
      usedRowCount: count(source["commitment_used_row_count"]),
      usedEffectiveCostUsd: used,
      unusedRowCount: count(source["commitment_unused_row_count"]),
      unusedEffectiveCostUsd: unused,
      utilization: ratio(used, used + unused),
    },
    effectiveSavingsRate: ratio(usage.listCostUsd - usage.effectiveCostUsd, usage.listCostUsd),
    commitmentCoverage: ratio(pricing.committed.listCostUsd, usage.listCostUsd),
  };
}

/** What one aggregation run returned, before it is shaped into a report. */
export interface AggregationRun {
  readonly source: ResolvedFiles;
  readonly plan: AggregationPlan;
  readonly rows: Row[];
  readonly sql: string;
}

/**
 * Opens the files, checks their columns, runs the aggregation of `plan` once and checks what the
 * scan rejected: shared by every reader.
 */
export async function runAggregation(
  pathOrGlob: string,
  basePlan: AggregationPlan,
  format: "csv" | "parquet" | undefined,
  instance: ReadFocusOptions["instance"],
  extraColumns: readonly string[] = [],
): Promise<AggregationRun> {
  return withConnection(instance, async (connection) => {
    const wanted = columnsRead(basePlan);
    const source = await openFiles(connection, pathOrGlob, format, wanted.required);
    const includeContractedCost = wanted.optional.every((name) => source.columns.has(name.toLowerCase()));
    const readsTags = wanted.required.includes("Tags");
    const plan: AggregationPlan = { ...basePlan, includeContractedCost, countMalformedTags: readsTags };
    const columns = [...wanted.required, ...(includeContractedCost ? wanted.optional : []), ...extraColumns];
    await checkParquetNumbers(connection, source, columns);
    const sql = buildAggregationSql(plan, sourceSql(source, columns));
    const rows = await runChecked(connection, source, columns, sql);
    const total = rows.find((row) => Number(row["is_total"]) === 1);
    if (total === undefined) throw new EnisError("INTERNAL", "the aggregation returned no total row");
    const malformedTags = count(total["malformed_tags_row_count"]);
    if (malformedTags > 0) await throwOnMalformedTags(connection, source, malformedTags);
    await throwOnCurrencies(connection, source, count(total["non_usd_row_count"]));
    return { source, plan, rows, sql };
  });
}

/** Shapes an aggregation run into a report and checks that its buckets add up to the file. */
export function toReport(run: AggregationRun): FocusReport {
  const { plan, rows } = run;
  const contracted = plan.includeContractedCost;
  const total = rows.find((row) => Number(row["is_total"]) === 1)!;
  const bucketRows = rows.filter((row) => Number(row["is_total"]) === 0);
  const bucket = (name: string) => bucketRows.find((row) => row["bucket"] === name);
  const groupRows = bucketRows
    .filter((row) => row["bucket"] === "group")
    .map((row) => ({ row, key: String(row["group_key"]) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const groups = groupRows.map(({ row, key }) => groupTotals(row, key, contracted));
  const unassigned = groupTotals(bucket("unassigned"), null, contracted);
  const excluded = groupTotals(bucket("excluded"), null, contracted);
  const outsidePeriod = groupTotals(bucket("outside-period"), null, contracted);
  const file = groupTotals(total, null, contracted);

  const difference = (column: string): number => {
    let sum = 0n;
    for (const row of bucketRows) sum += picoUnits(row[column]);
    return Number(picoUnits(total[column]) - sum) / 1e12;
  };
  const groupedRowCount = groups.reduce((sum, group) => sum + group.rowCount, 0);
  const reconciliation: FocusReconciliation = {
    rowCount: file.rowCount,
    groupedRowCount,
    unassignedRowCount: unassigned.rowCount,
    excludedRowCount: excluded.rowCount,
    outsidePeriodRowCount: outsidePeriod.rowCount,
    differenceUsd: {
      billedCost: difference("billed_cost"),
      effectiveCost: difference("effective_cost"),
      listCost: difference("list_cost"),
    },
    nullCells: {
      BilledCost: file.rowCount - count(total["billed_cost_cells"]),
      EffectiveCost: file.rowCount - count(total["effective_cost_cells"]),
      ListCost: file.rowCount - count(total["list_cost_cells"]),
      ContractedCost: contracted ? file.rowCount - count(total["contracted_cost_cells"]) : null,
    },
  };
  const bucketRowCount = groupedRowCount + unassigned.rowCount + excluded.rowCount + outsidePeriod.rowCount;
  const { billedCost, effectiveCost, listCost } = reconciliation.differenceUsd;
  if (bucketRowCount !== file.rowCount || billedCost !== 0 || effectiveCost !== 0 || listCost !== 0) {
    throw new EnisError(
      "INTERNAL",
      `the buckets must add up to the file, got ${bucketRowCount} of ${file.rowCount} rows and differences ${JSON.stringify(reconciliation.differenceUsd)}`,
    );
  }
  return {
    files: run.source.files,
    format: run.source.format,
    groupBy: plan.groupBy,
    tenantTag: plan.tenantTag ?? null,
    period: plan.period ?? null,
    groups,
    unassigned,
    excluded,
    outsidePeriod,
    file,
    reconciliation,
    sql: run.sql,
  };
}

/**
 * Reads FOCUS billing files (CSV or Parquet; a path or a glob such as `exports/*.parquet`) through
 * DuckDB and returns per-group totals of BilledCost, EffectiveCost, ListCost and ContractedCost,
 * with charge categories kept apart, usage split by pricing category, commitment utilization, the
 * effective savings rate, and a reconciliation of every bucket with the whole file.
 *
 * Every row lands in exactly one place: its group; `unassigned` (no key, e.g. no tenant tag);
 * `excluded` (not matched by `filter`); or `outsidePeriod`. Errors: a path or glob that matches
 * nothing is `FILE_UNREADABLE`; missing required columns are one `INVALID_DATA` error listing them
 * all; a malformed cell (a cost that is not a number, a timestamp that does not parse, Tags that
 * are not JSON) is `INVALID_DATA` naming the file, its line and the column; rows not billed in USD
 * are `INVALID_DATA`.
 *
 * @example
 * ```ts
 * const report = await readFocus("exports/focus-2024-09.csv", {
 *   groupBy: "tenant-tag",
 *   tenantTag: "business_unit",
 * });
 * for (const tenant of report.groups) console.log(tenant.key, tenant.effectiveCostUsd);
 * console.log(report.unassigned.effectiveCostUsd, report.reconciliation);
 * ```
 */
export async function readFocus(pathOrGlob: string, options: ReadFocusOptions): Promise<FocusReport> {
  const path = validatePath(pathOrGlob);
  const plan = validateAggregation(options, ["format", "instance"], "duckdb", true);
  const { format, instance } = validateReadOptions(options as unknown as Record<string, unknown>);
  return toReport(await runAggregation(path, plan, format, instance));
}

import {
  assertArray,
  assertId,
  assertKnownKeys,
  assertObject,
  invalidField,
  oneOf,
} from "@enis/core/validate";
import { picoUnits } from "./decimal.js";
import {
  checkParquetNumbers,
  openFiles,
  runChecked,
  sourceSql,
  throwOnCurrencies,
  throwOnMalformedTags,
  withConnection,
} from "./duckdb-source.js";
import {
  assertIdentifier,
  type FocusFilter,
  type FocusPeriod,
  type FocusReadOptions,
  validateFilter,
  validatePath,
  validatePeriod,
  validateReadOptions,
} from "./options.js";
import { filterPredicate, literal } from "./sql.js";

/** What an hourly series measures, and the FOCUS column it sums. */
export type FocusHourlyMeasure =
  | "list-cost"
  | "effective-cost"
  | "billed-cost"
  | "consumed-quantity"
  | "pricing-quantity";

const measureColumns: Readonly<Record<FocusHourlyMeasure, string>> = {
  "list-cost": "ListCost",
  "effective-cost": "EffectiveCost",
  "billed-cost": "BilledCost",
  "consumed-quantity": "ConsumedQuantity",
  "pricing-quantity": "PricingQuantity",
};
const unitColumns: Partial<Readonly<Record<FocusHourlyMeasure, string>>> = {
  "consumed-quantity": "ConsumedUnit",
  "pricing-quantity": "PricingUnit",
};

/** Options of {@link readFocusHourly}. */
export interface ReadFocusHourlyOptions extends FocusReadOptions {
  /** The hours of the series: `[startMs, endMs)`, both on whole hours (UTC). */
  readonly period: FocusPeriod;
  /**
   * What each hour sums. `"list-cost"` is the usage at on-demand prices per hour (what a spend-based
   * commitment covers: pass it to `recommendCommitment` with an on-demand price of 1);
   * `"consumed-quantity"` / `"pricing-quantity"` count units (instance-hours…) and need `unit`.
   * @default "list-cost"
   */
  readonly measure?: FocusHourlyMeasure;
  /** The `ConsumedUnit` (or `PricingUnit`) to keep; required with a quantity measure, refused with a cost. */
  readonly unit?: string;
  /** The `ChargeCategory` values to keep. @default ["Usage"] */
  readonly chargeCategories?: readonly string[];
  /** Further rows to keep (e.g. `{ columns: { ServiceName: ["Amazon Elastic Compute Cloud"] } }`). */
  readonly filter?: FocusFilter;
}

/** How an hourly series adds up to the rows it was built from. */
export interface FocusHourlyReconciliation {
  /** Rows read from the files. */
  readonly rowCount: number;
  /** Rows that matched the charge categories, unit and filter. */
  readonly matchedRowCount: number;
  /** Rows that did not match. */
  readonly excludedRowCount: number;
  /** Matched rows without a usable charge period (NULL start or end, or end before start). */
  readonly unplacedRowCount: number;
  /** The measure summed over the matched rows (exact decimal sum). */
  readonly matchedTotal: number;
  /** Sum of `values`. */
  readonly inSeriesTotal: number;
  /** The share of matched rows' charge periods that falls outside the period. */
  readonly outsidePeriodTotal: number;
  /** The measure of the unplaced rows. */
  readonly unplacedTotal: number;
}

/** Result of {@link readFocusHourly}. */
export interface FocusHourlySeries {
  /** Start of the first hour. */
  readonly startMs: number;
  /** End of the last hour. */
  readonly endMs: number;
  /** One hour, in ms. */
  readonly hourMs: number;
  /** The measure per hour, one value per hour from `startMs` (0 for an hour without rows). */
  readonly values: readonly number[];
  /** What was measured. */
  readonly measure: FocusHourlyMeasure;
  /** The unit kept (quantity measures), else null (costs are US dollars). */
  readonly unit: string | null;
  /** How the series adds up to the rows. */
  readonly reconciliation: FocusHourlyReconciliation;
}

const hourMs = 3_600_000;
const optionKeys = new Set(["period", "measure", "unit", "chargeCategories", "filter", "format", "instance"]);

/**
 * Reads FOCUS files into an hourly series: the usage per hour over `period`, for
 * `recommendCommitment`'s `hourlyUsage`. A row whose charge period spans several hours (a daily
 * row) is spread over them in proportion to its overlap with each; the part of a row outside the
 * period is counted apart. Rows are read once, grouped by charge period in DuckDB, and spread here.
 *
 * @example
 * ```ts
 * const series = await readFocusHourly("focus.csv", {
 *   period: { startMs: Date.UTC(2024, 8, 1), endMs: Date.UTC(2024, 9, 1) },
 *   measure: "consumed-quantity",
 *   unit: "Hours",
 *   filter: { columns: { ServiceCategory: ["Compute"] } },
 * });
 * series.values; // 720 numbers: instance-hours per hour
 * ```
 */
export async function readFocusHourly(
  pathOrGlob: string,
  options: ReadFocusHourlyOptions,
): Promise<FocusHourlySeries> {
  const path = validatePath(pathOrGlob);
  assertObject(options, "options");
  const record = options as unknown as Record<string, unknown>;
  assertKnownKeys(record, optionKeys, "options");
  const period = validatePeriod(record["period"], "options.period");
  if (period.startMs % hourMs !== 0) {
    throw invalidField("options.period.startMs", period.startMs, "on a whole hour (a multiple of 3600000)");
  }
  if (period.endMs % hourMs !== 0) {
    throw invalidField("options.period.endMs", period.endMs, "on a whole hour (a multiple of 3600000)");
  }
  const measure = oneOf(
    record["measure"],
    "options.measure",
    Object.keys(measureColumns) as FocusHourlyMeasure[],
    "list-cost",
  );
  const unitColumn = unitColumns[measure];
  const unit = record["unit"];
  if (unitColumn !== undefined) {
    if (unit === undefined) {
      throw invalidField(
        "options.unit",
        unit,
        `the ${unitColumn} to keep (e.g. "Hours") with measure "${measure}"`,
      );
    }
    assertId(unit, "options.unit");
  } else if (unit !== undefined) {
    throw invalidField("options.unit", unit, `absent with measure "${measure}" (costs are US dollars)`);
  }
  const categories = (record["chargeCategories"] ?? ["Usage"]) as unknown;
  assertArray(categories, "options.chargeCategories");
  if (categories.length === 0) throw invalidField("options.chargeCategories", categories, "a non-empty list");
  categories.forEach((category, index) => {
    assertId(category, `options.chargeCategories[${index}]`);
  });
  const filter =
    record["filter"] === undefined ? undefined : validateFilter(record["filter"], "options.filter", "duckdb");
  const { format, instance } = validateReadOptions(record);

  const valueColumn = measureColumns[measure];
  const required = new Set([
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "BillingCurrency",
    valueColumn,
  ]);
  if (unitColumn !== undefined) required.add(unitColumn);
  for (const column of Object.keys(filter?.columns ?? {})) {
    assertIdentifier(column, "options.filter.columns key");
    required.add(column);
  }
  if (Object.keys(filter?.tags ?? {}).length > 0) required.add("Tags");

  const keep = [
    `ChargeCategory IN (${(categories as string[]).map((category) => literal(category, "duckdb")).join(", ")})`,
  ];
  if (unitColumn !== undefined) keep.push(`${unitColumn} = ${literal(unit as string, "duckdb")}`);
  const filterSql = filterPredicate(filter, "duckdb");
  if (filterSql !== undefined) keep.push(filterSql);
  const readsTags = required.has("Tags");

  const rows = await withConnection(instance, async (connection) => {
    const source = await openFiles(connection, path, format, [...required]);
    await checkParquetNumbers(connection, source, [...required]);
    const sql = [
      "WITH focus_rows AS (",
      `  SELECT ChargePeriodStart AS s, ChargePeriodEnd AS e, CASE WHEN ${keep.join(" AND ")} THEN 1 ELSE 0 END AS keep,`,
      `    ${valueColumn} AS v, CASE WHEN BillingCurrency = 'USD' THEN 0 ELSE 1 END AS non_usd`,
      readsTags
        ? "    , CASE WHEN Tags IS NOT NULL AND Tags <> '' AND NOT json_valid(Tags) THEN 1 ELSE 0 END AS malformed_tags"
        : "    , 0 AS malformed_tags",
      `  FROM ${sourceSql(source, [...required])}`,
      ")",
      "SELECT keep, epoch_ms(CASE WHEN keep = 1 THEN s END) AS start_ms, epoch_ms(CASE WHEN keep = 1 THEN e END) AS end_ms,",
      "  COUNT(*) AS row_count, SUM(v) AS value, SUM(non_usd) AS non_usd_row_count, SUM(malformed_tags) AS malformed_tags_row_count",
      "FROM focus_rows GROUP BY 1, 2, 3",
    ].join("\n");
    const result = await runChecked(connection, source, [...required], sql);
    const malformed = result.reduce((sum, row) => sum + Number(row["malformed_tags_row_count"] ?? 0), 0);
    if (malformed > 0) await throwOnMalformedTags(connection, source, malformed);
    const nonUsd = result.reduce((sum, row) => sum + Number(row["non_usd_row_count"] ?? 0), 0);
    // Quantities are not money, but the filter is the same: a cost series in another currency is refused.
    if (unitColumn === undefined) await throwOnCurrencies(connection, source, nonUsd);
    return result;
  });

  const hours = (period.endMs - period.startMs) / hourMs;
  const values = new Array<number>(hours).fill(0);
  let rowCount = 0;
  let matchedRowCount = 0;
  let unplacedRowCount = 0;
  let matched = 0n;
  let outsidePeriodTotal = 0;
  let unplaced = 0n;
  for (const row of rows) {
    const rowsHere = Number(row["row_count"]);
    rowCount += rowsHere;
    if (Number(row["keep"]) !== 1) continue;
    matchedRowCount += rowsHere;
    matched += picoUnits(row["value"]);
    const value = row["value"] === null ? 0 : Number(row["value"]);
    const start = row["start_ms"] === null ? Number.NaN : Number(row["start_ms"]);
    const end = row["end_ms"] === null ? Number.NaN : Number(row["end_ms"]);
    if (!(end >= start)) {
      unplacedRowCount += rowsHere;
      unplaced += picoUnits(row["value"]);
      continue;
    }
    if (end === start) {
      // An instant charge belongs to the hour it falls in.
      if (start >= period.startMs && start < period.endMs)
        values[Math.floor((start - period.startMs) / hourMs)]! += value;
      else outsidePeriodTotal += value;
      continue;
    }
    const duration = end - start;
    const from = Math.max(start, period.startMs);
    const to = Math.min(end, period.endMs);
    let inside = 0;
    for (
      let hour = Math.floor((from - period.startMs) / hourMs);
      from < to && hour * hourMs + period.startMs < to;
      hour++
    ) {
      const hourStart = period.startMs + hour * hourMs;
      const overlap = Math.min(to, hourStart + hourMs) - Math.max(from, hourStart);
      values[hour]! += (value * overlap) / duration;
      inside += overlap;
    }
    outsidePeriodTotal += (value * (duration - inside)) / duration;
  }
  return {
    startMs: period.startMs,
    endMs: period.endMs,
    hourMs,
    values,
    measure,
    unit: unitColumn === undefined ? null : (unit as string),
    reconciliation: {
      rowCount,
      matchedRowCount,
      excludedRowCount: rowCount - matchedRowCount,
      unplacedRowCount,
      matchedTotal: Number(matched) / 1e12,
      inSeriesTotal: values.reduce((sum, value) => sum + value, 0),
      outsidePeriodTotal,
      unplacedTotal: Number(unplaced) / 1e12,
    },
  };
}

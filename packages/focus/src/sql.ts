import type { FocusFilter, FocusGroupBy, FocusPeriod, FocusSqlDialect } from "./options.js";

/*
 * The aggregation as SQL text. One query, one pass over the rows: each row is put in exactly one
 * bucket (outside the period, excluded by the filter, without a group key, or its group), and
 * `GROUP BY GROUPING SETS ((bucket, group_key), ())` returns every bucket's totals and the whole
 * input's totals side by side, so the buckets can be checked to add up to the file.
 *
 * Only plain SQL is used: CTEs, CASE, SUM/COUNT, GROUPING SETS and a one-argument GROUPING().
 * Identifiers are unquoted FOCUS column names. The dialects differ in one place: how a value is
 * read out of the JSON `Tags` column (and how a string literal escapes a quote).
 */

/** Charge categories of FOCUS 1.0, in the order the result lists them; anything else is "other". */
export const chargeCategories = ["Usage", "Purchase", "Tax", "Credit", "Adjustment"] as const;
/** Pricing categories of FOCUS 1.0 kept apart for usage rows; anything else is "other". */
export const pricingCategories = ["Committed", "Standard", "Dynamic"] as const;

/** The FOCUS column each named grouping reads. */
export const groupColumns = {
  "sub-account": "SubAccountId",
  "billing-account": "BillingAccountId",
  service: "ServiceName",
  "service-category": "ServiceCategory",
  provider: "ProviderName",
  region: "RegionId",
  "charge-category": "ChargeCategory",
  "pricing-category": "PricingCategory",
  commitment: "CommitmentDiscountId",
  resource: "ResourceId",
} as const;

/** Resolved inputs of the SQL builders (validated by the caller). */
export interface AggregationPlan {
  readonly groupBy: FocusGroupBy;
  readonly tenantTag: string | undefined;
  readonly period: FocusPeriod | undefined;
  readonly filter: FocusFilter | undefined;
  readonly includeContractedCost: boolean;
  readonly dialect: FocusSqlDialect;
  /** Count rows whose Tags cell is not valid JSON (DuckDB only: the others have no test for it). */
  readonly countMalformedTags: boolean;
}

/** A string literal in `dialect`. */
export function literal(value: string, dialect: FocusSqlDialect): string {
  if (dialect === "bigquery" || dialect === "spark") {
    return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/** A timestamp literal (UTC) for a millisecond instant. */
export function timestampLiteral(ms: number): string {
  return `TIMESTAMP '${new Date(ms).toISOString().slice(0, 23).replace("T", " ")}'`;
}

/**
 * The value of tag `key` in the JSON text `Tags`, NULL when the cell is NULL, empty or has no such
 * key. DuckDB guards with json_valid (a malformed cell is counted and reported, not a failed query).
 */
export function tagExpression(key: string, dialect: FocusSqlDialect): string {
  switch (dialect) {
    case "duckdb":
      return `CASE WHEN json_valid(Tags) THEN json_extract_string(Tags, ${literal(`$."${key}"`, dialect)}) END`;
    case "postgres":
      return `(CAST(NULLIF(CAST(Tags AS text), '') AS jsonb) ->> ${literal(key, dialect)})`;
    case "trino":
      return `json_extract_scalar(Tags, ${literal(`$["${key}"]`, dialect)})`;
    case "bigquery":
      return `JSON_VALUE(Tags, ${literal(`$."${key}"`, dialect)})`;
    case "spark":
      return `get_json_object(Tags, ${literal(`$.${key}`, dialect)})`;
  }
}

/** The name of the text type in `dialect`. */
function textType(dialect: FocusSqlDialect): string {
  return dialect === "bigquery" || dialect === "spark" ? "STRING" : "VARCHAR";
}

/** The grouping key expression, with empty strings read as no key. */
function groupExpression(plan: AggregationPlan): string {
  const { groupBy } = plan;
  if (groupBy === "tenant-tag") return `NULLIF(${tagExpression(plan.tenantTag!, plan.dialect)}, '')`;
  const column = typeof groupBy === "string" ? groupColumns[groupBy] : groupBy.column;
  return `NULLIF(CAST(${column} AS ${textType(plan.dialect)}), '')`;
}

/** The filter as a predicate over the input rows, or undefined without one. */
export function filterPredicate(
  filter: FocusFilter | undefined,
  dialect: FocusSqlDialect,
): string | undefined {
  if (filter === undefined) return undefined;
  const terms: string[] = [];
  for (const [column, values] of Object.entries(filter.columns ?? {})) {
    terms.push(`${column} IN (${values.map((value) => literal(value, dialect)).join(", ")})`);
  }
  for (const [key, values] of Object.entries(filter.tags ?? {})) {
    terms.push(
      `${tagExpression(key, dialect)} IN (${values.map((value) => literal(value, dialect)).join(", ")})`,
    );
  }
  return terms.length === 0 ? undefined : terms.join(" AND ");
}

/** The period as a predicate on ChargePeriodStart, or undefined without one. */
export function periodPredicate(period: FocusPeriod | undefined): string | undefined {
  if (period === undefined) return undefined;
  return `ChargePeriodStart >= ${timestampLiteral(period.startMs)} AND ChargePeriodStart < ${timestampLiteral(period.endMs)}`;
}

/** Cost measures summed per bucket, category and pricing category. */
const costs = [
  ["billed_cost", "BilledCost"],
  ["effective_cost", "EffectiveCost"],
  ["list_cost", "ListCost"],
  ["contracted_cost", "ContractedCost"],
] as const;

/** snake_case of a category name: "Usage" → "usage". */
function snake(name: string): string {
  return name.toLowerCase();
}

/** The aggregation query over `from` (a table name or a parenthesised subquery with an alias). */
export function buildAggregationSql(plan: AggregationPlan, from: string): string {
  const measures = costs.filter(([name]) => name !== "contracted_cost" || plan.includeContractedCost);
  const inPeriod = periodPredicate(plan.period);
  const inFilter = filterPredicate(plan.filter, plan.dialect);
  const text = textType(plan.dialect);

  const rowColumns = [
    `${groupExpression(plan)} AS group_key`,
    `${inPeriod === undefined ? "1" : `CASE WHEN ${inPeriod} THEN 1 ELSE 0 END`} AS in_period`,
    `${inFilter === undefined ? "1" : `CASE WHEN ${inFilter} THEN 1 ELSE 0 END`} AS in_filter`,
    `CASE ${chargeCategories.map((name) => `WHEN ChargeCategory = '${name}' THEN '${snake(name)}'`).join(" ")} ELSE 'other' END AS charge_category`,
    `CASE WHEN ChargeCategory = 'Usage' THEN CASE ${pricingCategories.map((name) => `WHEN PricingCategory = '${name}' THEN '${snake(name)}'`).join(" ")} ELSE 'other' END END AS pricing_category`,
    // FOCUS 1.0 marks a commitment's consumption (Used) and its unused remainder (Unused) on usage
    // rows; an empty CommitmentDiscountId (Oracle writes "") is no commitment.
    `CASE WHEN ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL AND CAST(CommitmentDiscountId AS ${text}) <> '' THEN CommitmentDiscountStatus END AS commitment_status`,
    `CASE WHEN BillingCurrency = 'USD' THEN 0 ELSE 1 END AS non_usd`,
    ...measures.map(([name, column]) => `${column} AS ${name}`),
  ];
  if (plan.countMalformedTags) {
    rowColumns.push(
      `CASE WHEN Tags IS NOT NULL AND Tags <> '' AND NOT json_valid(Tags) THEN 1 ELSE 0 END AS malformed_tags`,
    );
  }

  const sums: string[] = [
    "COUNT(*) AS row_count",
    ...measures.flatMap(([name]) => [`SUM(${name}) AS ${name}`, `COUNT(${name}) AS ${name}_cells`]),
  ];
  for (const category of [...chargeCategories.map(snake), "other"]) {
    sums.push(`COUNT(CASE WHEN charge_category = '${category}' THEN 1 END) AS ${category}_row_count`);
    for (const [name] of measures) {
      sums.push(`SUM(CASE WHEN charge_category = '${category}' THEN ${name} END) AS ${category}_${name}`);
    }
    if (plan.includeContractedCost) {
      sums.push(
        `COUNT(CASE WHEN charge_category = '${category}' THEN contracted_cost END) AS ${category}_contracted_cost_cells`,
      );
    }
  }
  for (const category of [...pricingCategories.map(snake), "other"]) {
    sums.push(
      `COUNT(CASE WHEN pricing_category = '${category}' THEN 1 END) AS pricing_${category}_row_count`,
    );
    for (const name of ["effective_cost", "list_cost"]) {
      sums.push(
        `SUM(CASE WHEN pricing_category = '${category}' THEN ${name} END) AS pricing_${category}_${name}`,
      );
    }
  }
  sums.push(
    "COUNT(CASE WHEN commitment_status = 'Used' THEN 1 END) AS commitment_used_row_count",
    "SUM(CASE WHEN commitment_status = 'Used' THEN effective_cost END) AS commitment_used_effective_cost",
    "COUNT(CASE WHEN commitment_status = 'Unused' THEN 1 END) AS commitment_unused_row_count",
    "SUM(CASE WHEN commitment_status = 'Unused' THEN effective_cost END) AS commitment_unused_effective_cost",
    "SUM(non_usd) AS non_usd_row_count",
  );
  if (plan.countMalformedTags) sums.push("SUM(malformed_tags) AS malformed_tags_row_count");

  return [
    "WITH focus_rows AS (",
    "  SELECT",
    rowColumns.map((column) => `    ${column}`).join(",\n"),
    `  FROM ${from}`,
    "),",
    "bucketed AS (",
    "  SELECT",
    "    CASE WHEN in_period = 0 THEN 'outside-period' WHEN in_filter = 0 THEN 'excluded'",
    "         WHEN group_key IS NULL THEN 'unassigned' ELSE 'group' END AS bucket,",
    "    CASE WHEN in_period = 1 AND in_filter = 1 THEN group_key END AS group_key,",
    "    charge_category, pricing_category, commitment_status, non_usd,",
    `    ${measures.map(([name]) => name).join(", ")}${plan.countMalformedTags ? ", malformed_tags" : ""}`,
    "  FROM focus_rows",
    ")",
    "SELECT",
    "  GROUPING(bucket) AS is_total,",
    "  bucket,",
    "  group_key,",
    sums.map((sum) => `  ${sum}`).join(",\n"),
    "FROM bucketed",
    "GROUP BY GROUPING SETS ((bucket, group_key), ())",
  ].join("\n");
}

/** The columns a plan reads from the input (the required ones, and ContractedCost when summed). */
export function columnsRead(plan: AggregationPlan): { required: string[]; optional: string[] } {
  const required = new Set<string>([
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ChargeCategory",
    "PricingCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountStatus",
    "BillingCurrency",
  ]);
  const { groupBy } = plan;
  if (groupBy === "tenant-tag") required.add("Tags");
  else required.add(typeof groupBy === "string" ? groupColumns[groupBy] : groupBy.column);
  if (plan.period !== undefined) required.add("ChargePeriodStart");
  for (const column of Object.keys(plan.filter?.columns ?? {})) required.add(column);
  if (Object.keys(plan.filter?.tags ?? {}).length > 0) required.add("Tags");
  return { required: [...required], optional: plan.includeContractedCost ? ["ContractedCost"] : [] };
}

import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { focusAggregationSql, readFocus } from "./read-focus.js";
import { sampleFocusPath } from "./testing/csv.js";

const samplePath = sampleFocusPath();
if (samplePath === undefined) {
  console.warn("focusAggregationSql on the real sample skipped: ../shared/data/focus-sample is absent");
}

describe("focusAggregationSql", () => {
  it("writes one query: CTEs, CASE, SUM/COUNT and GROUPING SETS, with unquoted FOCUS columns", () => {
    const sql = focusAggregationSql({ groupBy: "provider", from: "billing.focus" });
    expect(sql.match(/\bSELECT\b/g)).toHaveLength(3);
    expect(sql).toContain("GROUP BY GROUPING SETS ((bucket, group_key), ())");
    expect(sql).toContain("FROM billing.focus");
    expect(sql).toContain("NULLIF(CAST(ProviderName AS VARCHAR), '')");
    expect(sql).not.toContain(";");
    expect(sql).not.toContain("json_valid");
  });

  it("reads a tag in each dialect's own JSON function", () => {
    const tag = (dialect: "duckdb" | "postgres" | "trino" | "bigquery" | "spark") =>
      focusAggregationSql({ groupBy: "tenant-tag", tenantTag: "business_unit", dialect });
    expect(tag("duckdb")).toContain(
      `CASE WHEN json_valid(Tags) THEN json_extract_string(Tags, '$."business_unit"') END`,
    );
    expect(tag("postgres")).toContain(`(CAST(NULLIF(CAST(Tags AS text), '') AS jsonb) ->> 'business_unit')`);
    expect(tag("trino")).toContain(`json_extract_scalar(Tags, '$["business_unit"]')`);
    expect(tag("bigquery")).toContain(`JSON_VALUE(Tags, '$."business_unit"')`);
    expect(tag("spark")).toContain(`get_json_object(Tags, '$.business_unit')`);
    expect(tag("bigquery")).toContain("CAST(CommitmentDiscountId AS STRING)");
  });

  it("escapes filter values as each dialect's string literals", () => {
    const filter = { columns: { ServiceName: ["O'Brien \\ Co"] } };
    expect(focusAggregationSql({ groupBy: "provider", filter })).toContain(
      `ServiceName IN ('O''Brien \\ Co')`,
    );
    expect(focusAggregationSql({ groupBy: "provider", filter, dialect: "bigquery" })).toContain(
      `ServiceName IN ('O\\'Brien \\\\ Co')`,
    );
  });

  it("writes the period as UTC timestamp literals on ChargePeriodStart", () => {
    const sql = focusAggregationSql({
      groupBy: "provider",
      period: { startMs: Date.UTC(2024, 8, 1), endMs: Date.UTC(2024, 8, 1, 12, 30, 0, 250) },
    });
    expect(sql).toContain(
      "ChargePeriodStart >= TIMESTAMP '2024-09-01 00:00:00.000' AND ChargePeriodStart < TIMESTAMP '2024-09-01 12:30:00.250'",
    );
  });

  it("leaves ContractedCost out on request", () => {
    expect(focusAggregationSql({ groupBy: "provider" })).toContain("SUM(contracted_cost)");
    expect(focusAggregationSql({ groupBy: "provider", includeContractedCost: false })).not.toContain(
      "contracted",
    );
  });

  (samplePath === undefined ? it.skip : it)(
    "gives readFocus's figures when a warehouse (here DuckDB) runs it over a typed table",
    async () => {
      const options = {
        groupBy: "tenant-tag" as const,
        tenantTag: "business_unit",
        period: { startMs: Date.UTC(2024, 8, 5), endMs: Date.UTC(2024, 8, 25) },
        filter: { columns: { ProviderName: ["AWS", "Microsoft"] } },
      };
      const report = await readFocus(samplePath!, options);
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      await connection.run("SET TimeZone = 'UTC'");
      await connection.run(
        `CREATE TABLE focus_billing AS SELECT * REPLACE (CAST(BilledCost AS DECIMAL(38, 12)) AS BilledCost, ` +
          `CAST(EffectiveCost AS DECIMAL(38, 12)) AS EffectiveCost, CAST(ListCost AS DECIMAL(38, 12)) AS ListCost, ` +
          `CAST(ContractedCost AS DECIMAL(38, 12)) AS ContractedCost, CAST(ChargePeriodStart AS TIMESTAMPTZ) AS ChargePeriodStart) ` +
          `FROM read_csv('${samplePath}', nullstr = 'NULL', allow_quoted_nulls = false)`,
      );
      const rows = (
        await connection.runAndReadAll(focusAggregationSql({ ...options, from: "focus_billing" }))
      ).getRowObjectsJson();
      connection.closeSync();
      instance.closeSync();
      const total = rows.find((row) => Number(row["is_total"]) === 1)!;
      expect(Number(total["row_count"])).toBe(1000);
      expect(Number(total["billed_cost"])).toBe(report.file.billedCostUsd);
      const groups = rows.filter((row) => row["bucket"] === "group");
      expect(groups).toHaveLength(report.groups.length);
      for (const group of report.groups) {
        const row = groups.find((candidate) => candidate["group_key"] === group.key)!;
        expect(Number(row["row_count"])).toBe(group.rowCount);
        expect(Number(row["effective_cost"])).toBe(group.effectiveCostUsd);
        expect(Number(row["usage_list_cost"] ?? 0)).toBe(group.chargeCategories.usage.listCostUsd);
      }
      for (const [bucket, totals] of [
        ["unassigned", report.unassigned],
        ["excluded", report.excluded],
        ["outside-period", report.outsidePeriod],
      ] as const) {
        const row = rows.find((candidate) => candidate["bucket"] === bucket);
        expect(Number(row?.["row_count"] ?? 0)).toBe(totals.rowCount);
        expect(Number(row?.["billed_cost"] ?? 0)).toBe(totals.billedCostUsd);
      }
    },
  );
});

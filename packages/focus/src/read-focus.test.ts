import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFocusHourly } from "./hourly.js";
import { readFocusMonthToDate } from "./month-to-date.js";
import { type FocusGroupTotals, type FocusReport, readFocus } from "./read-focus.js";
import { type CsvRecord, pico, readCsv, sampleFocusPath, sumColumn } from "./testing/csv.js";

/*
 * The FinOps Foundation's FOCUS 1.0 sample (1,000 real anonymised rows, CC BY 4.0), read from
 * ../shared/data. Every expected figure is computed here from a plain CSV parse with exact
 * decimal sums, independently of DuckDB.
 */
const samplePath = sampleFocusPath();
if (samplePath === undefined) {
  console.warn(
    "focus tests on the real sample skipped: ../shared/data/focus-sample/focus-1.0-sample.csv is absent",
  );
}
const describeSample = samplePath === undefined ? describe.skip : describe;

const cent = 0.005;
const ms = (text: string) => Date.parse(`${text.replace(" ", "T")}Z`);

function tagsOf(record: CsvRecord): Record<string, unknown> | null {
  const text = record.cells["Tags"];
  return text === null || text === undefined || text === ""
    ? null
    : (JSON.parse(text) as Record<string, unknown>);
}

function expectTotals(actual: FocusGroupTotals, records: readonly CsvRecord[]): void {
  expect(actual.rowCount).toBe(records.length);
  expect(Math.abs(actual.billedCostUsd - sumColumn(records, "BilledCost"))).toBeLessThan(cent);
  expect(Math.abs(actual.effectiveCostUsd - sumColumn(records, "EffectiveCost"))).toBeLessThan(cent);
  expect(Math.abs(actual.listCostUsd - sumColumn(records, "ListCost"))).toBeLessThan(cent);
  // Exact, not only to the cent: both sides are exact decimal sums rounded once.
  expect(actual.billedCostUsd).toBeCloseTo(sumColumn(records, "BilledCost"), 10);
  expect(actual.listCostUsd).toBeCloseTo(sumColumn(records, "ListCost"), 10);
}

function groupBy(records: readonly CsvRecord[], key: (record: CsvRecord) => string | null) {
  const groups = new Map<string | null, CsvRecord[]>();
  for (const record of records) {
    const value = key(record);
    groups.set(value, [...(groups.get(value) ?? []), record]);
  }
  return groups;
}

describeSample("readFocus on the FOCUS 1.0 sample", () => {
  const path = samplePath!;
  const records = samplePath === undefined ? [] : readCsv(samplePath);

  it("parses the sample as the test's own parser does: 1,000 rows, 942 AWS, 51 Microsoft, 7 Oracle", () => {
    expect(records).toHaveLength(1000);
    const providers = groupBy(records, (record) => record.cells["ProviderName"] ?? null);
    expect(providers.get("AWS")).toHaveLength(942);
    expect(providers.get("Microsoft")).toHaveLength(51);
    expect(providers.get("Oracle")).toHaveLength(7);
  });

  it("totals per provider match an independent parse to the cent, and reconcile with the file", async () => {
    const report = await readFocus(path, { groupBy: "provider" });
    expect(report.groups.map((group) => group.key)).toEqual(["AWS", "Microsoft", "Oracle"]);
    const expected = groupBy(records, (record) => record.cells["ProviderName"] ?? null);
    for (const group of report.groups) expectTotals(group, expected.get(group.key)!);
    expectTotals(report.file, records);
    expect(report.reconciliation).toEqual({
      rowCount: 1000,
      groupedRowCount: 1000,
      unassignedRowCount: 0,
      excludedRowCount: 0,
      outsidePeriodRowCount: 0,
      differenceUsd: { billedCost: 0, effectiveCost: 0, listCost: 0 },
      nullCells: { BilledCost: 0, EffectiveCost: 0, ListCost: 0, ContractedCost: 7 },
    });
    expect(report.format).toBe("csv");
    expect(report.files).toEqual([path]);
  });

  it("keeps charge categories apart: usage, the credit and the adjustments, per provider and per category", async () => {
    const byProvider = await readFocus(path, { groupBy: "provider" });
    const byCategory = await readFocus(path, { groupBy: "charge-category" });
    const expected = groupBy(records, (record) => record.cells["ChargeCategory"] ?? null);
    expect(byCategory.groups.map((group) => group.key)).toEqual(["Adjustment", "Credit", "Usage"]);
    for (const group of byCategory.groups) expectTotals(group, expected.get(group.key)!);
    expect(expected.get("Credit")).toHaveLength(1);
    expect(expected.get("Adjustment")).toHaveLength(2);

    const aws = byProvider.groups.find((group) => group.key === "AWS")!;
    const awsRecords = records.filter((record) => record.cells["ProviderName"] === "AWS");
    const ofCategory = (category: string) =>
      awsRecords.filter((record) => record.cells["ChargeCategory"] === category);
    expectTotals({ ...aws, ...aws.chargeCategories.usage }, ofCategory("Usage"));
    expectTotals({ ...aws, ...aws.chargeCategories.credit }, ofCategory("Credit"));
    expect(aws.chargeCategories.credit.billedCostUsd).toBeCloseTo(-2.6137, 10);
    const oracle = byProvider.groups.find((group) => group.key === "Oracle")!;
    expect(oracle.chargeCategories.adjustment.rowCount).toBe(2);
    expect(oracle.chargeCategories.adjustment.billedCostUsd).toBeCloseTo(0.272, 10);
    // Every category's rows add up to the group's.
    for (const group of byProvider.groups) {
      const categories = Object.values(group.chargeCategories);
      expect(categories.reduce((sum, totals) => sum + totals.rowCount, 0)).toBe(group.rowCount);
      expect(categories.reduce((sum, totals) => sum + totals.billedCostUsd, 0)).toBeCloseTo(
        group.billedCostUsd,
        9,
      );
    }
  });

  it("splits usage by pricing category and reads commitments, savings rate and coverage from the rows", async () => {
    const report = await readFocus(path, { groupBy: "provider" });
    const aws = report.groups.find((group) => group.key === "AWS")!;
    const usage = records.filter(
      (record) => record.cells["ProviderName"] === "AWS" && record.cells["ChargeCategory"] === "Usage",
    );
    const committed = usage.filter((record) => record.cells["PricingCategory"] === "Committed");
    const standard = usage.filter((record) => record.cells["PricingCategory"] === "Standard");
    expect(aws.pricing.committed.rowCount).toBe(committed.length);
    expect(aws.pricing.committed.rowCount).toBe(4);
    expect(aws.pricing.standard.rowCount).toBe(standard.length);
    expect(aws.pricing.committed.listCostUsd).toBeCloseTo(sumColumn(committed, "ListCost"), 10);
    expect(aws.pricing.standard.effectiveCostUsd).toBeCloseTo(sumColumn(standard, "EffectiveCost"), 10);
    // The sample's four Savings Plan rows are "Used" with EffectiveCost 0: no commitment cost to
    // divide, so utilization is null rather than NaN.
    expect(aws.commitment).toEqual({
      usedRowCount: 4,
      usedEffectiveCostUsd: 0,
      unusedRowCount: 0,
      unusedEffectiveCostUsd: 0,
      utilization: null,
    });
    const list = sumColumn(usage, "ListCost");
    const effective = sumColumn(usage, "EffectiveCost");
    expect(aws.effectiveSavingsRate).toBeCloseTo((list - effective) / list, 12);
    expect(aws.commitmentCoverage).toBeCloseTo(sumColumn(committed, "ListCost") / list, 12);
    // Oracle's PricingCategory is a quoted empty string: "other", not an error.
    const oracle = report.groups.find((group) => group.key === "Oracle")!;
    expect(oracle.pricing.other.rowCount).toBe(5);
  });

  it("parses Tags: per business_unit totals match JSON.parse of each cell; untagged rows are unassigned", async () => {
    const report = await readFocus(path, { groupBy: "tenant-tag", tenantTag: "business_unit" });
    const expected = groupBy(records, (record) => {
      const value = tagsOf(record)?.["business_unit"];
      return typeof value === "string" && value !== "" ? value : null;
    });
    const keys = [...expected.keys()].filter((key): key is string => key !== null).sort();
    expect(report.groups.map((group) => group.key)).toEqual(keys);
    for (const group of report.groups) expectTotals(group, expected.get(group.key)!);
    expectTotals(report.unassigned, expected.get(null)!);
    expect(report.unassigned.rowCount).toBeGreaterThan(0);
    expect(report.reconciliation.groupedRowCount + report.reconciliation.unassignedRowCount).toBe(1000);
    // Another key of the same JSON.
    const environments = await readFocus(path, { groupBy: "tenant-tag", tenantTag: "environment" });
    expect(environments.groups.map((group) => group.key)).toEqual(
      [
        ...new Set(
          records.map((record) => tagsOf(record)?.["environment"]).filter((v) => typeof v === "string"),
        ),
      ]
        .map(String)
        .sort(),
    );
  });

  it('keeps NULLs as null: absent ContractedCost is null (not 0), NULL keys go to unassigned, never a "NULL" group', async () => {
    const byProvider = await readFocus(path, { groupBy: "provider" });
    const oracle = byProvider.groups.find((group) => group.key === "Oracle")!;
    expect(oracle.contractedCostUsd).toBeNull();
    expect(oracle.chargeCategories.adjustment.contractedCostUsd).toBeNull();
    const microsoft = byProvider.groups.find((group) => group.key === "Microsoft")!;
    expect(microsoft.contractedCostUsd).toBeCloseTo(
      sumColumn(
        records.filter((record) => record.cells["ProviderName"] === "Microsoft"),
        "ContractedCost",
      ),
      10,
    );
    expect(byProvider.reconciliation.nullCells.ContractedCost).toBe(
      records.filter((record) => record.cells["ContractedCost"] === null).length,
    );

    const byResourceName = await readFocus(path, { groupBy: { column: "ResourceName" } });
    const missing = records.filter((record) => (record.cells["ResourceName"] ?? "") === "");
    expect(byResourceName.unassigned.rowCount).toBe(missing.length);
    expect(byResourceName.groups.some((group) => group.key === "NULL" || group.key === "")).toBe(false);
    const bySubAccount = await readFocus(path, { groupBy: "sub-account" });
    // Ids are text: a leading zero or a 60-character OCID is kept as written.
    const subAccounts = new Set(records.map((record) => record.cells["SubAccountId"]));
    expect(new Set(bySubAccount.groups.map((group) => group.key))).toEqual(subAccounts);
  });

  it("counts rows outside the period and rows the filter excludes in their own buckets", async () => {
    const period = { startMs: Date.UTC(2024, 8, 10), endMs: Date.UTC(2024, 8, 20) };
    const report = await readFocus(path, {
      groupBy: "tenant-tag",
      tenantTag: "business_unit",
      period,
      filter: { columns: { ProviderName: ["AWS", "Oracle"] }, tags: { environment: ["prod"] } },
    });
    const inPeriod = (record: CsvRecord) => {
      const start = ms(record.cells["ChargePeriodStart"]!);
      return start >= period.startMs && start < period.endMs;
    };
    const outside = records.filter((record) => !inPeriod(record));
    const kept = (record: CsvRecord) =>
      ["AWS", "Oracle"].includes(record.cells["ProviderName"]!) && tagsOf(record)?.["environment"] === "prod";
    const excluded = records.filter((record) => inPeriod(record) && !kept(record));
    const grouped = records.filter((record) => inPeriod(record) && kept(record));
    expectTotals(report.outsidePeriod, outside);
    expectTotals(report.excluded, excluded);
    expect(report.reconciliation.groupedRowCount + report.reconciliation.unassignedRowCount).toBe(
      grouped.length,
    );
    expect(report.reconciliation.differenceUsd).toEqual({ billedCost: 0, effectiveCost: 0, listCost: 0 });
    expect(report.period).toEqual(period);
  });

  it("gives per-tenant month-to-date spend for budgets", async () => {
    const nowMs = Date.UTC(2024, 8, 15, 12);
    const spend = await readFocusMonthToDate(path, { tenantTag: "business_unit", nowMs, cost: "billed" });
    expect(spend.monthStartMs).toBe(Date.UTC(2024, 8, 1));
    expect(spend.monthEndMs).toBe(Date.UTC(2024, 9, 1));
    const inMonth = records.filter((record) => {
      const start = ms(record.cells["ChargePeriodStart"]!);
      return start >= Date.UTC(2024, 8, 1) && start < nowMs;
    });
    const expected = groupBy(inMonth, (record) => {
      const value = tagsOf(record)?.["business_unit"];
      return typeof value === "string" && value !== "" ? value : null;
    });
    for (const tenant of spend.tenants) {
      expect(tenant.spendUsd).toBeCloseTo(sumColumn(expected.get(tenant.id)!, "BilledCost"), 10);
      expect(tenant.rowCount).toBe(expected.get(tenant.id)!.length);
    }
    expect(spend.tenants).toHaveLength([...expected.keys()].filter((key) => key !== null).length);
    expect(spend.unassigned.rowCount).toBe(expected.get(null)?.length ?? 0);
    expect(spend.report.reconciliation.outsidePeriodRowCount).toBe(1000 - inMonth.length);
  });

  it("builds an hourly series whose values and outside part add up to the matched rows", async () => {
    const period = { startMs: Date.UTC(2024, 8, 1), endMs: Date.UTC(2024, 9, 1) };
    const series = await readFocusHourly(path, { period });
    expect(series.values).toHaveLength(720);
    const usage = records.filter((record) => record.cells["ChargeCategory"] === "Usage");
    const expected = new Array<number>(720).fill(0);
    let outside = 0;
    let daily = 0;
    for (const record of usage) {
      const start = ms(record.cells["ChargePeriodStart"]!);
      const end = ms(record.cells["ChargePeriodEnd"]!);
      const value = Number(pico(record.cells["ListCost"] ?? null)) / 1e12;
      if (end - start > 3_600_000) daily++;
      // A row over several hours (the sample's Microsoft rows are daily) is spread evenly over them.
      for (let hour = start; hour < end; hour += 3_600_000) {
        const share = (value * 3_600_000) / (end - start);
        if (hour >= period.startMs && hour < period.endMs)
          expected[(hour - period.startMs) / 3_600_000]! += share;
        else outside += share;
      }
    }
    expect(daily).toBeGreaterThan(0);
    for (const [hour, value] of series.values.entries()) expect(value).toBeCloseTo(expected[hour]!, 10);
    const { reconciliation } = series;
    expect(reconciliation.matchedRowCount).toBe(usage.length);
    expect(reconciliation.excludedRowCount).toBe(1000 - usage.length);
    expect(reconciliation.matchedTotal).toBeCloseTo(sumColumn(usage, "ListCost"), 10);
    expect(reconciliation.outsidePeriodTotal).toBeCloseTo(outside, 10);
    expect(reconciliation.inSeriesTotal + reconciliation.outsidePeriodTotal).toBeCloseTo(
      reconciliation.matchedTotal,
      9,
    );

    const hours = await readFocusHourly(path, {
      period,
      measure: "consumed-quantity",
      unit: "Hours",
      filter: { columns: { ServiceName: ["Amazon Elastic Compute Cloud"] } },
    });
    const instanceHours = usage.filter(
      (record) =>
        record.cells["ConsumedUnit"] === "Hours" &&
        record.cells["ServiceName"] === "Amazon Elastic Compute Cloud",
    );
    expect(hours.reconciliation.matchedRowCount).toBe(instanceHours.length);
    expect(hours.reconciliation.matchedTotal).toBeCloseTo(sumColumn(instanceHours, "ConsumedQuantity"), 9);
    expect(hours.unit).toBe("Hours");
  });

  describe("Parquet and globs", () => {
    let directory: string;
    beforeAll(async () => {
      directory = mkdtempSync(join(tmpdir(), "enis-focus-"));
      copyFileSync(path, join(directory, "a.csv"));
      copyFileSync(path, join(directory, "b.csv"));
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      // DuckDB writes the Parquet file from the CSV, with Tags as a MAP in a second file.
      await connection.run(
        `COPY (SELECT * FROM read_csv('${path}', nullstr = 'NULL', allow_quoted_nulls = false)) TO '${join(directory, "sample.parquet")}' (FORMAT parquet)`,
      );
      await connection.run(
        `COPY (SELECT * REPLACE (CASE WHEN Tags IS NULL THEN NULL ELSE CAST(json_transform(Tags, '"MAP(VARCHAR, VARCHAR)"') AS MAP(VARCHAR, VARCHAR)) END AS Tags) FROM read_csv('${path}', nullstr = 'NULL', allow_quoted_nulls = false)) TO '${join(directory, "map-tags.parquet")}' (FORMAT parquet)`,
      );
      connection.closeSync();
      instance.closeSync();
    });
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    const comparable = (report: FocusReport) => ({ ...report, files: [], format: "", sql: "" });

    it("reads Parquet written from the CSV to the same report", async () => {
      const csv = await readFocus(path, { groupBy: "tenant-tag", tenantTag: "business_unit" });
      const parquet = await readFocus(join(directory, "sample.parquet"), {
        groupBy: "tenant-tag",
        tenantTag: "business_unit",
      });
      expect(parquet.format).toBe("parquet");
      expect(comparable(parquet)).toEqual(comparable(csv));
      const mapTags = await readFocus(join(directory, "map-tags.parquet"), {
        groupBy: "tenant-tag",
        tenantTag: "business_unit",
      });
      expect(comparable(mapTags)).toEqual(comparable(csv));
    });

    it("reads gzip-compressed CSV", async () => {
      const gz = join(directory, "sample.csv.gz");
      writeFileSync(gz, gzipSync(readFileSync(path)));
      const plain = await readFocus(path, { groupBy: "provider" });
      const compressed = await readFocus(gz, { groupBy: "provider" });
      expect(comparable(compressed)).toEqual(comparable(plain));
    });

    it("reads every file a glob matches", async () => {
      const one = await readFocus(path, { groupBy: "provider" });
      const two = await readFocus(join(directory, "*.csv"), { groupBy: "provider" });
      expect(two.files).toHaveLength(2);
      expect(two.file.rowCount).toBe(2000);
      expect(two.file.billedCostUsd).toBeCloseTo(2 * one.file.billedCostUsd, 10);
      for (const [index, group] of two.groups.entries()) {
        expect(group.rowCount).toBe(2 * one.groups[index]!.rowCount);
      }
    });
  });
});

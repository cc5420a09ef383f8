import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { EnisError } from "@enis/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFocusHourly } from "./hourly.js";
import { type FocusCostTotals, readFocus } from "./read-focus.js";
import { parseCsv } from "./testing/csv.js";
import { type GeneratedFocusFile, type GeneratedTotals, writeFocusCsv } from "./testing/generate-focus.js";

/*
 * Integration-style checks on generated FOCUS files: 200,000 rows of 45 columns (about 140 MB),
 * whose exact totals the generator summed in integers as it wrote them.
 */

/** Dollars as whole micro-dollars: the generator writes every cost as a whole number of them. */
const micro = (usd: number) => Math.round(usd * 1e6);

function expectExact(actual: FocusCostTotals, expected: GeneratedTotals | undefined): void {
  expect(expected).toBeDefined();
  expect(actual.rowCount).toBe(expected!.rows);
  expect(micro(actual.billedCostUsd)).toBe(expected!.billedMicroUsd);
  expect(micro(actual.effectiveCostUsd)).toBe(expected!.effectiveMicroUsd);
  expect(micro(actual.listCostUsd)).toBe(expected!.listMicroUsd);
}

describe("generated FOCUS files", () => {
  let directory: string;
  let path: string;
  let generated: GeneratedFocusFile;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "enis-focus-generated-"));
    path = join(directory, "focus-200k.csv");
    generated = await writeFocusCsv(path, { rows: 200_000, seed: 20_240_901 });
  }, 120_000);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("reconciles 200k rows per tenant, to the micro-dollar, with what was written", async () => {
    const report = await readFocus(path, { groupBy: "tenant-tag", tenantTag: "business_unit" });
    expect(report.reconciliation.rowCount).toBe(200_000);
    expect(report.groups).toHaveLength(40);
    for (const group of report.groups) expectExact(group, generated.byTenant.get(group.key));
    expectExact(report.unassigned, generated.byTenant.get(null));
    expectExact(report.file, generated.file);
    expect(micro(report.file.contractedCostUsd!)).toBe(generated.file.contractedMicroUsd);
    expect(report.reconciliation.nullCells.ContractedCost).toBe(generated.file.contractedNullRows);
    expect(report.reconciliation.differenceUsd).toEqual({ billedCost: 0, effectiveCost: 0, listCost: 0 });
    // Every category of every tenant adds up to the file's category totals.
    for (const [category, totals] of generated.byChargeCategory) {
      const key = category.toLowerCase() as keyof typeof report.file.chargeCategories;
      const sum = [...report.groups, report.unassigned].reduce(
        (acc, group) => acc + micro(group.chargeCategories[key].billedCostUsd),
        0,
      );
      expect(sum).toBe(totals.billedMicroUsd);
      expectExact(report.file.chargeCategories[key], totals);
    }
    expect(micro(report.file.commitment.usedEffectiveCostUsd)).toBe(
      generated.commitmentEffectiveMicroUsd.used,
    );
    expect(micro(report.file.commitment.unusedEffectiveCostUsd)).toBe(
      generated.commitmentEffectiveMicroUsd.unused,
    );
    const { used, unused } = generated.commitmentEffectiveMicroUsd;
    expect(report.file.commitment.utilization).toBeCloseTo(used / (used + unused), 12);
    for (const [category, totals] of generated.usageByPricingCategory) {
      const key = (category === "" ? "other" : category.toLowerCase()) as keyof typeof report.file.pricing;
      expect(report.file.pricing[key].rowCount).toBe(
        category === ""
          ? totals.rows + (generated.usageByPricingCategory.get("Other")?.rows ?? 0)
          : totals.rows,
      );
      if (category !== "") expect(micro(report.file.pricing[key].listCostUsd)).toBe(totals.listMicroUsd);
    }
  });

  it("gives the same totals per provider from Parquet written by DuckDB", async () => {
    const parquet = join(directory, "focus-200k.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT * FROM read_csv('${path}', nullstr = 'NULL', allow_quoted_nulls = false)) TO '${parquet}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    const report = await readFocus(parquet, { groupBy: "provider" });
    expect(report.format).toBe("parquet");
    expect(report.reconciliation.rowCount).toBe(200_000);
    for (const group of report.groups) expectExact(group, generated.byProvider.get(group.key!));
  });

  it("spreads daily rows over their hours and keeps the hourly series whole", async () => {
    const series = await readFocusHourly(path, {
      period: { startMs: Date.UTC(2024, 8, 1), endMs: Date.UTC(2024, 9, 1) },
    });
    const usage = generated.byChargeCategory.get("Usage")!;
    expect(series.reconciliation.matchedRowCount).toBe(usage.rows);
    expect(micro(series.reconciliation.matchedTotal)).toBe(usage.listMicroUsd);
    // Every charge period lies inside September: the whole usage is in the series.
    expect(series.reconciliation.outsidePeriodTotal).toBeCloseTo(0, 6);
    expect(series.reconciliation.inSeriesTotal).toBeCloseTo(series.reconciliation.matchedTotal, 4);
    expect(series.values.every((value) => value > 0)).toBe(true);
  });

  it("names the file's line of a bad cell placed after records that span two lines", async () => {
    const small = join(directory, "focus-20k.csv");
    await writeFocusCsv(small, { rows: 20_000, seed: 7 });
    const records = parseCsv(readFileSync(small, "utf8"));
    const multiLine = records.findIndex((record) => record.cells["ChargeDescription"]?.includes("\n"));
    expect(multiLine).toBeGreaterThanOrEqual(0);
    const index = records.findIndex(
      (record, at) => at > multiLine + 100 && record.cells["ProviderName"] === "AWS",
    );
    const target = records[index]!;
    // The record's line is past its index + 2 by the line breaks inside the cells before it.
    expect(target.line).toBeGreaterThan(index + 2);
    const lines = readFileSync(small, "utf8").split("\n");
    const line = lines[target.line - 1]!;
    const billed = target.cells["BilledCost"]!;
    lines[target.line - 1] = line.replace(`NULL,${billed},`, "NULL,not-a-cost,");
    expect(lines[target.line - 1]).not.toBe(line);
    const broken = join(directory, "broken.csv");
    writeFileSync(broken, lines.join("\n"));
    let error: unknown;
    try {
      await readFocus(broken, { groupBy: "provider" });
    } catch (caught) {
      error = caught;
    }
    expect(EnisError.isInstance(error)).toBe(true);
    expect((error as EnisError).code).toBe("INVALID_DATA");
    expect((error as EnisError).message).toBe(
      `broken.csv line ${target.line} column BilledCost must be a number, got "not-a-cost"`,
    );
  });
});

describe("writeFocusCsv's options", () => {
  const codeAndField = async (path: unknown, options: unknown) => {
    try {
      await writeFocusCsv(path as string, options as never);
    } catch (error) {
      if (EnisError.isInstance(error)) return [error.code, error.field, error.message];
      throw error;
    }
    throw new Error("expected a rejection");
  };

  it("refuses bad options with the field and the value, before writing anything", async () => {
    const target = join(tmpdir(), "enis-focus-never-written.csv");
    expect(await codeAndField(target, { rows: -1, seed: 1 })).toEqual([
      "INVALID_OPTIONS",
      "options.rows",
      "options.rows must be at least 0, got -1",
    ]);
    expect((await codeAndField(target, { rows: 10, seed: 1.5 }))[1]).toBe("options.seed");
    expect((await codeAndField(target, { rows: 10, seed: 1, tenant: 3 }))[2]).toMatch(
      /^options\.tenant is not a known option \(did you mean "tenants"\?\)/,
    );
    expect((await codeAndField("", { rows: 10, seed: 1 }))[1]).toBe("path");
  });
});

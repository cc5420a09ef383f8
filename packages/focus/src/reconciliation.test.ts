import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFocus } from "./read-focus.js";
import { type CsvRecord, parseCsv, pico } from "./testing/csv.js";
import { writeFocusCsv } from "./testing/generate-focus.js";

/*
 * Property: whatever the period, filter and grouping, every row lands in exactly one bucket, and
 * each bucket's totals are those of the rows an independent reading puts there (exact decimals).
 */

const hour = 3_600_000;
const startMs = Date.UTC(2024, 8, 1);
const ms = (text: string) => Date.parse(`${text.replace(" ", "T")}Z`);

describe("reconciliation on generated files (property)", () => {
  let directory: string;
  let path: string;
  let records: CsvRecord[];
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "enis-focus-property-"));
    path = join(directory, "focus.csv");
    await writeFocusCsv(path, { rows: 3_000, seed: 99, tenants: 12, hours: 96 });
    records = parseCsv(readFileSync(path, "utf8"));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("puts every row in one bucket with the totals of an independent reading", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          from: fc.integer({ min: -24, max: 96 }),
          length: fc.integer({ min: 1, max: 120 }),
          providers: fc.subarray(["AWS", "Microsoft", "Oracle"], { minLength: 1 }),
          environments: fc.option(fc.subarray(["prod", "dev"], { minLength: 1 }), { nil: undefined }),
          groupBy: fc.constantFrom(
            "tenant-tag",
            "provider",
            "charge-category",
            "sub-account",
          ) as fc.Arbitrary<"tenant-tag" | "provider" | "charge-category" | "sub-account">,
        }),
        async ({ from, length, providers, environments, groupBy }) => {
          const period = { startMs: startMs + from * hour, endMs: startMs + (from + length) * hour };
          const filter = {
            columns: { ProviderName: providers },
            ...(environments === undefined ? {} : { tags: { environment: environments } }),
          };
          const report = await readFocus(path, { groupBy, tenantTag: "business_unit", period, filter });

          const expected = new Map<string, { rows: number; billed: bigint; list: bigint }>();
          const add = (bucket: string, record: CsvRecord) => {
            const totals = expected.get(bucket) ?? { rows: 0, billed: 0n, list: 0n };
            totals.rows++;
            totals.billed += pico(record.cells["BilledCost"] ?? null);
            totals.list += pico(record.cells["ListCost"] ?? null);
            expected.set(bucket, totals);
          };
          for (const record of records) {
            const start = ms(record.cells["ChargePeriodStart"]!);
            const tags = record.cells["Tags"] === null ? null : JSON.parse(record.cells["Tags"]!);
            const kept =
              providers.includes(record.cells["ProviderName"]!) &&
              (environments === undefined || environments.includes(tags?.["environment"]));
            const key =
              groupBy === "tenant-tag"
                ? (tags?.["business_unit"] ?? null)
                : record.cells[
                    {
                      provider: "ProviderName",
                      "charge-category": "ChargeCategory",
                      "sub-account": "SubAccountId",
                    }[groupBy]
                  ];
            if (!(start >= period.startMs && start < period.endMs)) add("outside-period", record);
            else if (!kept) add("excluded", record);
            else if (key === null || key === "") add("unassigned", record);
            else add(`group:${key}`, record);
          }
          const check = (
            bucket: string,
            totals: { rowCount: number; billedCostUsd: number; listCostUsd: number },
          ) => {
            const want = expected.get(bucket) ?? { rows: 0, billed: 0n, list: 0n };
            expect(totals.rowCount).toBe(want.rows);
            expect(totals.billedCostUsd).toBe(Number(want.billed) / 1e12);
            expect(totals.listCostUsd).toBe(Number(want.list) / 1e12);
          };
          check("outside-period", report.outsidePeriod);
          check("excluded", report.excluded);
          check("unassigned", report.unassigned);
          for (const group of report.groups) check(`group:${group.key}`, group);
          expect(report.groups.length).toBe(
            [...expected.keys()].filter((key) => key.startsWith("group:")).length,
          );
          const { reconciliation } = report;
          expect(
            reconciliation.groupedRowCount +
              reconciliation.unassignedRowCount +
              reconciliation.excludedRowCount +
              reconciliation.outsidePeriodRowCount,
          ).toBe(records.length);
          expect(reconciliation.differenceUsd).toEqual({ billedCost: 0, effectiveCost: 0, listCost: 0 });
        },
      ),
      { numRuns: 20, seed: 20_241_202 },
    );
  });
});

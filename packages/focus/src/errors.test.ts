import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { EnisError } from "@enis/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFocusHourly } from "./hourly.js";
import { readFocusMonthToDate } from "./month-to-date.js";
import { focusAggregationSql, readFocus } from "./read-focus.js";
import { parseCsv } from "./testing/csv.js";

async function rejection(promise: Promise<unknown>): Promise<EnisError> {
  try {
    await promise;
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an EnisError, but nothing was thrown");
}

function syncRejection(action: () => unknown): EnisError {
  try {
    action();
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an EnisError, but nothing was thrown");
}

const header = [
  "BilledCost",
  "EffectiveCost",
  "ListCost",
  "ContractedCost",
  "BillingCurrency",
  "ChargeCategory",
  "ChargeDescription",
  "ChargePeriodStart",
  "ChargePeriodEnd",
  "PricingCategory",
  "CommitmentDiscountId",
  "CommitmentDiscountStatus",
  "ProviderName",
  "SubAccountId",
  "Tags",
];

/** A good row; `cells` overrides some cells (written as given: quote them yourself). */
function row(cells: Partial<Record<string, string>> = {}): string {
  const base: Record<string, string> = {
    BilledCost: "1.50000000000",
    EffectiveCost: "1.20000000000",
    ListCost: "2.00000000000",
    ContractedCost: "NULL",
    BillingCurrency: '"USD"',
    ChargeCategory: '"Usage"',
    ChargeDescription: '"Compute"',
    ChargePeriodStart: '"2024-09-01 00:00:00"',
    ChargePeriodEnd: '"2024-09-01 01:00:00"',
    PricingCategory: '"Standard"',
    CommitmentDiscountId: "NULL",
    CommitmentDiscountStatus: "NULL",
    ProviderName: '"AWS"',
    SubAccountId: '"0123"',
    Tags: '"{""team"": ""a""}"',
  };
  return header.map((name) => cells[name] ?? base[name]).join(",");
}

describe("readFocus errors", () => {
  let directory: string;
  const file = (name: string, lines: readonly string[]): string => {
    const path = join(directory, name);
    writeFileSync(path, `${lines.join("\n")}\n`);
    return path;
  };
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), "enis-focus-errors-"));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("lists every missing required column in one INVALID_DATA error", async () => {
    const columns = header.filter((name) => !["BilledCost", "ListCost", "ChargeCategory"].includes(name));
    const path = file("missing.csv", [columns.join(","), columns.map(() => "NULL").join(",")]);
    const error = await rejection(readFocus(path, { groupBy: "provider" }));
    expect(error.code).toBe("INVALID_DATA");
    expect(error.field).toBe("columns");
    expect(error.message).toContain("BilledCost, ListCost, ChargeCategory");
    expect((error.cause as { missing: string[] }).missing).toEqual([
      "BilledCost",
      "ListCost",
      "ChargeCategory",
    ]);
  });

  it("asks for the columns the options read: Tags for tenant-tag, ChargePeriodStart for a period", async () => {
    const columns = header.filter((name) => !["Tags", "ChargePeriodStart"].includes(name));
    const values = row().split(",");
    const cells = columns.map((name) => values[header.indexOf(name)]!);
    const path = file("no-tags.csv", [columns.join(","), cells.join(",")]);
    // Without a period or tags, the file is enough.
    expect((await readFocus(path, { groupBy: "provider" })).file.rowCount).toBe(1);
    const error = await rejection(
      readFocus(path, {
        groupBy: "tenant-tag",
        tenantTag: "team",
        period: { startMs: 0, endMs: Date.UTC(2030, 0, 1) },
      }),
    );
    expect(error.code).toBe("INVALID_DATA");
    expect((error.cause as { missing: string[] }).missing).toEqual(["Tags", "ChargePeriodStart"]);
  });

  it("reports a non-numeric cost with the file's line and column, counting line breaks inside quoted cells", async () => {
    const lines = [
      header.join(","),
      row(),
      row({ ChargeDescription: '"two\nlines, and a comma"' }),
      row(),
      row({ BilledCost: "abc" }),
      row({ ListCost: "1,5" }),
    ];
    const text = `${lines.join("\n")}\n`;
    const path = join(directory, "bad-cost.csv");
    writeFileSync(path, text);
    const expectedLine = parseCsv(text)[3]!.line;
    // The record is the 4th after the header, but the quoted line break puts it on line 6.
    expect(expectedLine).toBe(6);
    const error = await rejection(readFocus(path, { groupBy: "provider" }));
    expect(error.code).toBe("INVALID_DATA");
    expect(error.field).toBe("BilledCost");
    expect(error.message).toBe(
      'bad-cost.csv line 6 column BilledCost must be a number, got "abc" (2 malformed rows in all)',
    );
    expect(error.cause).toMatchObject({ file: path, line: 6, column: "BilledCost", value: "abc", rows: 2 });

    const effective = file("bad-effective.csv", [
      header.join(","),
      row(),
      row(),
      row({ EffectiveCost: "1.2.3" }),
    ]);
    const effectiveError = await rejection(readFocus(effective, { groupBy: "provider" }));
    expect(effectiveError.message).toBe(
      'bad-effective.csv line 4 column EffectiveCost must be a number, got "1.2.3"',
    );
  });

  it("reports a malformed timestamp, Tags that are not JSON, and a row with too many cells, by line", async () => {
    const timestamp = file("bad-time.csv", [
      header.join(","),
      row(),
      row({ ChargePeriodStart: '"yesterday"' }),
    ]);
    // Only the columns a query reads are parsed: without a period, ChargePeriodStart is not.
    expect((await readFocus(timestamp, { groupBy: "provider" })).file.rowCount).toBe(2);
    const period = { startMs: Date.UTC(2024, 8, 1), endMs: Date.UTC(2024, 9, 1) };
    const timeError = await rejection(readFocus(timestamp, { groupBy: "provider", period }));
    expect(timeError.code).toBe("INVALID_DATA");
    expect(timeError.message).toContain("bad-time.csv line 3 column ChargePeriodStart");

    const tags = file("bad-tags.csv", [
      header.join(","),
      row(),
      row({ Tags: '""' }),
      row({ Tags: '"{team: a"' }),
    ]);
    // An empty Tags cell is no tags; text that is not JSON is an error, found only when Tags are read.
    expect((await readFocus(tags, { groupBy: "provider" })).file.rowCount).toBe(3);
    const tagError = await rejection(readFocus(tags, { groupBy: "tenant-tag", tenantTag: "team" }));
    expect(tagError.code).toBe("INVALID_DATA");
    expect(tagError.field).toBe("Tags");
    expect(tagError.message).toBe('bad-tags.csv line 4 column Tags must be a JSON object, got "{team: a"');

    const ragged = file("ragged.csv", [header.join(","), row(), `${row()},"extra"`]);
    const raggedError = await rejection(readFocus(ragged, { groupBy: "provider" }));
    expect(raggedError.code).toBe("INVALID_DATA");
    expect(raggedError.message).toContain("ragged.csv line 3");
  });

  it("leaves a caller's DuckDB instance usable: one call's rejected rows are not the next call's", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const bad = file("bad-shared.csv", [header.join(","), row({ ListCost: "x" })]);
    const good = file("good-shared.csv", [header.join(","), row(), row()]);
    expect((await rejection(readFocus(bad, { groupBy: "provider", instance }))).code).toBe("INVALID_DATA");
    expect((await readFocus(good, { groupBy: "provider", instance })).file.rowCount).toBe(2);
    instance.closeSync();
  });

  it("refuses rows billed in another currency rather than adding euros to dollars", async () => {
    const path = file("eur.csv", [header.join(","), row(), row({ BillingCurrency: '"EUR"' })]);
    const error = await rejection(readFocus(path, { groupBy: "provider" }));
    expect(error.code).toBe("INVALID_DATA");
    expect(error.message).toContain('BillingCurrency must be "USD"');
    expect(error.message).toContain('"EUR" on 1 rows');
  });

  it("is FILE_UNREADABLE for a path or glob that matches nothing", async () => {
    for (const path of [join(directory, "nope.csv"), join(directory, "nothing-*.parquet")]) {
      const error = await rejection(readFocus(path, { groupBy: "provider" }));
      expect(error.code).toBe("FILE_UNREADABLE");
      expect(error.field).toBe("pathOrGlob");
    }
  });

  it("reports a Parquet cost stored as text that is not a number, by row", async () => {
    const csv = file("text-cost.csv", [header.join(","), row(), row(), row({ BilledCost: '"n/a"' })]);
    const parquet = join(directory, "text-cost.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT * FROM read_csv('${csv}', all_varchar = true, nullstr = 'NULL')) TO '${parquet}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    const error = await rejection(readFocus(parquet, { groupBy: "provider" }));
    expect(error.code).toBe("INVALID_DATA");
    expect(error.message).toBe(
      'text-cost.parquet row 3 column BilledCost must be a number, got "n/a" (1 such rows in all)',
    );
  });

  it("reads costs stored as text in Parquet when they are numbers", async () => {
    const csv = file("text-ok.csv", [header.join(","), row(), row()]);
    const parquet = join(directory, "text-ok.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT * FROM read_csv('${csv}', all_varchar = true, nullstr = 'NULL')) TO '${parquet}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    const report = await readFocus(parquet, { groupBy: "sub-account" });
    expect(report.groups.map((group) => [group.key, group.billedCostUsd])).toEqual([["0123", 3]]);
  });
});

describe("option validation", () => {
  const somePath = "unused.csv";
  it.each([
    [{ groupBy: "tenant" }, "options.groupBy"],
    [{ groupBy: "tenant-tag" }, "options.tenantTag"],
    [{ groupBy: "tenant-tag", tenantTag: 'a"b' }, "options.tenantTag"],
    [{ groupBy: { column: "x; DROP TABLE y" } }, "options.groupBy.column"],
    [{ groupBy: "provider", period: { startMs: 10, endMs: 10 } }, "options.period.endMs"],
    [{ groupBy: "provider", period: { startMs: 0.5, endMs: 10 } }, "options.period.startMs"],
    [
      { groupBy: "provider", filter: { columns: { ProviderName: [] } } },
      "options.filter.columns.ProviderName",
    ],
    [
      { groupBy: "provider", filter: { columns: { "Provider Name": ["AWS"] } } },
      "options.filter.columns key",
    ],
    [{ groupBy: "provider", groupby: "x" }, "options.groupby"],
    [{ groupBy: "provider", format: "xlsx" }, "options.format"],
  ])("readFocus(%j) is INVALID_OPTIONS naming %s", async (options, field) => {
    const error = await rejection(readFocus(somePath, options as never));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe(field);
    expect(error.message.startsWith(field)).toBe(true);
  });

  it("validates the SQL builder's own options", () => {
    expect(
      syncRejection(() => focusAggregationSql({ groupBy: "provider", dialect: "oracle" as never })).field,
    ).toBe("options.dialect");
    expect(syncRejection(() => focusAggregationSql({ groupBy: "provider", from: "" })).field).toBe(
      "options.from",
    );
    expect(
      syncRejection(() =>
        focusAggregationSql({ groupBy: "tenant-tag", tenantTag: "user:team", dialect: "spark" }),
      ).field,
    ).toBe("options.tenantTag");
  });

  it("validates the hourly and month-to-date readers' options", async () => {
    const period = { startMs: Date.UTC(2024, 8, 1), endMs: Date.UTC(2024, 9, 1) };
    const cases: Array<[Promise<unknown>, string]> = [
      [readFocusHourly(somePath, { period, measure: "consumed-quantity" }), "options.unit"],
      [readFocusHourly(somePath, { period, unit: "Hours" }), "options.unit"],
      [
        readFocusHourly(somePath, { period: { startMs: period.startMs + 1, endMs: period.endMs } }),
        "options.period.startMs",
      ],
      [readFocusHourly(somePath, { period, chargeCategories: [] }), "options.chargeCategories"],
      [readFocusMonthToDate(somePath, { tenantTag: "team", nowMs: Number.NaN }), "options.nowMs"],
      [readFocusMonthToDate(somePath, { tenantTag: "", nowMs: 0 }), "options.tenantTag"],
    ];
    for (const [promise, field] of cases) {
      const error = await rejection(promise);
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.field).toBe(field);
    }
  });

  it("rejects a path that is not a string", async () => {
    const error = await rejection(readFocus("", { groupBy: "provider" }));
    expect(error.field).toBe("pathOrGlob");
  });
});

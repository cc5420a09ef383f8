import { spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { focusAggregationSql, readFocus } from "./read-focus.js";
import { parseCsv, sampleFocusPath } from "./testing/csv.js";

/*
 * The "postgres" dialect of focusAggregationSql, run by a real PostgreSQL: a throwaway cluster
 * made with initdb in a temporary folder, listening on a Unix socket there only (no TCP port),
 * stopped and deleted afterwards. Its figures must equal readFocus's on the FOCUS sample.
 */

const samplePath = sampleFocusPath();
const have = (binary: string) => spawnSync(binary, ["--version"], { encoding: "utf8" }).status === 0;
const missing = ["initdb", "pg_ctl", "psql"].filter((binary) => !have(binary));
// PostgreSQL refuses to run as root: as root, the cluster runs as the "postgres" user.
const asRoot = process.getuid?.() === 0;
const postgresUser = asRoot ? spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }) : undefined;
const reason =
  missing.length > 0
    ? `PostgreSQL binaries not found (${missing.join(", ")})`
    : asRoot && postgresUser?.status !== 0
      ? 'running as root without a "postgres" user to run PostgreSQL as'
      : samplePath === undefined
        ? "../shared/data/focus-sample is absent"
        : undefined;
if (reason !== undefined) {
  if (process.env["CI"] === "true" && samplePath !== undefined) {
    throw new Error(`the PostgreSQL check of focusAggregationSql cannot run under CI: ${reason}`);
  }
  console.warn(`focusAggregationSql in PostgreSQL skipped: ${reason}`);
}

/**
 * Runs a PostgreSQL command (as the "postgres" user when root) from `cwd`: a folder that user can
 * enter, since a checkout's own folder (a 0700 temporary folder, say) may be closed to it.
 */
function run(command: string, args: readonly string[], cwd = tmpdir()): string {
  const [file, fullArgs] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  const result = spawnSync(file, fullArgs, { encoding: "utf8", cwd, env: { ...process.env, PGTZ: "UTC" } });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

(reason === undefined ? describe : describe.skip)("focusAggregationSql in PostgreSQL", () => {
  let directory: string;
  const port = "54329";
  const psql = (sql: string) =>
    run("psql", [
      "-h",
      directory,
      "-p",
      port,
      "-U",
      "postgres",
      "-d",
      "postgres",
      "-v",
      "ON_ERROR_STOP=1",
      "--csv",
      "-c",
      sql,
    ]);

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), "enis-focus-pg-"));
    if (asRoot) {
      const uid = Number(postgresUser!.stdout.trim());
      chownSync(directory, uid, uid);
    }
    run("initdb", ["-D", join(directory, "data"), "-A", "trust", "-U", "postgres", "--no-sync"]);
    run("pg_ctl", [
      "-D",
      join(directory, "data"),
      "-o",
      `-p ${port} -k ${directory} -c listen_addresses=''`,
      "-l",
      join(directory, "log"),
      "-w",
      "start",
    ]);
    // The sample is copied into the cluster's folder: the path beside the checkout may be closed to
    // the "postgres" user.
    const sampleText = readFileSync(samplePath!, "utf8");
    const sampleCopy = join(directory, "focus-sample.csv");
    writeFileSync(sampleCopy, sampleText);
    const header = sampleText.split("\n")[0]!.replaceAll('"', "").split(",");
    // The sample as text, then typed per FOCUS (costs numeric, instants timestamptz) as a warehouse holds it.
    const load = join(directory, "load.sql");
    writeFileSync(
      load,
      [
        `CREATE TABLE focus_raw (${header.map((name) => `${name} text`).join(", ")});`,
        `\\copy focus_raw FROM '${sampleCopy}' WITH (FORMAT csv, HEADER true, NULL 'NULL')`,
        `CREATE TABLE focus_billing AS SELECT ${header
          .map((name) =>
            ["BilledCost", "EffectiveCost", "ListCost", "ContractedCost"].includes(name)
              ? `CAST(${name} AS numeric(38, 12)) AS ${name}`
              : name === "ChargePeriodStart"
                ? `CAST(${name} AS timestamptz) AS ${name}`
                : name,
          )
          .join(", ")} FROM focus_raw;`,
      ].join("\n"),
    );
    if (asRoot) {
      const uid = Number(postgresUser!.stdout.trim());
      for (const file of [load, sampleCopy]) chownSync(file, uid, uid);
    }
    run("psql", [
      "-h",
      directory,
      "-p",
      port,
      "-U",
      "postgres",
      "-d",
      "postgres",
      "-v",
      "ON_ERROR_STOP=1",
      "-f",
      load,
    ]);
  }, 120_000);

  afterAll(() => {
    if (directory === undefined) return;
    try {
      run("pg_ctl", ["-D", join(directory, "data"), "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("returns readFocus's totals for every bucket and group", async () => {
    const options = {
      groupBy: "tenant-tag" as const,
      tenantTag: "business_unit",
      period: { startMs: Date.UTC(2024, 8, 5), endMs: Date.UTC(2024, 8, 25) },
      filter: { columns: { ProviderName: ["AWS", "Oracle"] } },
    };
    const report = await readFocus(samplePath!, options);
    const rows = parseCsv(
      psql(focusAggregationSql({ ...options, from: "focus_billing", dialect: "postgres" })),
    ).map((record) => record.cells);
    const total = rows.find((row) => row["is_total"] === "1")!;
    expect(Number(total["row_count"])).toBe(1000);
    expect(Number(total["billed_cost"])).toBe(report.file.billedCostUsd);
    expect(Number(total["list_cost"])).toBe(report.file.listCostUsd);
    const groups = rows.filter((row) => row["bucket"] === "group");
    expect(groups).toHaveLength(report.groups.length);
    for (const group of report.groups) {
      const row = groups.find((candidate) => candidate["group_key"] === group.key)!;
      expect(Number(row["row_count"])).toBe(group.rowCount);
      expect(Number(row["billed_cost"])).toBe(group.billedCostUsd);
      expect(Number(row["effective_cost"])).toBe(group.effectiveCostUsd);
      expect(Number(row["usage_list_cost"] ?? 0)).toBe(group.chargeCategories.usage.listCostUsd);
      expect(Number(row["pricing_committed_row_count"])).toBe(group.pricing.committed.rowCount);
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
  });
});

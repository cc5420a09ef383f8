import { EnisError } from "@enis/core";
import {
  assertArray,
  assertId,
  assertInteger,
  assertKnownKeys,
  assertObject,
  describeValue,
  invalidField,
  oneOf,
} from "@enis/core/validate";
import { type AggregationPlan, groupColumns } from "./sql.js";

/**
 * What the rows are grouped by. A name reads one FOCUS column (`"sub-account"` → `SubAccountId`,
 * `"service"` → `ServiceName`, `"service-category"` → `ServiceCategory`, `"provider"` →
 * `ProviderName`, `"billing-account"` → `BillingAccountId`, `"region"` → `RegionId`,
 * `"charge-category"` → `ChargeCategory`, `"pricing-category"` → `PricingCategory`,
 * `"commitment"` → `CommitmentDiscountId`, `"resource"` → `ResourceId`); `"tenant-tag"` reads the
 * value of the `tenantTag` key in the JSON `Tags` column; `{ column }` reads any other column (a
 * custom `x_…` column, for example).
 */
export type FocusGroupBy =
  | "tenant-tag"
  | "sub-account"
  | "billing-account"
  | "service"
  | "service-category"
  | "provider"
  | "region"
  | "charge-category"
  | "pricing-category"
  | "commitment"
  | "resource"
  | { readonly column: string };

/** The SQL dialects {@link focusAggregationSql} writes. They differ only in how a tag is read out of `Tags`. */
export type FocusSqlDialect = "duckdb" | "postgres" | "trino" | "bigquery" | "spark";

/** A half-open time range `[startMs, endMs)` in ms since the epoch (UTC), matched against `ChargePeriodStart`. */
export interface FocusPeriod {
  /** First instant inside the period; an integer. */
  readonly startMs: number;
  /** First instant after the period; an integer > `startMs`. */
  readonly endMs: number;
}

/**
 * Rows to keep: a row is kept when every listed column holds one of its listed values and every
 * listed tag key holds one of its listed values (a NULL cell or a missing tag matches nothing).
 * Rows not kept are counted apart (`excluded`), never dropped.
 */
export interface FocusFilter {
  /** Column name → accepted values, e.g. `{ ProviderName: ["AWS"] }`. */
  readonly columns?: Readonly<Record<string, readonly string[]>>;
  /** Tag key → accepted values, e.g. `{ environment: ["prod"] }`. */
  readonly tags?: Readonly<Record<string, readonly string[]>>;
}

/** Options that shape the aggregation, shared by {@link readFocus} and {@link focusAggregationSql}. */
export interface FocusAggregationOptions {
  /** What the totals are grouped by. */
  readonly groupBy: FocusGroupBy;
  /**
   * The tag key that names a row's tenant, e.g. `"business_unit"`; required with
   * `groupBy: "tenant-tag"`. No double quote, backslash or control character.
   */
  readonly tenantTag?: string;
  /**
   * Only rows whose `ChargePeriodStart` falls in this range are grouped; the others are counted
   * in `outsidePeriod` (a row is never pro-rated across the boundary).
   * @default every row
   */
  readonly period?: FocusPeriod;
  /** Only rows that match are grouped; the others are counted in `excluded`. @default every row */
  readonly filter?: FocusFilter;
}

/**
 * The slice of a `DuckDBInstance` (`@duckdb/node-api`) this package uses: pass your own to choose
 * its settings (`threads`, `memory_limit`, a persistent database); connections are closed after
 * each call, the instance is left open.
 */
export interface FocusDuckDBInstance {
  /** Opens a connection. */
  connect(): Promise<FocusDuckDBConnection>;
}

/** The slice of a `DuckDBConnection` this package uses. */
export interface FocusDuckDBConnection {
  /** Runs a statement. */
  run(sql: string): Promise<unknown>;
  /** Runs a query and reads every row. */
  runAndReadAll(sql: string): Promise<{ getRowObjectsJson(): Record<string, unknown>[] }>;
  /** Closes the connection. */
  closeSync(): void;
}

/** How the files are read, shared by every reader. */
export interface FocusReadOptions {
  /**
   * File format. CSV may be gzip-compressed (`.csv.gz`).
   * @default from the extension of the matched files (`.parquet` → Parquet, else CSV)
   */
  readonly format?: "csv" | "parquet";
  /** DuckDB instance to run on. @default a new in-memory instance, closed afterwards */
  readonly instance?: FocusDuckDBInstance;
}

/** Options of {@link readFocus}. */
export interface ReadFocusOptions extends FocusAggregationOptions, FocusReadOptions {}

/** Options of {@link focusAggregationSql}. */
export interface FocusSqlOptions extends FocusAggregationOptions {
  /**
   * What the query reads from, inserted as written: a table name (`focus_billing`), or a
   * parenthesised subquery with an alias. Its columns must carry FOCUS names and types (numbers
   * for costs, timestamps for `ChargePeriodStart`).
   * @default "focus"
   */
  readonly from?: string;
  /** Dialect to write. @default "duckdb" */
  readonly dialect?: FocusSqlDialect;
  /** Sum `ContractedCost` too (a FOCUS 1.0 column some exports lack). @default true */
  readonly includeContractedCost?: boolean;
}

const dialects: readonly FocusSqlDialect[] = ["duckdb", "postgres", "trino", "bigquery", "spark"];
const groupNames = ["tenant-tag", ...Object.keys(groupColumns)] as const;
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The latest instant an ECMAScript Date holds; timestamps are printed through one.
const maxEpochMs = 8.64e15;

/** Throws unless `value` is a SQL identifier (a column name). */
export function assertIdentifier(value: unknown, field: string): asserts value is string {
  if (typeof value !== "string" || !identifier.test(value)) {
    throw invalidField(field, value, "a column name (letters, digits and _, not starting with a digit)");
  }
}

function assertTagKey(value: unknown, field: string, dialect: FocusSqlDialect): asserts value is string {
  assertId(value, field);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/["\\\u0000-\u001f]/.test(value)) {
    throw invalidField(field, value, "a tag key without double quotes, backslashes or control characters");
  }
  // Spark's get_json_object path is written `$.key`: only a plain key is certain to parse.
  if (dialect === "spark" && !identifier.test(value)) {
    throw invalidField(field, value, 'a plain tag key (letters, digits and _) in the "spark" dialect');
  }
}

function validateValues(value: unknown, field: string): readonly string[] {
  assertArray(value, field);
  if (value.length === 0) throw invalidField(field, value, "a non-empty list");
  value.forEach((item, index) => {
    if (typeof item !== "string") throw invalidField(`${field}[${index}]`, item, "a string");
  });
  return value as readonly string[];
}

/** Validates a period; returns it unchanged. */
export function validatePeriod(value: unknown, field: string): FocusPeriod {
  assertObject(value, field);
  assertKnownKeys(value, new Set(["startMs", "endMs"]), field);
  assertInteger(value["startMs"], `${field}.startMs`, 0, maxEpochMs);
  assertInteger(value["endMs"], `${field}.endMs`, 0, maxEpochMs);
  if (value["endMs"] <= value["startMs"]) {
    throw invalidField(`${field}.endMs`, value["endMs"], `greater than startMs (${value["startMs"]})`);
  }
  return { startMs: value["startMs"], endMs: value["endMs"] };
}

/** Validates a filter; returns a plain copy. */
export function validateFilter(value: unknown, field: string, dialect: FocusSqlDialect): FocusFilter {
  assertObject(value, field);
  assertKnownKeys(value, new Set(["columns", "tags"]), field);
  const columns: Record<string, readonly string[]> = {};
  const tags: Record<string, readonly string[]> = {};
  if (value["columns"] !== undefined) {
    assertObject(value["columns"], `${field}.columns`);
    for (const [column, values] of Object.entries(value["columns"])) {
      assertIdentifier(column, `${field}.columns key`);
      columns[column] = validateValues(values, `${field}.columns.${column}`);
    }
  }
  if (value["tags"] !== undefined) {
    assertObject(value["tags"], `${field}.tags`);
    for (const [key, values] of Object.entries(value["tags"])) {
      assertTagKey(key, `${field}.tags key`, dialect);
      tags[key] = validateValues(values, `${field}.tags[${JSON.stringify(key)}]`);
    }
  }
  return { columns, tags };
}

const aggregationKeys = ["groupBy", "tenantTag", "period", "filter"] as const;

/** Validates the options every aggregation shares and builds its plan. */
export function validateAggregation(
  options: unknown,
  extraKeys: readonly string[],
  dialect: FocusSqlDialect,
  includeContractedCost: boolean,
): AggregationPlan {
  assertObject(options, "options");
  assertKnownKeys(options, new Set([...aggregationKeys, ...extraKeys]), "options");
  const groupBy = options["groupBy"];
  let resolvedGroupBy: FocusGroupBy;
  if (typeof groupBy === "object" && groupBy !== null && !Array.isArray(groupBy)) {
    const record = groupBy as Record<string, unknown>;
    assertKnownKeys(record, new Set(["column"]), "options.groupBy");
    assertIdentifier(record["column"], "options.groupBy.column");
    resolvedGroupBy = { column: record["column"] };
  } else if (typeof groupBy === "string" && (groupNames as readonly string[]).includes(groupBy)) {
    resolvedGroupBy = groupBy as FocusGroupBy;
  } else {
    throw invalidField(
      "options.groupBy",
      groupBy,
      `one of ${groupNames.map((name) => JSON.stringify(name)).join(", ")} or { column }`,
    );
  }
  const tenantTag = options["tenantTag"];
  if (tenantTag !== undefined || resolvedGroupBy === "tenant-tag") {
    if (tenantTag === undefined) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `options.tenantTag must be a tag key (e.g. "business_unit") with groupBy "tenant-tag", got undefined`,
        { field: "options.tenantTag" },
      );
    }
    assertTagKey(tenantTag, "options.tenantTag", dialect);
  }
  return {
    groupBy: resolvedGroupBy,
    tenantTag: tenantTag as string | undefined,
    period: options["period"] === undefined ? undefined : validatePeriod(options["period"], "options.period"),
    filter:
      options["filter"] === undefined
        ? undefined
        : validateFilter(options["filter"], "options.filter", dialect),
    includeContractedCost,
    dialect,
    countMalformedTags: false,
  };
}

/** Validates the reader options (`format`, `instance`). */
export function validateReadOptions(options: Record<string, unknown>): {
  format: "csv" | "parquet" | undefined;
  instance: FocusDuckDBInstance | undefined;
} {
  const format =
    options["format"] === undefined
      ? undefined
      : oneOf(options["format"], "options.format", ["csv", "parquet"], "csv");
  const instance = options["instance"];
  if (
    instance !== undefined &&
    (typeof instance !== "object" ||
      instance === null ||
      typeof (instance as { connect?: unknown }).connect !== "function")
  ) {
    throw invalidField("options.instance", instance, "a DuckDBInstance (an object with connect())");
  }
  return { format, instance: instance as FocusDuckDBInstance | undefined };
}

/** Validates `from` and `dialect` of {@link focusAggregationSql}. */
export function validateSqlOptions(options: Record<string, unknown>): {
  from: string;
  dialect: FocusSqlDialect;
  includeContractedCost: boolean;
} {
  const dialect = oneOf(options["dialect"], "options.dialect", dialects, "duckdb");
  const from = options["from"] ?? "focus";
  assertId(from, "options.from");
  const include = options["includeContractedCost"] ?? true;
  if (typeof include !== "boolean") {
    throw invalidField("options.includeContractedCost", include, "true or false");
  }
  return { from, dialect, includeContractedCost: include };
}

/** Validates the path or glob argument. */
export function validatePath(value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new EnisError(
      "INVALID_OPTIONS",
      `pathOrGlob must be a file path or glob, got ${describeValue(value)}`,
      { field: "pathOrGlob" },
    );
  }
  return value;
}

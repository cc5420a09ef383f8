import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { createGunzip } from "node:zlib";
import { EnisError } from "@enis/core";
import type { FocusDuckDBConnection, FocusDuckDBInstance } from "./options.js";
import { literal } from "./sql.js";

/*
 * Reading FOCUS files through DuckDB: which files a path or glob names, what columns they have,
 * the subquery that reads them with the types the aggregation needs, and how a bad cell is traced
 * back to its line in the file.
 *
 * CSV is read with every column as text except the numbers and timestamps the queries use, which
 * DuckDB's CSV reader parses itself with `store_rejects`: a cell that does not parse sends its row
 * to a rejects table with the byte offset of the row, instead of failing the scan or vanishing. The
 * reader then throws INVALID_DATA for the first such row, with the file's own line number (the
 * offset's count of line breaks: a quoted line break inside a cell makes the record number and the
 * line number differ). Costs are parsed as DOUBLE (twice as fast as DECIMAL in DuckDB's CSV
 * reader) and cast to DECIMAL(38, 12) before they are summed, so sums are exact and the same on
 * every run whatever the thread count.
 */

/** Columns read as money or quantities. */
export const numericColumns = new Set([
  "BilledCost",
  "EffectiveCost",
  "ListCost",
  "ContractedCost",
  "ConsumedQuantity",
  "PricingQuantity",
]);
/** Columns read as instants. */
export const timestampColumns = new Set(["ChargePeriodStart", "ChargePeriodEnd"]);

/** Sums are exact at this scale: 12 decimals (the sample writes 11), 26 integer digits. */
const decimalType = "DECIMAL(38, 12)";
const rejectsTable = "focus_reject_errors";
const rejectsScan = "focus_reject_scans";

/** A column of an input file. */
export interface FileColumn {
  readonly name: string;
  readonly type: string;
}

/** The files a path or glob matched, their format and the columns every one of them has. */
export interface ResolvedFiles {
  readonly files: readonly string[];
  readonly format: "csv" | "parquet";
  /** By lower-case name: DuckDB matches column names case-insensitively. */
  readonly columns: ReadonlyMap<string, FileColumn>;
  /** Files with the same header (names in order), each group read by one scan. */
  readonly headerGroups: ReadonlyArray<{
    readonly files: readonly string[];
    readonly columns: readonly FileColumn[];
  }>;
}

/** Runs `action` on a fresh connection (of a new in-memory instance when none is given). */
export async function withConnection<T>(
  instance: FocusDuckDBInstance | undefined,
  action: (connection: FocusDuckDBConnection) => Promise<T>,
): Promise<T> {
  let owned: { closeSync(): void } | undefined;
  let source = instance;
  if (source === undefined) {
    const duckdb = await import("@duckdb/node-api");
    const created = await duckdb.DuckDBInstance.create(":memory:");
    owned = created;
    source = created as unknown as FocusDuckDBInstance;
  }
  try {
    const connection = await source.connect();
    try {
      // FOCUS instants are UTC; a timestamp without an offset is read as UTC.
      await connection.run("SET TimeZone = 'UTC'");
      return await action(connection);
    } finally {
      connection.closeSync();
    }
  } finally {
    owned?.closeSync();
  }
}

/** An EnisError for a DuckDB failure: FILE_UNREADABLE for I/O, INVALID_DATA otherwise. */
export function fromDuckDBError(error: unknown, what: string): EnisError {
  if (EnisError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0] ?? message;
  if (/^IO Error/i.test(message)) {
    return new EnisError("FILE_UNREADABLE", `${what} must be a readable file, got: ${firstLine}`, {
      field: "pathOrGlob",
      cause: error,
    });
  }
  return new EnisError("INVALID_DATA", `${what} must be FOCUS data DuckDB can read, got: ${firstLine}`, {
    field: "pathOrGlob",
    cause: error,
  });
}

/** Runs a query, mapping DuckDB's errors. */
export async function query(
  connection: FocusDuckDBConnection,
  sql: string,
  what: string,
): Promise<Record<string, unknown>[]> {
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } catch (error) {
    throw fromDuckDBError(error, what);
  }
}

/** The files `pathOrGlob` matches, in name order; FILE_UNREADABLE when it matches none. */
export async function resolveFiles(
  connection: FocusDuckDBConnection,
  pathOrGlob: string,
  format: "csv" | "parquet" | undefined,
): Promise<{ files: string[]; format: "csv" | "parquet" }> {
  const rows = await query(
    connection,
    `SELECT file FROM glob(${literal(pathOrGlob, "duckdb")}) ORDER BY file`,
    JSON.stringify(pathOrGlob),
  );
  const files = rows.map((row) => String(row["file"]));
  if (files.length === 0) {
    throw new EnisError(
      "FILE_UNREADABLE",
      `pathOrGlob must match at least one file, got ${JSON.stringify(pathOrGlob)} (no such file)`,
      { field: "pathOrGlob" },
    );
  }
  if (format !== undefined) return { files, format };
  const parquet = files.filter((file) => /\.parquet$/i.test(file));
  if (parquet.length > 0 && parquet.length < files.length) {
    throw new EnisError(
      "INVALID_OPTIONS",
      `pathOrGlob must match files of one format, got ${parquet.length} Parquet and ${files.length - parquet.length} other files (pass options.format to choose)`,
      { field: "pathOrGlob" },
    );
  }
  return { files, format: parquet.length > 0 ? "parquet" : "csv" };
}

/**
 * The reader options of every CSV scan. Nothing is sniffed: FOCUS CSV is comma-separated with
 * double quotes, the header is read here, and every column's type is given, so a ragged row is a
 * rejected row (with its line), never a reason to guess another layout.
 */
function csvReader(
  files: readonly string[],
  columns: readonly FileColumn[],
  typeOf: (column: FileColumn) => string,
  nulls = "nullstr = ['NULL', ''], allow_quoted_nulls = false",
): string {
  const types = columns.map((column) => `${literal(column.name, "duckdb")}: '${typeOf(column)}'`).join(", ");
  return (
    `read_csv(${fileList(files)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
    `columns = {${types}}, ${nulls}, store_rejects = true, rejects_table = '${rejectsTable}', rejects_scan = '${rejectsScan}')`
  );
}

function fileList(files: readonly string[]): string {
  return `[${files.map((file) => literal(file, "duckdb")).join(", ")}]`;
}

/** The names in the first record of a CSV file (read here: a sniffer can be misled by a bad row). */
export async function readCsvHeader(file: string): Promise<string[]> {
  const raw = createReadStream(file);
  const stream = /\.gz$/i.test(file) ? raw.pipe(createGunzip()) : raw;
  let text = "";
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      text += chunk.toString("utf8");
      // The header ends at the first line break outside quotes.
      let quoted = false;
      for (let index = 0; index < text.length; index++) {
        const char = text[index];
        if (char === '"') quoted = !quoted;
        else if (char === "\n" && !quoted) return splitHeader(text.slice(0, index));
      }
      if (text.length > 1 << 20) break;
    }
  } catch (error) {
    throw fromDuckDBError(
      new Error(`IO Error: ${error instanceof Error ? error.message : String(error)}`),
      basename(file),
    );
  } finally {
    raw.destroy();
  }
  return splitHeader(text);
}

function splitHeader(line: string): string[] {
  const names: string[] = [];
  let name = "";
  let quoted = false;
  const text = line.replace(/^\uFEFF/, "").replace(/\r$/, "");
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted && char === '"' && text[index + 1] === '"') {
      name += '"';
      index++;
    } else if (char === '"') quoted = !quoted;
    else if (char === "," && !quoted) {
      names.push(name);
      name = "";
    } else name += char;
  }
  names.push(name);
  return names.length === 1 && names[0] === "" ? [] : names;
}

/**
 * A filter that keeps every row but makes the CSV scan read every column, not only the projected
 * ones. DuckDB 1.5's reader, when some columns are not read, skips the column-count check of a
 * record whose unread cells hold escaped quotes (a JSON Tags cell), so a record with one cell too
 * many would shift the columns after it unseen; and it names the wrong column in a rejected
 * cell. hash() of the whole record is never NULL.
 */
function everyColumn(columns: readonly FileColumn[]): string {
  return `hash(${columns.map((column) => quote(column.name)).join(", ")}) IS NOT NULL`;
}

/** A column name as a quoted identifier. */
function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The columns of one file. */
async function describeFile(
  connection: FocusDuckDBConnection,
  file: string,
  format: "csv" | "parquet",
): Promise<FileColumn[]> {
  if (format === "csv") return (await readCsvHeader(file)).map((name) => ({ name, type: "VARCHAR" }));
  const rows = await query(
    connection,
    `DESCRIBE SELECT * FROM read_parquet(${literal(file, "duckdb")})`,
    basename(file),
  );
  return rows.map((row) => ({ name: String(row["column_name"]), type: String(row["column_type"]) }));
}

/**
 * Resolves the files and checks that each has every `required` column: one INVALID_DATA error
 * lists them all (the first file missing any, and what it misses).
 */
export async function openFiles(
  connection: FocusDuckDBConnection,
  pathOrGlob: string,
  format: "csv" | "parquet" | undefined,
  required: readonly string[],
): Promise<ResolvedFiles> {
  const resolved = await resolveFiles(connection, pathOrGlob, format);
  let common: Map<string, FileColumn> | undefined;
  const headerGroups = new Map<string, { files: string[]; columns: FileColumn[] }>();
  for (const file of resolved.files) {
    const described = await describeFile(connection, file, resolved.format);
    const header = JSON.stringify(described.map((column) => column.name));
    const group = headerGroups.get(header);
    if (group === undefined) headerGroups.set(header, { files: [file], columns: described });
    else group.files.push(file);
    const columns = new Map(described.map((column) => [column.name.toLowerCase(), column]));
    const missing = required.filter((name) => !columns.has(name.toLowerCase()));
    if (missing.length > 0) {
      throw new EnisError(
        "INVALID_DATA",
        `columns of ${basename(file)} must include ${missing.join(", ")}, got a header without ${missing.length === 1 ? "it" : "them"} (${columns.size} columns)`,
        { field: "columns", cause: { file, missing, present: [...columns.values()].map((c) => c.name) } },
      );
    }
    if (common === undefined) common = columns;
    else for (const key of [...common.keys()]) if (!columns.has(key)) common.delete(key);
  }
  return { ...resolved, columns: common ?? new Map(), headerGroups: [...headerGroups.values()] };
}

/** A projection of one column with the type the queries need. */
function projectColumn(column: FileColumn): string {
  const name = column.name;
  const quotedName = `"${name.replaceAll('"', '""')}"`;
  const canonical = canonicalName(name);
  if (numericColumns.has(canonical)) {
    const numeric = column.type === "VARCHAR" ? `CAST(${quotedName} AS DOUBLE)` : quotedName;
    return `CAST(${numeric} AS ${decimalType}) AS ${canonical}`;
  }
  if (timestampColumns.has(canonical)) {
    // A strict cast: DuckDB's CSV reader would turn an unparseable TIMESTAMPTZ into NULL unseen.
    return `CAST(${quotedName} AS TIMESTAMPTZ) AS ${canonical}`;
  }
  if (canonical === "Tags" && column.type.startsWith("MAP(")) {
    // Parquet exports may store tags as a map; the queries read JSON text.
    return `CAST(to_json(${quotedName}) AS VARCHAR) AS Tags`;
  }
  return column.type === "VARCHAR"
    ? `${quotedName} AS ${canonical}`
    : `CAST(${quotedName} AS VARCHAR) AS ${canonical}`;
}

const focusNames = [...numericColumns, ...timestampColumns, "Tags"];
/** The FOCUS spelling of a column name matched case-insensitively, else the name as written. */
function canonicalName(name: string): string {
  return focusNames.find((focus) => focus.toLowerCase() === name.toLowerCase()) ?? name;
}

/**
 * The subquery that reads `columns` from the files, typed for the queries: money and quantities as
 * DECIMAL(38, 12), instants as TIMESTAMPTZ, the rest as text.
 */
export function sourceSql(source: ResolvedFiles, columns: readonly string[]): string {
  const picked = columns
    .map((name) => source.columns.get(name.toLowerCase()))
    .filter((column): column is FileColumn => column !== undefined);
  const projection = picked.map((column) => projectColumn(column)).join(", ");
  if (source.format === "parquet") {
    return `(SELECT ${projection} FROM read_parquet(${fileList(source.files)}, union_by_name = true)) AS focus`;
  }
  // One scan per header: DuckDB's reject tables cannot be combined with union_by_name.
  const scans = source.headerGroups.map((group) => {
    const columnsOfGroup = columns
      .map((name) => group.columns.find((column) => column.name.toLowerCase() === name.toLowerCase()))
      .filter((column): column is FileColumn => column !== undefined);
    const reader = csvReader(group.files, group.columns, (column) =>
      numericColumns.has(canonicalName(column.name)) && columnsOfGroup.includes(column)
        ? "DOUBLE"
        : "VARCHAR",
    );
    return `SELECT ${columnsOfGroup.map((column) => projectColumn(column)).join(", ")} FROM ${reader} WHERE ${everyColumn(group.columns)}`;
  });
  return `(${scans.join(" UNION ALL ")}) AS focus`;
}

/**
 * Parquet columns of numbers stored as text are checked before the scan: a cell that is not a
 * number is an INVALID_DATA error naming its file and row (Parquet has rows, not lines).
 */
export async function checkParquetNumbers(
  connection: FocusDuckDBConnection,
  source: ResolvedFiles,
  columns: readonly string[],
): Promise<void> {
  if (source.format !== "parquet") return;
  for (const name of columns) {
    const column = source.columns.get(name.toLowerCase());
    if (column === undefined || column.type !== "VARCHAR" || !numericColumns.has(canonicalName(column.name)))
      continue;
    const quotedName = `"${column.name.replaceAll('"', '""')}"`;
    const rows = await query(
      connection,
      `SELECT filename, file_row_number, ${quotedName} AS value, COUNT(*) OVER () AS bad_rows ` +
        `FROM read_parquet(${fileList(source.files)}, union_by_name = true, filename = true, file_row_number = true) ` +
        `WHERE ${quotedName} IS NOT NULL AND TRY_CAST(${quotedName} AS DOUBLE) IS NULL ` +
        "ORDER BY filename, file_row_number LIMIT 1",
      "the Parquet files",
    );
    const bad = rows[0];
    if (bad !== undefined) {
      const row = Number(bad["file_row_number"]) + 1;
      throw new EnisError(
        "INVALID_DATA",
        `${basename(String(bad["filename"]))} row ${row} column ${column.name} must be a number, got ${JSON.stringify(bad["value"])} (${bad["bad_rows"]} such rows in all)`,
        {
          field: column.name,
          cause: {
            file: String(bad["filename"]),
            row,
            column: column.name,
            value: bad["value"],
            rows: Number(bad["bad_rows"]),
          },
        },
      );
    }
  }
}

/** Where a malformed cell is, for the error and its `cause`. */
export interface MalformedCell {
  readonly file: string;
  /** Line of the file where the record starts (1 is the header). */
  readonly line: number;
  readonly column: string;
  readonly value: string | null;
  /** Rows rejected in all. */
  readonly rows: number;
}

/**
 * Throws INVALID_DATA for the first row DuckDB's CSV reader rejected in this connection, with
 * the line of the file it starts on.
 */
export async function throwOnRejects(connection: FocusDuckDBConnection): Promise<void> {
  let rows: Record<string, unknown>[];
  try {
    rows = (
      await connection.runAndReadAll(
        `SELECT s.file_path, e.line, e.line_byte_position, e.column_name, e.error_type, e.error_message, e.csv_line, ` +
          `COUNT(*) OVER () AS errors, COUNT(DISTINCT (e.scan_id, e.file_id, e.line)) OVER () AS bad_rows ` +
          `FROM ${rejectsTable} e JOIN ${rejectsScan} s ON e.scan_id = s.scan_id AND e.file_id = s.file_id ` +
          "ORDER BY s.file_path, e.line, e.column_idx LIMIT 1",
      )
    ).getRowObjectsJson();
  } catch {
    // No rejects table: no scan with store_rejects ran on this connection.
    return;
  }
  const reject = rows[0];
  if (reject === undefined) return;
  const file = String(reject["file_path"]);
  const line = await lineAtByte(file, Number(reject["line_byte_position"]));
  const column = reject["column_name"] === null ? "(row)" : String(reject["column_name"]);
  const message = String(reject["error_message"] ?? "");
  const value = /Could not convert string "(.*)" to/.exec(message)?.[1] ?? null;
  const count = Number(reject["bad_rows"]);
  const cell: MalformedCell = { file, line, column, value, rows: count };
  const got =
    reject["error_type"] === "CAST"
      ? JSON.stringify(value)
      : `a malformed record (${String(reject["error_type"]).toLowerCase()}: ${message.split("\n")[0]})`;
  const canonical = canonicalName(column);
  const expectation = numericColumns.has(canonical)
    ? "a number"
    : timestampColumns.has(canonical)
      ? "a timestamp (ISO 8601, UTC)"
      : canonical === "Tags"
        ? "a JSON object"
        : "readable";
  const expected = reject["error_type"] === "CAST" ? expectation : "a record of the header's columns";
  throw new EnisError(
    "INVALID_DATA",
    `${basename(file)} line ${line} column ${column} must be ${expected}, got ${got}${count > 1 ? ` (${count} malformed rows in all)` : ""}`,
    { field: column, cause: cell },
  );
}

/** The 1-based line of `file` that byte `position` is on (reads up to it; gunzips `.gz`). */
export async function lineAtByte(file: string, position: number): Promise<number> {
  let line = 1;
  let seen = 0;
  const raw = createReadStream(file);
  const stream = /\.gz$/i.test(file) ? raw.pipe(createGunzip()) : raw;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const end = Math.min(chunk.length, position - seen);
      for (let index = chunk.indexOf(10); index !== -1 && index < end; index = chunk.indexOf(10, index + 1)) {
        line++;
      }
      seen += chunk.length;
      if (seen >= position) break;
    }
  } finally {
    raw.destroy();
  }
  return line;
}

/**
 * Finds the first CSV row whose Tags cell is not valid JSON (a second scan, only on this error
 * path, that parses Tags as JSON with store_rejects) and throws INVALID_DATA with its line.
 */
export async function throwOnMalformedTags(
  connection: FocusDuckDBConnection,
  source: ResolvedFiles,
  malformedRows: number,
): Promise<never> {
  const tags = source.columns.get("tags");
  if (source.format === "csv" && tags !== undefined) {
    for (const group of source.headerGroups) {
      const column = group.columns.find((candidate) => candidate.name.toLowerCase() === "tags")!;
      // Empty Tags are no tags here: quoted "" reads as NULL, so only text that is not JSON is rejected.
      const reader = csvReader(
        group.files,
        group.columns,
        (candidate) => (candidate === column ? "JSON" : "VARCHAR"),
        "nullstr = ['NULL', ''], allow_quoted_nulls = true",
      );
      await query(
        connection,
        `SELECT COUNT(*) FROM ${reader} WHERE ${everyColumn(group.columns)}`,
        "the CSV files",
      );
    }
    await throwOnRejects(connection);
  }
  if (source.format === "parquet" && tags !== undefined) {
    const quotedName = `"${tags.name.replaceAll('"', '""')}"`;
    const rows = await query(
      connection,
      `SELECT filename, file_row_number, CAST(${quotedName} AS VARCHAR) AS value FROM read_parquet(${fileList(source.files)}, ` +
        `union_by_name = true, filename = true, file_row_number = true) WHERE ${quotedName} IS NOT NULL ` +
        `AND CAST(${quotedName} AS VARCHAR) <> '' AND NOT json_valid(CAST(${quotedName} AS VARCHAR)) ORDER BY filename, file_row_number LIMIT 1`,
      "the Parquet files",
    );
    const bad = rows[0];
    if (bad !== undefined) {
      const row = Number(bad["file_row_number"]) + 1;
      throw new EnisError(
        "INVALID_DATA",
        `${basename(String(bad["filename"]))} row ${row} column Tags must be a JSON object, got ${JSON.stringify(bad["value"])} (${malformedRows} malformed rows in all)`,
        {
          field: "Tags",
          cause: {
            file: String(bad["filename"]),
            row,
            column: "Tags",
            value: bad["value"],
            rows: malformedRows,
          },
        },
      );
    }
  }
  throw new EnisError(
    "INVALID_DATA",
    `Tags must be JSON objects, got ${malformedRows} rows whose Tags cell is not valid JSON`,
    { field: "Tags" },
  );
}

/** Throws INVALID_DATA when some rows are not billed in US dollars (the totals are `…Usd`). */
export async function throwOnCurrencies(
  connection: FocusDuckDBConnection,
  source: ResolvedFiles,
  nonUsdRows: number,
): Promise<void> {
  if (nonUsdRows === 0) return;
  const rows = await query(
    connection,
    `SELECT BillingCurrency AS currency, COUNT(*) AS row_count FROM ${sourceSql(source, ["BillingCurrency"])} ` +
      "WHERE BillingCurrency IS DISTINCT FROM 'USD' GROUP BY 1 ORDER BY 2 DESC LIMIT 5",
    "the files",
  );
  const found = rows
    .map((row) => `${JSON.stringify(row["currency"])} on ${row["row_count"]} rows`)
    .join(", ");
  throw new EnisError(
    "INVALID_DATA",
    `BillingCurrency must be "USD" (totals are in US dollars; convert other currencies first), got ${found}`,
    { field: "BillingCurrency", cause: { nonUsdRows } },
  );
}

/**
 * Runs the main query of a reader. A cell the scan rejected (a cost that is not a number, a
 * ragged record) or a cast that failed inside the query (a timestamp that is not one) becomes an
 * INVALID_DATA error naming the file, the line (CSV) or row (Parquet), and the column.
 */
export async function runChecked(
  connection: FocusDuckDBConnection,
  source: ResolvedFiles,
  columns: readonly string[],
  sql: string,
): Promise<Record<string, unknown>[]> {
  let rows: Record<string, unknown>[];
  try {
    rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/Conversion Error/i.test(message)) await locateTimestamps(connection, source, columns);
    throw fromDuckDBError(error, "the FOCUS files");
  }
  await throwOnRejects(connection);
  return rows;
}

/** Finds a timestamp cell that does not parse (an error path only: one more scan). */
async function locateTimestamps(
  connection: FocusDuckDBConnection,
  source: ResolvedFiles,
  columns: readonly string[],
): Promise<void> {
  const wanted = new Set(
    columns.filter((name) => timestampColumns.has(canonicalName(name))).map((name) => name.toLowerCase()),
  );
  if (source.format === "csv") {
    for (const group of source.headerGroups) {
      const typed = group.columns.filter((column) => wanted.has(column.name.toLowerCase()));
      if (typed.length === 0) continue;
      const reader = csvReader(group.files, group.columns, (column) =>
        typed.includes(column) ? "TIMESTAMP" : "VARCHAR",
      );
      await query(
        connection,
        `SELECT COUNT(*) FROM ${reader} WHERE ${everyColumn(group.columns)}`,
        "the CSV files",
      );
    }
    await throwOnRejects(connection);
    return;
  }
  for (const name of wanted) {
    const column = source.columns.get(name);
    if (column === undefined || column.type !== "VARCHAR") continue;
    const rows = await query(
      connection,
      `SELECT filename, file_row_number, ${quote(column.name)} AS value, COUNT(*) OVER () AS bad_rows ` +
        `FROM read_parquet(${fileList(source.files)}, union_by_name = true, filename = true, file_row_number = true) ` +
        `WHERE ${quote(column.name)} IS NOT NULL AND TRY_CAST(${quote(column.name)} AS TIMESTAMPTZ) IS NULL ` +
        "ORDER BY filename, file_row_number LIMIT 1",
      "the Parquet files",
    );
    const bad = rows[0];
    if (bad !== undefined) {
      const row = Number(bad["file_row_number"]) + 1;
      throw new EnisError(
        "INVALID_DATA",
        `${basename(String(bad["filename"]))} row ${row} column ${column.name} must be a timestamp (ISO 8601, UTC), got ${JSON.stringify(bad["value"])} (${bad["bad_rows"]} such rows in all)`,
        {
          field: column.name,
          cause: {
            file: String(bad["filename"]),
            row,
            column: column.name,
            value: bad["value"],
            rows: Number(bad["bad_rows"]),
          },
        },
      );
    }
  }
}

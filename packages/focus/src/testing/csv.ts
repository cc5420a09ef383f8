import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/*
 * Test helpers that know nothing of DuckDB: a plain RFC 4180 parser and exact decimal sums, so the
 * tests compute their expected figures independently of the code under test.
 */

/** The FOCUS 1.0 sample, found beside the repository as `../shared/data/…`; undefined when absent. */
export function sampleFocusPath(): string | undefined {
  const path = fileURLToPath(
    new URL("../../../../../shared/data/focus-sample/focus-1.0-sample.csv", import.meta.url),
  );
  return existsSync(path) ? path : undefined;
}

/** One parsed record: its cells (an unquoted `NULL` is null) and the line it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly cells: Record<string, string | null>;
}

/**
 * Parses CSV text: quoted cells with doubled quotes and line breaks inside, an unquoted `NULL` (or
 * an unquoted empty cell) read as null, a quoted `""` as the empty string.
 */
export function parseCsv(text: string): CsvRecord[] {
  const rows: Array<{ line: number; cells: Array<string | null> }> = [];
  let cells: Array<string | null> = [];
  let cell = "";
  let quoted = false;
  let wasQuoted = false;
  let line = 1;
  let recordLine = 1;
  const endCell = () => {
    cells.push(!wasQuoted && (cell === "NULL" || cell === "") ? null : cell);
    cell = "";
    wasQuoted = false;
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else {
        if (char === "\n") line++;
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (char === ",") endCell();
    else if (char === "\n") {
      endCell();
      rows.push({ line: recordLine, cells });
      cells = [];
      line++;
      recordLine = line;
    } else if (char !== "\r") cell += char;
  }
  if (cell !== "" || cells.length > 0) {
    endCell();
    rows.push({ line: recordLine, cells });
  }
  const [header, ...body] = rows;
  const names = (header?.cells ?? []).map(String);
  return body.map((row) => ({
    line: row.line,
    cells: Object.fromEntries(names.map((name, index) => [name, row.cells[index] ?? null])),
  }));
}

/** Reads and parses a CSV file. */
export function readCsv(path: string): CsvRecord[] {
  return parseCsv(readFileSync(path, "utf8"));
}

/** A decimal string as an exact count of 1e-12 units (null is 0). */
export function pico(text: string | null): bigint {
  if (text === null) return 0n;
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text.trim());
  if (match === null) throw new Error(`not a decimal: ${text}`);
  const [, sign, whole = "", fraction = "", exponent = "0"] = match;
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, "") || "0";
  const scale = 12 - fraction.length + Number(exponent);
  const value = scale >= 0 ? BigInt(digits) * 10n ** BigInt(scale) : BigInt(digits) / 10n ** BigInt(-scale);
  return sign === "-" ? -value : value;
}

/** Exact sum of a column over records, in dollars (as a number, rounded once). */
export function sumColumn(records: readonly CsvRecord[], column: string): number {
  let total = 0n;
  for (const record of records) total += pico(record.cells[column] ?? null);
  return Number(total) / 1e12;
}

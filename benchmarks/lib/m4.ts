import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/*
 * The M4 competition's Hourly series (Makridakis, Spiliotis & Assimakopoulos, IJF 36(1), 2020),
 * read from ../shared/data/m4-hourly beside the repository (never copied into it).
 */

/** The folder of the M4 Hourly files, relative to the repository root. */
export const m4HourlyDir = new URL("../../../shared/data/m4-hourly/", import.meta.url);

/** M4 Hourly: 414 series, each a training part (700 or 960 values) and the 48 values after it. */
export interface M4Hourly {
  /** Series ids, `"H1"` … `"H414"`. */
  readonly ids: readonly string[];
  /** Training values, oldest first. */
  readonly train: readonly number[][];
  /** The 48 values after each training series: the scoring holdout. */
  readonly test: readonly number[][];
}

/**
 * Reads one ragged M4 CSV: a header row, then `"id","v1","v2",…` rows padded with empty cells.
 * Throws naming the file, line and cell when a value is not a finite number.
 */
export function readM4File(path: string): { ids: string[]; rows: number[][] } {
  const ids: string[] = [];
  const rows: number[][] = [];
  const lines = readFileSync(path, "utf8").split(/\r?\n/);
  for (let line = 1; line < lines.length; line++) {
    const text = lines[line]!;
    if (text.trim() === "") continue;
    const cells = text.split(",").map((cell) => cell.replaceAll('"', "").trim());
    ids.push(cells[0]!);
    const values: number[] = [];
    for (let column = 1; column < cells.length; column++) {
      const cell = cells[column]!;
      if (cell === "") continue;
      const value = Number(cell);
      if (!Number.isFinite(value))
        throw new Error(`${path}:${line + 1}: cell ${column + 1} is not a number: ${cell}`);
      values.push(value);
    }
    rows.push(values);
  }
  return { ids, rows };
}

/** Reads M4 Hourly's train and test files, or returns undefined when ../shared/data is absent. */
export function readM4Hourly(): M4Hourly | undefined {
  const trainPath = fileURLToPath(new URL("Hourly-train.csv", m4HourlyDir));
  const testPath = fileURLToPath(new URL("Hourly-test.csv", m4HourlyDir));
  if (!existsSync(trainPath) || !existsSync(testPath)) return undefined;
  const train = readM4File(trainPath);
  const test = readM4File(testPath);
  if (train.ids.join() !== test.ids.join())
    throw new Error("Hourly-train.csv and Hourly-test.csv list different series");
  return { ids: train.ids, train: train.rows, test: test.rows };
}

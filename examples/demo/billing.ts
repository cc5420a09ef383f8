/**
 * The demo's billing section: real FOCUS billing rows (the FinOps Foundation's FOCUS 1.0 sample,
 * when `../shared/data` is beside the repository) or a seeded FOCUS-shaped file, read through
 * @enis/focus and split by the `business_unit` tag.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type FocusReport, readFocus } from "@enis/focus";
import { writeFocusCsv } from "@enis/focus/testing";

/** Where the FOCUS 1.0 sample lives in a checkout with the shared data beside it. */
const samplePath = join("..", "shared", "data", "focus-sample", "focus-1.0-sample.csv");

export interface BillingOutcome {
  /** What was read: the real sample, or a generated file. */
  readonly source: string;
  readonly report: FocusReport;
}

/** Reads the sample (or writes and reads a seeded 20,000-row file) grouped by `business_unit`. */
export async function runBilling(outputDirectory: string): Promise<BillingOutcome> {
  let path = samplePath;
  let source = "the FinOps Foundation's FOCUS 1.0 sample (1,000 real, anonymised rows; CC BY 4.0)";
  if (!existsSync(samplePath)) {
    mkdirSync(outputDirectory, { recursive: true });
    path = join(outputDirectory, "focus-generated.csv");
    await writeFocusCsv(path, { rows: 20_000, seed: 1 });
    source = `a seeded FOCUS-shaped file of 20,000 rows (${path}; the real sample is read when ../shared/data is beside the repository)`;
  }
  const report = await readFocus(path, { groupBy: "tenant-tag", tenantTag: "business_unit" });
  return { source, report };
}

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One benchmark's result, as written to `benchmarks/results/<id>.json` and rendered into docs/benchmarks.md. */
export interface BenchResult {
  /** File name stem, e.g. `"fairness-max-min"`. */
  id: string;
  /** The claim measured, in one sentence. */
  claim: string;
  /** The target, in words, e.g. `"100k tenants <= 30 ms median"`. */
  target: string;
  /** Whether every target of this claim was met in this run. */
  passed: boolean;
  /** Table rows: one object per measured case, same keys in every row. */
  rows: Array<Record<string, string | number>>;
  /** Anything a reader needs to interpret the figures (peer used, how measured). */
  notes?: string[];
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

/** Writes a result JSON with the machine it ran on, and prints the table to stdout. */
export function writeResult(result: BenchResult): void {
  mkdirSync(resultsDir, { recursive: true });
  const cpu = cpus()[0];
  const payload = {
    ...result,
    environment: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpu?.model ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      cpuAffinity: cpuAffinity(),
      date: new Date().toISOString(),
    },
  };
  writeFileSync(join(resultsDir, `${result.id}.json`), `${JSON.stringify(payload, null, 2)}\n`);
  console.log(`\n${result.id}: ${result.claim}`);
  console.table(result.rows);
  console.log(`target: ${result.target} -> ${result.passed ? "MET" : "MISSED"}`);
}

/** The CPUs this process may run on, as the kernel reports them (e.g. "1" under `taskset -c 1`). */
function cpuAffinity(): string {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    return /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The p-th percentile (0-100) of `values` by nearest rank; sorts a copy. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median of `values`. */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** Runs `action` `runs` times after `warmup` runs and returns each run's duration in milliseconds. */
export function timeRuns(action: () => unknown, runs: number, warmup = 2): number[] {
  for (let i = 0; i < warmup; i++) action();
  const durations: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    action();
    durations.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return durations;
}

/** Rounds to `digits` significant digits for tables. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}

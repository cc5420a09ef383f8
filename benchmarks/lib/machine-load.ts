import { readFileSync } from "node:fs";

/*
 * The CPU that other processes take while a benchmark runs ("foreign" load), from /proc on Linux:
 * the machine's busy time less this process's and the given helpers' (a redis-server). On a
 * shared machine a run slice that other jobs disturbed is run again, so a figure measures the code
 * and not the neighbours: on a 2-core machine one busy-looping neighbour halved both libraries'
 * Redis decisions/s, and heavier jobs (test runners) halved rate-limiter-flexible's while barely
 * slowing ours, doubling the ratio (throttle-redis, measured). Elsewhere nothing is measured and
 * nothing is repeated.
 */

/** USER_HZ: the unit of /proc/stat and /proc/<pid>/stat times (100 on every Linux platform Node supports). */
const ticksPerSecond = 100;

function machineBusyTicks(): number | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8")
      .split("\n", 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
    return fields.reduce((sum, value) => sum + value, 0) - fields[3]! - fields[4]!;
  } catch {
    return undefined;
  }
}

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm) ": state is [0], utime [11], stime [12].
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * Starts measuring; the returned function gives the cores other processes used on average since
 * (0.5 = half a core), or undefined where /proc is unavailable. `ownPids` are this process and its
 * helpers (their time is not foreign).
 */
export function foreignLoadMeter(ownPids: readonly number[]): () => number | undefined {
  const busyBefore = machineBusyTicks();
  const ownBefore = ownPids.reduce((sum, pid) => sum + processTicks(pid), 0);
  const start = performance.now();
  return () => {
    const busyAfter = machineBusyTicks();
    if (busyBefore === undefined || busyAfter === undefined) return undefined;
    const seconds = (performance.now() - start) / 1000;
    const own = ownPids.reduce((sum, pid) => sum + processTicks(pid), 0) - ownBefore;
    return Math.max(0, (busyAfter - busyBefore - own) / ticksPerSecond / seconds);
  };
}

/**
 * Waits until other processes have used less than `maxCores` over a window of `windowMs`, for at
 * most `maxWaitMs`; resolves true when the machine was that quiet, false when the wait ran out.
 */
export async function waitForQuiet(
  ownPids: readonly number[],
  maxCores: number,
  windowMs = 300,
  maxWaitMs = 120_000,
): Promise<boolean> {
  const deadline = performance.now() + maxWaitMs;
  while (performance.now() < deadline) {
    const meter = foreignLoadMeter(ownPids);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const foreign = meter();
    if (foreign === undefined || foreign < maxCores) return true;
  }
  return false;
}

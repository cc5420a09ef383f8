/**
 * Claim: weighted DRF (drfAllocate) places ~1M discrete tasks for 10,000 users × 3 resources, and
 * places exactly the tasks of textbook progressive filling (one task at a time to the user with the
 * lowest weighted dominant share, from a binary heap), many times faster. No npm library implements
 * DRF (REFERENCES.md §1), so the peer is that textbook loop, written here and run in the same process
 * on the same problems; the target is to report tasks placed per second, and the check is that the
 * two allocations are identical.
 */
import "../lib/built-packages.js";
import { createRandom } from "@enis/core";
import { type DrfUser, drfAllocate } from "@enis/fairness";
import { median, round, timeRuns, writeResult } from "../lib/report.js";

const resources = ["cpu", "memoryGb", "gpu"] as const;

/** Seeded users; capacity sized so that about `targetTasks` tasks are placed. */
function problem(users: number, targetTasks: number, seed: number) {
  const random = createRandom(seed);
  const list: DrfUser[] = [];
  const sum = { cpu: 0, memoryGb: 0, gpu: 0 };
  for (let i = 0; i < users; i++) {
    const taskDemand = {
      cpu: 0.25 * (1 + random.nextInt(16)),
      memoryGb: 0.5 * (1 + random.nextInt(32)),
      // One user in four needs a GPU.
      gpu: random.nextInt(4) === 0 ? 1 + random.nextInt(2) : 0,
    };
    for (const r of resources) sum[r] += taskDemand[r];
    list.push({ id: `user-${i}`, taskDemand, weight: 1 + random.nextInt(4) });
  }
  // If every user ran targetTasks / users tasks: the total demand of each resource.
  const perUser = targetTasks / users;
  const capacity = { cpu: sum.cpu * perUser, memoryGb: sum.memoryGb * perUser, gpu: sum.gpu * perUser * 0.5 };
  return { capacity, users: list };
}

/**
 * Textbook progressive filling (Ghodsi et al. 2011, §5.1), one task at a time: a binary heap of users
 * keyed by weighted dominant share (ties by input order); the top user gets one task if it fits,
 * else it is finished. The fit test uses drfAllocate's documented slack (capacity + min(capacity ×
 * 2^-40, half the smallest demand)); the demands here are multiples of 0.25, so sums are exact.
 */
function progressiveFilling(capacity: Record<string, number>, users: readonly DrfUser[]): Float64Array {
  const m = resources.length;
  const n = users.length;
  const demand = new Float64Array(n * m);
  const limit = new Float64Array(m);
  const step = new Float64Array(n);
  for (let r = 0; r < m; r++) {
    let smallest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const d = users[i]!.taskDemand[resources[r]!] ?? 0;
      demand[i * m + r] = d;
      if (d > 0 && d < smallest) smallest = d;
    }
    const c = capacity[resources[r]!]!;
    limit[r] = c + Math.min(c * 2 ** -40, smallest / 2);
  }
  for (let i = 0; i < n; i++) {
    let share = 0;
    for (let r = 0; r < m; r++) share = Math.max(share, demand[i * m + r]! / capacity[resources[r]!]!);
    step[i] = share / (users[i]!.weight ?? 1);
  }
  const tasks = new Float64Array(n);
  const used = new Float64Array(m);
  const heap = Int32Array.from({ length: n }, (_, i) => i);
  let size = n;
  const key = (i: number) => tasks[i]! * step[i]!;
  const less = (a: number, b: number) => key(a) < key(b) || (key(a) === key(b) && a < b);
  const siftDown = (at: number) => {
    const top = heap[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && less(heap[child + 1]!, heap[child]!)) child++;
      if (!less(heap[child]!, top)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = top;
  };
  for (let at = (size >> 1) - 1; at >= 0; at--) siftDown(at);
  while (size > 0) {
    const i = heap[0]!;
    let fits = true;
    for (let r = 0; r < m; r++) {
      const d = demand[i * m + r]!;
      if (d > 0 && !(used[r]! + d <= limit[r]!)) fits = false;
    }
    if (!fits) {
      heap[0] = heap[--size]!;
      siftDown(0);
      continue;
    }
    tasks[i] = tasks[i]! + 1;
    for (let r = 0; r < m; r++) used[r] = used[r]! + demand[i * m + r]!;
    siftDown(0);
  }
  return tasks;
}

const rows: Array<Record<string, string | number>> = [];
let identical = true;
for (const users of [1_000, 10_000]) {
  const options = problem(users, 1_000_000, 7 + users);
  const result = drfAllocate(options);
  const reference = progressiveFilling(options.capacity, options.users);
  const same = options.users.every((user, i) => result.tasks[user.id] === reference[i]);
  identical &&= same;
  const tasksPlaced = Object.values(result.tasks).reduce((a, b) => a + b, 0);
  const medianMs = median(timeRuns(() => drfAllocate(options), 7));
  const textbookMs = median(timeRuns(() => progressiveFilling(options.capacity, options.users), 3));
  rows.push({
    users,
    resources: resources.length,
    tasksPlaced,
    medianMs: round(medianMs),
    tasksPerSecond: round(tasksPlaced / (medianMs / 1000)),
    textbookMedianMs: round(textbookMs),
    speedup: round(textbookMs / medianMs),
    sameAllocation: same ? "yes" : "no",
  });
}

writeResult({
  id: "fairness-drf",
  claim:
    "drfAllocate places ~1M discrete tasks for 10k users × 3 resources (cpu, memoryGb, gpu): the allocation of textbook progressive filling, many times faster",
  target: "report tasks placed/s; the same allocation as textbook progressive filling (same run)",
  passed: identical,
  rows,
  notes: [
    "Peer: textbook progressive filling written in this file (one task at a time from a binary heap keyed by weighted dominant share); no well-regarded npm library implements DRF (REFERENCES.md §1).",
    "Seeded demands (createRandom), multiples of 0.25, weights 1-4, gpu capacity at half of the naive total so some users block on it.",
    "drfAllocate: median of 7 runs after 2 warm-up runs; textbook: median of 3 after 2. tasksPerSecond = tasks placed / drfAllocate's median time; drfAllocate places them in exact batches (bisection jumps), not one by one, which is where its speedup comes from.",
  ],
});

/**
 * Claim: the fair queue sustains >= 2M operations/s with 10k tenants (tier mix 70/20/7/2/1 %),
 * Zipf arrivals and a backlog of ~20k items, within 2.5x of a bare binary heap of numbers doing the
 * same pushes and pops in the same run. A guard: the queue's layout (its tag heap and slot arena in
 * files of their own) must not cost speed.
 *
 * Workload: 20k enqueues to build the backlog, then 980k (enqueue, dequeue) pairs, then 20k
 * dequeues: 1M enqueues + 1M dequeues. Throughput runs are untimed per operation; a separate pass
 * times every operation with process.hrtime.bigint() for the p99 (the timer's own cost, measured
 * and reported, is included in both columns alike).
 *
 * The queue is driven two ways, as applications would: by tenant id (`queue.enqueue(id, item,
 * { cost })`, the weight from a `weightOf` Map lookup on every call), and through tenant handles
 * (`queue.tenant(id)` made on a tenant's first arrival inside the timed loop and kept in the
 * caller's per-tenant slot, then `handle.enqueue(item, cost)`). The target is judged on the
 * handles; the id row shows what a string-keyed call costs on top.
 */
import "../lib/built-packages.js";
import { createRandom, defaultTierCatalogue } from "@enis/core";
import { createFairQueue, type TenantQueue } from "@enis/fairness";
import { percentile, round, writeResult } from "../lib/report.js";
import { assignTiers, zipfSequence } from "../lib/workload.js";

const tenantCount = 10_000;
const enqueues = 1_000_000;
const backlog = 20_000;
const runs = Number(process.env.BENCH_RUNS ?? 9);

const random = createRandom(2026);
const tiers = assignTiers(tenantCount, random);
const tenantIds = tiers.map((_, i) => `tenant-${i}`);
const weightById = new Map(tenantIds.map((id, i) => [id, defaultTierCatalogue.get(tiers[i]!).weight]));
const arrivals = zipfSequence(tenantCount, enqueues, 1.0, 7);
// Context only (not the workload): every tenant equally likely, so thousands of tenants
// stay backlogged and every dequeue works the scheduler's heap. Under Zipf arrivals the backlog
// piles up in the few heaviest tenants and most operations never touch the heap.
const uniformArrivals = zipfSequence(tenantCount, enqueues, 0, 7);
const costs = Float64Array.from({ length: enqueues }, () => 0.5 + random.next() * 1.5);
const heapKeys = Float64Array.from({ length: enqueues }, () => random.next() * 1e6);

/** The floor: a binary min-heap of numbers in a Float64Array. */
class NumberHeap {
  private keys = new Float64Array(1024);
  size = 0;
  push(key: number): void {
    if (this.size === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const keys = this.keys;
    let index = this.size++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentKey = keys[parent]!;
      if (parentKey <= key) break;
      keys[index] = parentKey;
      index = parent;
    }
    keys[index] = key;
  }
  pop(): number {
    const keys = this.keys;
    const top = keys[0]!;
    const last = keys[--this.size]!;
    const size = this.size;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= size) break;
      if (child + 1 < size && keys[child + 1]! < keys[child]!) child++;
      if (keys[child]! >= last) break;
      keys[index] = keys[child]!;
      index = child;
    }
    keys[index] = last;
    return top;
  }
}

/*
 * One throughput loop per structure, each calling its structure directly: a shared loop calling
 * through a driver object would be polymorphic and would tax the cheapest structure the most.
 */
function elapsedRate(start: bigint): number {
  return (2 * enqueues) / (Number(process.hrtime.bigint() - start) / 1e9);
}

function throughputFairQueue(): number {
  const queue = createFairQueue<number>({ weightOf: (id) => weightById.get(id)! });
  const start = process.hrtime.bigint();
  let next = 0;
  for (; next < backlog; next++) queue.enqueue(tenantIds[arrivals[next]!]!, next, { cost: costs[next]! });
  for (; next < enqueues; next++) {
    queue.enqueue(tenantIds[arrivals[next]!]!, next, { cost: costs[next]! });
    queue.dequeue();
  }
  for (let i = 0; i < backlog; i++) queue.dequeue();
  return elapsedRate(start);
}

function throughputFairQueueHandles(arrivals: Int32Array): number {
  const queue = createFairQueue<number>({ weightOf: (id) => weightById.get(id)! });
  const handles: (TenantQueue<number> | undefined)[] = new Array(tenantCount);
  const start = process.hrtime.bigint();
  let next = 0;
  for (; next < backlog; next++) {
    const tenant = arrivals[next]!;
    let handle = handles[tenant];
    if (handle === undefined) handle = handles[tenant] = queue.tenant(tenantIds[tenant]!);
    handle.enqueue(next, costs[next]!);
  }
  for (; next < enqueues; next++) {
    const tenant = arrivals[next]!;
    let handle = handles[tenant];
    if (handle === undefined) handle = handles[tenant] = queue.tenant(tenantIds[tenant]!);
    handle.enqueue(next, costs[next]!);
    queue.dequeue();
  }
  for (let i = 0; i < backlog; i++) queue.dequeue();
  return elapsedRate(start);
}

function throughputHeap(): number {
  const heap = new NumberHeap();
  const start = process.hrtime.bigint();
  let next = 0;
  for (; next < backlog; next++) heap.push(heapKeys[next]!);
  for (; next < enqueues; next++) {
    heap.push(heapKeys[next]!);
    heap.pop();
  }
  for (let i = 0; i < backlog; i++) heap.pop();
  return elapsedRate(start);
}

function throughputHeapWithLookup(): number {
  const heap = new NumberHeap();
  const byId = new Map(tenantIds.map((id, i) => [id, { index: i }]));
  let sink = 0;
  const start = process.hrtime.bigint();
  let next = 0;
  for (; next < backlog; next++) {
    sink += byId.get(tenantIds[arrivals[next]!]!)!.index;
    heap.push(heapKeys[next]!);
  }
  for (; next < enqueues; next++) {
    sink += byId.get(tenantIds[arrivals[next]!]!)!.index;
    heap.push(heapKeys[next]!);
    heap.pop();
  }
  for (let i = 0; i < backlog; i++) heap.pop();
  if (sink < 0) throw new Error("unreachable");
  return elapsedRate(start);
}

/*
 * The percentile pass, also one loop per structure (a shared loop calling each structure through a
 * driver object made its call sites polymorphic and taxed the bare heap's ~60 ns operations the
 * most). Every push and every pop is timed on its own.
 */
type Latencies = { push: Float64Array; pop: Float64Array };
const now = () => process.hrtime.bigint();

function latenciesFairQueueHandles(): Latencies {
  const queue = createFairQueue<number>({ weightOf: (id) => weightById.get(id)! });
  const handles: (TenantQueue<number> | undefined)[] = new Array(tenantCount);
  const push = new Float64Array(enqueues);
  const pop = new Float64Array(enqueues);
  let popped = 0;
  for (let next = 0; next < enqueues + backlog; next++) {
    if (next < enqueues) {
      const t0 = now();
      const tenant = arrivals[next]!;
      let handle = handles[tenant];
      if (handle === undefined) handle = handles[tenant] = queue.tenant(tenantIds[tenant]!);
      handle.enqueue(next, costs[next]!);
      push[next] = Number(now() - t0);
    }
    if (next >= backlog) {
      const t0 = now();
      queue.dequeue();
      pop[popped++] = Number(now() - t0);
    }
  }
  return { push, pop };
}

function latenciesFairQueue(): Latencies {
  const queue = createFairQueue<number>({ weightOf: (id) => weightById.get(id)! });
  const push = new Float64Array(enqueues);
  const pop = new Float64Array(enqueues);
  let popped = 0;
  for (let next = 0; next < enqueues + backlog; next++) {
    if (next < enqueues) {
      const t0 = now();
      queue.enqueue(tenantIds[arrivals[next]!]!, next, { cost: costs[next]! });
      push[next] = Number(now() - t0);
    }
    if (next >= backlog) {
      const t0 = now();
      queue.dequeue();
      pop[popped++] = Number(now() - t0);
    }
  }
  return { push, pop };
}

function latenciesHeap(): Latencies {
  const heap = new NumberHeap();
  const push = new Float64Array(enqueues);
  const pop = new Float64Array(enqueues);
  let popped = 0;
  for (let next = 0; next < enqueues + backlog; next++) {
    if (next < enqueues) {
      const t0 = now();
      heap.push(heapKeys[next]!);
      push[next] = Number(now() - t0);
    }
    if (next >= backlog) {
      const t0 = now();
      heap.pop();
      pop[popped++] = Number(now() - t0);
    }
  }
  return { push, pop };
}

function latenciesHeapWithLookup(): Latencies {
  const heap = new NumberHeap();
  const byId = new Map(tenantIds.map((id, i) => [id, { index: i }]));
  let sink = 0;
  const push = new Float64Array(enqueues);
  const pop = new Float64Array(enqueues);
  let popped = 0;
  for (let next = 0; next < enqueues + backlog; next++) {
    if (next < enqueues) {
      const t0 = now();
      sink += byId.get(tenantIds[arrivals[next]!]!)!.index;
      heap.push(heapKeys[next]!);
      push[next] = Number(now() - t0);
    }
    if (next >= backlog) {
      const t0 = now();
      heap.pop();
      pop[popped++] = Number(now() - t0);
    }
  }
  if (sink < 0) throw new Error("unreachable");
  return { push, pop };
}

function timerCost(): number {
  const samples = new Float64Array(200_000);
  for (let i = 0; i < samples.length; i++) {
    const t0 = process.hrtime.bigint();
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  return percentile(samples, 50);
}

// Warm every structure up, then alternate runs so drift on a shared machine hits all alike.
throughputFairQueueHandles(arrivals);
throughputFairQueueHandles(uniformArrivals);
throughputFairQueue();
throughputHeap();
throughputHeapWithLookup();
const handleRates: number[] = [];
const uniformRates: number[] = [];
const queueRates: number[] = [];
const heapRates: number[] = [];
const lookupRates: number[] = [];
for (let run = 0; run < runs; run++) {
  handleRates.push(throughputFairQueueHandles(arrivals));
  uniformRates.push(throughputFairQueueHandles(uniformArrivals));
  queueRates.push(throughputFairQueue());
  heapRates.push(throughputHeap());
  lookupRates.push(throughputHeapWithLookup());
}
const handleLatency = latenciesFairQueueHandles();
const queueLatency = latenciesFairQueue();
const heapLatency = latenciesHeap();
const lookupLatency = latenciesHeapWithLookup();
const timerNs = timerCost();

const handleRate = percentile(handleRates, 50);
const uniformRate = percentile(uniformRates, 50);
const queueRate = percentile(queueRates, 50);
const heapRate = percentile(heapRates, 50);
const lookupRate = percentile(lookupRates, 50);
const ratio = heapRate / handleRate;
const met = handleRate >= 2_000_000 && ratio <= 2.5;

/** Mean number of backlogged tenants over the steady phase of `sequence`, sampled every 1,000 pairs. */
function meanBacklogged(sequence: Int32Array): number {
  const queue = createFairQueue<number>({ weightOf: (id) => weightById.get(id)! });
  let sum = 0;
  let samples = 0;
  for (let next = 0; next < enqueues; next++) {
    queue.enqueue(tenantIds[sequence[next]!]!, next, { cost: costs[next]! });
    if (next < backlog) continue;
    queue.dequeue();
    if (next % 1000 === 0) {
      sum += queue.backloggedTenants;
      samples++;
    }
  }
  return sum / samples;
}
const zipfBacklogged = meanBacklogged(arrivals);
const uniformBacklogged = meanBacklogged(uniformArrivals);

function row(structure: string, rate: number, latency?: Latencies) {
  return {
    structure,
    opsPerSecond: Math.round(rate),
    enqueueP99Ns: latency === undefined ? "-" : round(percentile(latency.push, 99)),
    dequeueP99Ns: latency === undefined ? "-" : round(percentile(latency.pop, 99)),
    enqueueP50Ns: latency === undefined ? "-" : round(percentile(latency.push, 50)),
    dequeueP50Ns: latency === undefined ? "-" : round(percentile(latency.pop, 50)),
  };
}

writeResult({
  id: "fairness-fair-queue",
  claim: "Fair queue: 10k tenants, Zipf arrivals, 1M enqueues + 1M dequeues at a ~20k backlog",
  target: ">= 2M ops/s and within 2.5x of a bare binary heap of numbers (same run)",
  passed: met,
  rows: [
    row("createFairQueue, through tenant handles", handleRate, handleLatency),
    row("createFairQueue, by tenant id (weightOf lookup per call)", queueRate, queueLatency),
    row("bare binary heap of numbers", heapRate, heapLatency),
    row("bare heap + Map lookup of the tenant id per push", lookupRate, lookupLatency),
    row(
      "context: createFairQueue through handles, uniform arrivals (not the target's workload)",
      uniformRate,
    ),
  ],
  notes: [
    `bare heap / fair queue through handles: ${round(ratio)} (target <= 2.5); bare heap / fair queue by id: ${round(heapRate / queueRate)}; heap-with-lookup / fair queue by id: ${round(lookupRate / queueRate)}; median of ${runs} alternating runs`,
    `backlogged tenants (mean over the steady phase): ${round(zipfBacklogged)} under Zipf arrivals — the ~20k queued items sit in the few heaviest tenants, and most enqueues find their tenant idle and most dequeues serve it at once, without touching the heap — against ${round(uniformBacklogged)} under uniform arrivals, where every dequeue re-sifts the heap: bare heap / fair queue through handles is ${round(heapRate / uniformRate)} there (the context row; throughput only)`,
    `per-operation latencies include the timer's own cost, ~${round(timerNs)} ns per reading pair`,
    "by id: each call hashes the tenant id, resolves the weight through a user weightOf callback (a second Map lookup) and takes a { cost } object; through handles: queue.tenant(id) on a tenant's first arrival (inside the timed loop, weightOf called once), then handle.enqueue(item, cost)",
    "every dequeue returns a new { tenantId, item, ticket, waitMs } object (the ticket for complete()), as the API promises; the bare heap returns a number",
  ],
});

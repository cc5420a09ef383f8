import { createManualClock, createRandom, type TierId, tierIds } from "@enis/core";
import { createFairQueue } from "@enis/fairness";

/** One tenant of the simulated platform. */
export interface SimulatedTenant {
  readonly id: string;
  readonly tier: TierId;
  /** Mean requests per second it sends. */
  readonly ratePerSecond: number;
  /**
   * The simulation's script: this tenant floods the platform. The demo never reads it to find the
   * tenant — `detectNoisyNeighbours` does, from its usage; the demo's test checks the two agree.
   */
  readonly floods: boolean;
}

/** A request in flight through the simulation. */
interface Request {
  readonly tenantIndex: number;
  readonly arrivalMs: number;
  /** Work it needs, in worker-milliseconds. */
  readonly costMs: number;
}

/** What one scheduler did with the trace. */
export interface SchedulerOutcome {
  readonly name: string;
  /** Worker-milliseconds served per tenant. */
  readonly servedMs: Float64Array;
  /** Worker-milliseconds offered per tenant (queued or refused). */
  readonly offeredMs: Float64Array;
  /** Requests refused at the door per tenant (queue limits). */
  readonly rejected: Int32Array;
  /** Queue wait of every served request, per tenant (index as in `Platform.tenants`). */
  readonly waitsByTenant: readonly number[][];
  readonly served: number;
}

/** The platform: tenants, workers and a seeded request trace. */
export interface Platform {
  readonly tenants: readonly SimulatedTenant[];
  readonly workers: number;
  readonly durationMs: number;
  readonly trace: readonly Request[];
}

const baseRatePerSecond: Record<TierId, number> = {
  zero: 0.5,
  shared: 1,
  lite: 2,
  enterprise: 5,
  compliance: 5,
};
const tenantsPerTier: Record<TierId, number> = {
  zero: 210,
  shared: 60,
  lite: 21,
  enterprise: 6,
  compliance: 3,
};

/**
 * Builds 300 tenants in the 70/20/7/2/1 % tier mix, one 🟤 zero tenant flooding at
 * `floodRatePerSecond`, and a Poisson request trace with log-normal service costs (mean 10 ms).
 */
export function createPlatform({
  seed = 42,
  workers = 4,
  durationMs = 60_000,
  floodRatePerSecond = 400,
}: {
  seed?: number;
  workers?: number;
  durationMs?: number;
  floodRatePerSecond?: number;
} = {}): Platform {
  const random = createRandom(seed);
  const tenants: SimulatedTenant[] = [];
  for (const tier of tierIds) {
    for (let i = 0; i < tenantsPerTier[tier]; i++) {
      const floods = tier === "zero" && i === 0;
      tenants.push({
        id: `${tier}-${String(i).padStart(3, "0")}`,
        tier,
        ratePerSecond: floods ? floodRatePerSecond : baseRatePerSecond[tier],
        floods,
      });
    }
  }
  const trace: Request[] = [];
  tenants.forEach((tenant, tenantIndex) => {
    let t = 0;
    for (;;) {
      t += (-Math.log(1 - random.next()) / tenant.ratePerSecond) * 1000;
      if (t >= durationMs) break;
      // Log-normal with median 8 ms and mean ~10 ms: a few heavy requests, as real traffic has.
      const costMs = 8 * Math.exp(0.65 * random.nextGaussian());
      trace.push({ tenantIndex, arrivalMs: t, costMs });
    }
  });
  trace.sort((a, b) => a.arrivalMs - b.arrivalMs);
  return { tenants, workers, durationMs, trace };
}

interface Scheduler {
  offer(request: Request): boolean;
  next(): { request: Request; done(): void } | undefined;
}

/**
 * Replays the trace through `workers` workers fed by `scheduler`, on a manual clock.
 * Requests still queued at the end are not counted as served; their waits count up to the end.
 */
function simulate(platform: Platform, name: string, scheduler: Scheduler): SchedulerOutcome {
  const { tenants, trace, workers, durationMs } = platform;
  const servedMs = new Float64Array(tenants.length);
  const offeredMs = new Float64Array(tenants.length);
  const rejected = new Int32Array(tenants.length);
  const waitsByTenant: number[][] = tenants.map(() => []);
  const freeAt = new Float64Array(workers);
  const running: ((() => void) | undefined)[] = new Array(workers).fill(undefined);
  let served = 0;
  let nextArrival = 0;
  let now = 0;
  const startWork = (worker: number) => {
    running[worker]?.();
    running[worker] = undefined;
    const next = scheduler.next();
    if (next === undefined) return false;
    const request = next.request;
    running[worker] = next.done;
    waitsByTenant[request.tenantIndex]!.push(now - request.arrivalMs);
    const end = now + request.costMs;
    if (end <= durationMs) {
      servedMs[request.tenantIndex]! += request.costMs;
      served++;
    }
    freeAt[worker] = end;
    return true;
  };
  for (;;) {
    let worker = 0;
    for (let w = 1; w < workers; w++) if (freeAt[w]! < freeAt[worker]!) worker = w;
    const arrival = trace[nextArrival];
    if (arrival !== undefined && arrival.arrivalMs <= freeAt[worker]!) {
      now = arrival.arrivalMs;
      nextArrival++;
      offeredMs[arrival.tenantIndex]! += arrival.costMs;
      if (!scheduler.offer(arrival)) rejected[arrival.tenantIndex]!++;
      // An idle worker takes the request at once.
      for (let w = 0; w < workers; w++) if (freeAt[w]! <= now && !startWork(w)) break;
      continue;
    }
    now = freeAt[worker]!;
    if (now >= durationMs) break;
    if (!startWork(worker)) {
      if (arrival === undefined) break;
      freeAt[worker] = arrival.arrivalMs;
    }
  }
  // Requests still queued when the run ends have waited at least until its end: they count with
  // that wait (a lower bound), so a scheduler that leaves requests queued is not flattered.
  for (let left = scheduler.next(); left !== undefined; left = scheduler.next()) {
    waitsByTenant[left.request.tenantIndex]!.push(Math.max(0, durationMs - left.request.arrivalMs));
  }
  return { name, servedMs, offeredMs, rejected, waitsByTenant, served };
}

/** The trace through ENIS Governance's fair queue: tier weights, cost = expected work, per-tenant limit. */
export function runFairQueue(platform: Platform, { maxQueuedPerTenant = 100, maxQueued = 2_000 } = {}) {
  const clock = createManualClock(0);
  const queue = createFairQueue<Request>({
    tierOf: (tenantId) => tierById.get(tenantId)!,
    maxQueuedPerTenant,
    maxQueued,
    clock,
  });
  const tierById = new Map(platform.tenants.map((tenant) => [tenant.id, tenant.tier]));
  return simulate(platform, "ENIS fair queue", {
    offer: (request) =>
      // The scheduler sees only an estimate (the platform's 10 ms mean), corrected on completion.
      queue.enqueue(platform.tenants[request.tenantIndex]!.id, request, { cost: 10 }).allowed,
    next: () => {
      const next = queue.dequeue();
      if (next === undefined) return undefined;
      // When the work ends, the tenant is charged what it really used.
      return { request: next.item, done: () => queue.complete(next.ticket, next.item.costMs) };
    },
  });
}

/** The same trace through one first-in-first-out queue with the same total limit: what most platforms run. */
export function runFifo(platform: Platform, { maxQueued = 2_000 } = {}) {
  const queue: Request[] = [];
  let head = 0;
  return simulate(platform, "FIFO", {
    offer: (request) => {
      if (queue.length - head >= maxQueued) return false;
      queue.push(request);
      return true;
    },
    next: () => (head < queue.length ? { request: queue[head++]!, done: () => {} } : undefined),
  });
}

/**
 * CPU each tenant asks of a shared pool (seeded): small for 🟤, larger up the tiers, and the flooding
 * neighbour asking for most of the pool on its own.
 */
export function poolDemands(platform: Platform, seed = 7): { id: string; tier: TierId; demand: number }[] {
  const random = createRandom(seed);
  const range: Record<TierId, [number, number]> = {
    zero: [0, 4],
    shared: [4, 20],
    lite: [20, 60],
    enterprise: [100, 300],
    compliance: [200, 400],
  };
  return platform.tenants.map((tenant) => {
    const [low, high] = range[tenant.tier];
    const demand = tenant.floods ? 1_500 : low + (high - low) * random.next();
    return { id: tenant.id, tier: tenant.tier, demand: Math.round(demand * 10) / 10 };
  });
}

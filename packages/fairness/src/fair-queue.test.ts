import { createManualClock, createRandom, EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../test-support/enis-error.js";
import { createFairQueue, type FairQueue, type FairQueueTicket, type TenantQueue } from "./fair-queue.js";

interface Op {
  kind: "enqueue" | "dequeue";
  tenant: number;
  /** Items queued at once by an enqueue (a burst after idling is where lost fairness shows). */
  count: number;
  cost: number;
  actual: number;
  advanceMs: number;
}

const opArbitrary = (tenants: number, costs: fc.Arbitrary<number>) =>
  fc.record({
    kind: fc.constantFrom<"enqueue" | "dequeue">("enqueue", "enqueue", "dequeue", "dequeue", "dequeue"),
    // Skewed towards low tenant numbers, so some tenants stay backlogged while others come and go.
    tenant: fc.oneof(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: tenants - 1 })),
    count: fc.oneof(fc.constant(1), fc.constant(1), fc.integer({ min: 1, max: 30 })),
    cost: costs,
    actual: costs,
    advanceMs: fc.integer({ min: 0, max: 50 }),
  });

/** Long traces: fast-check's default size keeps arrays to a handful of items, too short to show lag. */
const traceArbitrary = (tenants: number, costs: fc.Arbitrary<number>, maxLength = 400) =>
  fc.array(opArbitrary(tenants, costs), { minLength: maxLength / 4, maxLength, size: "max" });

/**
 * Start-time fair queuing written the plain way: every backlogged tenant scanned for the smallest
 * (start tag, tag sequence). The queue under test must produce the very same schedule.
 */
class ReferenceQueue {
  private virtualTime = 0;
  private sequence = 0;
  private epoch = 0;
  private size = 0;
  private readonly tenants = new Map<
    string,
    {
      items: { item: number; cost: number; weight: number }[];
      finish: number;
      epoch: number;
      start: number;
      startFloor: number;
      sequence: number;
    }
  >();

  enqueue(tenantId: string, item: number, cost: number, weight: number): void {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) {
      tenant = { items: [], finish: 0, epoch: 0, start: 0, startFloor: 0, sequence: 0 };
      this.tenants.set(tenantId, tenant);
    }
    tenant.items.push({ item, cost, weight });
    this.size++;
    if (tenant.items.length === 1) {
      const finish = tenant.epoch === this.epoch ? tenant.finish : 0;
      tenant.startFloor = this.virtualTime;
      tenant.start = Math.max(finish, this.virtualTime);
      tenant.sequence = this.sequence++;
    }
  }

  dequeue() {
    let best: string | undefined;
    for (const [id, tenant] of this.tenants) {
      if (tenant.items.length === 0) continue;
      const current = best === undefined ? undefined : this.tenants.get(best)!;
      if (
        current === undefined ||
        tenant.start < current.start ||
        (tenant.start === current.start && tenant.sequence < current.sequence)
      ) {
        best = id;
      }
    }
    if (best === undefined) return undefined;
    const tenant = this.tenants.get(best)!;
    const start = tenant.start;
    this.virtualTime = Math.max(this.virtualTime, start);
    const { item, cost, weight } = tenant.items.shift()!;
    this.size--;
    const finish = start + cost / weight;
    tenant.finish = finish;
    tenant.epoch = this.epoch;
    const ticket = { tenantId: best, cost, weight, epoch: this.epoch };
    if (tenant.items.length > 0) {
      tenant.startFloor = start;
      tenant.start = finish;
      tenant.sequence = this.sequence++;
    }
    if (this.size === 0) this.idle();
    return { tenantId: best, item, ticket };
  }

  complete(ticket: { tenantId: string; cost: number; weight: number; epoch: number }, actual: number): void {
    const tenant = this.tenants.get(ticket.tenantId)!;
    if (ticket.epoch !== this.epoch || tenant.epoch !== this.epoch) return;
    tenant.finish += (actual - ticket.cost) / ticket.weight;
    if (tenant.items.length > 0) tenant.start = Math.max(tenant.finish, tenant.startFloor);
  }

  remove(tenantId: string): number[] {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return [];
    const items = tenant.items.map((entry) => entry.item);
    this.size -= items.length;
    tenant.items = [];
    if (items.length > 0 && this.size === 0) this.idle();
    return items;
  }

  private idle(): void {
    this.virtualTime = 0;
    this.epoch++;
    this.sequence = 0;
  }
}

interface Dispatch {
  tenant: number;
  item: number;
  cost: number;
  waitMs: number;
  /** Tenants with queued items just before this dispatch. */
  backlogged: boolean[];
}

function replay(
  ops: readonly Op[],
  weights: readonly number[],
  {
    complete = "none",
    clockOrigin = 0,
  }: { complete?: "none" | "actual-immediately" | "actual-as-cost"; clockOrigin?: number } = {},
): Dispatch[] {
  const clock = createManualClock(clockOrigin);
  const queue = createFairQueue<number>({ weightOf: (id) => weights[Number(id)]!, clock });
  const dispatches: Dispatch[] = [];
  const costs: number[] = [];
  const actuals: number[] = [];
  for (const op of ops) {
    clock.advance(op.advanceMs);
    if (op.kind === "enqueue") {
      const cost = complete === "actual-as-cost" ? op.actual : op.cost;
      for (let k = 0; k < op.count; k++) {
        expect(queue.enqueue(String(op.tenant), costs.length, { cost })).toEqual({ allowed: true });
        costs.push(cost);
        actuals.push(op.actual);
      }
      continue;
    }
    const backlogged = weights.map((_, t) => queue.sizeOf(String(t)) > 0);
    const next = queue.dequeue();
    if (next === undefined) {
      expect(queue.size).toBe(0);
      continue;
    }
    if (complete === "actual-immediately") queue.complete(next.ticket, actuals[next.item]!);
    dispatches.push({
      tenant: Number(next.tenantId),
      item: next.item,
      cost: costs[next.item]!,
      waitMs: next.waitMs,
      backlogged,
    });
  }
  return dispatches;
}

/** Largest |W_f/w_f - W_m/w_m| over windows of dispatches where both f and m stay backlogged. */
function worstLag(dispatches: readonly Dispatch[], weights: readonly number[], f: number, m: number): number {
  let worst = 0;
  let inSegment = false;
  let difference = 0;
  let highest = 0;
  let lowest = 0;
  for (const dispatch of dispatches) {
    if (!(dispatch.backlogged[f] && dispatch.backlogged[m])) {
      inSegment = false;
      continue;
    }
    if (!inSegment) {
      inSegment = true;
      difference = 0;
      highest = 0;
      lowest = 0;
    }
    if (dispatch.tenant === f) difference += dispatch.cost / weights[f]!;
    if (dispatch.tenant === m) difference -= dispatch.cost / weights[m]!;
    highest = Math.max(highest, difference);
    lowest = Math.min(lowest, difference);
    worst = Math.max(worst, highest - lowest);
  }
  return worst;
}

describe("createFairQueue: start-time fair queuing", () => {
  it("keeps every pair of backlogged tenants within the SFQ lag bound", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(1, 5, 10, 50, 100, 0.5, 3), { minLength: 2, maxLength: 6 }),
        traceArbitrary(6, fc.double({ min: 0.01, max: 20, noNaN: true }), 400),
        (weights, rawOps) => {
          const ops = rawOps.map((op) => ({ ...op, tenant: op.tenant % weights.length }));
          const dispatches = replay(ops, weights);
          for (let f = 0; f < weights.length; f++) {
            for (let m = f + 1; m < weights.length; m++) {
              const costMax = (t: number) =>
                Math.max(
                  0,
                  ...ops.filter((op) => op.kind === "enqueue" && op.tenant === t).map((op) => op.cost),
                );
              const bound = costMax(f) / weights[f]! + costMax(m) / weights[m]!;
              if (worstLag(dispatches, weights, f, m) > bound * (1 + 1e-9) + 1e-12) return false;
            }
          }
          return true;
        },
      ),
      // Shrinking 400-operation traces takes minutes; the seed replays the unshrunk failure.
      { seed: 20261122, numRuns: 300, endOnFailure: true },
    );
  });

  it("serves saturating tenants in proportion to their weights", () => {
    const weights = [1, 5, 10, 50, 100];
    const queue = createFairQueue<number>({ weightOf: (id) => weights[Number(id)]! });
    for (let i = 0; i < 2_000; i++) for (let t = 0; t < weights.length; t++) queue.enqueue(String(t), i);
    const served = new Array(weights.length).fill(0);
    for (let i = 0; i < 1_660; i++) served[Number(queue.dequeue()!.tenantId)]++;
    // 1660 = 10 rounds of 166 (= 1 + 5 + 10 + 50 + 100): exactly proportional.
    expect(served).toEqual(weights.map((w) => w * 10));
  });

  it("schedules exactly like a plain reference implementation of SFQ", () => {
    const command = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant("enqueue" as const),
          tenant: fc.integer({ min: 0, max: 7 }),
          count: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 12 })),
          cost: fc.oneof(fc.constantFrom(1, 2, 4, 0.5), fc.double({ min: 0.01, max: 10, noNaN: true })),
          weight: fc.constantFrom(1, 5, 10, 50, 100, 3),
          // Through a tenant handle kept across the whole trace (so across idle periods and
          // removals that forget the tenant), or by id.
          viaHandle: fc.boolean(),
        }),
      },
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant("dequeue" as const),
          complete: fc.oneof(fc.constant(-1), fc.double({ min: 0, max: 12, noNaN: true })),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant("late-complete" as const),
          pick: fc.nat(),
          actual: fc.double({ min: 0, max: 12, noNaN: true }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant("remove" as const),
          tenant: fc.integer({ min: 0, max: 7 }),
        }),
      },
    );
    fc.assert(
      fc.property(fc.array(command, { minLength: 50, maxLength: 400, size: "max" }), (commands) => {
        const queue = createFairQueue<number>();
        const reference = new ReferenceQueue();
        const handles = new Map<string, TenantQueue<number>>();
        const pending: { ticket: FairQueueTicket; reference: Parameters<ReferenceQueue["complete"]>[0] }[] =
          [];
        let item = 0;
        for (const c of commands) {
          if (c.kind === "enqueue") {
            const tenantId = `t${c.tenant}`;
            const handleKey = `${tenantId}/${c.weight}`;
            let handle = handles.get(handleKey);
            if (c.viaHandle && handle === undefined) {
              handle = queue.tenant(tenantId, { weight: c.weight });
              handles.set(handleKey, handle);
            }
            for (let k = 0; k < c.count; k++, item++) {
              if (c.viaHandle) expect(handle!.enqueue(item, c.cost)).toEqual({ allowed: true });
              else queue.enqueue(tenantId, item, { cost: c.cost, weight: c.weight });
              reference.enqueue(tenantId, item, c.cost, c.weight);
            }
            if (handle !== undefined) expect(handle.size).toBe(queue.sizeOf(tenantId));
          } else if (c.kind === "dequeue") {
            const peeked = queue.peek();
            const got = queue.dequeue();
            expect(peeked && [peeked.tenantId, peeked.item]).toEqual(got && [got.tenantId, got.item]);
            const want = reference.dequeue();
            expect(got && [got.tenantId, got.item]).toEqual(want && [want.tenantId, want.item]);
            if (got && want) {
              if (c.complete >= 0) {
                queue.complete(got.ticket, c.complete);
                reference.complete(want.ticket, c.complete);
              } else pending.push({ ticket: got.ticket, reference: want.ticket });
            }
          } else if (c.kind === "late-complete") {
            if (pending.length === 0) continue;
            const [chosen] = pending.splice(c.pick % pending.length, 1);
            queue.complete(chosen!.ticket, c.actual);
            reference.complete(chosen!.reference, c.actual);
          } else {
            expect(queue.remove(`t${c.tenant}`)).toEqual(reference.remove(`t${c.tenant}`));
          }
        }
        for (
          let got = queue.dequeue(), want = reference.dequeue();
          got || want;
          got = queue.dequeue(), want = reference.dequeue()
        ) {
          expect(got && [got.tenantId, got.item]).toEqual(want && [want.tenantId, want.item]);
        }
      }),
      { seed: 23, numRuns: 300, endOnFailure: true },
    );
  });

  it("schedules exactly like the reference while it forgets idle tenants (thousands of tenants)", () => {
    const random = createRandom(99);
    const queue = createFairQueue<number>({ idleTenantsKept: 1_024 });
    const reference = new ReferenceQueue();
    for (let i = 0; i < 20; i++) {
      queue.enqueue("busy", -1 - i, { cost: 3 });
      reference.enqueue("busy", -1 - i, 3, 1);
    }
    // Handles made once and used long after the sweep forgot their tenant.
    const handles = new Map<string, TenantQueue<number>>();
    const pending: [FairQueueTicket, Parameters<ReferenceQueue["complete"]>[0]][] = [];
    for (let i = 0; i < 12_000; i++) {
      const tenant = random.next() < 0.3 ? "busy" : `t${random.nextInt(4_000)}`;
      const cost = 1 + random.nextInt(4);
      if (random.next() < 0.5) {
        let handle = handles.get(tenant);
        if (handle === undefined) {
          handle = queue.tenant(tenant);
          handles.set(tenant, handle);
        }
        handle.enqueue(i, cost);
      } else queue.enqueue(tenant, i, { cost });
      reference.enqueue(tenant, i, cost, 1);
      const got = queue.dequeue()!;
      const want = reference.dequeue()!;
      expect([got.tenantId, got.item]).toEqual([want.tenantId, want.item]);
      pending.push([got.ticket, want.ticket]);
      if (pending.length > 3 || random.next() < 0.5) {
        const [ticket, referenceTicket] = pending.shift()!;
        const actual = random.nextInt(6);
        queue.complete(ticket, actual);
        reference.complete(referenceTicket, actual);
      }
    }
    expect(queue.trackedTenants).toBeLessThan(3_000);
  });

  it("keeps FIFO order within a tenant", () => {
    fc.assert(
      fc.property(traceArbitrary(4, fc.integer({ min: 1, max: 9 }), 300), (ops) => {
        const dispatches = replay(ops, [1, 2, 3, 4]);
        const lastByTenant = new Map<number, number>();
        for (const { tenant, item } of dispatches) {
          if ((lastByTenant.get(tenant) ?? -1) >= item) return false;
          lastByTenant.set(tenant, item);
        }
        return true;
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("is work-conserving and loses nothing", () => {
    fc.assert(
      fc.property(traceArbitrary(5, fc.integer({ min: 1, max: 9 }), 300), (ops) => {
        const queue = createFairQueue<number>();
        const out: number[] = [];
        let queued = 0;
        ops.forEach((op, index) => {
          if (op.kind === "enqueue") {
            queue.enqueue(`t${op.tenant}`, index, { cost: op.cost });
            queued++;
          } else {
            const sizeBefore = queue.size;
            const next = queue.dequeue();
            if ((next === undefined) !== (sizeBefore === 0)) throw new Error("not work-conserving");
            if (next) out.push(next.item);
          }
        });
        let drained = queue.dequeue();
        while (drained) {
          out.push(drained.item);
          drained = queue.dequeue();
        }
        return out.length === queued && new Set(out).size === queued && queue.size === 0;
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it("gives the same schedule whatever the clock origin", () => {
    fc.assert(
      fc.property(
        traceArbitrary(4, fc.integer({ min: 1, max: 9 }), 200),
        // Whole milliseconds, as epoch clocks give: waits then compare exactly.
        fc.integer({ min: 0, max: 2 ** 42 }),
        (ops, origin) => {
          const reference = replay(ops, [1, 5, 10, 50]);
          const shifted = replay(ops, [1, 5, 10, 50], { clockOrigin: origin });
          expect(shifted.map((d) => [d.tenant, d.item])).toEqual(reference.map((d) => [d.tenant, d.item]));
          expect(shifted.map((d) => d.waitMs)).toEqual(reference.map((d) => d.waitMs));
        },
      ),
      { seed: 5, numRuns: 150 },
    );
  });

  it("gives the same schedule after an earlier busy period (virtual clock reset when idle)", () => {
    fc.assert(
      fc.property(
        traceArbitrary(4, fc.integer({ min: 1, max: 9 }), 100),
        traceArbitrary(4, fc.integer({ min: 1, max: 9 }), 100),
        (history, trace) => {
          const run = (ops: readonly Op[], queue: FairQueue<number>) => {
            const order: string[] = [];
            for (const op of ops) {
              if (op.kind === "enqueue") queue.enqueue(String(op.tenant), 0, { cost: op.cost });
              else {
                const next = queue.dequeue();
                if (next) order.push(next.tenantId);
              }
            }
            return order;
          };
          const weightOf = (id: string) => [1, 5, 10, 50][Number(id)]!;
          const used = createFairQueue<number>({ weightOf });
          run(history, used);
          while (used.dequeue());
          expect(used.virtualTime).toBe(0);
          expect(run(trace, used)).toEqual(run(trace, createFairQueue<number>({ weightOf })));
        },
      ),
      { seed: 9, numRuns: 150 },
    );
  });

  it("corrects estimated costs on complete exactly as if the actual cost had been known", () => {
    // Powers of two keep every tag exact, so the two schedules must match item for item.
    fc.assert(
      fc.property(traceArbitrary(4, fc.constantFrom(1, 2, 4, 8, 16, 32), 300), (ops) => {
        const weights = [1, 2, 4, 8];
        const corrected = replay(ops, weights, { complete: "actual-immediately" });
        const known = replay(ops, weights, { complete: "actual-as-cost" });
        expect(corrected.map((d) => d.item)).toEqual(known.map((d) => d.item));
      }),
      { seed: 13, numRuns: 300, endOnFailure: true },
    );
  });

  it("charges a tenant that under-estimates its costs once they are reported", () => {
    const queue = createFairQueue<string>();
    for (let i = 0; i < 1_000; i++) {
      queue.enqueue("liar", "l", { cost: 1 });
      queue.enqueue("honest", "h", { cost: 1 });
    }
    const work = { liar: 0, honest: 0 };
    for (let i = 0; i < 600; i++) {
      const next = queue.dequeue()!;
      const actual = next.tenantId === "liar" ? 4 : 1;
      work[next.tenantId as "liar" | "honest"] += actual;
      queue.complete(next.ticket, actual);
    }
    // Equal weights: equal actual work, within one maximum cost.
    expect(Math.abs(work.liar - work.honest)).toBeLessThanOrEqual(4);
  });

  it("takes the weight per call, from weightOf, or from the tenant's tier", () => {
    const tiers: Record<string, string> = { a: "🟤", b: "🟢" };
    const queue = createFairQueue<number>({ tierOf: (id) => tiers[id] ?? "zero" });
    for (let i = 0; i < 110; i++) {
      queue.enqueue("a", i);
      queue.enqueue("b", i);
    }
    const served = { a: 0, b: 0 };
    for (let i = 0; i < 110; i++) served[queue.dequeue()!.tenantId as "a" | "b"]++;
    expect(served).toEqual({ a: 10, b: 100 });

    const perCall = createFairQueue<number>({ weightOf: () => 1 });
    for (let i = 0; i < 30; i++) {
      perCall.enqueue("a", i, { weight: 2 });
      perCall.enqueue("b", i);
    }
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 30; i++) counts[perCall.dequeue()!.tenantId as "a" | "b"]++;
    expect(counts).toEqual({ a: 20, b: 10 });
  });

  it("queues through tenant handles into the tenant's one FIFO, with the weight resolved once", () => {
    const weights = new Map([
      ["a", 1],
      ["b", 3],
    ]);
    let weightCalls = 0;
    const queue = createFairQueue<string>({
      weightOf: (id) => {
        weightCalls++;
        return weights.get(id) ?? 1;
      },
      maxQueuedPerTenant: 4,
      maxQueued: 6,
    });
    const a = queue.tenant("a");
    const b = queue.tenant("b");
    expect([a.tenantId, a.weight, b.weight, weightCalls]).toEqual(["a", 1, 3, 2]);
    weights.set("b", 100); // a handle keeps the weight it was made with
    expect(a.size).toBe(0);
    a.enqueue("a1");
    queue.enqueue("a", "a2");
    a.enqueue("a3", 2);
    expect([a.size, queue.sizeOf("a"), weightCalls]).toEqual([3, 3, 3]);
    for (let i = 0; i < 3; i++) expect(b.enqueue(`b${i}`).allowed).toBe(true);
    expect(b.enqueue("b3")).toEqual({ allowed: false, reason: "queue-full", limit: 6 });
    expect(a.enqueue("a4").allowed).toBe(false);
    // b (weight 3) is served three times per item of a (weight 1), a's items in FIFO order.
    const order = Array.from({ length: 4 }, () => queue.dequeue()!.item);
    expect(order).toEqual(["a1", "b0", "b1", "b2"]);
    expect(a.remove()).toEqual(["a2", "a3"]);
    expect([a.size, queue.size]).toEqual([0, 0]);
    // After the queue emptied (every tenant forgotten) the handle still works.
    expect(a.enqueue("a5", 0.5).allowed).toBe(true);
    expect(queue.dequeue()).toMatchObject({
      tenantId: "a",
      item: "a5",
      ticket: { estimatedCost: 0.5, weight: 1 },
    });
    const heavy = queue.tenant("a", { weight: 50 });
    expect(heavy.weight).toBe(50);
    for (const [action, field] of [
      [() => queue.tenant(""), "tenantId"],
      [() => queue.tenant("a", { weight: 0 }), "options.weight"],
      [() => queue.tenant("a", { wieght: 2 } as never), "options.wieght"],
      [() => queue.tenant("a", 5 as never), "options"],
      [() => a.enqueue("x", Number.NaN), "cost"],
      [() => a.enqueue("x", 0), "cost"],
      [() => a.enqueue("x", "1" as never), "cost"],
    ] as const) {
      expect(catchEnisError(action).field).toBe(field);
    }
    expect(queue.size).toBe(0);
  });

  it("rejects overflow as an outcome and accepts again once there is room", () => {
    const queue = createFairQueue<number>({
      maxQueued: 5,
      maxQueuedPerTenant: (id) => (id === "blocked" ? 0 : 3),
    });
    expect(queue.enqueue("blocked", 0)).toEqual({ allowed: false, reason: "tenant-full", limit: 0 });
    for (let i = 0; i < 3; i++) expect(queue.enqueue("a", i).allowed).toBe(true);
    expect(queue.enqueue("a", 3)).toEqual({ allowed: false, reason: "tenant-full", limit: 3 });
    expect(queue.enqueue("b", 4).allowed).toBe(true);
    expect(queue.enqueue("c", 5).allowed).toBe(true);
    expect(queue.enqueue("d", 6)).toEqual({ allowed: false, reason: "queue-full", limit: 5 });
    expect(queue.size).toBe(5);
    queue.dequeue();
    expect(queue.enqueue("d", 6).allowed).toBe(true);
  });

  it("removes a tenant's items in FIFO order and keeps the others", () => {
    const queue = createFairQueue<string>();
    queue.enqueue("a", "a1");
    queue.enqueue("b", "b1");
    queue.enqueue("a", "a2");
    expect(queue.remove("a")).toEqual(["a1", "a2"]);
    expect(queue.remove("a")).toEqual([]);
    expect(queue.remove("nobody")).toEqual([]);
    expect(queue.sizeOf("a")).toBe(0);
    expect(queue.size).toBe(1);
    expect(queue.backloggedTenants).toBe(1);
    expect(queue.peek()).toEqual({ tenantId: "b", item: "b1" });
    expect(queue.dequeue()?.item).toBe("b1");
    expect(queue.dequeue()).toBeUndefined();
  });

  it("reports waiting time from the injected clock", () => {
    const clock = createManualClock(1_000);
    const queue = createFairQueue<string>({ clock });
    queue.enqueue("a", "x");
    clock.advance(42);
    expect(queue.dequeue()?.waitMs).toBe(42);
  });

  it("rejects bad arguments with EnisError naming the field", () => {
    const queue = createFairQueue<number>();
    const cases: [() => unknown, string, string][] = [
      [() => queue.enqueue("", 1), "INVALID_OPTIONS", "tenantId"],
      [() => queue.enqueue(3 as never, 1), "INVALID_OPTIONS", "tenantId"],
      [() => queue.enqueue("a", 1, { cost: Number.NaN }), "INVALID_OPTIONS", "cost"],
      [() => queue.enqueue("a", 1, { cost: 0 }), "INVALID_OPTIONS", "cost"],
      [() => queue.enqueue("a", 1, { cost: -1 }), "INVALID_OPTIONS", "cost"],
      [() => queue.enqueue("a", 1, { cost: Number.POSITIVE_INFINITY }), "INVALID_OPTIONS", "cost"],
      [() => queue.enqueue("a", 1, { weight: 0 }), "INVALID_OPTIONS", "weight"],
      [() => queue.enqueue("a", 1, { weight: Number.NEGATIVE_INFINITY }), "INVALID_OPTIONS", "weight"],
      [() => createFairQueue({ maxQueued: 0 }), "INVALID_OPTIONS", "options.maxQueued"],
      [() => createFairQueue({ maxQueued: 1.5 }), "INVALID_OPTIONS", "options.maxQueued"],
      [() => createFairQueue({ idleTenantsKept: 0 }), "INVALID_OPTIONS", "options.idleTenantsKept"],
      [() => createFairQueue({ weigthOf: () => 1 } as never), "INVALID_OPTIONS", "options.weigthOf"],
      [() => createFairQueue({ weightOf: () => -1 }).enqueue("a", 1), "INVALID_OPTIONS", 'weightOf("a")'],
      [() => createFairQueue({ tierOf: () => "gold" }).enqueue("a", 1), "UNKNOWN_TIER", 'tierOf("a")'],
      [() => createFairQueue({ catalogue: { parse: 1 } as never }), "INVALID_OPTIONS", "options.catalogue"],
      [
        () => createFairQueue({ clock: { nowMs: () => Number.NaN } }).enqueue("a", 1),
        "INVALID_OPTIONS",
        "clock.nowMs()",
      ],
      [() => queue.complete({ tenantId: "a", estimatedCost: 1, weight: 1 }, 1), "UNKNOWN_TICKET", "ticket"],
    ];
    for (const [action, code, field] of cases) {
      const error = catchEnisError(action);
      expect([error.code, error.field]).toEqual([code, field]);
    }
    expect(queue.size).toBe(0);
    queue.enqueue("a", 1);
    const { ticket } = queue.dequeue()!;
    expect(catchEnisError(() => queue.complete(ticket, Number.NaN)).field).toBe("actualCost");
    queue.complete(ticket, 2);
    expect(catchEnisError(() => queue.complete(ticket, 2)).code).toBe("UNKNOWN_TICKET");
    const other = createFairQueue<number>();
    other.enqueue("a", 1);
    const foreign = other.dequeue()!.ticket;
    expect(catchEnisError(() => queue.complete(foreign, 1)).code).toBe("UNKNOWN_TICKET");
  });

  it("forgets tenants that can no longer matter, so state stays bounded", () => {
    const queue = createFairQueue<number>({ idleTenantsKept: 1_024 });
    for (let i = 0; i < 10; i++) queue.enqueue("heavy", -i);
    let most = 0;
    for (let i = 0; i < 50_000; i++) {
      queue.enqueue("heavy", i); // keeps the queue busy, so only the sweep can release state
      queue.enqueue(`light-${i}`, i);
      for (let k = 0; k < 2; k++) {
        const next = queue.dequeue()!;
        queue.complete(next.ticket, 1);
      }
      most = Math.max(most, queue.trackedTenants);
    }
    expect(queue.size).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2_100);
    while (queue.dequeue());
    expect(queue.trackedTenants).toBe(0);

    // By default up to 16,384 idle tenants are kept, and a sweep starts past that.
    const roomy = createFairQueue<number>();
    roomy.enqueue("heavy", -1);
    let roomiest = 0;
    for (let i = 0; i < 40_000; i++) {
      roomy.enqueue("heavy", i);
      roomy.enqueue(`light-${i}`, i);
      roomy.dequeue();
      roomy.dequeue();
      roomiest = Math.max(roomiest, roomy.trackedTenants);
    }
    expect(roomiest).toBeGreaterThanOrEqual(16_384);
    expect(roomiest).toBeLessThanOrEqual(16_400);
  });

  it("stays bounded when tickets are never completed, and holds idle tenants for tickets once they are", () => {
    for (const completes of [false, true]) {
      const queue = createFairQueue<number>({ idleTenantsKept: 1_024 });
      for (let i = 0; i < 4; i++) {
        queue.enqueue("busy-1", i);
        queue.enqueue("busy-2", i);
      }
      const outstanding: FairQueueTicket[] = [];
      let most = 0;
      for (let i = 0; i < 30_000; i++) {
        queue.enqueue(`once-${i}`, i);
        queue.enqueue(i % 2 === 0 ? "busy-1" : "busy-2", i);
        for (let k = 0; k < 2; k++) {
          const { ticket } = queue.dequeue()!;
          // A caller that completes does so a few dequeues later (the request ran meanwhile).
          if (completes) outstanding.push(ticket);
          if (outstanding.length > 8) queue.complete(outstanding.shift()!, 1);
        }
        most = Math.max(most, queue.trackedTenants);
      }
      // Never completing: idle tenants are forgotten as usual. Completing: only tenants with a
      // ticket still out are held beyond that, a handful here.
      expect(most).toBeLessThanOrEqual(2_100);
    }
  });

  it("leaves the queue as it was when the clock or a limit callback throws or calls back in", () => {
    let broken = false;
    let time = 0;
    const clock = { nowMs: () => (broken ? Number.NaN : time) };
    const queue = createFairQueue<string>({ clock });
    queue.enqueue("a", "a1");
    queue.enqueue("a", "a2");
    expect(queue.dequeue()?.item).toBe("a1");
    broken = true;
    expect(catchEnisError(() => queue.dequeue()).field).toBe("clock.nowMs()");
    expect(catchEnisError(() => queue.enqueue("b", "b1")).field).toBe("clock.nowMs()");
    broken = false;
    expect([queue.size, queue.sizeOf("a"), queue.backloggedTenants, queue.trackedTenants]).toEqual([
      1, 1, 1, 1,
    ]);
    time = 5;
    queue.enqueue("b", "b1");
    const drained: string[] = [];
    for (let next = queue.dequeue(); next !== undefined; next = queue.dequeue()) drained.push(next.item);
    expect(drained).toEqual(["b1", "a2"]); // b starts at v = 0, a2 at a1's finish tag 1
    expect([queue.size, queue.backloggedTenants, queue.trackedTenants]).toEqual([0, 0, 0]);

    // A limit callback that drains the queue (and so forgets every tenant) before answering.
    let drain = false;
    const reentrant: FairQueue<string> = createFairQueue<string>({
      maxQueuedPerTenant: () => {
        if (drain) {
          drain = false;
          while (reentrant.dequeue());
        }
        return 10;
      },
    });
    const handle = reentrant.tenant("a");
    reentrant.enqueue("a", "a1");
    drain = true;
    expect(handle.enqueue("a2").allowed).toBe(true);
    drain = true;
    expect(reentrant.enqueue("a", "a3").allowed).toBe(true);
    expect([reentrant.size, reentrant.sizeOf("a"), reentrant.trackedTenants]).toEqual([1, 1, 1]);
    expect(reentrant.peek()).toEqual({ tenantId: "a", item: "a3" });
  });

  it("never freezes or changes the caller's clock", () => {
    const clock = {
      t: 0,
      nowMs() {
        return this.t;
      },
    };
    const queue = createFairQueue<string>({ clock });
    queue.enqueue("a", "x");
    clock.t = 50;
    expect(queue.dequeue()?.waitMs).toBe(50);
    expect(Object.isFrozen(clock)).toBe(false);
  });

  it("rejects malformed options from fast-check without throwing anything but EnisError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          // Shapes fc.anything() never makes: callbacks and catalogue- or clock-like objects.
          fc.record(
            {
              weightOf: fc.constantFrom(
                () => Number.NaN,
                () => -1,
                () => "5",
                () => 2,
              ),
              tierOf: fc.constantFrom(
                () => "gold",
                () => 3,
                () => "🟢",
              ),
              catalogue: fc.constantFrom({}, { parse: 1 }, { parse: () => undefined, tiers: [] }),
              clock: fc.constantFrom({ nowMs: () => "now" }, { nowMs: 1 }, { nowMs: () => 5 }),
              maxQueuedPerTenant: fc.constantFrom(
                () => -1,
                () => 1.5,
                () => 2,
                0,
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        fc.anything(),
        (options, callOptions) => {
          try {
            const queue = createFairQueue(options as never);
            queue.enqueue("a", 1, callOptions as never);
          } catch (error) {
            return EnisError.isInstance(error);
          }
          return true;
        },
      ),
      { seed: 17, numRuns: 500 },
    );
  });
});

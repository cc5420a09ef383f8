import { EnisError } from "@enis/core";
import { describeValue } from "@enis/core/validate";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../test-support/enis-error.js";
import { type DrfAllocation, type DrfOptions, type DrfUser, drfAllocate } from "./drf.js";

/**
 * The one-task-at-a-time greedy, written as plainly as possible from the documented semantics: the
 * fast implementation must return exactly this.
 */
function referenceDrf(options: DrfOptions): DrfAllocation {
  const names = Object.keys(options.capacity);
  const capacity = names.map((name) => options.capacity[name]!);
  const demands = options.users.map((user) => names.map((name) => user.taskDemand[name] ?? 0));
  const limits = capacity.map((total, r) => {
    let smallest = Number.POSITIVE_INFINITY;
    for (const row of demands) if (row[r]! > 0) smallest = Math.min(smallest, row[r]!);
    return total + Math.min(total * 2 ** -40, smallest / 2);
  });
  const perTask = demands.map((row) =>
    row.reduce((share, d, r) => (capacity[r]! > 0 ? Math.max(share, d / capacity[r]!) : share), 0),
  );
  const step = perTask.map((share, i) => share / (options.users[i]!.weight ?? 1));
  const tasks = options.users.map(() => 0);
  const alive = options.users.map(() => true);
  const used = names.map(() => 0);
  const fits = (i: number): boolean => demands[i]!.every((d, r) => d === 0 || used[r]! + d <= limits[r]!);
  for (;;) {
    let best = -1;
    for (let i = 0; i < tasks.length; i++) {
      if (!alive[i]) continue;
      if (best < 0 || tasks[i]! * step[i]! < tasks[best]! * step[best]!) best = i;
    }
    if (best < 0) break;
    if (tasks[best] === options.users[best]!.maxTasks || !fits(best)) {
      alive[best] = false;
      continue;
    }
    tasks[best]!++;
    demands[best]!.forEach((d, r) => {
      used[r] = used[r]! + d;
    });
  }
  const result: DrfAllocation = {
    tasks: {},
    dominantShares: {},
    weightedDominantShares: {},
    used: {},
    blockedBy: {},
  };
  const total = names.map(() => 0);
  options.users.forEach((user, i) => {
    result.tasks[user.id] = tasks[i]!;
    result.dominantShares[user.id] = tasks[i]! * perTask[i]!;
    result.weightedDominantShares[user.id] = tasks[i]! * step[i]!;
    demands[i]!.forEach((d, r) => {
      total[r] = total[r]! + tasks[i]! * d;
    });
    const r = demands[i]!.findIndex((d, r) => d > 0 && !(used[r]! + d <= limits[r]!));
    result.blockedBy[user.id] = tasks[i] === user.maxTasks ? null : (names[r] ?? "?");
  });
  names.forEach((name, r) => {
    result.used[name] = total[r]!;
  });
  return result;
}

const resourceNames = ["cpu", "memoryGb", "gpu"] as const;

/** Small random problems; `scale` multiplies capacities, `tenths` makes amounts multiples of 0.1. */
function problems(options: { maxUsers: number; capacityMax: number; demandMax: number; tenths?: boolean }) {
  const unit = options.tenths ? 10 : 1;
  const amount = (max: number) => fc.integer({ min: 0, max: max * unit }).map((x) => x / unit);
  return fc.integer({ min: 1, max: 3 }).chain((m) => {
    const names = resourceNames.slice(0, m);
    const vector = (max: number) =>
      fc
        .array(amount(max), { minLength: m, maxLength: m })
        .map((values) => Object.fromEntries(names.map((name, r) => [name, values[r]!])));
    const user = fc.record({
      taskDemand: vector(options.demandMax),
      weight: fc.constantFrom(1, 1, 1, 2, 3, 0.5),
      maxTasks: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
    });
    return fc.record({
      capacity: vector(options.capacityMax),
      users: fc.array(user, { minLength: 1, maxLength: options.maxUsers }).map((users) =>
        users.map((u, i): DrfUser => {
          const allZero = Object.values(u.taskDemand).every((d) => d === 0);
          const maxTasks = u.maxTasks ?? (allZero ? 3 : undefined);
          return {
            id: `u${i}`,
            taskDemand: u.taskDemand,
            ...(u.weight === 1 ? {} : { weight: u.weight }),
            ...(maxTasks === undefined ? {} : { maxTasks }),
          };
        }),
      ),
    });
  });
}

describe("drfAllocate", () => {
  it("reproduces the paper's example: A 3 tasks, B 2, both dominant shares 2/3", () => {
    const result = drfAllocate({
      capacity: { cpu: 9, memoryGb: 18 },
      users: [
        { id: "A", taskDemand: { cpu: 1, memoryGb: 4 } },
        { id: "B", taskDemand: { cpu: 3, memoryGb: 1 } },
      ],
    });
    expect(result.tasks).toEqual({ A: 3, B: 2 });
    expect(result.dominantShares["A"]).toBeCloseTo(2 / 3, 12);
    expect(result.dominantShares["B"]).toBeCloseTo(2 / 3, 12);
    expect(result.used).toEqual({ cpu: 9, memoryGb: 14 });
    expect(result.blockedBy).toEqual({ A: "cpu", B: "cpu" });
  });

  it("equalises weighted dominant shares: weight 2 earns twice the share", () => {
    const result = drfAllocate({
      capacity: { cpu: 30 },
      users: [
        { id: "light", taskDemand: { cpu: 1 } },
        { id: "heavy", taskDemand: { cpu: 1 }, weight: 2 },
      ],
    });
    expect(result.tasks).toEqual({ light: 10, heavy: 20 });
    expect(result.weightedDominantShares["light"]).toBeCloseTo(result.weightedDominantShares["heavy"]!, 12);
    expect(result.dominantShares["heavy"]).toBeCloseTo(2 / 3, 12);
  });

  it("breaks ties in input order", () => {
    const users = [
      { id: "first", taskDemand: { cpu: 1 } },
      { id: "second", taskDemand: { cpu: 1 } },
    ];
    expect(drfAllocate({ capacity: { cpu: 5 }, users }).tasks).toEqual({ first: 3, second: 2 });
    expect(drfAllocate({ capacity: { cpu: 5 }, users: [...users].reverse() }).tasks).toEqual({
      second: 3,
      first: 2,
    });
  });

  it("honours maxTasks and hands the rest to others", () => {
    const result = drfAllocate({
      capacity: { cpu: 10 },
      users: [
        { id: "small", taskDemand: { cpu: 1 }, maxTasks: 2 },
        { id: "big", taskDemand: { cpu: 1 } },
        { id: "free", taskDemand: {}, maxTasks: 4 },
      ],
    });
    expect(result.tasks).toEqual({ small: 2, big: 8, free: 4 });
    expect(result.blockedBy).toEqual({ small: null, big: "cpu", free: null });
  });

  it("fills a capacity of decimal demands despite binary rounding", () => {
    const result = drfAllocate({ capacity: { cpu: 1 }, users: [{ id: "a", taskDemand: { cpu: 0.1 } }] });
    expect(result.tasks).toEqual({ a: 10 });
  });

  it("gives no task to a user needing a resource of capacity 0", () => {
    const result = drfAllocate({
      capacity: { cpu: 4, gpu: 0 },
      users: [
        { id: "trainer", taskDemand: { cpu: 1, gpu: 1 } },
        { id: "web", taskDemand: { cpu: 1 }, maxTasks: 2 },
      ],
    });
    expect(result.tasks).toEqual({ trainer: 0, web: 2 });
    expect(result.blockedBy["trainer"]).toBe("gpu");
  });

  it("never loops per task: 1e15 capacity and tiny tasks finish at once with the exact counts", () => {
    const result = drfAllocate({
      capacity: { cpu: 1e15, memoryGb: 1e15 },
      users: [
        { id: "A", taskDemand: { cpu: 1, memoryGb: 2 } },
        { id: "B", taskDemand: { cpu: 2, memoryGb: 1 } },
        { id: "C", taskDemand: { cpu: 1 } },
      ],
    });
    // Shares equalise at s: A and B take s/2e-15 tasks, C s/1e-15; cpu is full at 2.5 s/1e-15 = 1e15.
    expect(result.tasks).toEqual({ A: 2e14, B: 2e14, C: 4e14 });
    expect(result.used).toEqual({ cpu: 1e15, memoryGb: 6e14 });
    const many = drfAllocate({
      capacity: { cpu: 1e15 },
      users: Array.from({ length: 1000 }, (_, i) => ({ id: `u${i}`, taskDemand: { cpu: 1 + (i % 3) } })),
    });
    expect(many.used["cpu"]).toBeLessThanOrEqual(1e15);
    expect(many.used["cpu"]).toBeGreaterThan(1e15 - 3);
  });

  it("equals the one-by-one greedy on small integer problems", () => {
    fc.assert(
      fc.property(problems({ maxUsers: 6, capacityMax: 40, demandMax: 6 }), (options) => {
        expect(drfAllocate(options)).toEqual(referenceDrf(options));
      }),
      { seed: 1101, numRuns: 400 },
    );
  });

  it("equals the one-by-one greedy on decimal demands (multiples of 0.1)", () => {
    fc.assert(
      fc.property(problems({ maxUsers: 5, capacityMax: 20, demandMax: 3, tenths: true }), (options) => {
        const fast = drfAllocate(options);
        const slow = referenceDrf(options);
        expect(fast.tasks).toEqual(slow.tasks);
        expect(fast.blockedBy).toEqual(slow.blockedBy);
      }),
      { seed: 1102, numRuns: 300 },
    );
  });

  it("equals the one-by-one greedy when thousands of steps separate the blocking of users", () => {
    // Large capacities and small demands exercise the bisection jumps between blocking events.
    fc.assert(
      fc.property(problems({ maxUsers: 3, capacityMax: 3000, demandMax: 3 }), (options) => {
        expect(drfAllocate(options)).toEqual(referenceDrf(options));
      }),
      { seed: 1103, numRuns: 60 },
    );
  });

  it("counts what fits alone past a huge resource, and gives no share without a task", () => {
    const huge = drfAllocate({
      capacity: { cpu: 1e20, gpu: 4 },
      users: [{ id: "a", taskDemand: { cpu: 1, gpu: 1 } }],
    });
    expect(huge.tasks).toEqual({ a: 4 });
    // A's task can never fit (1e10 cpu on 1e-300): no task, and a share of 0, not 0 × ∞ = NaN.
    const never = drfAllocate({
      capacity: { cpu: 1e-300, mem: 8 },
      users: [
        { id: "a", taskDemand: { cpu: 1e10 } },
        { id: "b", taskDemand: { mem: 1 } },
      ],
    });
    expect([never.tasks, never.dominantShares, never.weightedDominantShares]).toEqual([
      { a: 0, b: 8 },
      { a: 0, b: 1 },
      { a: 0, b: 1 },
    ]);
    const tiny = catchEnisError(() =>
      drfAllocate({
        capacity: { cpu: 9, memoryGb: 18 },
        users: [
          { id: "A", taskDemand: { cpu: 1, memoryGb: 4 }, weight: 5e-324 },
          { id: "B", taskDemand: { cpu: 3, memoryGb: 1 } },
        ],
      }),
    );
    expect([tiny.code, tiny.field]).toEqual(["INVALID_OPTIONS", "users[0].weight"]);
  });

  it("respects capacity and maxTasks, and stops only when the next task does not fit", () => {
    fc.assert(
      fc.property(problems({ maxUsers: 6, capacityMax: 40, demandMax: 6 }), (options) => {
        const result = drfAllocate(options);
        for (const [name, total] of Object.entries(options.capacity)) {
          expect(result.used[name]).toBeLessThanOrEqual(total);
        }
        for (const user of options.users) {
          const tasks = result.tasks[user.id]!;
          if (user.maxTasks !== undefined) expect(tasks).toBeLessThanOrEqual(user.maxTasks);
          const blockedBy = result.blockedBy[user.id];
          if (blockedBy === null) expect(tasks).toBe(user.maxTasks);
          else
            expect(result.used[blockedBy!]! + user.taskDemand[blockedBy!]!).toBeGreaterThan(
              options.capacity[blockedBy!]!,
            );
        }
      }),
      { seed: 1104, numRuns: 300 },
    );
  });

  describe("sharing incentive with discrete tasks", () => {
    it("does NOT hold exactly: a user can get fewer tasks than fit on its 1/n slice", () => {
      // Slice of each: 1 cpu, so A could run 1 task alone on it. B goes first (input order) and its
      // 1.5-cpu task overshoots B's slice; A's 1-cpu task no longer fits in the 0.5 left.
      const result = drfAllocate({
        capacity: { cpu: 2 },
        users: [
          { id: "B", taskDemand: { cpu: 1.5 } },
          { id: "A", taskDemand: { cpu: 1 } },
        ],
      });
      expect(result.tasks).toEqual({ B: 1, A: 0 });
      // Nor does "slice minus one task": the shortfall grows with the number of overshooting users.
      const crowd = drfAllocate({
        capacity: { cpu: 100 },
        users: [
          { id: "B", taskDemand: { cpu: 26 } },
          { id: "C", taskDemand: { cpu: 26 } },
          { id: "D", taskDemand: { cpu: 26 } },
          { id: "A", taskDemand: { cpu: 1 } },
        ],
      });
      expect(crowd.tasks["A"]).toBe(22); // its 1/4 slice holds 25
    });

    it("holds on the slice left after one task of every other user", () => {
      /*
       * When user i holding t − 1 tasks asks for its t-th, every other user o holds k_o tasks whose last
       * one came earlier in the greedy order: (k_o − 1)·q_o ≤ (t − 1)·q_i. So o's use of resource r is
       * at most (k_o − 1)·s_o·R_r + d_or ≤ (t − 1)·q_i·w_o·R_r + d_or: o is within its weighted share of
       * i's level plus ONE task. Summing, i's t-th task fits whenever t·s_i ≤ σ_i·(1 − δ_i), where
       * σ_i = w_i / Σw is i's slice and δ_i = max_r Σ_{o≠i} d_or / R_r is the one-task overshoot of all
       * others. Hence tasks_i ≥ min(maxTasks_i, ⌊σ_i·(1 − δ_i) / s_i⌋); with δ_i = 0 this is the
       * continuous sharing incentive ⌊σ_i / s_i⌋ (Ghodsi et al., section 4.1).
       */
      fc.assert(
        fc.property(problems({ maxUsers: 6, capacityMax: 60, demandMax: 8 }), (options) => {
          const result = drfAllocate(options);
          const names = Object.keys(options.capacity);
          const totalWeight = options.users.reduce((sum, u) => sum + (u.weight ?? 1), 0);
          for (const user of options.users) {
            const perTask = Math.max(
              0,
              ...names.map((r) => (user.taskDemand[r] ?? 0) / options.capacity[r]!).filter(Number.isFinite),
            );
            const blockedForever = names.some(
              (r) => options.capacity[r] === 0 && (user.taskDemand[r] ?? 0) > 0,
            );
            let overshoot = 0;
            for (const r of names) {
              const others = options.users.reduce(
                (sum, o) => (o === user ? sum : sum + (o.taskDemand[r] ?? 0)),
                0,
              );
              if (others > 0) overshoot = Math.max(overshoot, others / options.capacity[r]!);
            }
            const slice = (user.weight ?? 1) / totalWeight;
            const guaranteed = blockedForever
              ? 0
              : perTask === 0
                ? (user.maxTasks ?? 0)
                : Math.min(
                    user.maxTasks ?? Number.POSITIVE_INFINITY,
                    Math.max(0, Math.floor((slice * (1 - overshoot)) / perTask + 1e-9)),
                  );
            expect(result.tasks[user.id]).toBeGreaterThanOrEqual(guaranteed);
          }
        }),
        { seed: 1105, numRuns: 500 },
      );
    });
  });

  describe("strategy-proofness with discrete tasks", () => {
    it("does NOT hold exactly: inflating a demand can win a task by blocking someone else", () => {
      const capacity = { cpu: 10, memoryGb: 10 };
      const honest = drfAllocate({
        capacity,
        users: [
          { id: "A", taskDemand: { cpu: 1 } },
          { id: "B", taskDemand: { cpu: 1, memoryGb: 5 } },
        ],
      });
      // A claims 0.1 GB it does not need: B's second 5 GB task no longer fits, its cpu goes to A.
      const lying = drfAllocate({
        capacity,
        users: [
          { id: "A", taskDemand: { cpu: 1, memoryGb: 0.1 } },
          { id: "B", taskDemand: { cpu: 1, memoryGb: 5 } },
        ],
      });
      expect(honest.tasks).toEqual({ A: 8, B: 2 });
      expect(lying.tasks).toEqual({ A: 9, B: 1 });
    });

    it("holds in the weaker form: a user that inflates its demand gains only what another user loses", () => {
      /*
       * Suppose the liar ends with t' tasks (demand d' ≥ d) while every other user o ends with k'_o ≥ k_o,
       * its honest count, and yet t' > t. Honestly the liar stopped below t' so not at maxTasks: its
       * (t+1)-th task did not fit, at a moment when usage was at most Σ_o k_o·d_o + t·d. But
       * Σ_o k_o·d_o + (t+1)·d ≤ Σ_o k'_o·d_o + t'·d' ≤ capacity (the lying run fits), a contradiction.
       * So an inflated demand wins tasks only by blocking someone (with integer demands the fit test
       * is exact, so the argument holds to the unit).
       */
      const inflation = fc.record({
        liar: fc.nat(),
        extra: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }),
      });
      let gains = 0;
      fc.assert(
        fc.property(problems({ maxUsers: 5, capacityMax: 30, demandMax: 5 }), inflation, (options, lie) => {
          const liar = lie.liar % options.users.length;
          const user = options.users[liar]!;
          const inflated = Object.fromEntries(
            Object.keys(options.capacity).map((r, index) => [
              r,
              (user.taskDemand[r] ?? 0) + lie.extra[index]!,
            ]),
          );
          const users = options.users.map((u, i) => (i === liar ? { ...u, taskDemand: inflated } : u));
          const honest = drfAllocate(options);
          const lying = drfAllocate({ capacity: options.capacity, users });
          const id = user.id;
          if (lying.tasks[id]! > honest.tasks[id]!) {
            gains++;
            const someoneLost = options.users.some((o) => lying.tasks[o.id]! < honest.tasks[o.id]!);
            expect(someoneLost).toBe(true);
          }
        }),
        { seed: 1106, numRuns: 3000 },
      );
      // The search does meet profitable lies, so the assertion above is exercised.
      expect(gains).toBeGreaterThan(0);
    });
  });

  describe("bad inputs", () => {
    const ok = { id: "a", taskDemand: { cpu: 1 } };
    const cases: Array<[string, unknown, string, unknown]> = [
      ["NaN capacity", { capacity: { cpu: Number.NaN }, users: [] }, "capacity.cpu", Number.NaN],
      ["negative capacity", { capacity: { cpu: -1 }, users: [] }, "capacity.cpu", -1],
      [
        "infinite capacity",
        { capacity: { cpu: Number.POSITIVE_INFINITY }, users: [] },
        "capacity.cpu",
        Number.POSITIVE_INFINITY,
      ],
      [
        "NaN demand",
        { capacity: { cpu: 1 }, users: [ok, { id: "b", taskDemand: { cpu: Number.NaN } }] },
        "users[1].taskDemand.cpu",
        Number.NaN,
      ],
      [
        "negative demand",
        { capacity: { cpu: 1 }, users: [{ id: "b", taskDemand: { cpu: -2 } }] },
        "users[0].taskDemand.cpu",
        -2,
      ],
      [
        "-Infinity demand",
        { capacity: { cpu: 1 }, users: [{ id: "b", taskDemand: { cpu: Number.NEGATIVE_INFINITY } }] },
        "users[0].taskDemand.cpu",
        Number.NEGATIVE_INFINITY,
      ],
      [
        "demand on an unknown resource",
        { capacity: { cpu: 1 }, users: [ok, { ...ok, id: "b" }, { id: "c", taskDemand: { disk: 3 } }] },
        "users[2].taskDemand.disk",
        3,
      ],
      [
        "all-zero demand without maxTasks",
        { capacity: { cpu: 1 }, users: [{ id: "b", taskDemand: { cpu: 0 } }] },
        "users[0].taskDemand",
        { cpu: 0 },
      ],
      [
        "demand so small that 2^53 tasks fit",
        { capacity: { cpu: 1e15 }, users: [{ id: "b", taskDemand: { cpu: 0.01 } }] },
        "users[0].taskDemand",
        { cpu: 0.01 },
      ],
      ["weight 0", { capacity: { cpu: 1 }, users: [{ ...ok, weight: 0 }] }, "users[0].weight", 0],
      ["negative weight", { capacity: { cpu: 1 }, users: [{ ...ok, weight: -1 }] }, "users[0].weight", -1],
      [
        "fractional maxTasks",
        { capacity: { cpu: 1 }, users: [{ ...ok, maxTasks: 1.5 }] },
        "users[0].maxTasks",
        1.5,
      ],
      [
        "negative maxTasks",
        { capacity: { cpu: 1 }, users: [{ ...ok, maxTasks: -1 }] },
        "users[0].maxTasks",
        -1,
      ],
      [
        "unsafe maxTasks",
        { capacity: { cpu: 1 }, users: [{ ...ok, maxTasks: 2 ** 53 }] },
        "users[0].maxTasks",
        2 ** 53,
      ],
      ["empty id", { capacity: { cpu: 1 }, users: [{ ...ok, id: "" }] }, "users[0].id", ""],
      [
        "unknown user key",
        { capacity: { cpu: 1 }, users: [{ ...ok, colour: "red" }] },
        "users[0].colour",
        "red",
      ],
      ["unknown option", { capacity: { cpu: 1 }, users: [], extra: 1 }, "options.extra", 1],
      ["users not an array", { capacity: { cpu: 1 }, users: {} }, "users", {}],
      ["capacity missing", { users: [] }, "capacity", undefined],
      ["options null", null, "options", null],
    ];
    it.each(cases)(
      "rejects %s with INVALID_OPTIONS naming the field and value",
      (_, options, field, value) => {
        const error = catchEnisError(() => drfAllocate(options as DrfOptions));
        expect(error.code).toBe("INVALID_OPTIONS");
        expect(error.field).toBe(field);
        expect(error.message).toContain(field);
        expect(error.message).toContain(describeValue(value));
      },
    );

    it("rejects duplicate ids with DUPLICATE_ID", () => {
      const error = catchEnisError(() => drfAllocate({ capacity: { cpu: 1 }, users: [ok, { ...ok }] }));
      expect(error.code).toBe("DUPLICATE_ID");
      expect(error.field).toBe("users[1].id");
      expect(error.message).toContain('"a"');
    });

    it("accepts awkward ids such as __proto__ as plain keys", () => {
      const result = drfAllocate({
        capacity: { cpu: 2 },
        users: [
          { id: "__proto__", taskDemand: { cpu: 1 } },
          { id: "toString", taskDemand: { cpu: 1 } },
        ],
      });
      expect(Object.keys(result.tasks)).toEqual(["__proto__", "toString"]);
      expect(Object.getPrototypeOf(result.tasks)).toBe(Object.prototype);
      expect(result.tasks["toString"]).toBe(1);
    });

    it("answers malformed objects with an EnisError, never a TypeError or a hang", () => {
      const number = fc.oneof(
        fc.integer({ min: -3, max: 20 }),
        fc.double(),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 1e300, 5e-324),
        fc.anything(),
      );
      const demand = fc.oneof(
        fc.dictionary(fc.constantFrom("cpu", "gpu", "disk", "__proto__"), number),
        fc.anything(),
      );
      const user = fc.oneof(
        fc.record(
          {
            id: fc.oneof(fc.constantFrom("a", "b", ""), fc.anything()),
            taskDemand: demand,
            weight: number,
            maxTasks: number,
            other: fc.anything(),
          },
          { requiredKeys: ["id", "taskDemand"] },
        ),
        fc.anything(),
      );
      const options = fc.oneof(
        fc.record(
          {
            capacity: fc.oneof(fc.dictionary(fc.constantFrom("cpu", "gpu"), number), fc.anything()),
            users: fc.oneof(fc.array(user, { maxLength: 4 }), fc.anything()),
          },
          { requiredKeys: [] },
        ),
        fc.anything(),
      );
      fc.assert(
        fc.property(options, (input) => {
          try {
            const result = drfAllocate(input as DrfOptions);
            for (const value of Object.values(result.tasks)) expect(Number.isSafeInteger(value)).toBe(true);
          } catch (error) {
            expect(EnisError.isInstance(error)).toBe(true);
            expect(["INVALID_OPTIONS", "DUPLICATE_ID"]).toContain((error as EnisError).code);
          }
        }),
        { seed: 1107, numRuns: 1000 },
      );
    });
  });
});

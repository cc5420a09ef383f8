import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  algorithmNames,
  blockedState,
  capacityOf,
  evaluate,
  evaluateLease,
  type RateLimitSpec,
  refund,
  releaseLease,
} from "./index.js";

const algorithms = algorithmNames;

const specArbitrary = fc
  .record({
    algorithm: fc.constantFrom(...algorithms),
    limit: fc.integer({ min: 1, max: 50 }),
    windowMs: fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.constant(31_536_000_000)),
    burstFactor: fc.constantFrom(0.5, 1, 2),
  })
  .map(
    ({ burstFactor, ...spec }): RateLimitSpec => ({
      ...spec,
      burst: Math.max(1, Math.round(spec.limit * burstFactor)),
    }),
  );

/** Requests at non-decreasing times from a realistic epoch, so large clocks are exercised. */
const trafficArbitrary = fc.array(
  fc.record({
    advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })),
    cost: fc.integer({ min: 1, max: 6 }),
  }),
  { minLength: 1, maxLength: 200, size: "max" },
);

function replay(
  spec: RateLimitSpec,
  traffic: { advanceMs: number; cost: number }[],
  start = 1_763_000_000_000,
) {
  let state: number[] | undefined;
  let now = start;
  const log: {
    now: number;
    cost: number;
    allowed: boolean;
    remaining: number;
    retryAfterMs: number;
    before: number[] | undefined;
  }[] = [];
  for (const { advanceMs, cost } of traffic) {
    now += advanceMs;
    const result = evaluate(spec, state, now, cost);
    log.push({
      now,
      cost,
      allowed: result.allowed,
      remaining: result.remaining,
      retryAfterMs: result.retryAfterMs,
      before: state,
    });
    if (result.allowed) state = result.next;
  }
  return log;
}

describe("rate-limit algorithms", () => {
  it("fixed window: never more than `limit` units in one aligned window", () => {
    fc.assert(
      fc.property(specArbitrary, trafficArbitrary, (spec, traffic) => {
        const fixed = { ...spec, algorithm: "fixed-window" as const };
        const perWindow = new Map<number, number>();
        for (const entry of replay(fixed, traffic)) {
          if (!entry.allowed) continue;
          const window = Math.floor(entry.now / fixed.windowMs);
          perWindow.set(window, (perWindow.get(window) ?? 0) + entry.cost);
        }
        return [...perWindow.values()].every((units) => units <= fixed.limit);
      }),
      { seed: 51, numRuns: 300 },
    );
  });

  it("GCRA and token bucket: at most burst + limit·L/windowMs units in any interval of length L", () => {
    fc.assert(
      fc.property(specArbitrary, trafficArbitrary, (spec, traffic) => {
        const log = replay({ ...spec, algorithm: "gcra" }, traffic).filter((entry) => entry.allowed);
        for (let i = 0; i < log.length; i++) {
          let units = 0;
          for (let j = i; j < log.length; j++) {
            units += log[j]!.cost;
            const length = log[j]!.now - log[i]!.now;
            if (units > spec.burst + (spec.limit * length) / spec.windowMs + 1e-9) return false;
          }
        }
        return true;
      }),
      { seed: 53, numRuns: 300 },
    );
  });

  it("sliding window: the weighted estimate never exceeds the limit, and no aligned window holds more than it", () => {
    fc.assert(
      fc.property(specArbitrary, trafficArbitrary, (spec, traffic) => {
        const sliding = { ...spec, algorithm: "sliding-window" as const };
        const perWindow = new Map<number, number>();
        for (const entry of replay(sliding, traffic)) {
          if (!entry.allowed) continue;
          const window = Math.floor(entry.now / sliding.windowMs);
          perWindow.set(window, (perWindow.get(window) ?? 0) + entry.cost);
        }
        return [...perWindow.values()].every((units) => units <= sliding.limit);
      }),
      { seed: 55, numRuns: 300 },
    );
  });

  it("a refused request changes nothing and a cost above capacity is refused for ever", () => {
    fc.assert(
      fc.property(specArbitrary, trafficArbitrary, (spec, traffic) => {
        for (const entry of replay(spec, traffic)) {
          const again = evaluate(spec, entry.before, entry.now, entry.cost);
          if (!again.allowed && JSON.stringify(again.next) !== JSON.stringify(entry.before ?? again.next)) {
            // Refused: `next` is the unchanged allowance (normalised), never a spend.
            const spentNothing = evaluate(spec, again.next, entry.now, 0);
            const before = evaluate(spec, entry.before, entry.now, 0);
            if (spentNothing.remaining !== before.remaining) return false;
          }
        }
        const capacity =
          spec.algorithm === "gcra" || spec.algorithm === "token-bucket" ? spec.burst : spec.limit;
        const huge = evaluate(spec, undefined, 1_763_000_000_000, capacity + 1);
        return !huge.allowed && huge.retryAfterMs === Number.POSITIVE_INFINITY && huge.remaining === capacity;
      }),
      { seed: 57, numRuns: 300 },
    );
  });

  it("remaining is exact: that many unit requests pass at once, one more does not", () => {
    fc.assert(
      fc.property(specArbitrary, trafficArbitrary, (spec, traffic) => {
        const log = replay(spec, traffic);
        const last = log[log.length - 1]!;
        let state = last.allowed ? evaluate(spec, last.before, last.now, last.cost).next : last.before;
        const { remaining } = evaluate(spec, state, last.now, 0);
        for (let k = 0; k < remaining; k++) {
          const step = evaluate(spec, state, last.now, 1);
          if (!step.allowed) return false;
          state = step.next;
        }
        return !evaluate(spec, state, last.now, 1).allowed;
      }),
      { seed: 59, numRuns: 300 },
    );
  });

  it("retryAfterMs is honest: after waiting it, the same request is allowed", () => {
    fc.assert(
      fc.property(specArbitrary, trafficArbitrary, (spec, traffic) => {
        for (const entry of replay(spec, traffic)) {
          if (entry.allowed || !Number.isFinite(entry.retryAfterMs)) continue;
          if (entry.retryAfterMs <= 0) return false;
          if (!evaluate(spec, entry.before, entry.now + entry.retryAfterMs, entry.cost).allowed) return false;
        }
        return true;
      }),
      { seed: 61, numRuns: 300 },
    );
  });

  it("refund gives units back, never beyond the full allowance", () => {
    fc.assert(
      fc.property(specArbitrary, fc.integer({ min: 1, max: 5 }), (spec, cost) => {
        const now = 1_763_000_000_000;
        const capacity =
          spec.algorithm === "gcra" || spec.algorithm === "token-bucket" ? spec.burst : spec.limit;
        const spent = evaluate(spec, undefined, now, Math.min(cost, capacity));
        const back = refund(spec, spent.next, now, Math.min(cost, capacity));
        const over = refund(spec, back, now, 10);
        return (
          evaluate(spec, back, now, 0).remaining === capacity &&
          evaluate(spec, over, now, 0).remaining === capacity
        );
      }),
      { seed: 63, numRuns: 200 },
    );
  });

  it("never reports a negative remaining when the limit is lowered below what was spent", () => {
    for (const algorithm of algorithms) {
      const wide = { algorithm, limit: 100, windowMs: 60_000, burst: 100 };
      let state: number[] | undefined;
      for (let i = 0; i < 80; i++) state = evaluate(wide, state, 1_763_000_000_000, 1).next;
      const narrow = { ...wide, limit: 50, burst: 50 };
      const refused = evaluate(narrow, state, 1_763_000_000_000, 1);
      expect([algorithm, refused.allowed, refused.remaining]).toEqual([algorithm, false, 0]);
    }
  });

  it("handles windows from 1 ms to a year at epoch-scale clocks without overflow", () => {
    for (const algorithm of algorithms) {
      const year = { algorithm, limit: 3, windowMs: 31_536_000_000, burst: 3 };
      const now = 1_763_000_000_000;
      let state: number[] | undefined;
      for (let i = 0; i < 3; i++) state = evaluate(year, state, now + i, 1).next;
      const refused = evaluate(year, state, now + 10, 1);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(31_536_000_000);
      expect(Number.isFinite(refused.resetAfterMs)).toBe(true);
      const milli = { algorithm, limit: 1, windowMs: 1, burst: 1 };
      const first = evaluate(milli, undefined, now, 1);
      expect(first.allowed).toBe(true);
      // The sliding window still counts the whole previous window at the start of the next one.
      const later = algorithm === "sliding-window" ? 2 : 1;
      expect(evaluate(milli, first.next, now + later - 0.5, 1).allowed).toBe(false);
      expect(evaluate(milli, first.next, now + later, 1).allowed).toBe(true);
    }
  });
});

describe("leases", () => {
  it("hold units until released or expired, never above the limit", () => {
    let leases = evaluateLease(3, [], "a", 2, 1_000, 0).next;
    const refused = evaluateLease(3, leases, "b", 2, 1_000, 10);
    expect(refused).toMatchObject({ allowed: false, remaining: 1, retryAfterMs: 990 });
    leases = evaluateLease(3, leases, "b", 1, 1_000, 10).next;
    expect(evaluateLease(3, leases, "c", 1, 1_000, 20).allowed).toBe(false);
    // The holder of "a" crashed: at 1000 its lease has expired and frees its two units.
    expect(evaluateLease(3, leases, "c", 2, 1_000, 1_000).allowed).toBe(true);
    const { next, released } = releaseLease(leases, "b", 20);
    expect(released).toBe(true);
    expect(evaluateLease(3, next, "c", 1, 1_000, 20).allowed).toBe(true);
    expect(releaseLease(next, "b", 20).released).toBe(false);
    expect(evaluateLease(3, [], "x", 4, 1_000, 0).retryAfterMs).toBe(Number.POSITIVE_INFINITY);
    // Renewing a lease replaces it rather than counting it twice.
    expect(evaluateLease(2, [["a", 2, 500]], "a", 2, 1_000, 100, true).allowed).toBe(true);
  });

  it("refuse an acquire of an id that is held (lease-held) until the lease expires", () => {
    const held = evaluateLease(
      5,
      [
        ["a", 2, 500],
        ["b", 1, 800],
      ],
      "a",
      2,
      1_000,
      100.5,
    );
    expect(held).toMatchObject({
      allowed: false,
      reason: "lease-held",
      remaining: 2,
      retryAfterMs: 400,
      resetAfterMs: 700,
    });
    expect(evaluateLease(5, [["a", 2, 500]], "a", 2, 1_000, 500).allowed).toBe(true);
  });
});

describe("whole milliseconds and blocks", () => {
  it("every duration reported is a whole ms, rounded up, at fractional clocks", () => {
    fc.assert(
      fc.property(
        specArbitrary,
        trafficArbitrary,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (spec, traffic, fraction) => {
          for (const entry of replay(spec, traffic, 1_763_000_000_000 + fraction)) {
            const outcome = evaluate(spec, entry.before, entry.now, entry.cost);
            if (!Number.isInteger(outcome.resetAfterMs)) return false;
            if (!Number.isInteger(outcome.retryAfterMs) && outcome.retryAfterMs !== Number.POSITIVE_INFINITY)
              return false;
          }
          return true;
        },
      ),
      { seed: 65, numRuns: 200 },
    );
    const lease = evaluateLease(3, [["a", 3, 1_000.25]], "b", 1, 500, 0.5);
    expect([lease.retryAfterMs, lease.resetAfterMs]).toEqual([1_000, 1_000]);
  });

  it("a refusal starts a block: refused whatever the cost until it ends, not extended by its refusals", () => {
    for (const algorithm of algorithms) {
      const spec: RateLimitSpec = { algorithm, limit: 3, windowMs: 1_000, burst: 3, blockDurationMs: 10_000 };
      const now = 1_763_000_000_000;
      const spent = evaluate(spec, undefined, now, 3);
      const refused = evaluate(spec, spent.next, now + 1, 1);
      expect([algorithm, refused.allowed, refused.startsBlock, refused.retryAfterMs]).toEqual([
        algorithm,
        false,
        true,
        10_000,
      ]);
      const inside = evaluate(spec, refused.next, now + 5_000, 1);
      expect(inside).toMatchObject({
        allowed: false,
        reason: "blocked",
        remaining: 0,
        retryAfterMs: 5_001,
        startsBlock: false,
      });
      // A cost above the capacity never fits: Infinity, blocked or not; and it starts no block.
      expect(evaluate(spec, refused.next, now + 5_000, 4).retryAfterMs).toBe(Number.POSITIVE_INFINITY);
      expect(evaluate(spec, spent.next, now + 1, 4).startsBlock).toBe(false);
      expect(evaluate(spec, inside.next, now + 10_001, 1).allowed).toBe(true);
      // The state a refused batch stores: the stored state, nothing spent, with the block.
      expect(blockedState(spec, spent.next, now + 1).next).toEqual(refused.next);
      // A refund keeps a running block.
      expect(evaluate(spec, refund(spec, refused.next, now + 2, 3), now + 3, 1).reason).toBe("blocked");
      // Without a block, a refusal blocks nothing.
      expect(evaluate({ ...spec, blockDurationMs: 0 }, spent.next, now + 1, 1).startsBlock).toBe(false);
      expect(capacityOf(spec)).toBe(3);
    }
  });
});

import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { catchEnisError } from "../../../test-support/enis-error.js";
import {
  createManualClock,
  createRandom,
  createTierCatalogue,
  defaultTierCatalogue,
  EnisError,
  parseTier,
  tierIds,
} from "./index.js";
import { assertInteger, parseOptions, resolveCatalogue } from "./validate.js";

describe("tier catalogue", () => {
  it("holds the seeds' five tiers", () => {
    const rows = defaultTierCatalogue.tiers.map((t) => [
      t.emoji,
      t.id,
      t.weight,
      t.sharedPoolFloor,
      t.throttleFloor,
      t.budget.monthlyCeilingUsd,
      t.budget.costPerRequestCeilingUsd,
    ]);
    expect(rows).toEqual([
      ["🟤", "zero", 1, 0.05, 0.1, 50, 0.001],
      ["🟡", "shared", 5, 0.1, 0.2, 500, 0.01],
      ["🟢", "lite", 10, 0.2, 0.3, 2000, 0.05],
      ["🔵", "enterprise", 50, "dedicated", 0.7, 10000, 0.1],
      ["🔴", "compliance", 100, "dedicated", 0.9, 50000, 0.5],
    ]);
    expect(defaultTierCatalogue.sharedPoolFloorTotal).toBeCloseTo(0.35, 12);
  });

  it("parses ids, emoji and both", () => {
    for (const tier of defaultTierCatalogue.tiers) {
      expect(parseTier(tier.id)).toBe(tier);
      expect(parseTier(tier.emoji)).toBe(tier);
      expect(parseTier(`${tier.emoji} ${tier.id}`)).toBe(tier);
      expect(parseTier(`${tier.emoji} ${tier.name}`)).toBe(tier);
      expect(parseTier(tier.id.toUpperCase())).toBe(tier);
    }
  });

  it("ignores emoji variation selectors (U+FE0F, U+FE0E) after a tier's emoji", () => {
    expect(parseTier("🔴\uFE0F").id).toBe("compliance");
    expect(parseTier("🔵\uFE0F enterprise").id).toBe("enterprise");
    expect(parseTier("🟢\uFE0E").id).toBe("lite");
    expect(parseTier(" 🟡\uFE0FShared ").id).toBe("shared");
    expect(catchEnisError(() => parseTier("\uFE0F")).code).toBe("UNKNOWN_TIER");
  });

  it("rejects unknown tiers with UNKNOWN_TIER naming the value", () => {
    for (const bad of ["gold", "", "⚫", 3, null, undefined, {}]) {
      const error = catchEnisError(() => parseTier(bad));
      expect(error.code).toBe("UNKNOWN_TIER");
      expect(error.field).toBe("tier");
    }
    expect(catchEnisError(() => parseTier("gold")).message).toContain('"gold"');
  });

  it("applies validated overrides and leaves the defaults alone", () => {
    const catalogue = createTierCatalogue({ zero: { weight: 2, budget: { monthlyCeilingUsd: 10 } } });
    expect(catalogue.parse("🟤").weight).toBe(2);
    expect(catalogue.parse("🟤").budget).toEqual({ monthlyCeilingUsd: 10, costPerRequestCeilingUsd: 0.001 });
    expect(parseTier("🟤").weight).toBe(1);
    expect(Object.isFrozen(catalogue.parse("zero"))).toBe(true);
    expect(Object.isFrozen(catalogue.tiers)).toBe(true);
  });

  it("rejects bad overrides with INVALID_OPTIONS naming the field", () => {
    const cases: [unknown, string][] = [
      [{ zero: { weight: 0 } }, "tierOverrides.zero.weight"],
      [{ zero: { weight: Number.NaN } }, "tierOverrides.zero.weight"],
      [{ lite: { throttleFloor: 1.5 } }, "tierOverrides.lite.throttleFloor"],
      [{ gold: { weight: 3 } }, "tierOverrides.gold"],
      [{ shared: { weigth: 3 } }, "tierOverrides.shared.weigth"],
      [{ lite: { sharedPoolFloor: 0.9 } }, "tierOverrides.sharedPoolFloor"],
    ];
    for (const [overrides, field] of cases) {
      const error = catchEnisError(() => createTierCatalogue(overrides as never));
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.field).toBe(field);
    }
  });

  it("parses an emoji followed by a renamed tier's display name", () => {
    const catalogue = createTierCatalogue({ enterprise: { name: "Gold" } });
    expect(catalogue.parse("🔵 Gold").id).toBe("enterprise");
    expect(catalogue.parse("🔵gold").id).toBe("enterprise");
    expect(catalogue.parse("🔵enterprise").id).toBe("enterprise");
    expect(() => catalogue.parse("🔵 Silver")).toThrow(/tier must be/);
  });

  it("checks catalogues passed as options", () => {
    expect(resolveCatalogue(undefined, "catalogue")).toBe(defaultTierCatalogue);
    // A look-alike (a parse function and a tiers array) could hand out any numbers: only catalogues
    // built by createTierCatalogue pass.
    const lookAlike = {
      tiers: [],
      parse: () => ({ ...defaultTierCatalogue.get("zero"), throttleFloor: Number.NaN }),
    };
    for (const bad of [{}, { parse: 1, tiers: [] }, { parse: () => 1 }, lookAlike, null, "default"]) {
      expect(catchEnisError(() => resolveCatalogue(bad, "options.catalogue")).field).toBe(
        "options.catalogue",
      );
    }
  });

  it("has exactly the five tier ids", () => {
    expect(tierIds).toEqual(["zero", "shared", "lite", "enterprise", "compliance"]);
    expect(Object.isFrozen(tierIds)).toBe(true);
  });
});

describe("EnisError", () => {
  it("is recognised across copies through the Symbol.for marker", () => {
    const error = new EnisError("INFEASIBLE", "floors exceed capacity");
    expect(EnisError.isInstance(error)).toBe(true);
    expect(error.code).toBe("INFEASIBLE");
    // A second installed copy defines its own class but the same global symbol.
    const foreign = Object.assign(new Error("x"), {
      [Symbol.for("@enis/core.EnisError")]: true,
      code: "INTERNAL",
    });
    expect(EnisError.isInstance(foreign)).toBe(true);
    expect(EnisError.isInstance(new Error("plain"))).toBe(false);
    expect(EnisError.isInstance(null)).toBe(false);
    expect(EnisError.isInstance("EnisError")).toBe(false);
  });

  it("keeps its marker off the error's own properties", () => {
    const error = new EnisError("INTERNAL", "broken");
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(inspect(error)).not.toContain("@enis/core.EnisError");
    // A spread copy is a plain object, not an error.
    expect(EnisError.isInstance({ ...error })).toBe(false);
    expect(EnisError.isInstance(error)).toBe(true);
  });

  it("keeps its cause", () => {
    const cause = new Error("root");
    expect(new EnisError("INTERNAL", "wrapped", { cause }).cause).toBe(cause);
  });

  it("parseOptions names the nested field and value and freezes the result", () => {
    const schema = z.strictObject({ limits: z.array(z.strictObject({ rate: z.number().positive() })) });
    const error = catchEnisError(() =>
      parseOptions(schema, { limits: [{ rate: 1 }, { rate: -2 }] }, "options"),
    );
    expect(error.field).toBe("options.limits[1].rate");
    expect(error.message).toContain("-2");
    expect(error.cause).toBeInstanceOf(Error);
    const parsed = parseOptions(schema, { limits: [{ rate: 1 }] }, "options");
    expect(Object.isFrozen(parsed.limits[0])).toBe(true);
    const unknown = catchEnisError(() => parseOptions(schema, { limits: [], limitz: 3 }, "options"));
    expect([unknown.field, unknown.message]).toEqual([
      "options.limitz",
      'options.limitz is not a known option (did you mean "limits"?), got 3',
    ]);
  });

  it("parseOptions reads like the other messages: the field, what it must be, the value", () => {
    const schema = z.strictObject({
      algorithm: z.enum(["gcra", "fixed-window"]),
      limit: z.number().int().min(1),
      windowMs: z.number().int().min(1).max(1_000),
      prefix: z
        .string()
        .regex(/^[^:]+:$/, 'one segment ending in ":"')
        .optional(),
      names: z.array(z.string().min(1)).optional(),
      share: z.union([z.number().int().positive(), z.literal(Number.POSITIVE_INFINITY)]).optional(),
      store: z.custom<object>((value) => typeof value === "object", "a ThrottleStore").optional(),
      usage: z.record(z.string(), z.number()).optional(),
    });
    const base = { algorithm: "gcra", limit: 1, windowMs: 1 };
    const message = (input: Record<string, unknown>) =>
      catchEnisError(() => parseOptions(schema, input, "options")).message;
    // The typo is named as unknown, with the option it resembles, not reported as a missing windowMs.
    expect(message({ algorithm: "gcra", limit: 1, window: 5 })).toBe(
      'options.window is not a known option (did you mean "windowMs"?), got 5',
    );
    expect(message({ ...base, zzz: true })).toBe(
      "options.zzz is not a known option (known: algorithm, limit, windowMs, prefix, names, share, store, usage), got true",
    );
    expect(message({ ...base, algorithm: "gcr" })).toBe(
      'options.algorithm must be one of "gcra", "fixed-window", got "gcr"',
    );
    expect(message({ ...base, limit: 1.5 })).toBe("options.limit must be an integer, got 1.5");
    expect(message({ ...base, limit: 0 })).toBe("options.limit must be at least 1, got 0");
    expect(message({ ...base, windowMs: 5_000 })).toBe("options.windowMs must be at most 1000, got 5000");
    expect(message({ algorithm: "gcra", limit: 1 })).toBe("options.windowMs must be a number, got undefined");
    expect(message({ ...base, prefix: "api" })).toBe(
      'options.prefix must be one segment ending in ":", got "api"',
    );
    expect(message({ ...base, names: ["a", ""] })).toBe(
      'options.names[1] must be a non-empty string, got ""',
    );
    expect(message({ ...base, share: -1 })).toBe("options.share must be greater than 0, got -1");
    expect(message({ ...base, store: 3 })).toBe("options.store must be a ThrottleStore, got 3");
    expect(message({ ...base, usage: { "a:b": "x" } })).toBe(
      'options.usage["a:b"] must be a number, got "x"',
    );
    const error = catchEnisError(() => parseOptions(schema, { ...base, limit: 0 }, "options"));
    expect(error.field).toBe("options.limit");
    // The zod issues stay available to code that wants them.
    expect((error.cause as z.ZodError).issues[0]?.code).toBe("too_small");
  });

  it("parseOptions never freezes what the caller passed by reference", () => {
    const clock = {
      t: 0,
      nowMs() {
        return this.t;
      },
    };
    const schema = z.strictObject({ clock: z.custom<typeof clock>(() => true), ids: z.array(z.string()) });
    const parsed = parseOptions(schema, { clock, ids: ["a"] }, "options");
    expect(parsed.clock).toBe(clock);
    clock.t = 50;
    expect(parsed.clock.nowMs()).toBe(50);
    expect(Object.isFrozen(clock)).toBe(false);
    expect(Object.isFrozen(parsed)).toBe(true);
  });
});

describe("createRandom", () => {
  it("replays the same sequence for the same seed (pinned values)", () => {
    const random = createRandom(42);
    const values = Array.from({ length: 4 }, () => random.nextUint32());
    expect(createRandom(42).nextUint32()).toBe(values[0]);
    // Pinned so that a change of algorithm, or of platform arithmetic, is caught.
    expect(values).toMatchInlineSnapshot(`
      [
        660444221,
        3652823732,
        77672526,
        910233633,
      ]
    `);
  });

  it("resumes from a saved state, after Gaussian draws too", () => {
    const random = createRandom(7);
    random.next();
    random.nextGaussian();
    const resumed = createRandom({ state: random.state() });
    expect([resumed.nextGaussian(), resumed.next()]).toEqual([random.nextGaussian(), random.next()]);
  });

  it("gives floats in [0, 1) and unbiased bounded integers", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, bound) => {
        const random = createRandom(seed);
        for (let i = 0; i < 50; i++) {
          const x = random.next();
          const k = random.nextInt(bound);
          if (!(x >= 0 && x < 1) || !Number.isInteger(k) || k < 0 || k >= bound) return false;
        }
        return true;
      }),
      { seed: 1, numRuns: 200 },
    );
    const random = createRandom(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[random.nextInt(6)]++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(400);
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < 20_000; i++) {
      const g = random.nextGaussian();
      sum += g;
      squares += g * g;
    }
    expect(Math.abs(sum / 20_000)).toBeLessThan(0.03);
    expect(Math.abs(squares / 20_000 - 1)).toBeLessThan(0.05);
  });

  it("rejects bad seeds", () => {
    for (const seed of [Number.NaN, 1.5, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(catchEnisError(() => createRandom(seed)).code).toBe("INVALID_OPTIONS");
    }
    expect(catchEnisError(() => createRandom({ state: [0, 1, 2] as never })).field).toBe("seed.state");
    // A sparse array: its holes must not read as zeros.
    expect(catchEnisError(() => createRandom({ state: new Array(4) as never })).field).toBe("seed.state");
    expect(catchEnisError(() => createRandom(1).nextInt(0)).field).toBe("maxExclusive");
  });
});

describe("createManualClock", () => {
  it("moves only when told and never backwards", () => {
    const clock = createManualClock(1_000);
    clock.advance(5);
    expect(clock.nowMs()).toBe(1_005);
    clock.set(2_000);
    expect(clock.nowMs()).toBe(2_000);
    expect(catchEnisError(() => clock.set(1)).code).toBe("INVALID_OPTIONS");
    expect(catchEnisError(() => clock.advance(-1)).field).toBe("deltaMs");
    expect(catchEnisError(() => clock.advance(Number.NaN)).field).toBe("deltaMs");
    const far = createManualClock(Number.MAX_VALUE);
    expect(catchEnisError(() => far.advance(Number.MAX_VALUE)).field).toBe("deltaMs");
    expect(far.nowMs()).toBe(Number.MAX_VALUE);
  });

  it("fires its timers as it advances, in due order, each at its own time", () => {
    const clock = createManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.nowMs()}`), 20);
    const cleared = clock.setTimeout(() => fired.push("never"), 5);
    clock.setTimeout(() => {
      fired.push(`a@${clock.nowMs()}`);
      // A timer set by a callback fires in the same advance when it falls due within it.
      clock.setTimeout(() => fired.push(`c@${clock.nowMs()}`), 15);
    }, 10);
    clock.setTimeout(() => fired.push(`d@${clock.nowMs()}`), 20);
    clock.clearTimeout(cleared);
    expect(clock.pendingTimers).toBe(3);
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(16);
    // b and d fall due together and fire in the order they were set; c (due 25) then.
    expect(fired).toEqual(["a@10", "b@20", "d@20", "c@25"]);
    expect(clock.nowMs()).toBe(25);
    expect(clock.pendingTimers).toBe(0);
    expect(catchEnisError(() => clock.setTimeout(() => {}, -1)).field).toBe("delayMs");
  });
});

describe("assertInteger", () => {
  it("admits integers inside its bounds and nothing when a bound is NaN", () => {
    expect(() => assertInteger(5, "n", 0, 10)).not.toThrow();
    for (const value of [-1, 11, 2.5, Number.NaN, "5"]) {
      expect(catchEnisError(() => assertInteger(value, "n", 0, 10)).field).toBe("n");
    }
    expect(catchEnisError(() => assertInteger(5, "n", Number.NaN)).message).toContain("NaN");
    expect(catchEnisError(() => assertInteger(5, "n", 0, Number.NaN)).field).toBe("n");
  });
});

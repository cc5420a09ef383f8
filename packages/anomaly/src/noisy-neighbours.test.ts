import { createRandom } from "@enis/core";
import { graduatedThrottle, type ThrottleSeverity } from "@enis/throttle";
import { describe, expect, it } from "vitest";
import { codeOf } from "../../../test-support/enis-error.js";
import { detectNoisyNeighbours, type UsageSample } from "./noisy-neighbours.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STEP = 5 * 60_000;
// The window is the hour 02:00–03:00 of day 8; history is the same hour on days 1–7.
const NOW = 8 * DAY + 3 * HOUR;
const WINDOW = HOUR;

interface Abuse {
  readonly tenantId: string;
  /** Multiplies cpu and network in [from, to) of each matching day. */
  readonly factor: number;
  /** True: every day at 02:00–03:00 (a daily batch); false: only in the current window. */
  readonly daily: boolean;
}

/** Eight days of 5-minute samples for `tenants` ordinary tenants with a daily pattern, plus abusers. */
function platform(tenants: number, abuses: readonly Abuse[] = [], seed = 1): UsageSample[] {
  const random = createRandom(seed);
  const samples: UsageSample[] = [];
  const ids = [
    ...Array.from({ length: tenants }, (_, i) => `t${String(i).padStart(2, "0")}`),
    ...abuses.map((a) => a.tenantId),
  ];
  for (const tenantId of ids) {
    const base = 0.5 + random.next();
    const abuse = abuses.find((a) => a.tenantId === tenantId);
    for (let t = 0; t < NOW + 2 * HOUR; t += STEP) {
      const hour = (t % DAY) / HOUR;
      const daily = 1 + 0.3 * Math.sin((2 * Math.PI * hour) / 24);
      const noise = () => 1 + 0.1 * (random.next() - 0.5);
      const inBatch = hour >= 2 && hour < 3;
      const boosted = abuse !== undefined && inBatch && (abuse.daily || (t >= NOW - WINDOW && t < NOW));
      const factor = boosted ? abuse.factor : 1;
      samples.push({
        tenantId,
        timestampMs: t,
        cpu: base * daily * noise() * factor,
        memory: 2 * base * noise(),
        network: 10 * base * daily * noise() * factor,
        requests: Math.round(100 * base * daily * noise()),
      });
    }
  }
  return samples;
}

const options = { windowMs: WINDOW, nowMs: NOW, contamination: 0.05 } as const;

describe("detectNoisyNeighbours", () => {
  it("flags a clear noisy tenant among 30 ordinary ones as severe, explained by cpu and network", () => {
    const report = detectNoisyNeighbours(
      platform(30, [{ tenantId: "noisy", factor: 8, daily: false }]),
      options,
    );
    expect(report.outcome).toBe("ok");
    expect(report.tenantsScored).toBe(31);
    expect(report.flagged.map((t) => t.tenantId)).toEqual(["noisy"]);
    const noisy = report.flagged[0]!;
    expect(noisy.severity).toBe("severe");
    // The severity goes straight into @enis/throttle's graduated throttle (the types are the same).
    const severity: ThrottleSeverity = noisy.severity;
    expect(
      graduatedThrottle({ severity, tier: "zero", appliedAtMs: 0, durationMs: 60_000, nowMs: 0 }).factor,
    ).toBe(0.5);
    expect(noisy.score).toBeGreaterThan(0.5);
    expect(noisy.score).toBeLessThanOrEqual(1);
    expect(noisy.historyWindows).toBe(7);
    expect(noisy.aggregates.samples).toBe(12);
    expect(noisy.aggregates.cpuMean).toBeGreaterThan(3);
    expect(noisy.aggregates.requestsSum).toBeGreaterThan(0);
    const explaining = noisy.explanation.map((d) => d.feature);
    expect(explaining.length).toBeGreaterThan(0);
    // The abuse multiplies cpu and network (and so their spread); memory and requests are ordinary.
    for (const feature of explaining) expect(feature).toMatch(/^(cpu|network)/);
    expect(explaining.some((feature) => feature === "cpuMean" || feature === "networkMean")).toBe(true);
    for (const d of noisy.explanation) {
      expect(d.neighbourZ).toBeGreaterThanOrEqual(3);
      expect(d.historyZ).toBeGreaterThanOrEqual(3);
    }
  });

  it("does not flag a tenant whose high usage is its own daily pattern", () => {
    const samples = platform(30, [
      { tenantId: "batch", factor: 8, daily: true },
      { tenantId: "noisy", factor: 8, daily: false },
    ]);
    const report = detectNoisyNeighbours(samples, options);
    expect(report.flagged.map((t) => t.tenantId)).toEqual(["noisy"]);
    // Without history the batch tenant looks just as abusive as the noisy one.
    const blind = detectNoisyNeighbours(samples, { ...options, history: { periods: 0 } });
    expect(blind.flagged.map((t) => t.tenantId).sort()).toEqual(["batch", "noisy"]);
    expect(
      blind.flagged.every((t) => t.historyWindows === 0 && t.explanation.every((d) => d.historyZ === null)),
    ).toBe(true);
  });

  it("maps a milder excess to a milder severity", () => {
    // By level: tenants differ in size, so a 2.2x excess is a few robust z-scores, not dozens.
    const report = detectNoisyNeighbours(platform(30, [{ tenantId: "noisy", factor: 2.2, daily: false }]), {
      ...options,
      neighbourBasis: "level",
      features: ["cpuMean", "networkMean"],
    });
    const noisy = report.flagged.find((t) => t.tenantId === "noisy");
    expect(noisy).toBeDefined();
    expect(noisy!.severity).not.toBe("severe");
    expect(Object.keys(noisy!.aggregates).sort()).toEqual(["cpuMean", "networkMean", "samples"]);
  });

  it("reports too few tenants, an empty window and missing metrics as outcomes", () => {
    const few = detectNoisyNeighbours(platform(5, [{ tenantId: "noisy", factor: 8, daily: false }]), options);
    expect(few).toEqual({ outcome: "too-few-tenants", flagged: [], tenantsScored: 6, excluded: [] });
    expect(detectNoisyNeighbours(platform(5), { ...options, minTenants: 2 }).outcome).toBe("ok");

    const empty = detectNoisyNeighbours(platform(30), { ...options, nowMs: 100 * DAY });
    expect(empty).toEqual({ outcome: "empty-window", flagged: [], tenantsScored: 0, excluded: [] });
    expect(detectNoisyNeighbours([], options).outcome).toBe("empty-window");

    const samples = platform(30, [{ tenantId: "noisy", factor: 8, daily: false }]).map((s) =>
      s.tenantId === "t03" && s.timestampMs === NOW - STEP ? { ...s, memory: null } : s,
    );
    const report = detectNoisyNeighbours(samples, options);
    expect(report.excluded).toEqual([{ tenantId: "t03", reason: "missing-metrics", metrics: ["memory"] }]);
    expect(report.tenantsScored).toBe(30);
    expect(report.flagged.map((t) => t.tenantId)).toEqual(["noisy"]);
    // Features that do not need memory still score t03.
    const cpuOnly = detectNoisyNeighbours(samples, { ...options, features: ["cpuMean", "cpuMax"] });
    expect(cpuOnly.excluded).toEqual([]);
    expect(cpuOnly.tenantsScored).toBe(31);
  });

  it("is deterministic for a seed", () => {
    const samples = platform(30, [{ tenantId: "noisy", factor: 3, daily: false }], 9);
    const a = detectNoisyNeighbours(samples, { ...options, seed: 4 });
    const b = detectNoisyNeighbours([...samples].reverse(), { ...options, seed: 4 });
    expect(b).toEqual(a);
  });

  it("rejects bad input with INVALID_OPTIONS naming the field", () => {
    const samples = platform(8);
    expect(codeOf(() => detectNoisyNeighbours(samples, { ...options, windowMs: 0 }))).toEqual([
      "INVALID_OPTIONS",
      "options.windowMs",
    ]);
    expect(codeOf(() => detectNoisyNeighbours(samples, { ...options, contamination: 0.6 }))).toEqual([
      "INVALID_OPTIONS",
      "options.contamination",
    ]);
    expect(codeOf(() => detectNoisyNeighbours(samples, { ...options, contamination: 0 }))).toEqual([
      "INVALID_OPTIONS",
      "options.contamination",
    ]);
    expect(codeOf(() => detectNoisyNeighbours(samples, { ...options, nowMs: Number.NaN }))).toEqual([
      "INVALID_OPTIONS",
      "options.nowMs",
    ]);
    expect(codeOf(() => detectNoisyNeighbours(samples, { ...options, features: [] }))).toEqual([
      "INVALID_OPTIONS",
      "options.features",
    ]);
    const bad = [...samples];
    bad[3] = { ...samples[3]!, cpu: Number.NaN };
    expect(codeOf(() => detectNoisyNeighbours(bad, options))).toEqual(["INVALID_OPTIONS", "usage[3].cpu"]);
    bad[3] = { ...samples[3]!, timestampMs: Number.NaN };
    expect(codeOf(() => detectNoisyNeighbours(bad, options))).toEqual([
      "INVALID_OPTIONS",
      "usage[3].timestampMs",
    ]);
    expect(codeOf(() => detectNoisyNeighbours("x" as never, options))).toEqual(["INVALID_OPTIONS", "usage"]);
  });
});

interface SizedTenant {
  readonly tenantId: string;
  /** Average CPU; memory, network and requests scale with it. */
  readonly size: number;
  /** Multiplies cpu and network in the current window (all of it, or only `burstSamples` samples). */
  readonly factor?: number;
  /** When set, only this many samples at the end of the current window carry `factor`. */
  readonly burstSamples?: number;
  /** True: the tenant has samples in the current window only (a new tenant). */
  readonly newcomer?: boolean;
}

/** Eight days of 5-minute samples of tenants of very different sizes, with a daily pattern. */
function sizedPlatform(tenants: readonly SizedTenant[], shared = 1, seed = 3): UsageSample[] {
  const random = createRandom(seed);
  const samples: UsageSample[] = [];
  for (const tenant of tenants) {
    for (let t = tenant.newcomer ? NOW - WINDOW : 0; t < NOW; t += STEP) {
      const hour = (t % DAY) / HOUR;
      const daily = 1 + 0.3 * Math.sin((2 * Math.PI * hour) / 24);
      const noise = () => 1 + 0.1 * (random.next() - 0.5);
      const current = t >= NOW - WINDOW;
      const boosted = current && (tenant.burstSamples === undefined || t >= NOW - tenant.burstSamples * STEP);
      const factor = (current ? shared : 1) * (boosted ? (tenant.factor ?? 1) : 1);
      samples.push({
        tenantId: tenant.tenantId,
        timestampMs: t,
        cpu: tenant.size * daily * noise() * factor,
        memory: 2 * tenant.size * noise(),
        network: 10 * tenant.size * daily * noise() * factor,
        requests: Math.round(100 * tenant.size * daily * noise()),
      });
    }
  }
  return samples;
}

/** 40 ordinary tenants from 0.1 to 100 CPUs (log-spaced). */
const spread: SizedTenant[] = Array.from({ length: 40 }, (_, i) => ({
  tenantId: `s${String(i).padStart(2, "0")}`,
  size: 10 ** (-1 + (3 * i) / 39),
}));

describe("detectNoisyNeighbours neighbourBasis", () => {
  const change = { ...options, neighbourBasis: "change" } as const;

  it('"change" flags a small tenant\'s surge that "level" cannot see, and not a large tenant at its usual level', () => {
    const samples = sizedPlatform([
      ...spread,
      { tenantId: "small", size: 0.2, factor: 6 },
      { tenantId: "large", size: 500 },
    ]);
    const byChange = detectNoisyNeighbours(samples, change);
    expect(byChange.flagged.map((t) => t.tenantId)).toEqual(["small"]);
    const small = byChange.flagged[0]!;
    expect(small.historyWindows).toBe(7);
    expect(small.explanation.map((d) => d.feature)).toContain("cpuMean");
    for (const d of small.explanation) {
      expect(d.neighbourZ).toBeGreaterThanOrEqual(3);
      expect(d.historyZ).toBeGreaterThanOrEqual(3);
    }
    // By level, the small tenant at 6x is still below the median tenant: not noisy among neighbours.
    const byLevel = detectNoisyNeighbours(samples, { ...options, neighbourBasis: "level" });
    expect(byLevel.flagged.map((t) => t.tenantId)).not.toContain("small");
  });

  it('"change" does not flag a change the whole platform shares, but still flags an abuser on top of it', () => {
    const everyone = sizedPlatform(spread, 2);
    expect(detectNoisyNeighbours(everyone, change).flagged).toEqual([]);
    const withAbuser = sizedPlatform([...spread, { tenantId: "noisy", size: 3, factor: 8 }], 2);
    expect(detectNoisyNeighbours(withAbuser, change).flagged.map((t) => t.tenantId)).toEqual(["noisy"]);
  });

  it('"change" judges a tenant without history by level', () => {
    const samples = sizedPlatform([...spread, { tenantId: "new", size: 2_000, newcomer: true }]);
    const report = detectNoisyNeighbours(samples, change);
    expect(report.flagged.map((t) => t.tenantId)).toEqual(["new"]);
    expect(report.flagged[0]!.historyWindows).toBe(0);
    expect(report.flagged[0]!.explanation.every((d) => d.historyZ === null)).toBe(true);
  });
});

describe("detectNoisyNeighbours requireSustained", () => {
  const samples = sizedPlatform([
    ...spread,
    { tenantId: "burst", size: 3, factor: 20, burstSamples: 1 },
    { tenantId: "noisy", size: 3, factor: 8 },
  ]);

  it("does not flag one short burst, which flags without it", () => {
    const loose = detectNoisyNeighbours(samples, {
      ...options,
      neighbourBasis: "change",
      requireSustained: false,
    });
    expect(loose.flagged.map((t) => t.tenantId).sort()).toEqual(["burst", "noisy"]);
    const strict = detectNoisyNeighbours(samples, {
      ...options,
      neighbourBasis: "change",
      requireSustained: true,
    });
    expect(strict.flagged.map((t) => t.tenantId)).toEqual(["noisy"]);
    // The same holds by level.
    const byLevel = detectNoisyNeighbours(samples, {
      ...options,
      neighbourBasis: "level",
      requireSustained: true,
    });
    expect(byLevel.flagged.map((t) => t.tenantId)).not.toContain("burst");
  });

  it("has no effect when no mean or sum is among the features", () => {
    const features = ["cpuMax", "networkMax"] as const;
    const a = detectNoisyNeighbours(samples, { ...options, neighbourBasis: "change", features });
    const b = detectNoisyNeighbours(samples, {
      ...options,
      neighbourBasis: "change",
      features,
      requireSustained: true,
    });
    expect(b).toEqual(a);
    expect(a.flagged.map((t) => t.tenantId)).toContain("burst");
  });

  it("rejects bad values with INVALID_OPTIONS naming the field", () => {
    expect(
      codeOf(() => detectNoisyNeighbours(samples, { ...options, neighbourBasis: "both" as never })),
    ).toEqual(["INVALID_OPTIONS", "options.neighbourBasis"]);
    expect(
      codeOf(() => detectNoisyNeighbours(samples, { ...options, requireSustained: 1 as never })),
    ).toEqual(["INVALID_OPTIONS", "options.requireSustained"]);
  });
});

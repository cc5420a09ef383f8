import type { UsageSample } from "@enis/anomaly";
import { invalidField } from "@enis/core/validate";

/*
 * A seeded generator of multi-tenant usage for the noisy-neighbour benchmark and the demo.
 *
 * Tenants span three orders of magnitude in size (0.1 to 100 cores on average), each with its own
 * daily pattern: interactive tenants peak in the afternoon of their region (Europe, America or
 * Asia, so peaks are spread over the UTC day) and are quieter at weekends; night-batch tenants are
 * quiet by day and run a heavy batch job of a few hours every night, weekends included. Every
 * metric has per-tenant multiplicative noise, occasional legitimate one-sample bursts and a mild
 * organic growth or decline. Samples cover the 7 days before the last day plus the last day up to
 * `nowMs`, so a detector can compare the final window with the same hours on the 7 previous days.
 *
 * Abusers of four kinds are injected at the end only (their own history is ordinary):
 * - `cpu-spike`: CPU ×4 to ×10 for 20 to 45 minutes of the final window;
 * - `slow-ramp`: CPU rising linearly over the last 4 to 8 hours, to ×2.5 to ×4 at `nowMs`;
 * - `request-flood`: requests ×5 to ×20, network ×2 to ×5 and CPU ×1.3 to ×2 from some minute of
 *   the final window to its end;
 * - `memory-leak`: memory climbing linearly over the last 6 to 24 hours, to ×1.5 to ×3 at `nowMs`.
 * Abusers are drawn among the interactive tenants, of every size. Legitimate tenants that look
 * unusual are labelled too: `large` (the biggest 3 % of the non-abusers: far above the neighbours,
 * every day) and `night-batch` (a batch job that runs through the final window, as it does every
 * night: far above its own daytime level and above most neighbours).
 *
 * The random numbers come from mulberry32, a small PRNG of its own, so the data does not depend on
 * (or correlate with) the generator the detector under test uses.
 */

/** The kinds of injected abuse. */
export type AbuseKind = "cpu-spike" | "slow-ramp" | "request-flood" | "memory-leak";

/** Every abuse kind, in a fixed order. */
export const abuseKinds: readonly AbuseKind[] = Object.freeze([
  "cpu-spike",
  "slow-ramp",
  "request-flood",
  "memory-leak",
]);

/**
 * A tenant's role in the ground truth: an abuse kind, or a legitimate tenant — `large` and
 * `night-batch` are the legitimate ones that look unusual, `ordinary` is everyone else.
 */
export type TenantRole = AbuseKind | "large" | "night-batch" | "ordinary";

/** Options of {@link generateMultiTenantUsage}. */
export interface MultiTenantUsageOptions {
  /** Seed of the generator (any 32-bit integer); the same seed gives the same data. */
  readonly seed: number;
  /** Number of tenants, an integer ≥ 20. @default 300 */
  readonly tenants?: number;
  /** Abusers of each kind, integers ≥ 0. @default 4 of each (16 of 300 tenants, 5.3 %) */
  readonly abusers?: Partial<Readonly<Record<AbuseKind, number>>>;
  /** Share of night-batch tenants, in [0, 0.5]; half of them run through the final window. @default 0.1 */
  readonly nightBatchShare?: number;
  /** Sampling step, in milliseconds, dividing an hour (60,000 or 300,000). @default 300_000 */
  readonly stepMs?: number;
  /** Length of the final window the abuse is injected into, in milliseconds. @default 3_600_000 */
  readonly windowMs?: number;
  /** Hour of the UTC day, 1 to 24, at which the last day ends (`nowMs`). @default 3 */
  readonly nowHour?: number;
  /** Midnight UTC of the first day, in milliseconds since the epoch. @default Monday 2 November 2026 */
  readonly startMs?: number;
}

/** One tenant of the ground truth. */
export interface TenantTruth {
  /** The tenant id used in the samples. */
  readonly tenantId: string;
  /** What the tenant is. */
  readonly role: TenantRole;
  /** Its average CPU use before any abuse, in cores (0.1 to 100). */
  readonly sizeCores: number;
}

/** The generated platform: samples, the final window and the ground truth. */
export interface MultiTenantUsage {
  /** Every sample, tenant by tenant, oldest first within a tenant. */
  readonly samples: UsageSample[];
  /** End of the final window (exclusive) and of the data. */
  readonly nowMs: number;
  /** Length of the final window. */
  readonly windowMs: number;
  /** Every tenant, in id order. */
  readonly tenants: readonly TenantTruth[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** mulberry32: a 32-bit seeded PRNG returning uniform numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function positiveInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw invalidField(`options.${name}`, value, `an integer >= ${min}`);
  return value;
}

interface Profile {
  readonly tenantId: string;
  role: TenantRole;
  readonly sizeCores: number;
  readonly batch: { readonly startHour: number; readonly hours: number; readonly factor: number } | null;
  readonly peakHour: number;
  readonly amplitude: number;
  readonly weekendFactor: number;
  readonly growthPerDay: number;
  readonly noise: number;
  readonly memoryPerCore: number;
  readonly networkPerCore: number;
  readonly requestsPerCoreHour: number;
  abuse: Abuse | null;
}

interface Abuse {
  readonly kind: AbuseKind;
  /** When the abuse starts and (spikes) ends. */
  readonly fromMs: number;
  readonly toMs: number;
  /** The multiplier reached (ramps, leaks) or held (spikes, floods). */
  readonly factor: number;
  readonly networkFactor: number;
  readonly cpuFactor: number;
}

/**
 * Generates seeded multi-tenant usage: ordinary, large and night-batch tenants with daily and
 * weekly patterns, and abusers of the four {@link AbuseKind}s injected into the final window
 * [nowMs − windowMs, nowMs), with the ground truth. Throws `EnisError` `INVALID_OPTIONS` naming a bad option.
 */
export function generateMultiTenantUsage(options: MultiTenantUsageOptions): MultiTenantUsage {
  const tenantCount = positiveInteger("tenants", options.tenants ?? 300, 20);
  const stepMs = positiveInteger("stepMs", options.stepMs ?? 5 * MINUTE, MINUTE);
  if (HOUR % stepMs !== 0) throw invalidField("options.stepMs", stepMs, "a divisor of an hour");
  const windowMs = positiveInteger("windowMs", options.windowMs ?? HOUR, stepMs);
  const nowHour = positiveInteger("nowHour", options.nowHour ?? 3, 1);
  if (nowHour > 24) throw invalidField("options.nowHour", nowHour, "an integer from 1 to 24");
  const nightBatchShare = options.nightBatchShare ?? 0.1;
  if (!(nightBatchShare >= 0 && nightBatchShare <= 0.5))
    throw invalidField("options.nightBatchShare", nightBatchShare, "a number in [0, 0.5]");
  const startMs = options.startMs ?? Date.UTC(2026, 10, 2);
  const abuserCounts = abuseKinds.map((kind) =>
    positiveInteger(`abusers.${kind}`, options.abusers?.[kind] ?? 4, 0),
  );
  const random = mulberry32(options.seed);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
  const gaussian = () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const nowMs = startMs + 7 * DAY + nowHour * HOUR;
  const windowStartMs = nowMs - windowMs;
  const nowHourOfDay = nowHour % 24;

  const batchCount = Math.round(tenantCount * nightBatchShare);
  const abuserTotal = abuserCounts.reduce((a, b) => a + b, 0);
  if (abuserTotal > tenantCount - batchCount)
    throw invalidField(
      "options.abusers",
      abuserTotal,
      `at most the interactive tenants (${tenantCount - batchCount}) in all`,
    );

  const width = String(tenantCount - 1).length;
  const profiles: Profile[] = [];
  for (let i = 0; i < tenantCount; i++) {
    const tenantId = `tenant-${String(i).padStart(width, "0")}`;
    const sizeCores = 10 ** uniform(-1, 2);
    const isBatch = i < batchCount;
    let batch: Profile["batch"] = null;
    if (isBatch) {
      const hours = Math.floor(uniform(2, 5));
      // Half the batch tenants run through the final window (a legitimate peak at that hour); the
      // others run at some other hour of the night, 22:00 to 05:00 UTC.
      const throughWindow = i % 2 === 0;
      const startHour = throughWindow
        ? (nowHourOfDay - 1 - Math.floor(uniform(0, hours - 1)) + 24) % 24
        : (22 + Math.floor(uniform(0, 8))) % 24;
      batch = { startHour, hours, factor: uniform(3, 8) };
    }
    // Interactive tenants peak in their region's afternoon: Europe ~14:00, America ~20:00, Asia ~06:00 UTC.
    const region = Math.floor(uniform(0, 3));
    profiles.push({
      tenantId,
      role: isBatch ? "night-batch" : "ordinary",
      sizeCores,
      batch,
      peakHour: ([14, 20, 6][region] as number) + uniform(-2, 2),
      amplitude: uniform(0.2, 0.7),
      weekendFactor: isBatch ? 1 : uniform(0.4, 0.9),
      growthPerDay: uniform(-0.01, 0.02),
      noise: uniform(0.05, 0.2),
      memoryPerCore: uniform(1, 4),
      networkPerCore: uniform(0.5, 5),
      requestsPerCoreHour: uniform(2_000, 30_000),
      abuse: null,
    });
  }

  // Abusers: drawn among the interactive tenants (a shuffled order), kind by kind.
  const interactive = profiles.filter((p) => p.batch === null);
  for (let i = interactive.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [interactive[i], interactive[j]] = [interactive[j] as Profile, interactive[i] as Profile];
  }
  let next = 0;
  abuseKinds.forEach((kind, k) => {
    for (let n = 0; n < (abuserCounts[k] as number); n++) {
      const profile = interactive[next++] as Profile;
      profile.role = kind;
      profile.abuse = drawAbuse(kind, nowMs, windowStartMs, windowMs, stepMs, uniform);
    }
  });
  // Large: the biggest 3 % of the legitimate interactive tenants.
  const legit = profiles.filter((p) => p.role === "ordinary").sort((a, b) => b.sizeCores - a.sizeCores);
  for (const profile of legit.slice(0, Math.max(1, Math.round(tenantCount * 0.03)))) profile.role = "large";

  const samples: UsageSample[] = [];
  for (const p of profiles) {
    for (let t = startMs; t < nowMs; t += stepMs) {
      const hour = ((t - startMs) % DAY) / HOUR;
      const day = Math.floor((t - startMs) / DAY);
      const weekend = day % 7 === 5 || day % 7 === 6; // the first day is a Monday
      const diurnal = 1 + p.amplitude * Math.cos((2 * Math.PI * (hour - p.peakHour)) / 24);
      const trend = 1 + p.growthPerDay * ((t - startMs) / DAY);
      const dayFactor = weekend ? p.weekendFactor : 1;
      // Requests follow the users; CPU and network also follow the batch job.
      let work = diurnal * dayFactor;
      if (p.batch !== null) {
        const sinceStart = (hour - p.batch.startHour + 24) % 24;
        work = sinceStart < p.batch.hours ? p.batch.factor : 0.3 + 0.2 * diurnal;
      }
      const users = p.batch === null ? work : 0.3 + 0.2 * diurnal;
      const burst = random() < 0.005 ? uniform(1.5, 3) : 1;
      const noise = () => Math.exp(p.noise * gaussian() - (p.noise * p.noise) / 2);
      let cpu = p.sizeCores * trend * work * noise() * burst;
      let network = p.sizeCores * p.networkPerCore * trend * work * noise() * burst;
      let requests = p.sizeCores * p.requestsPerCoreHour * (stepMs / HOUR) * trend * users * noise();
      let memory = p.sizeCores * p.memoryPerCore * trend * (0.85 + 0.15 * work) * Math.exp(0.03 * gaussian());
      const abuse = p.abuse;
      if (abuse !== null && t >= abuse.fromMs && t < abuse.toMs) {
        const progress = (t - abuse.fromMs) / (nowMs - abuse.fromMs);
        switch (abuse.kind) {
          case "cpu-spike":
            cpu *= abuse.factor;
            break;
          case "slow-ramp":
            cpu *= 1 + (abuse.factor - 1) * progress;
            break;
          case "request-flood":
            requests *= abuse.factor;
            network *= abuse.networkFactor;
            cpu *= abuse.cpuFactor;
            break;
          case "memory-leak":
            memory *= 1 + (abuse.factor - 1) * progress;
            break;
        }
      }
      samples.push({
        tenantId: p.tenantId,
        timestampMs: t,
        cpu: round(cpu),
        memory: round(memory),
        network: round(network),
        requests: Math.round(requests),
      });
    }
  }
  const tenants = profiles.map(({ tenantId, role, sizeCores }) => ({
    tenantId,
    role,
    sizeCores: round(sizeCores),
  }));
  return { samples, nowMs, windowMs, tenants };
}

function drawAbuse(
  kind: AbuseKind,
  nowMs: number,
  windowStartMs: number,
  windowMs: number,
  stepMs: number,
  uniform: (lo: number, hi: number) => number,
): Abuse {
  const onStep = (ms: number) => Math.round(ms / stepMs) * stepMs;
  switch (kind) {
    case "cpu-spike": {
      const lengthMs = Math.min(windowMs, onStep(uniform(20, 45) * MINUTE));
      const fromMs = windowStartMs + onStep(uniform(0, windowMs - lengthMs));
      return {
        kind,
        fromMs,
        toMs: fromMs + lengthMs,
        factor: uniform(4, 10),
        networkFactor: 1,
        cpuFactor: 1,
      };
    }
    case "slow-ramp":
      return {
        kind,
        fromMs: nowMs - onStep(uniform(4, 8) * HOUR),
        toMs: nowMs,
        factor: uniform(2.5, 4),
        networkFactor: 1,
        cpuFactor: 1,
      };
    case "request-flood": {
      const fromMs = windowStartMs + onStep(uniform(0, 0.6) * windowMs);
      return {
        kind,
        fromMs,
        toMs: nowMs,
        factor: uniform(5, 20),
        networkFactor: uniform(2, 5),
        cpuFactor: uniform(1.3, 2),
      };
    }
    case "memory-leak":
      return {
        kind,
        fromMs: nowMs - onStep(uniform(6, 24) * HOUR),
        toMs: nowMs,
        factor: uniform(1.5, 3),
        networkFactor: 1,
        cpuFactor: 1,
      };
  }
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

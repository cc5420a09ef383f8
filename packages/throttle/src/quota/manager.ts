import {
  assertArray,
  assertId,
  assertKnownKeys,
  assertObject,
  invalidField,
  parseOptions,
} from "@enis/core/validate";
import { z } from "zod";
import { algorithmNames } from "../algorithms/index.js";
import { createMemoryStore } from "../memory-store.js";
import {
  type ApplyOptions,
  assertTime,
  type EntryMemo,
  type InProcessBatch,
  type InProcessStore,
  inProcessBatch,
  maxWindowMs,
  type StoreRule,
  storeSchema,
} from "../store.js";
import { decideCheck, nothingLimited, type PreparedCheck } from "./decision.js";
import { subjectUnder } from "./keys.js";
import { createPlanCache, type LimitMeta, rateTerms } from "./plan.js";
import type {
  InProcessQuotaManager,
  LevelLimits,
  QuotaCheckOptions,
  QuotaDecision,
  QuotaLease,
  QuotaLevel,
  QuotaManager,
  QuotaManagerOptions,
  QuotaPath,
} from "./types.js";

/*
 * Hierarchical, multi-dimensional quotas (seed 001, quota_manager): rate dimensions (requests per
 * minute and per day, agent executions per hour, API calls) and gauge dimensions (CPU millicores,
 * memory, storage, concurrent executions), at the organisation, team and user levels, where the
 * most restrictive wins (Kubernetes HNC: "the most restrictive quota always wins"). One check is
 * one store batch: every dimension at every level is spent, or — if any refuses — none is
 * (rate-limiter-flexible #280 spends the levels that allowed). Keys (keys.ts), the cached check
 * plans (plan.ts) and the decision (decision.ts) have files of their own.
 */

const integer = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const limitSchema = z
  .strictObject({ hard: integer, soft: integer.optional(), burst: integer.min(1).optional() })
  .refine((limit) => limit.soft === undefined || limit.soft <= limit.hard, {
    message: "at most the hard limit",
    path: ["soft"],
  });
const dimensionName = z.string().min(1).max(256);
const levelSchema = z.record(dimensionName, limitSchema);
const optionsSchema = z.strictObject({
  dimensions: z.record(
    dimensionName,
    z.discriminatedUnion("kind", [
      z.strictObject({
        kind: z.literal("rate"),
        windowMs: z.number().int().min(1).max(maxWindowMs),
        algorithm: z.enum(algorithmNames).optional(),
      }),
      z.strictObject({ kind: z.literal("gauge"), leaseTtlMs: z.number().int().min(1).max(maxWindowMs) }),
    ]),
  ),
  limits: z.strictObject({
    org: levelSchema.optional(),
    team: levelSchema.optional(),
    user: levelSchema.optional(),
  }),
  store: storeSchema.optional(),
  prefix: z
    .string()
    .max(256)
    .regex(/^[^:{}]+:$/, 'one segment ending in ":" (without "{" or "}")')
    .optional(),
  createLeaseId: z
    .custom<() => string>((value: unknown) => typeof value === "function", "a function")
    .optional(),
  planCacheSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

const levels: readonly QuotaLevel[] = ["org", "team", "user"];
const checkOptionKeys: ReadonlySet<string> = new Set(["nowMs", "rate", "dryRun"]);
const releaseOptionKeys: ReadonlySet<string> = new Set(["nowMs"]);
const spendOptions: ApplyOptions = Object.freeze({});
const peekOptions: ApplyOptions = Object.freeze({ dryRun: true });
const noLimits: LevelLimits = Object.freeze({});

/**
 * Creates a hierarchical quota manager: org → team → user, rate and gauge dimensions, soft and
 * hard limits, burst, runtime limit changes, one atomic store batch per check. Over the memory
 * store (the default) it also checks synchronously (`checkSync`).
 *
 * @example
 * ```ts
 * const quotas = createQuotaManager({
 *   dimensions: { requestsPerMinute: { kind: "rate", windowMs: 60_000 }, cpuMillicores: { kind: "gauge", leaseTtlMs: 30_000 } },
 *   limits: { org: { requestsPerMinute: { hard: 1_000, soft: 800 } }, user: { requestsPerMinute: { hard: 60 }, cpuMillicores: { hard: 4_000 } } },
 * });
 * const decision = await quotas.check({ org: "acme", team: "data", user: "alice" }, { requestsPerMinute: 1, cpuMillicores: 2_000 });
 * ```
 */
export function createQuotaManager(
  options: QuotaManagerOptions & { readonly store?: InProcessStore | undefined },
): InProcessQuotaManager;
export function createQuotaManager(options: QuotaManagerOptions): QuotaManager;
export function createQuotaManager(options: QuotaManagerOptions): QuotaManager | InProcessQuotaManager {
  const resolved = parseOptions(optionsSchema, options, "options");
  for (const level of levels) {
    for (const dimension of Object.keys(resolved.limits[level] ?? {})) {
      if (!Object.hasOwn(resolved.dimensions, dimension)) {
        throw invalidField(
          `options.limits.${level}.${dimension}`,
          resolved.limits[level]![dimension],
          "a limit of a declared dimension",
        );
      }
    }
  }
  const dimensions = resolved.dimensions;
  const store = resolved.store ?? createMemoryStore();
  const prefix = resolved.prefix ?? "quota:";
  const createLeaseId = resolved.createLeaseId ?? (() => globalThis.crypto.randomUUID());
  const overrides = new Map<string, LevelLimits>();
  const dimensionNames = Object.keys(dimensions);
  const dimensionIndex = new Map(dimensionNames.map((name, index) => [name, index]));

  const limitsOfSubject = (subject: string, level: QuotaLevel): LevelLimits =>
    (overrides.size === 0 ? undefined : overrides.get(subject)) ?? resolved.limits[level] ?? noLimits;
  const plans = createPlanCache({
    dimensions,
    dimensionNames,
    prefix,
    maxNodes: resolved.planCacheSize ?? 32_768,
    limitsOf: limitsOfSubject,
  });

  /** The subject of the most specific level of `path` (`depth` levels). */
  const subjectOf = (path: QuotaPath, depth: number): string => {
    let subject = subjectUnder(prefix, undefined, "org", path.org);
    if (depth > 1) subject = subjectUnder(prefix, subject, "team", path.team!);
    if (depth > 2) subject = subjectUnder(prefix, subject, "user", path.user!);
    return subject;
  };

  /** Validates a check and builds its store batch (empty when nothing is limited). */
  const prepare = (
    path: QuotaPath,
    usage: Readonly<Record<string, number>>,
    checkOptions: QuotaCheckOptions,
  ): PreparedCheck => {
    const depth = depthOf(path);
    assertObject(usage, "usage");
    if (checkOptions !== spendOptions) {
      assertObject(checkOptions, "options");
      assertKnownKeys(checkOptions as Record<string, unknown>, checkOptionKeys, "options");
    }
    const rate = checkOptions.rate ?? 1;
    if (typeof rate !== "number" || !(rate > 0 && rate <= 1))
      throw invalidField("options.rate", rate, "a number in (0, 1]");
    const nowMs = checkOptions.nowMs;
    if (nowMs !== undefined) assertTime(nowMs, "options.nowMs");
    const dryRunOption: unknown = checkOptions.dryRun;
    if (dryRunOption !== undefined && typeof dryRunOption !== "boolean") {
      throw invalidField("options.dryRun", dryRunOption, "true or false");
    }
    const dryRun = dryRunOption === true;
    plans.trim();
    const orgNode = plans.node(undefined, path.org, "org");
    const teamNode = depth > 1 ? plans.node(orgNode, path.team!, "team") : undefined;
    const userNode = depth > 2 ? plans.node(teamNode, path.user!, "user") : undefined;
    const rules: StoreRule[] = [];
    const meta: LimitMeta[] = [];
    const memos: EntryMemo[] = [];
    const leases: QuotaLease[] = [];
    for (const dimension in usage) {
      // Own keys only: "toString" or "__proto__" must not reach Object.prototype.
      if (!Object.hasOwn(usage, dimension)) continue;
      const cost = usage[dimension];
      const index = dimensionIndex.get(dimension);
      if (index === undefined)
        throw invalidField(`usage.${dimension}`, cost, "the usage of a declared dimension");
      if (typeof cost !== "number" || !Number.isSafeInteger(cost) || cost < 0) {
        throw invalidField(`usage.${dimension}`, cost, "an integer >= 0");
      }
      if (cost === 0) continue;
      const spec = dimensions[dimension]!;
      for (let at = 0; at < depth; at++) {
        const node = at === 0 ? orgNode : at === 1 ? teamNode! : userNode!;
        const planned = plans.planned(node, index);
        if (planned === null) continue;
        const { key, limit, spec: unthrottled } = planned;
        // Every branch below pushes one rule on this key: the memos stay aligned with the rules.
        memos.push(planned);
        if (spec.kind === "rate") {
          if (rate === 1) {
            // A hard limit of 0 admits nothing: a spec needs a limit >= 1, so it is checked with
            // limit 1 and a cost above it, which every algorithm refuses.
            rules.push({
              kind: "rate",
              key,
              spec: unthrottled!,
              cost: limit.hard < 1 ? Number.MAX_SAFE_INTEGER : cost,
            });
            meta.push(planned);
            continue;
          }
          const terms = rateTerms(spec, limit, rate, planned.level, dimension);
          // Throttled below 1, a limit admits nothing (as a hard limit of 0 above).
          rules.push({
            kind: "rate",
            key,
            spec: terms.spec,
            cost: terms.meta.hard < 1 ? Number.MAX_SAFE_INTEGER : cost,
          });
          meta.push(terms.meta);
        } else {
          const hard = rate === 1 ? limit.hard : Math.floor(limit.hard * rate);
          const leaseId = createLeaseId();
          assertId(leaseId, "options.createLeaseId()");
          rules.push({ kind: "lease", key, limit: hard, cost, leaseId, ttlMs: spec.leaseTtlMs });
          meta.push(rate === 1 ? planned : { level: planned.level, dimension, limit, hard, capacity: hard });
          leases.push({ key, leaseId, cost });
        }
      }
    }
    const applyOptions: ApplyOptions =
      nowMs === undefined ? (dryRun ? peekOptions : spendOptions) : { nowMs, dryRun };
    return { rules, meta, memos, leases, rate, dryRun, applyOptions };
  };

  const manager: QuotaManager = {
    store,
    check: (path, usage, checkOptions = spendOptions) => {
      if (checkSync !== undefined) {
        // An in-process store answers now: one resolved promise, not an async chain.
        try {
          return Promise.resolve(checkSync(path, usage, checkOptions));
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return (async () => {
        const prepared = prepare(path, usage, checkOptions);
        if (prepared.rules.length === 0) return nothingLimited;
        return decideCheck(prepared, await store.apply(prepared.rules, prepared.applyOptions));
      })();
    },

    async release(decision, releaseOptions = {}) {
      assertObject(decision, "decision");
      assertObject(releaseOptions as unknown, "options");
      assertKnownKeys(releaseOptions as Record<string, unknown>, releaseOptionKeys, "options");
      if (releaseOptions.nowMs !== undefined) assertTime(releaseOptions.nowMs, "options.nowMs");
      if (decision.leases !== undefined) assertArray(decision.leases, "decision.leases");
      const leases = decision.leases ?? [];
      for (let index = 0; index < leases.length; index++) {
        const lease = leases[index];
        assertObject(lease as unknown, `decision.leases[${index}]`);
      }
      for (const lease of leases) {
        await store.release(
          lease.key,
          lease.leaseId,
          releaseOptions.nowMs === undefined ? {} : { nowMs: releaseOptions.nowMs },
        );
      }
    },

    setLimits(path, limits) {
      const depth = depthOf(path);
      const subject = subjectOf(path, depth);
      if (limits === undefined) {
        overrides.delete(subject);
        plans.forget();
        return;
      }
      const parsed = parseOptions(levelSchema, limits, "limits");
      for (const dimension of Object.keys(parsed)) {
        if (!Object.hasOwn(dimensions, dimension))
          throw invalidField(`limits.${dimension}`, parsed[dimension], "a limit of a declared dimension");
      }
      overrides.set(subject, parsed);
      plans.forget();
    },

    limitsOf(path) {
      const depth = depthOf(path);
      return limitsOfSubject(subjectOf(path, depth), levels[depth - 1]!);
    },
  };

  const applySync = (store as Partial<InProcessStore>).applySync?.bind(store);
  // The memory store's batch without re-validating rules built here from validated limits.
  const direct = (store as { [inProcessBatch]?: InProcessBatch })[inProcessBatch];
  const checkSync =
    applySync === undefined
      ? undefined
      : (
          path: QuotaPath,
          usage: Readonly<Record<string, number>>,
          checkOptions: QuotaCheckOptions = spendOptions,
        ): QuotaDecision => {
          const prepared = prepare(path, usage, checkOptions);
          if (prepared.rules.length === 0) return nothingLimited;
          return decideCheck(
            prepared,
            direct === undefined
              ? applySync(prepared.rules, prepared.applyOptions)
              : direct(prepared.rules, prepared.applyOptions.nowMs, prepared.dryRun, prepared.memos),
          );
        };
  if (checkSync === undefined) return manager;
  return Object.assign(manager, { checkSync }) as InProcessQuotaManager;
}

/** Validates `path` and returns its depth: 1 (org), 2 (org, team) or 3 (org, team, user). */
function depthOf(path: QuotaPath): number {
  assertObject(path, "path");
  const { org, team, user } = path;
  if (typeof org !== "string" || org.length === 0 || org.length > 256) {
    throw invalidField("path.org", org, "a non-empty string of at most 256 characters");
  }
  if (team !== undefined && (typeof team !== "string" || team.length === 0 || team.length > 256)) {
    throw invalidField("path.team", team, "a non-empty string of at most 256 characters");
  }
  if (user !== undefined && (typeof user !== "string" || user.length === 0 || user.length > 256)) {
    throw invalidField("path.user", user, "a non-empty string of at most 256 characters");
  }
  if (user !== undefined && team === undefined)
    throw invalidField("path.team", team, "set when path.user is");
  for (const key in path) {
    if (key !== "org" && key !== "team" && key !== "user" && Object.hasOwn(path, key))
      throw invalidField(`path.${key}`, (path as Record<string, unknown>)[key], "absent (not a level)");
  }
  return user !== undefined ? 3 : team !== undefined ? 2 : 1;
}

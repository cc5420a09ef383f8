import {
  assertArray,
  assertId,
  assertKnownKeys,
  assertObject,
  invalidField,
  parseOptions,
} from "@enis/core/validate";
import { z } from "zod";
import type { Algorithm, RateLimitSpec } from "./algorithms.js";
import { createMemoryStore } from "./memory-store.js";
import { maxWindowMs, storeSchema } from "./rate-limiter.js";
import {
  type ApplyOptions,
  assertTime,
  type BatchOutcome,
  type InProcessBatch,
  inProcessBatch,
  type StoreRule,
  type ThrottleStore,
} from "./store.js";

/*
 * Hierarchical, multi-dimensional quotas (seed 001, quota_manager): rate dimensions (requests per
 * minute and per day, agent executions per hour, API calls) and gauge dimensions (CPU millicores,
 * memory, storage, concurrent executions), at the organisation, team and user levels, where the
 * most restrictive wins (Kubernetes HNC: "the most restrictive quota always wins"). One check is
 * one store batch: every dimension at every level is spent, or — if any refuses — none is
 * (rate-limiter-flexible #280 spends the levels that allowed).
 */

/** A dimension measured as a rate over a window. */
export interface RateDimension {
  readonly kind: "rate";
  /** Window in ms, integer from 1 to ten years. */
  readonly windowMs: number;
  /** @default "gcra" */
  readonly algorithm?: Algorithm;
}

/** A dimension measured as units held at once (leases that expire after `leaseTtlMs`). */
export interface GaugeDimension {
  readonly kind: "gauge";
  /** How long a check holds its units unless released, in ms. */
  readonly leaseTtlMs: number;
}

/** The limit of one dimension at one level. */
export interface DimensionLimit {
  /** Blocks above it: an integer >= 0. */
  readonly hard: number;
  /** Warns above it (still allowed): an integer <= hard. */
  readonly soft?: number | undefined;
  /** Rate dimensions using GCRA or token bucket: most units at once. @default hard */
  readonly burst?: number | undefined;
}

/** Limits per dimension name. A dimension without a limit at a level is not limited there. */
export type LevelLimits = Readonly<Record<string, DimensionLimit>>;

/** The levels of the hierarchy, most general first. */
export type QuotaLevel = "org" | "team" | "user";

/** Who is asking: an organisation, optionally a team in it, optionally a user in the team. */
export interface QuotaPath {
  readonly org: string;
  readonly team?: string;
  readonly user?: string;
}

/** Options of {@link createQuotaManager}. */
export interface QuotaManagerOptions {
  readonly dimensions: Readonly<Record<string, RateDimension | GaugeDimension>>;
  /** Default limits of every organisation, team and user; override per key with `setLimits`. */
  readonly limits: Readonly<Partial<Record<QuotaLevel, LevelLimits>>>;
  /** @default a new in-memory store */
  readonly store?: ThrottleStore;
  /**
   * Namespace of the quota keys: one segment ending in ":", placed after the organisation
   * (`acme:quota:team:data:requestsPerMinute`), so a Redis Cluster keeps an organisation in one slot.
   * @default "quota:"
   */
  readonly prefix?: string;
  /**
   * Makes lease ids for gauge dimensions; unique across replicas.
   * @default crypto.randomUUID
   */
  readonly createLeaseId?: () => string;
  /**
   * Most organisations, teams and users whose check plans (store keys and scaled limits) are kept
   * between checks; past it the cache starts over, as on a limit change. Decisions never depend on
   * it, only speed: a service checking more distinct subjects than this keeps rebuilding plans, so
   * size it above the subjects active at once (each costs a few hundred bytes).
   * @default 32_768
   */
  readonly planCacheSize?: number;
}

/** A soft limit crossed by an allowed check. */
export interface QuotaWarning {
  readonly level: QuotaLevel;
  readonly dimension: string;
  /** Units in use after this check. */
  readonly used: number;
  readonly soft: number;
  readonly hard: number;
}

/** A hard limit that refused a check. */
export interface QuotaRefusal {
  readonly level: QuotaLevel;
  readonly dimension: string;
  readonly limit: number;
  readonly remaining: number;
  readonly retryAfterMs: number;
}

/** A gauge lease a check took; release it with {@link QuotaManager.release}. */
export interface QuotaLease {
  readonly key: string;
  readonly leaseId: string;
  readonly amount: number;
}

/** What a quota check decided. */
export interface QuotaDecision {
  readonly allowed: boolean;
  /** `"quota-hard"` when a hard limit refused; `"store-unavailable"` / `"degraded"` when the shared store did not answer. */
  readonly reason?: "quota-hard" | "store-unavailable" | "degraded";
  /** Every hard limit that refused (empty when allowed). */
  readonly refusals: readonly QuotaRefusal[];
  /**
   * 0 when allowed; else the longest of the refusing limits' waits (Infinity if one never can).
   * A rate limit's wait is exact; a gauge's is the earliest expiry of a held lease, a lower bound.
   */
  readonly retryAfterMs: number;
  /** Soft limits crossed (only when allowed). */
  readonly warnings: readonly QuotaWarning[];
  /** Gauge leases held by this check (only when allowed). */
  readonly leases: readonly QuotaLease[];
}

/** Per-call options of {@link QuotaManager.check}. */
export interface QuotaCheckOptions {
  /** Time of the check, for stores that take the caller's clock. */
  readonly nowMs?: number;
  /**
   * Multiplier applied to every hard, soft and burst limit of this check, in (0, 1]: a tenant's
   * current adaptive or graduated throttle rate (`adaptiveThrottleRate`, `graduatedThrottle`).
   * @default 1
   */
  readonly rate?: number;
  /** Evaluate only; spend nothing. */
  readonly dryRun?: boolean;
}

/** Hierarchical quotas over one store. */
export interface QuotaManager {
  /** Spends `usage` (units per dimension) at every level of `path`, atomically, all or nothing. */
  check(
    path: QuotaPath,
    usage: Readonly<Record<string, number>>,
    options?: QuotaCheckOptions,
  ): Promise<QuotaDecision>;
  /**
   * `check`, synchronously, for a store that decides in-process (`applySync`: the memory store).
   * With another store it throws `INVALID_OPTIONS`.
   */
  checkSync(
    path: QuotaPath,
    usage: Readonly<Record<string, number>>,
    options?: QuotaCheckOptions,
  ): QuotaDecision;
  /** Releases the gauge leases of an allowed check. */
  release(decision: QuotaDecision, options?: { readonly nowMs?: number }): Promise<void>;
  /** Sets (or, with `undefined`, clears) the limits of one organisation, team or user at runtime. */
  setLimits(path: QuotaPath, limits: LevelLimits | undefined): void;
  /** The limits in force for the level that `path` names (its most specific part). */
  limitsOf(path: QuotaPath): LevelLimits;
}

const integer = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const limitSchema = z
  .strictObject({ hard: integer, soft: integer.optional(), burst: integer.min(1).optional() })
  .refine((limit) => limit.soft === undefined || limit.soft <= limit.hard, "soft must be <= hard");
const levelSchema = z.record(z.string().min(1), limitSchema);
const optionsSchema = z.strictObject({
  dimensions: z.record(
    z.string().min(1),
    z.discriminatedUnion("kind", [
      z.strictObject({
        kind: z.literal("rate"),
        windowMs: z.number().int().min(1).max(maxWindowMs),
        algorithm: z.enum(["gcra", "token-bucket", "sliding-window", "fixed-window"]).optional(),
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
    .regex(/^[^:]+:$/, 'one segment ending in ":"')
    .optional(),
  createLeaseId: z
    .custom<() => string>((value: unknown) => typeof value === "function", "a function")
    .optional(),
  planCacheSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

const levels: readonly QuotaLevel[] = ["org", "team", "user"];
const checkOptionKeys: ReadonlySet<string> = new Set(["nowMs", "rate", "dryRun"]);
const spendOptions = Object.freeze({});
const noLimits: LevelLimits = Object.freeze({});
const peekOptions = Object.freeze({ dryRun: true });
/** The empty list of a decision without refusals, warnings or leases: one frozen array, shared. */
const none: readonly never[] = Object.freeze([]);

/**
 * A path part in a store key: encodeURIComponent, so ":" cannot split a key differently; the
 * common ids that it leaves unchanged skip it.
 */
function encode(part: string): string {
  return /^[A-Za-z0-9_.!~*'()-]*$/.test(part) ? part : encodeURIComponent(part);
}

/**
 * Creates a hierarchical quota manager: org → team → user, rate and gauge dimensions, soft and
 * hard limits, burst, runtime limit changes, one atomic store batch per check.
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
export function createQuotaManager(options: QuotaManagerOptions): QuotaManager {
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

  /**
   * The store subject of `id` at `level` under its parent's subject. Keys start with the
   * organisation, so a Redis Cluster keeps a whole organisation in one slot:
   * `acme:quota:org`, `acme:quota:team:data`, `acme:quota:team:data:user:alice`.
   */
  const subjectUnder = (parent: string | undefined, level: QuotaLevel, id: string): string =>
    level === "org"
      ? `${encode(id)}:${prefix}org`
      : level === "team"
        ? `${parent!.slice(0, -"org".length)}team:${encode(id)}`
        : `${parent!}:user:${encode(id)}`;
  /** The subject of the most specific level of `path` (`depth` levels). */
  const subjectOf = (path: QuotaPath, depth: number): string => {
    let subject = subjectUnder(undefined, "org", path.org);
    if (depth > 1) subject = subjectUnder(subject, "team", path.team!);
    if (depth > 2) subject = subjectUnder(subject, "user", path.user!);
    return subject;
  };

  // Unthrottled checks reuse one frozen spec per limit object (limits are frozen when parsed), so
  // the store checks each spec once instead of on every request.
  const unthrottledSpecs = new WeakMap<DimensionLimit, RateLimitSpec>();
  const specOf = (
    limit: DimensionLimit,
    rate: number,
    algorithm: Algorithm,
    limitUnits: number,
    windowMs: number,
    burst: number,
  ): RateLimitSpec => {
    if (rate !== 1) return { algorithm, limit: limitUnits, windowMs, burst };
    let cached = unthrottledSpecs.get(limit);
    if (
      cached === undefined ||
      cached.algorithm !== algorithm ||
      cached.limit !== limitUnits ||
      cached.windowMs !== windowMs ||
      cached.burst !== burst
    ) {
      cached = Object.freeze({ algorithm, limit: limitUnits, windowMs, burst });
      unthrottledSpecs.set(limit, cached);
    }
    return cached;
  };

  /** Validates `path` and returns its depth: 1 (org), 2 (org, team) or 3 (org, team, user). */
  const depthOf = (path: QuotaPath): number => {
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
  };

  const limitsOfSubject = (subject: string, level: QuotaLevel): LevelLimits =>
    (overrides.size === 0 ? undefined : overrides.get(subject)) ?? resolved.limits[level] ?? noLimits;

  type Meta = { level: QuotaLevel; dimension: string; limit: DimensionLimit; hard: number; capacity: number };

  /*
   * Plans, built on a key's first check and kept: the store key and limit of each dimension at each
   * organisation, team and user. Building keys is string concatenation, and a fresh key is hashed
   * again by every Map it is looked up in (measured: ~200 ns per key, half of a 3-level check); a
   * kept key keeps its hash. The plans sit in a tree org → team → user walked by the caller's
   * ids, so a team's and an organisation's plans are shared by their users (and stay in cache).
   * At most `maxPlanNodes` nodes are kept: past it the tree starts over, as on a limit change.
   */
  interface PlannedLimit {
    readonly key: string;
    readonly limit: DimensionLimit;
    /** The spec of an unthrottled check (`rate` 1) of a rate dimension. */
    readonly spec: RateLimitSpec | undefined;
    /** The meta of an unthrottled check. */
    readonly meta: Meta;
  }
  interface PlanNode {
    readonly level: QuotaLevel;
    /** The store subject: `acme:quota:org`, `acme:quota:team:data`, `acme:quota:team:data:user:alice`. */
    readonly subject: string;
    /** By dimension index: the plan, null when this level does not limit it, undefined until needed. */
    readonly planned: (PlannedLimit | null | undefined)[];
    children: Map<string, PlanNode> | undefined;
  }
  const dimensionNames = Object.keys(dimensions);
  const dimensionIndex = new Map(dimensionNames.map((name, index) => [name, index]));
  const maxPlanNodes = resolved.planCacheSize ?? 32_768;
  let planRoots = new Map<string, PlanNode>();
  let planNodes = 0;
  const forgetPlans = (): void => {
    planRoots = new Map();
    planNodes = 0;
  };
  /** The plan node of `id` under `parent` (an organisation's without one), made if missing. */
  const childNode = (parent: PlanNode | undefined, id: string, level: QuotaLevel): PlanNode => {
    let map = planRoots;
    if (parent !== undefined) {
      if (parent.children === undefined) parent.children = new Map();
      map = parent.children;
    }
    let node = map.get(id);
    if (node === undefined) {
      const subject = subjectUnder(parent?.subject, level, id);
      node = {
        level,
        subject,
        planned: new Array(dimensionNames.length).fill(undefined),
        children: undefined,
      };
      map.set(id, node);
      planNodes++;
    }
    return node;
  };
  /**
   * A rate limit scaled by `rate`: its store spec (limit and burst at least 1) and its meta (the
   * scaled hard limit, and the capacity a warning's usage is measured against).
   */
  const rateTerms = (
    spec: { readonly windowMs: number; readonly algorithm?: Algorithm | undefined },
    limit: DimensionLimit,
    rate: number,
    level: QuotaLevel,
    dimension: string,
  ): { spec: RateLimitSpec; meta: Meta } => {
    const hard = Math.floor(limit.hard * rate);
    const algorithm = spec.algorithm ?? "gcra";
    const bucket = algorithm === "gcra" || algorithm === "token-bucket";
    const burst = bucket ? Math.max(1, Math.floor((limit.burst ?? limit.hard) * rate)) : Math.max(1, hard);
    return {
      spec: specOf(limit, rate, algorithm, Math.max(1, hard), spec.windowMs, burst),
      meta: { level, dimension, limit, hard, capacity: bucket ? burst : Math.max(1, hard) },
    };
  };
  const planAt = (node: PlanNode, index: number): PlannedLimit | null => {
    const dimension = dimensionNames[index]!;
    const spec = dimensions[dimension]!;
    const levelLimits = limitsOfSubject(node.subject, node.level);
    const limit = Object.hasOwn(levelLimits, dimension) ? levelLimits[dimension] : undefined;
    if (limit === undefined) {
      node.planned[index] = null;
      return null;
    }
    let meta: Meta;
    let rateSpec: RateLimitSpec | undefined;
    if (spec.kind === "rate") {
      const terms = rateTerms(spec, limit, 1, node.level, dimension);
      rateSpec = terms.spec;
      meta = Object.freeze(terms.meta);
    } else {
      meta = Object.freeze({ level: node.level, dimension, limit, hard: limit.hard, capacity: limit.hard });
    }
    // Encoded like the ids: a dimension named "user:bob:x" at a team must not be user bob's "x".
    const planned = Object.freeze({
      key: `${node.subject}:${encode(dimension)}`,
      limit,
      spec: rateSpec,
      meta,
    });
    node.planned[index] = planned;
    return planned;
  };

  interface Prepared {
    readonly rules: StoreRule[];
    readonly meta: Meta[];
    readonly leases: QuotaLease[];
    readonly rate: number;
    readonly dryRun: boolean;
    readonly applyOptions: ApplyOptions;
  }

  /** Validates a check and builds its store batch (empty when nothing is limited). */
  const prepare = (
    path: QuotaPath,
    usage: Readonly<Record<string, number>>,
    checkOptions: QuotaCheckOptions,
  ): Prepared => {
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
    if (planNodes >= maxPlanNodes) forgetPlans();
    const orgNode = childNode(undefined, path.org, "org");
    const teamNode = depth > 1 ? childNode(orgNode, path.team!, "team") : undefined;
    const userNode = depth > 2 ? childNode(teamNode, path.user!, "user") : undefined;
    const rules: StoreRule[] = [];
    const meta: Meta[] = [];
    const leases: QuotaLease[] = [];
    for (const dimension in usage) {
      // Own keys only: "toString" or "__proto__" must not reach Object.prototype.
      if (!Object.hasOwn(usage, dimension)) continue;
      const amount = usage[dimension];
      const index = dimensionIndex.get(dimension);
      if (index === undefined)
        throw invalidField(`usage.${dimension}`, amount, "the usage of a declared dimension");
      if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount < 0) {
        throw invalidField(`usage.${dimension}`, amount, "an integer >= 0");
      }
      if (amount === 0) continue;
      const spec = dimensions[dimension]!;
      for (let at = 0; at < depth; at++) {
        const node = at === 0 ? orgNode : at === 1 ? teamNode! : userNode!;
        const planned = node.planned[index] ?? (node.planned[index] === null ? null : planAt(node, index));
        if (planned === null) continue;
        const { key, limit, spec: unthrottled, meta: unthrottledMeta } = planned;
        if (spec.kind === "rate") {
          if (rate === 1) {
            // A hard limit of 0 admits nothing: a spec needs a limit >= 1, so it is checked with
            // limit 1 and a cost above it, which every algorithm refuses.
            const cost = limit.hard < 1 ? Number.MAX_SAFE_INTEGER : amount;
            rules.push({ kind: "rate", key, spec: unthrottled!, cost });
            meta.push(unthrottledMeta);
            continue;
          }
          const terms = rateTerms(spec, limit, rate, unthrottledMeta.level, dimension);
          // Throttled below 1, a limit admits nothing (as a hard limit of 0 above).
          const cost = terms.meta.hard < 1 ? Number.MAX_SAFE_INTEGER : amount;
          rules.push({ kind: "rate", key, spec: terms.spec, cost });
          meta.push(terms.meta);
        } else {
          const hard = rate === 1 ? limit.hard : Math.floor(limit.hard * rate);
          const leaseId = createLeaseId();
          assertId(leaseId, "options.createLeaseId()");
          rules.push({ kind: "lease", key, limit: hard, amount, leaseId, ttlMs: spec.leaseTtlMs });
          meta.push(
            rate === 1
              ? unthrottledMeta
              : { level: unthrottledMeta.level, dimension, limit, hard, capacity: hard },
          );
          leases.push({ key, leaseId, amount });
        }
      }
    }
    const applyOptions: ApplyOptions =
      nowMs === undefined ? (dryRun ? peekOptions : spendOptions) : { nowMs, dryRun };
    return { rules, meta, leases, rate, dryRun, applyOptions };
  };

  /** The decision of a prepared check from its batch's outcome. */
  const decide = (prepared: Prepared, batch: BatchOutcome): QuotaDecision => {
    const { meta, rate } = prepared;
    const degradedReason =
      batch.degraded === undefined
        ? undefined
        : batch.degraded === "fallback"
          ? ("degraded" as const)
          : ("store-unavailable" as const);
    const outcomes = batch.outcomes;
    if (!batch.allowed) {
      const refusals: QuotaRefusal[] = [];
      let retryAfterMs = 0;
      for (let i = 0; i < outcomes.length; i++) {
        const outcome = outcomes[i]!;
        if (outcome.allowed) continue;
        const { level, dimension, hard } = meta[i]!;
        refusals.push({
          level,
          dimension,
          limit: hard,
          // A limit of 0 is checked as a spec of limit 1 that refuses every cost (see prepare):
          // its burst says nothing of what is left, which is nothing.
          remaining: hard < 1 ? 0 : outcome.remaining,
          retryAfterMs: outcome.retryAfterMs,
        });
        if (outcome.retryAfterMs > retryAfterMs) retryAfterMs = outcome.retryAfterMs;
      }
      return {
        allowed: false,
        reason: degradedReason ?? "quota-hard",
        refusals,
        retryAfterMs,
        warnings: none,
        leases: none,
      };
    }
    let warnings: QuotaWarning[] | undefined;
    // A degraded "open" answer knows nothing of usage: it must not invent warnings.
    if (batch.degraded === undefined || batch.degraded === "fallback") {
      for (let i = 0; i < outcomes.length; i++) {
        const { level, dimension, limit, hard, capacity } = meta[i]!;
        if (limit.soft === undefined) continue;
        const soft = Math.floor(limit.soft * rate);
        const used = capacity - outcomes[i]!.remaining;
        if (used <= soft) continue;
        warnings ??= [];
        warnings.push({ level, dimension, used, soft, hard });
      }
    }
    const leases = prepared.dryRun || prepared.leases.length === 0 ? none : prepared.leases;
    return degradedReason === undefined
      ? { allowed: true, refusals: none, retryAfterMs: 0, warnings: warnings ?? none, leases }
      : {
          allowed: true,
          reason: degradedReason,
          refusals: none,
          retryAfterMs: 0,
          warnings: warnings ?? none,
          leases,
        };
  };

  const nothingLimited: QuotaDecision = Object.freeze({
    allowed: true,
    refusals: none,
    retryAfterMs: 0,
    warnings: none,
    leases: none,
  });

  // The memory store's batch without re-validating rules built here from validated limits.
  const direct = (store as { [inProcessBatch]?: InProcessBatch })[inProcessBatch];

  const checkSync = (
    path: QuotaPath,
    usage: Readonly<Record<string, number>>,
    checkOptions: QuotaCheckOptions = spendOptions,
  ): QuotaDecision => {
    if (store.applySync === undefined) {
      throw invalidField(
        "store",
        store.name,
        "a store that decides in-process (with applySync, as createMemoryStore()) for checkSync; use check",
      );
    }
    const prepared = prepare(path, usage, checkOptions);
    if (prepared.rules.length === 0) return nothingLimited;
    return decide(
      prepared,
      direct === undefined
        ? store.applySync(prepared.rules, prepared.applyOptions)
        : direct(prepared.rules, prepared.applyOptions.nowMs, prepared.dryRun),
    );
  };

  return {
    check(path, usage, checkOptions = spendOptions) {
      if (store.applySync !== undefined) {
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
        return decide(prepared, await store.apply(prepared.rules, prepared.applyOptions));
      })();
    },

    checkSync,

    async release(decision, releaseOptions = {}) {
      assertObject(decision, "decision");
      assertObject(releaseOptions as unknown, "options");
      if (decision.leases !== undefined) assertArray(decision.leases, "decision.leases");
      for (const lease of decision.leases ?? []) {
        assertObject(lease as unknown, "decision.leases[]");
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
        forgetPlans();
        return;
      }
      const parsed = parseOptions(levelSchema, limits, "limits");
      for (const dimension of Object.keys(parsed)) {
        if (!Object.hasOwn(dimensions, dimension))
          throw invalidField(`limits.${dimension}`, parsed[dimension], "a limit of a declared dimension");
      }
      overrides.set(subject, parsed);
      forgetPlans();
    },

    limitsOf(path) {
      const depth = depthOf(path);
      return limitsOfSubject(subjectOf(path, depth), levels[depth - 1]!);
    },
  };
}

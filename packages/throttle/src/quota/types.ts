import type { Algorithm } from "../algorithms/index.js";
import type { InProcessStore, ThrottleStore } from "../store.js";

/** A dimension measured as a rate over a window. */
export interface RateDimension {
  readonly kind: "rate";
  /** Window in ms, integer from 1 to ten years. */
  readonly windowMs: number;
  /** @default "gcra" */
  readonly algorithm?: Algorithm | undefined;
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
  /** The dimensions by name (at most 256 characters each): a rate over a window, or a gauge held under leases. */
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
  /** Units the lease holds. */
  readonly cost: number;
}

/** What a quota check decided. */
export interface QuotaDecision {
  readonly allowed: boolean;
  /**
   * `"quota-hard"` when a hard limit refused; `"lease-held"` when a gauge's lease id was already
   * held (a `createLeaseId` that repeats itself); `"store-unavailable"` / `"degraded"` when the
   * shared store did not answer (allowed or not).
   */
  readonly reason?: "quota-hard" | "lease-held" | "store-unavailable" | "degraded";
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
  /**
   * Spends `usage` (a cost per dimension) at every level of `path`, atomically, all or nothing.
   * With `dryRun`, the decision the check would get, with nothing spent.
   */
  check(
    path: QuotaPath,
    usage: Readonly<Record<string, number>>,
    options?: QuotaCheckOptions,
  ): Promise<QuotaDecision>;
  /** Releases the gauge leases of an allowed check. */
  release(decision: QuotaDecision, options?: { readonly nowMs?: number }): Promise<void>;
  /** Sets (or, with `undefined`, clears) the limits of one organisation, team or user at runtime. */
  setLimits(path: QuotaPath, limits: LevelLimits | undefined): void;
  /** The limits in force for the level that `path` names (its most specific part). */
  limitsOf(path: QuotaPath): LevelLimits;
  readonly store: ThrottleStore;
}

/**
 * A quota manager over a store that decides in-process (the memory store, the default): the same
 * decisions, also without a promise, for a policy engine's hot path.
 */
export interface InProcessQuotaManager extends QuotaManager {
  /** `check`, synchronously. */
  checkSync(
    path: QuotaPath,
    usage: Readonly<Record<string, number>>,
    options?: QuotaCheckOptions,
  ): QuotaDecision;
  readonly store: InProcessStore;
}

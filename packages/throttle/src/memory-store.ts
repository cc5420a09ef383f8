import { type Clock, EnisError } from "@enis/core";
import { evaluate, evaluateLease, type HeldLease, refund, releaseLease } from "./algorithms.js";
import type { ApplyOptions, BatchOutcome, RateRule, RuleOutcome, StoreRule, ThrottleStore } from "./store.js";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Clock used when a call gives no `nowMs`.
   * @default the wall clock (`Date.now`): the embedded default's one read of real time
   */
  clock?: Clock;
}

type Entry =
  | { readonly kind: "rate"; state: number[]; expiresAtMs: number }
  | { readonly kind: "lease"; leases: HeldLease[]; expiresAtMs: number };

/** The embedded in-memory store: one process, atomic because JavaScript runs one batch at a time. */
export interface MemoryStore extends ThrottleStore {
  /** Keys currently held (expired ones are dropped lazily, and swept as the map grows). */
  readonly size: number;
}

const wallClock: Clock = { nowMs: () => Date.now() };

/**
 * Creates the in-memory store, the embedded default of every limiter. State expires with the
 * TTL each algorithm reports, so idle keys cost nothing.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const limiter = createRateLimiter({ algorithm: "gcra", limit: 100, windowMs: 60_000, store });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const clock = options.clock ?? wallClock;
  const entries = new Map<string, Entry>();
  let sweepAbove = 1024;

  const timeOf = (nowMs: number | undefined): number => {
    const time = nowMs ?? clock.nowMs();
    if (typeof time !== "number" || !Number.isFinite(time)) {
      throw new EnisError("INVALID_OPTIONS", `nowMs must be a finite number, got ${String(time)}`, {
        field: "nowMs",
      });
    }
    return time;
  };

  const live = (key: string, nowMs: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = (nowMs: number): void => {
    for (const [key, entry] of entries) if (entry.expiresAtMs <= nowMs) entries.delete(key);
    sweepAbove = Math.max(1024, 2 * entries.size);
  };

  return {
    name: "memory",
    get size() {
      return entries.size;
    },

    async apply(rules: readonly StoreRule[], applyOptions: ApplyOptions = {}): Promise<BatchOutcome> {
      const nowMs = timeOf(applyOptions.nowMs);
      // Rules are evaluated in order against an overlay, so a key named twice sees its own spend;
      // the overlay is written only when every rule allowed: all or nothing.
      const overlay = new Map<string, Entry>();
      const outcomes: RuleOutcome[] = [];
      let allowed = true;
      for (const rule of rules) {
        const current = overlay.get(rule.key) ?? live(rule.key, nowMs);
        if (rule.kind === "rate") {
          const state = current?.kind === "rate" ? current.state : undefined;
          const result = evaluate(rule.spec, state, nowMs, rule.cost);
          outcomes.push(outcomeOf(result));
          if (!result.allowed) allowed = false;
          else
            overlay.set(rule.key, {
              kind: "rate",
              state: result.next,
              expiresAtMs: nowMs + Math.max(1, result.ttlMs),
            });
        } else {
          const leases = current?.kind === "lease" ? current.leases : [];
          const result = evaluateLease(rule.limit, leases, rule.leaseId, rule.amount, rule.ttlMs, nowMs);
          outcomes.push(outcomeOf(result));
          if (!result.allowed) allowed = false;
          else
            overlay.set(rule.key, {
              kind: "lease",
              leases: result.next,
              expiresAtMs: nowMs + Math.max(1, result.ttlMs),
            });
        }
      }
      if (allowed && applyOptions.dryRun !== true) {
        if (entries.size >= sweepAbove) sweep(nowMs);
        for (const [key, entry] of overlay) entries.set(key, entry);
      }
      return { allowed, outcomes, nowMs };
    },

    async refund(rules: readonly RateRule[], refundOptions: { readonly nowMs?: number } = {}): Promise<void> {
      const nowMs = timeOf(refundOptions.nowMs);
      for (const rule of rules) {
        const current = live(rule.key, nowMs);
        if (current?.kind !== "rate") continue;
        current.state = refund(rule.spec, current.state, nowMs, rule.cost);
      }
    },

    async release(
      key: string,
      leaseId: string,
      releaseOptions: { readonly nowMs?: number } = {},
    ): Promise<boolean> {
      const nowMs = timeOf(releaseOptions.nowMs);
      const current = live(key, nowMs);
      if (current?.kind !== "lease") return false;
      const { next, released } = releaseLease(current.leases, leaseId, nowMs);
      current.leases = next;
      if (next.length === 0) entries.delete(key);
      return released;
    },

    async reset(keys: readonly string[]): Promise<void> {
      for (const key of keys) entries.delete(key);
    },
  };
}

function outcomeOf(result: RuleOutcome): RuleOutcome {
  return {
    allowed: result.allowed,
    remaining: result.remaining,
    retryAfterMs: result.retryAfterMs,
    resetAfterMs: result.resetAfterMs,
  };
}

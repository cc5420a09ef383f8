import type { ApplyOptions, BatchOutcome, EntryMemo, StoreRule } from "../store.js";
import type { LimitMeta } from "./plan.js";
import type { QuotaDecision, QuotaLease, QuotaRefusal, QuotaWarning } from "./types.js";

/** A check ready for the store: its batch, what each rule measures, and its leases. */
export interface PreparedCheck {
  readonly rules: StoreRule[];
  /** Per rule, in order. */
  readonly meta: LimitMeta[];
  /** Per rule, in order: the memo of the memory store's entry for the rule's key (its plan). */
  readonly memos: EntryMemo[];
  readonly leases: QuotaLease[];
  /** The check's throttle rate, in (0, 1]. */
  readonly rate: number;
  readonly dryRun: boolean;
  readonly applyOptions: ApplyOptions;
}

/** The empty list of a decision without refusals, warnings or leases: one frozen array, shared. */
export const none: readonly never[] = Object.freeze([]);

/** The decision of a check that no limit applies to. */
export const nothingLimited: QuotaDecision = Object.freeze({
  allowed: true,
  refusals: none,
  retryAfterMs: 0,
  warnings: none,
  leases: none,
});

/** The decision of a prepared check from its batch's outcome. */
export function decideCheck(prepared: PreparedCheck, batch: BatchOutcome): QuotaDecision {
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
    let leaseHeld = false;
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.allowed) continue;
      if (outcome.reason === "lease-held") leaseHeld = true;
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
      reason: degradedReason ?? (leaseHeld ? "lease-held" : "quota-hard"),
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
}

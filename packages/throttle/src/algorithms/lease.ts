import { type LimitOutcome, wholeMs } from "./common.js";

/*
 * Concurrency leases as pure functions: a key holds leases [leaseId, cost, expiresAtMs]; a lease
 * frees its units when released or when it expires, so a crashed holder cannot leak capacity.
 * The memory store keeps leases in an indexed table (lease-table.ts) and the Redis store in a hash
 * with an index by expiry; both decide exactly as these functions on the array of leases (a model
 * test and a differential test check it). lease.lua is the Lua twin of the decisions.
 */

/** A held lease: `[leaseId, cost, expiresAtMs]`. */
export type HeldLease = readonly [leaseId: string, cost: number, expiresAtMs: number];

/** A lease evaluation: the outcome and the leases to store if the request is spent. */
export interface LeaseEvaluation extends LimitOutcome {
  readonly next: HeldLease[];
  readonly ttlMs: number;
}

/**
 * Evaluates taking `cost` units under `limit` at `nowMs` as lease `leaseId` for `ttlMs`. Expired
 * leases are dropped first. An acquire (`renew` false) of an id that is still held is refused with
 * `reason: "lease-held"`: two holders must never share one lease. A renewal (`renew` true) replaces
 * the id's lease, if any, so it never counts twice; a lapsed lease is taken again only if it fits.
 * Pure; stores keep the returned `next` when they spend.
 */
export function evaluateLease(
  limit: number,
  leases: readonly HeldLease[],
  leaseId: string,
  cost: number,
  ttlMs: number,
  nowMs: number,
  renew = false,
): LeaseEvaluation {
  const live = leases.filter((lease) => lease[2] > nowMs);
  let held = 0;
  let earliest = Number.POSITIVE_INFINITY;
  let latest = nowMs;
  let own: HeldLease | undefined;
  const others: HeldLease[] = [];
  for (const lease of live) {
    if (lease[0] === leaseId) {
      own = lease;
      continue;
    }
    others.push(lease);
    held += lease[1];
    earliest = Math.min(earliest, lease[2]);
    latest = Math.max(latest, lease[2]);
  }
  if (own !== undefined && !renew) {
    return {
      ...leaseHeldDecision(limit, held + own[1], own[2], Math.max(latest, own[2]), nowMs),
      next: live,
    };
  }
  const decision = leaseDecision(limit, held, earliest, latest, cost, ttlMs, nowMs);
  return { ...decision, next: decision.allowed ? [...others, [leaseId, cost, nowMs + ttlMs]] : live };
}

/**
 * The decision on taking `cost` units for `ttlMs` at `nowMs` when the other live leases hold
 * `held` units, the earliest of them expires at `earliest` (Infinity: none) and the latest at
 * `latest` (at least `nowMs`): the outcome of {@link evaluateLease} without its next leases.
 */
export function leaseDecision(
  limit: number,
  held: number,
  earliest: number,
  latest: number,
  cost: number,
  ttlMs: number,
  nowMs: number,
): Omit<LeaseEvaluation, "next"> {
  if (cost > limit || held + cost > limit) {
    return {
      allowed: false,
      remaining: Math.max(0, limit - held),
      retryAfterMs: cost > limit ? Number.POSITIVE_INFINITY : wholeMs(earliest - nowMs),
      resetAfterMs: wholeMs(latest - nowMs),
      ttlMs: latest - nowMs,
    };
  }
  const until = Math.max(latest, nowMs + ttlMs);
  return {
    allowed: true,
    remaining: limit - held - cost,
    retryAfterMs: 0,
    resetAfterMs: wholeMs(until - nowMs),
    ttlMs: until - nowMs,
  };
}

/**
 * The refusal of an acquire whose lease id is held: `held` units held in all (the id's own lease
 * included), the id's lease expiring at `ownExpiresAtMs` (when the id is free again) and the
 * latest lease at `latest`.
 */
export function leaseHeldDecision(
  limit: number,
  held: number,
  ownExpiresAtMs: number,
  latest: number,
  nowMs: number,
): Omit<LeaseEvaluation, "next"> {
  return {
    allowed: false,
    reason: "lease-held",
    remaining: Math.max(0, limit - held),
    retryAfterMs: wholeMs(ownExpiresAtMs - nowMs),
    resetAfterMs: wholeMs(latest - nowMs),
    ttlMs: latest - nowMs,
  };
}

/** The leases left after releasing `leaseId` (and dropping expired ones), and whether it was held. */
export function releaseLease(
  leases: readonly HeldLease[],
  leaseId: string,
  nowMs: number,
): { next: HeldLease[]; released: boolean } {
  const live = leases.filter((lease) => lease[2] > nowMs);
  const next = live.filter((lease) => lease[0] !== leaseId);
  return { next, released: next.length !== live.length };
}

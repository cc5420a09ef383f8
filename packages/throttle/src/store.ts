import {
  assertArray,
  assertId,
  assertInteger,
  assertKnownKeys,
  assertObject,
  invalidField,
} from "@enis/core/validate";
import type { Evaluation, LimitOutcome, RateLimitSpec } from "./algorithms.js";

/*
 * The store port: the atomic operations the limiters and the quota manager need — not get/set.
 * A store evaluates a whole batch of rules against one clock reading and either spends all of
 * them or none (a quota check of org, team and user over several dimensions is one batch: if
 * any level refuses, nothing is spent — rate-limiter-flexible #280). The memory store is the
 * embedded default; @enis/redis implements the same port in Lua; both pass the conformance suite
 * in "@enis/throttle/testing".
 */

/** Spend `cost` units of a rate limit on `key`. */
export interface RateRule {
  readonly kind: "rate";
  readonly key: string;
  readonly spec: RateLimitSpec;
  /** Units to spend, integer >= 1 (0 in a peek). */
  readonly cost: number;
}

/**
 * Hold `amount` units of a gauge on `key` (concurrent executions, CPU cores in use) under a lease
 * that expires by itself after `ttlMs`, so a crashed holder cannot leak capacity.
 */
export interface LeaseRule {
  readonly kind: "lease";
  readonly key: string;
  /** Most units held at once, integer >= 0. */
  readonly limit: number;
  /** Units this lease holds, integer >= 1. */
  readonly amount: number;
  /** Unique id of the lease, chosen by the caller. */
  readonly leaseId: string;
  /** Lifetime in ms, integer >= 1. */
  readonly ttlMs: number;
}

/** One rule of a batch. */
export type StoreRule = RateRule | LeaseRule;

/** Outcome of one lease rule: `remaining` is the units still free; `retryAfterMs` the wait until the earliest lease expires. */
export type RuleOutcome = LimitOutcome;

/** Outcome of a batch. */
export interface BatchOutcome {
  /** True when every rule allowed, and then (unless a dry run) every rule was spent. */
  readonly allowed: boolean;
  /** One outcome per rule, in order. */
  readonly outcomes: readonly RuleOutcome[];
  /** The store's clock reading the batch was evaluated at. */
  readonly nowMs: number;
  /**
   * Set when the store behind a resilient store did not answer and its policy decided instead:
   * `"open"` (allowed), `"closed"` (refused) or `"fallback"` (decided by the fallback store).
   */
  readonly degraded?: "open" | "closed" | "fallback";
}

/** Options of {@link ThrottleStore.apply}. */
export interface ApplyOptions {
  /** Evaluate only; spend nothing (peek). */
  readonly dryRun?: boolean;
  /**
   * Time to evaluate at, for stores without a clock of their own (tests, replays). Stores with a
   * server clock (Redis `TIME`) ignore it: one clock for every replica.
   */
  readonly nowMs?: number;
}

/**
 * @internal The memory store's single-rate-rule decision, keyed by a symbol that is not exported
 * from the package: what `applySync` decides for one rule, without building a batch. Only this
 * package's limiters call it, with rules they have validated.
 */
export const inProcessRate: unique symbol = Symbol("enis.throttle.inProcessRate");

/** @internal See {@link inProcessRate}. */
export type InProcessRate = (
  key: string,
  spec: RateLimitSpec,
  cost: number,
  nowMs: number | undefined,
  dryRun: boolean,
) => Evaluation;

/**
 * @internal The memory store's `applySync` without validating the rules, keyed by a symbol that is
 * not exported from the package: the quota manager builds its batches from validated limits, and
 * checking every rule again was a fifth of a 3-level check.
 */
export const inProcessBatch: unique symbol = Symbol("enis.throttle.inProcessBatch");

/** @internal See {@link inProcessBatch}. */
export type InProcessBatch = (
  rules: readonly StoreRule[],
  nowMs: number | undefined,
  dryRun: boolean,
) => BatchOutcome;

/** The port every throttle store implements. */
export interface ThrottleStore {
  /** A short name for logs and decisions, e.g. `"memory"` or `"redis"`. */
  readonly name: string;
  /** Evaluates every rule atomically at one clock reading; spends all or none. */
  apply(rules: readonly StoreRule[], options?: ApplyOptions): Promise<BatchOutcome>;
  /**
   * `apply`, synchronously: only a store that decides in-process has it (the memory store). The
   * limiters' and the quota manager's synchronous methods need it, and their promise-returning
   * methods use it to answer without a promise hop of the store's own.
   */
  applySync?(rules: readonly StoreRule[], options?: ApplyOptions): BatchOutcome;
  /** Gives back `cost` units of each rate rule (never beyond the full allowance). */
  refund(rules: readonly RateRule[], options?: { readonly nowMs?: number }): Promise<void>;
  /** Releases a lease early; resolves false when it had already expired or was unknown. */
  release(key: string, leaseId: string, options?: { readonly nowMs?: number }): Promise<boolean>;
  /** Forgets every state of the given keys. */
  reset(keys: readonly string[]): Promise<void>;
}

const algorithmNames: ReadonlySet<string> = new Set([
  "gcra",
  "token-bucket",
  "sliding-window",
  "fixed-window",
]);
/** Ten years, as `maxWindowMs` of the limiters. */
const longestMs = 315_360_000_000;

/**
 * The latest time a store accepts, in ms since the epoch: JavaScript's own limit for a Date
 * (year 275,760). Past it a window's arithmetic is meaningless (at 1e20 ms, one ms less is the same
 * double), and a caller's `nowMs` that large is a unit mistake, not a time.
 */
export const maxTimeMs = 8.64e15;

/** Throws `INVALID_OPTIONS` unless `value` is a time a store can decide at: finite, 0 to {@link maxTimeMs}. */
export function assertTime(value: unknown, field: string): asserts value is number {
  if (typeof value !== "number" || !(value >= 0 && value <= maxTimeMs)) {
    throw invalidField(field, value, `a time in ms from 0 to ${maxTimeMs}`);
  }
}

const applyOptionKeys: ReadonlySet<string> = new Set(["dryRun", "nowMs"]);
const timeOptionKeys: ReadonlySet<string> = new Set(["nowMs"]);

/** Checks `apply`'s options: an object with at most a boolean `dryRun` and a `nowMs` time. */
export function assertApplyOptions(options: unknown, field = "options"): asserts options is ApplyOptions {
  assertObject(options, field);
  assertKnownKeys(options, applyOptionKeys, field);
  const { dryRun, nowMs } = options;
  if (dryRun !== undefined && typeof dryRun !== "boolean") {
    throw invalidField(`${field}.dryRun`, dryRun, "true or false");
  }
  if (nowMs !== undefined) assertTime(nowMs, `${field}.nowMs`);
}

/** Checks the options of `refund` and `release`: an object with at most a `nowMs` time. */
export function assertTimeOptions(
  options: unknown,
  field = "options",
): asserts options is { nowMs?: number } {
  assertObject(options, field);
  assertKnownKeys(options, timeOptionKeys, field);
  if (options["nowMs"] !== undefined) assertTime(options["nowMs"], `${field}.nowMs`);
}

/** Checks `reset`'s keys: an array of non-empty strings. */
export function assertKeys(keys: unknown, field = "keys"): asserts keys is readonly string[] {
  assertArray(keys, field);
  for (let index = 0; index < keys.length; index++) assertId(keys[index], `${field}[${index}]`);
}

/**
 * Checks a batch's rules the way every store must (the limiters build valid rules; this guards
 * direct callers of the port): integers where the algorithms need integers, known algorithms,
 * non-empty keys. Throws `EnisError("INVALID_OPTIONS")` naming the rule's field.
 */
export function assertRules(rules: unknown, field = "rules"): asserts rules is readonly StoreRule[] {
  assertArray(rules, field);
  for (let index = 0; index < rules.length; index++) {
    const rule: unknown = rules[index];
    const at = `${field}[${index}]`;
    assertObject(rule, at);
    assertId(rule["key"], `${at}.key`);
    if (rule["kind"] === "rate") {
      assertSpec(rule["spec"], `${at}.spec`);
      assertInteger(rule["cost"], `${at}.cost`, 0);
    } else if (rule["kind"] === "lease") {
      assertInteger(rule["limit"], `${at}.limit`, 0);
      assertInteger(rule["amount"], `${at}.amount`, 1);
      assertId(rule["leaseId"], `${at}.leaseId`);
      assertInteger(rule["ttlMs"], `${at}.ttlMs`, 1, longestMs);
    } else {
      throw invalidField(`${at}.kind`, rule["kind"], '"rate" or "lease"');
    }
  }
}

/**
 * Frozen specs already checked: a limiter passes the same frozen spec on every call, so the hot
 * path checks it once (a frozen object cannot become invalid later).
 */
const checkedSpecs = new WeakSet<object>();

function assertSpec(spec: unknown, field: string): void {
  if (typeof spec === "object" && spec !== null && checkedSpecs.has(spec)) return;
  assertObject(spec, field);
  if (typeof spec["algorithm"] !== "string" || !algorithmNames.has(spec["algorithm"])) {
    throw invalidField(`${field}.algorithm`, spec["algorithm"], `one of ${[...algorithmNames].join(", ")}`);
  }
  assertInteger(spec["limit"], `${field}.limit`, 1);
  assertInteger(spec["windowMs"], `${field}.windowMs`, 1, longestMs);
  assertInteger(spec["burst"], `${field}.burst`, 1);
  if (Object.isFrozen(spec)) checkedSpecs.add(spec);
}

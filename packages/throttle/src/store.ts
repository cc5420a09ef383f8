import {
  assertArray,
  assertId,
  assertInteger,
  assertKnownKeys,
  assertObject,
  invalidField,
} from "@enis/core/validate";
import { z } from "zod";
import {
  algorithmNames,
  type Evaluation,
  isAlgorithm,
  type LimitOutcome,
  type RateLimitSpec,
} from "./algorithms/index.js";

/*
 * The store port: the atomic operations the limiters and the quota manager need — not get/set.
 * A store evaluates a whole batch of rules against one clock reading and either spends all of
 * them or none (a quota check of org, team and user over several dimensions is one batch: if
 * any level refuses, nothing is spent — rate-limiter-flexible #280). The memory store is the
 * embedded default; @enis/redis implements the same port in Lua; both pass the conformance suite
 * in "@enis/throttle/testing". What a store implementer needs beyond the types — the key rule,
 * the checks every store makes, the clock-lag rule — is exported from "@enis/throttle/store".
 */

/** Spend `cost` units of a rate limit on `key`. */
export interface RateRule {
  readonly kind: "rate";
  readonly key: string;
  readonly spec: RateLimitSpec;
  /** Units to spend, an integer >= 0 (0 looks at the current allowance). */
  readonly cost: number;
}

/**
 * Hold `cost` units of a gauge on `key` (concurrent executions, CPU millicores in use) under a
 * lease that expires by itself after `ttlMs`, so a crashed holder cannot leak capacity.
 */
export interface LeaseRule {
  readonly kind: "lease";
  readonly key: string;
  /** Most units held at once, an integer >= 0. */
  readonly limit: number;
  /** Units this lease holds, an integer >= 1. */
  readonly cost: number;
  /** Unique id of the lease, chosen by the caller. */
  readonly leaseId: string;
  /** Lifetime in ms, an integer from 1 to ten years. */
  readonly ttlMs: number;
  /**
   * `false` (an acquire): refused with `reason: "lease-held"` while `leaseId` is held. `true` (a
   * renewal): replaces the lease of `leaseId` (taken again if it lapsed and the units are free).
   * @default false
   */
  readonly renew?: boolean | undefined;
}

/** One rule of a batch. */
export type StoreRule = RateRule | LeaseRule;

/**
 * Outcome of one rule. For a lease rule `remaining` is the units still free and `retryAfterMs` the
 * wait until the earliest lease expires (for `"lease-held"`: until the id's own lease expires).
 */
export type RuleOutcome = LimitOutcome;

/** Outcome of a batch. */
export interface BatchOutcome {
  /** True when every rule allowed, and then (unless a dry run) every rule was spent. */
  readonly allowed: boolean;
  /** One outcome per rule, in order. */
  readonly outcomes: readonly RuleOutcome[];
  /** The store's clock reading the batch was evaluated at (a server clock may give fractions of a ms). */
  readonly nowMs: number;
  /**
   * Set when the store behind a resilient store did not answer and its policy decided instead:
   * `"open"` (allowed), `"closed"` (refused) or `"fallback"` (decided by the fallback store).
   */
  readonly degraded?: "open" | "closed" | "fallback";
}

/** Options of {@link ThrottleStore.apply}. */
export interface ApplyOptions {
  /** Evaluate only: the decision the batch would get, with nothing written. */
  readonly dryRun?: boolean;
  /**
   * Time to evaluate at, for stores without a clock of their own (tests, replays). Stores with a
   * server clock (Redis `TIME`) ignore it: one clock for every replica. At most
   * {@link maxClockLagMs} before the latest time the store has decided at.
   */
  readonly nowMs?: number;
}

/** The port every throttle store implements. */
export interface ThrottleStore {
  /** A short name for logs and decisions, e.g. `"memory"` or `"redis"`. */
  readonly name: string;
  /**
   * Evaluates every rule atomically at one clock reading; spends all or none. A refused batch
   * writes nothing but the block a refusing rule's `blockDurationMs` starts. A batch stays within
   * one partition ({@link partitionOf}).
   */
  apply(rules: readonly StoreRule[], options?: ApplyOptions): Promise<BatchOutcome>;
  /** Gives back `cost` units of each rate rule (never beyond the full allowance). */
  refund(rules: readonly RateRule[], options?: { readonly nowMs?: number }): Promise<void>;
  /** Releases a lease early; resolves false when it had already expired or was unknown. */
  release(key: string, leaseId: string, options?: { readonly nowMs?: number }): Promise<boolean>;
  /** Forgets every state of the given keys. */
  reset(keys: readonly string[]): Promise<void>;
}

/**
 * A store that decides in-process (the memory store): `apply`, synchronously. The limiters and
 * the quota manager offer their `*Sync` methods only over such a store.
 */
export interface InProcessStore extends ThrottleStore {
  /** `apply`, synchronously. */
  applySync(rules: readonly StoreRule[], options?: ApplyOptions): BatchOutcome;
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
 * checking every rule again was a fifth of a 3-level check. Its outcomes may be the store's own
 * evaluations (with their state): the caller reads them at once and keeps none.
 */
export const inProcessBatch: unique symbol = Symbol("enis.throttle.inProcessBatch");

/**
 * @internal See {@link inProcessBatch}. `memos`, when given, holds one {@link EntryMemo} per rule,
 * in order: the caller's memo of the store's entry for that rule's key; the caller also vouches
 * that no key appears twice in `rules` (the quota manager's keys are one per level and dimension).
 */
export type InProcessBatch = (
  rules: readonly StoreRule[],
  nowMs: number | undefined,
  dryRun: boolean,
  memos?: readonly EntryMemo[],
) => BatchOutcome;

/**
 * @internal What the memory store keeps of one key, remembered by a caller that asks about the
 * same key again and again (the quota manager keeps one per planned limit, whose key is fixed):
 * the store reads and updates the entry through it instead of finding it in its map by the key —
 * a lookup that was a seventh of a 3-level check on 10k users (the key's hash and the map's bucket,
 * both out of cache). Opaque to the caller, who only keeps it; the store returns the remembered
 * entry only while it is still the key's entry (it marks every entry it removes or replaces), and
 * otherwise looks the key up again and remembers the answer. A memo may hold a dropped entry until
 * its next use: as many as the caller keeps memos (the quota manager's bounded plan cache).
 */
export interface EntryMemo {
  entry: unknown;
}

/** Ten years: longer windows, lifetimes and blocks are almost certainly a unit mistake (seconds for ms). */
export const maxWindowMs = 315_360_000_000;

/**
 * The latest time a store accepts, in ms since the epoch: JavaScript's own limit for a Date
 * (year 275,760). Past it a window's arithmetic is meaningless (at 1e20 ms, one ms less is the same
 * double), and a caller's `nowMs` that large is a unit mistake, not a time.
 */
export const maxTimeMs = 8.64e15;

/**
 * How far before the latest time a store has decided at a caller's `nowMs` may go, in ms. A store
 * forgets state once it has expired by more than this before that latest time, which no call it
 * accepts can still need; it refuses an older `nowMs` with `INVALID_OPTIONS`. Concurrent callers'
 * clocks and requests decided slightly out of order stay far within it.
 */
export const maxClockLagMs = 1_000;

/** Most characters in a throttle key. */
export const maxKeyLength = 4_096;

/** Throws `INVALID_OPTIONS` unless `value` is a time a store can decide at: finite, 0 to {@link maxTimeMs}. */
export function assertTime(value: unknown, field: string): asserts value is number {
  if (typeof value !== "number" || !(value >= 0 && value <= maxTimeMs)) {
    throw invalidField(field, value, `a time in ms from 0 to ${maxTimeMs}`);
  }
}

/**
 * The clock-lag rule of {@link maxClockLagMs}, for one store: the latest time decided at, and the
 * check of each call's time against it.
 */
export interface Timeline {
  /** The latest time decided at (-Infinity before the first call). */
  readonly latestMs: number;
  /**
   * A caller's `nowMs` (already checked by {@link assertTime}): recorded, or refused with
   * `INVALID_OPTIONS` naming `field` when more than {@link maxClockLagMs} before the latest time.
   */
  accept(nowMs: number, field: string): number;
  /** A reading of the store's own clock: never before the latest time (a clock stepped back is held). */
  read(readingMs: number): number;
}

/**
 * Creates the {@link Timeline} of one store. A class, not an object of closures: its methods are
 * then one function for every store, so a limiter's optimised hot path that calls `read` stays
 * valid when a second store (a second limiter) runs through it — closures per store made V8 throw
 * that code away ("wrong call target") each time another store was used.
 */
export function createTimeline(): Timeline {
  return new StoreTimeline();
}

class StoreTimeline implements Timeline {
  latestMs = Number.NEGATIVE_INFINITY;

  accept(nowMs: number, field: string): number {
    if (nowMs > this.latestMs) this.latestMs = nowMs;
    else if (nowMs < this.latestMs - maxClockLagMs) {
      throw invalidField(
        field,
        nowMs,
        `a time at most ${maxClockLagMs} ms before the latest time this store decided at (${this.latestMs})`,
      );
    }
    return nowMs;
  }

  read(readingMs: number): number {
    if (readingMs > this.latestMs) this.latestMs = readingMs;
    return this.latestMs;
  }
}

/**
 * The partition of a throttle key: the unit one batch stays within, and that a Redis Cluster keeps
 * in one slot. The text inside a leading `{…}` when the key starts with `{` (an explicit
 * partition: `{2001:db8::1}`, `{alice@example.com}:uploads`); otherwise the text before the first
 * `:` (the organisation: `acme:team-a:user-7` → `acme`); otherwise the whole key. The key must be
 * valid ({@link assertKey}).
 */
export function partitionOf(key: string): string {
  if (key.charCodeAt(0) === 123 /* { */) return key.slice(1, key.indexOf("}"));
  const colon = key.indexOf(":");
  return colon === -1 ? key : key.slice(0, colon);
}

/** `{partition}key`: the key `key` in the explicit partition `partition` (see {@link partitionOf}). */
export function partitionKey(partition: string, key: string): string {
  if (typeof partition !== "string" || partition.length === 0 || /[{}]/.test(partition)) {
    throw invalidField("partition", partition, 'a non-empty string without "{" or "}"');
  }
  if (typeof key !== "string") throw invalidField("key", key, "a string");
  return `{${partition}}${key}`;
}

/**
 * Throws `INVALID_OPTIONS` naming `field` unless `value` is a throttle key: a string of 1 to
 * {@link maxKeyLength} characters whose partition ({@link partitionOf}) is non-empty and holds no
 * `{` or `}` — an explicit partition must be closed by `}`.
 */
export function assertKey(value: unknown, field: string): asserts value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > maxKeyLength) {
    throw invalidField(field, value, `a string of 1 to ${maxKeyLength} characters`);
  }
  // One pass over the partition only, by character code: this runs on every request of a
  // limiter's hot path, where three indexOf scans (":", then "{" and "}" to the end of the key)
  // read the key up to three times.
  const length = value.length;
  if (value.charCodeAt(0) === 123 /* { */) {
    let brace = false;
    for (let index = 1; index < length; index++) {
      const code = value.charCodeAt(index);
      if (code === 125 /* } */) {
        if (index > 1 && !brace) return;
        throw invalidPartition(field, value);
      }
      if (code === 123 /* { */) brace = true;
    }
    throw invalidField(field, value, 'a key whose explicit partition "{…" is closed by "}"');
  }
  for (let index = 0; index < length; index++) {
    const code = value.charCodeAt(index);
    if (code === 58 /* : */) {
      if (index > 0) return;
      throw invalidPartition(field, value);
    }
    if (code === 123 /* { */ || code === 125 /* } */) throw invalidPartition(field, value);
  }
}

function invalidPartition(field: string, value: string) {
  return invalidField(
    field,
    value,
    'a key whose partition ("{partition}…", else the text before the first ":") is non-empty and has no "{" or "}"',
  );
}

/**
 * The store key of `key` in the namespace `prefix` (one segment ending in ":"), in the key's
 * partition: the prefix goes after the partition, so every key of an organisation starts with
 * that organisation (`acme:payments:alice` → `acme:api:payments:alice`); a key of one segment gets
 * the prefix without its ":" (`acme` → `acme:api`), so distinct keys stay distinct (`acme:` →
 * `acme:api:`); a key with an explicit partition keeps it first (`{10.0.0.1}` → `{10.0.0.1}api:`).
 */
export function scopeKey(key: string, prefix: string): string {
  if (prefix === "") return key;
  if (key.charCodeAt(0) === 123 /* { */) {
    const close = key.indexOf("}");
    if (close > 0) return `${key.slice(0, close + 1)}${prefix}${key.slice(close + 1)}`;
    return key;
  }
  const end = key.indexOf(":");
  return end < 0 ? `${key}:${prefix.slice(0, -1)}` : `${key.slice(0, end)}:${prefix}${key.slice(end + 1)}`;
}

/** True for an object with the four methods of the store port. */
export function isStore(value: unknown): value is ThrottleStore {
  if (typeof value !== "object" || value === null) return false;
  const store = value as Record<string, unknown>;
  return ["apply", "refund", "release", "reset"].every((method) => typeof store[method] === "function");
}

/** True for a store that decides in-process ({@link InProcessStore}). */
export function isInProcessStore(value: unknown): value is InProcessStore {
  return isStore(value) && typeof (value as Partial<InProcessStore>).applySync === "function";
}

/** Zod schema of a store option: any object implementing the port. */
export const storeSchema = z.custom<ThrottleStore>((value: unknown) => isStore(value), "a ThrottleStore");

/** Zod schema of a limiter's `prefix` option: one segment ending in ":", or "". */
export const prefixSchema = z
  .string()
  .max(256)
  .regex(/^(?:[^:{}]+:)?$/, 'one segment ending in ":" (without "{" or "}"), or ""');

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

/** Checks `reset`'s keys: an array of throttle keys ({@link assertKey}). */
export function assertKeys(keys: unknown, field = "keys"): asserts keys is readonly string[] {
  assertArray(keys, field);
  for (let index = 0; index < keys.length; index++) assertKey(keys[index], `${field}[${index}]`);
}

/**
 * Checks a batch's rules the way every store must (the limiters build valid rules; this guards
 * direct callers of the port): integers where the algorithms need integers, known algorithms,
 * valid keys, and — for `apply`, with `onePartition` — every key in one partition. Throws
 * `EnisError("INVALID_OPTIONS")` naming the rule's field.
 */
export function assertRules(
  rules: unknown,
  field = "rules",
  onePartition = true,
): asserts rules is readonly StoreRule[] {
  assertArray(rules, field);
  let partition: string | undefined;
  for (let index = 0; index < rules.length; index++) {
    const rule: unknown = rules[index];
    const at = `${field}[${index}]`;
    assertObject(rule, at);
    const key = rule["key"];
    assertKey(key, `${at}.key`);
    if (onePartition) {
      const own = partitionOf(key);
      if (partition === undefined) partition = own;
      else if (own !== partition) {
        throw invalidField(
          `${at}.key`,
          key,
          `a key in the batch's partition ${JSON.stringify(partition)} (a batch stays within one partition, one Redis Cluster slot), not in ${JSON.stringify(own)}`,
        );
      }
    }
    if (rule["kind"] === "rate") {
      assertSpec(rule["spec"], `${at}.spec`);
      assertInteger(rule["cost"], `${at}.cost`, 0);
    } else if (rule["kind"] === "lease") {
      assertInteger(rule["limit"], `${at}.limit`, 0);
      assertInteger(rule["cost"], `${at}.cost`, 1);
      assertId(rule["leaseId"], `${at}.leaseId`);
      assertInteger(rule["ttlMs"], `${at}.ttlMs`, 1, maxWindowMs);
      const renew = rule["renew"];
      if (renew !== undefined && typeof renew !== "boolean") {
        throw invalidField(`${at}.renew`, renew, "true or false");
      }
    } else {
      throw invalidField(`${at}.kind`, rule["kind"], '"rate" or "lease"');
    }
  }
}

/** Throws `INVALID_OPTIONS` unless every rule of a refund is a rate rule. */
export function assertRateRules(rules: readonly StoreRule[]): asserts rules is readonly RateRule[] {
  for (let index = 0; index < rules.length; index++) {
    const kind = rules[index]!.kind;
    if (kind !== "rate")
      throw invalidField(`rules[${index}].kind`, kind, '"rate" (only rate rules are refunded)');
  }
}

/**
 * Frozen specs already checked: a limiter passes the same frozen spec on every call, so the hot
 * path checks it once (a frozen object cannot become invalid later).
 */
const checkedSpecs = new WeakSet<object>();

/** Throws `INVALID_OPTIONS` naming `field` unless `spec` is a valid {@link RateLimitSpec}. */
export function assertSpec(spec: unknown, field: string): asserts spec is RateLimitSpec {
  if (typeof spec === "object" && spec !== null && checkedSpecs.has(spec)) return;
  assertObject(spec, field);
  if (!isAlgorithm(spec["algorithm"])) {
    throw invalidField(
      `${field}.algorithm`,
      spec["algorithm"],
      `one of ${algorithmNames.map((name) => JSON.stringify(name)).join(", ")}`,
    );
  }
  assertInteger(spec["limit"], `${field}.limit`, 1);
  assertInteger(spec["windowMs"], `${field}.windowMs`, 1, maxWindowMs);
  assertInteger(spec["burst"], `${field}.burst`, 1);
  if (spec["blockDurationMs"] !== undefined) {
    assertInteger(spec["blockDurationMs"], `${field}.blockDurationMs`, 0, maxWindowMs);
  }
  if (Object.isFrozen(spec)) checkedSpecs.add(spec);
}

import type { Clock } from "@enis/core";
import { assertId } from "@enis/core/validate";
import {
  blockedState,
  type Evaluation,
  evaluate,
  evaluateLease,
  type HeldLease,
  type LeaseEvaluation,
  type RateLimitSpec,
  refund,
} from "./algorithms/index.js";
import { type LeaseDecision, LeaseTable } from "./lease-table.js";
import {
  type ApplyOptions,
  assertApplyOptions,
  assertKey,
  assertKeys,
  assertRateRules,
  assertRules,
  assertTime,
  assertTimeOptions,
  type BatchOutcome,
  createTimeline,
  type EntryMemo,
  type InProcessBatch,
  type InProcessRate,
  type InProcessStore,
  inProcessBatch,
  inProcessRate,
  type LeaseRule,
  maxClockLagMs,
  type RateRule,
  type RuleOutcome,
  type StoreRule,
} from "./store.js";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Clock used when a call gives no `nowMs`.
   * @default the wall clock (`Date.now`): the embedded default's one read of real time
   */
  clock?: Clock;
}

/**
 * What the store keeps of one key. `dropped` is set when the entry leaves the map (swept, reset,
 * released, or replaced by a new entry for its key), so that a caller's {@link EntryMemo} of it is
 * not used again; every entry is made with `dropped: false`, so all have one shape.
 */
type Entry =
  | { readonly kind: "rate"; state: number[]; expiresAtMs: number; dropped: boolean }
  | { readonly kind: "lease"; table: LeaseTable; expiresAtMs: number; dropped: boolean };

/** The embedded in-memory store: one process, atomic because JavaScript runs one batch at a time. */
export interface MemoryStore extends InProcessStore {
  /**
   * Keys currently held (expired ones are dropped lazily: those expired by more than
   * `maxClockLagMs` before the latest time decided at are swept whenever the map has doubled).
   */
  readonly size: number;
}

const noOptions: ApplyOptions = Object.freeze({});
const noLeases: readonly HeldLease[] = Object.freeze([]);
/** A table with no leases, for deciding on a key that holds none (decide only drops expired leases). */
const emptyLeases = new LeaseTable();

/** The wall clock: the default time source of the embedded stores (the one read of real time). */
export const wallClock: Clock = { nowMs: () => Date.now() };

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
  const timeline = createTimeline();

  /**
   * The time of a call: its `nowMs` (checked by the caller; refused when more than maxClockLagMs
   * before the latest time decided at), else a checked reading of the clock, held at the latest
   * time when the clock steps back.
   */
  const timeOf = (nowMs: number | undefined): number => {
    if (nowMs !== undefined) return timeline.accept(nowMs, "options.nowMs");
    const time = clock.nowMs();
    assertTime(time, "clock.nowMs()");
    return timeline.read(time);
  };

  /** Before a call reads any entry: once the map has doubled, a sweep (see below). */
  const sweepIfDue = (nowMs: number): void => {
    if (entries.size >= sweepAbove) sweep(nowMs);
  };

  /**
   * The entry of `key` if its state still counts at `nowMs`. An expired entry is left in place: a
   * later call may carry an earlier `nowMs` and must still find it (the sweep collects it).
   */
  const live = (key: string, nowMs: number): Entry | undefined => {
    const entry = entries.get(key);
    return entry !== undefined && entry.expiresAtMs > nowMs ? entry : undefined;
  };

  // Once the map has doubled since the last sweep, the entries expired by maxClockLagMs before the
  // latest time decided at are dropped: no call the store accepts can still see them (it refuses
  // an older nowMs), and memory stays bounded by the keys of the last second. A key in steady
  // rotation whose state lives shorter than its revisit (a fast limit over many keys) keeps its
  // entry instead of being dropped and rebuilt on every visit (measured: 40 % of the time went to
  // GC). A sweep runs only at the start of a call, never between a batch's reads and its writes:
  // it could drop an expired entry the batch has read, and the batch's write would go to an entry
  // no longer in the map (a spend lost).
  const sweep = (_nowMs: number): void => {
    const before = timeline.latestMs - maxClockLagMs;
    for (const [key, entry] of entries) {
      if (entry.expiresAtMs <= before) {
        entry.dropped = true;
        entries.delete(key);
      }
    }
    sweepAbove = Math.max(1024, 2 * entries.size);
  };

  /** Makes `entry` the entry of `key`; the one it replaces, if any, is dropped. */
  const put = (key: string, entry: Entry): void => {
    const replaced = entries.get(key);
    if (replaced !== undefined) replaced.dropped = true;
    entries.set(key, entry);
  };

  /** Forgets the entry of `key`, if any, dropped. */
  const drop = (key: string): void => {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entry.dropped = true;
    entries.delete(key);
  };

  /**
   * The entry of `key`, through a caller's memo of it: the remembered entry while it is still the
   * key's (not dropped), else the map's, which the memo then remembers (see {@link EntryMemo}).
   */
  const recall = (memo: EntryMemo, key: string): Entry | undefined => {
    const remembered = memo.entry as Entry | undefined;
    if (remembered !== undefined && !remembered.dropped) return remembered;
    const entry = entries.get(key);
    memo.entry = entry;
    return entry;
  };

  /** Evaluates one rule against the state `data` of kind `kind` (undefined: none). */
  const evaluateOn = (
    rule: StoreRule,
    kind: Entry["kind"] | undefined,
    data: number[] | HeldLease[] | undefined,
    nowMs: number,
  ): Evaluation | LeaseEvaluation =>
    rule.kind === "rate"
      ? evaluate(rule.spec, kind === "rate" ? (data as number[]) : undefined, nowMs, rule.cost)
      : evaluateLease(
          rule.limit,
          kind === "lease" ? (data as HeldLease[]) : noLeases,
          rule.leaseId,
          rule.cost,
          rule.ttlMs,
          nowMs,
          rule.renew === true,
        );

  /** Evaluates one rule against the state `current` holds (undefined: none). */
  const evaluateRule = (
    rule: StoreRule,
    current: Entry | undefined,
    nowMs: number,
  ): Evaluation | LeaseEvaluation =>
    current === undefined
      ? evaluateOn(rule, undefined, undefined, nowMs)
      : evaluateOn(
          rule,
          current.kind,
          current.kind === "rate" ? current.state : current.table.toArray(),
          nowMs,
        );

  /** Stores `data` (a rate state or leases) at `key`, reusing the existing entry object when it can. */
  const write = (
    key: string,
    existing: Entry | undefined,
    kind: Entry["kind"],
    data: number[] | HeldLease[],
    expiresAtMs: number,
  ): void => {
    if (kind === "lease") {
      // The overlay of a key named twice in a batch works on arrays; a table is built from the result.
      put(key, { kind, table: LeaseTable.from(data as HeldLease[]), expiresAtMs, dropped: false });
      return;
    }
    if (existing !== undefined && existing.kind === "rate") {
      existing.expiresAtMs = expiresAtMs;
      // Copied into the entry's array (the algorithms return fresh ones): the new array dies
      // young, and a long-lived key's state stays one old object instead of a new one per
      // decision that survives scavenges (keys revisited every few ms: 10k keys round-robin).
      const state = existing.state;
      const next = data as number[];
      if (state.length !== next.length) existing.state = next;
      else for (let index = 0; index < next.length; index++) state[index] = next[index]!;
      return;
    }
    put(key, { kind, state: data as number[], expiresAtMs, dropped: false });
  };

  /** The lease table of `entry` if it holds live leases at `nowMs`, else undefined. */
  const leaseTableOf = (entry: Entry | undefined, nowMs: number): LeaseTable | undefined =>
    entry !== undefined && entry.kind === "lease" && entry.expiresAtMs > nowMs ? entry.table : undefined;

  /** What one lease rule decides on `table` (undefined: no leases held). */
  const decideLease = (rule: LeaseRule, table: LeaseTable | undefined, nowMs: number): LeaseDecision =>
    (table ?? emptyLeases).decide(
      rule.limit,
      rule.leaseId,
      rule.cost,
      rule.ttlMs,
      nowMs,
      rule.renew === true,
    );

  /** Spends an allowed lease decision: the lease is held in the key's table (made if needed). */
  const holdLease = (
    rule: LeaseRule,
    entry: Entry | undefined,
    decision: LeaseDecision,
    nowMs: number,
  ): void => {
    let table = leaseTableOf(entry, nowMs);
    let stored = entry;
    if (table === undefined) {
      table = new LeaseTable();
      stored = { kind: "lease", table, expiresAtMs: 0, dropped: false };
      put(rule.key, stored);
    }
    table.hold(rule.leaseId, rule.cost, nowMs + rule.ttlMs, nowMs);
    // Never before the latest lease's own expiry: nowMs + (latest - nowMs) can round a ulp short.
    (stored as Entry).expiresAtMs = Math.max(nowMs + Math.max(1, decision.ttlMs), table.latestExpiry());
  };

  const applySync = (rules: readonly StoreRule[], applyOptions: ApplyOptions = noOptions): BatchOutcome => {
    assertRules(rules);
    assertApplyOptions(applyOptions);
    return applyValid(rules, applyOptions.nowMs, applyOptions.dryRun === true, undefined, true);
  };

  /**
   * `applySync` of rules already validated (see {@link inProcessBatch}), through the caller's
   * `memos` if given. With `copyOutcomes` false (this package's quota manager, which reads the
   * outcomes at once and keeps none) the evaluations themselves are the outcomes: a copy without
   * their state is for callers of the port, and was three objects per 3-level check.
   */
  const applyValid = (
    rules: readonly StoreRule[],
    nowOption: number | undefined,
    dryRun: boolean,
    memos: readonly EntryMemo[] | undefined,
    copyOutcomes: boolean,
  ): BatchOutcome => {
    const nowMs = timeOf(nowOption);
    sweepIfDue(nowMs);
    const spend = !dryRun;
    // One rule (a plain limiter call): no overlay, and the entry is updated in place, so a
    // decision on a known key allocates only its outcome and the algorithm's state array.
    if (rules.length === 1) {
      const rule = rules[0]!;
      if (rule.kind === "rate") {
        const evaluation = decideRate(rule.key, rule.spec, rule.cost, nowMs, dryRun);
        return {
          allowed: evaluation.allowed,
          outcomes: [copyOutcomes ? outcomeOf(evaluation) : evaluation],
          nowMs,
        };
      }
      const entry = entries.get(rule.key);
      const decision = decideLease(rule, leaseTableOf(entry, nowMs), nowMs);
      if (decision.allowed && spend) holdLease(rule, entry, decision, nowMs);
      return { allowed: decision.allowed, outcomes: [copyOutcomes ? outcomeOf(decision) : decision], nowMs };
    }
    const count = rules.length;
    // With memos the caller vouches for distinct keys (see InProcessBatch): comparing them read
    // every key out of cache, where the memos spare reading any.
    if (memos !== undefined || distinctKeys(rules)) {
      // Distinct keys (every quota check): each rule is evaluated against the map's state; the
      // results are written only when every rule allowed: all or nothing (a refused batch writes
      // only the blocks its refusals start). The entries found are kept, so the writes reuse them
      // without a second lookup; with the caller's memos, found without a first one.
      const results: (Evaluation | LeaseDecision | RuleOutcome)[] = new Array(count);
      const found: (Entry | undefined)[] = new Array(count);
      let allowed = true;
      let blocks = false;
      for (let index = 0; index < count; index++) {
        const rule = rules[index]!;
        const entry = memos === undefined ? entries.get(rule.key) : recall(memos[index]!, rule.key);
        found[index] = entry;
        let result: Evaluation | LeaseDecision;
        if (rule.kind === "lease") result = decideLease(rule, leaseTableOf(entry, nowMs), nowMs);
        else {
          result = evaluateRule(
            rule,
            entry !== undefined && entry.expiresAtMs > nowMs ? entry : undefined,
            nowMs,
          );
          if ((result as Evaluation).startsBlock) blocks = true;
        }
        results[index] = result;
        if (!result.allowed) allowed = false;
      }
      for (let index = 0; index < count; index++) {
        const rule = rules[index]!;
        if (spend) {
          if (allowed) {
            if (rule.kind === "lease") {
              holdLease(rule, found[index], results[index] as LeaseDecision, nowMs);
            } else {
              const result = results[index] as Evaluation;
              write(rule.key, found[index], "rate", result.next, nowMs + Math.max(1, result.ttlMs));
            }
          } else if (blocks && rule.kind === "rate" && (results[index] as Evaluation).startsBlock) {
            // Keys are distinct: the refusal's state is the stored state at nowMs, with the block.
            const result = results[index] as Evaluation;
            write(rule.key, found[index], "rate", result.next, nowMs + Math.max(1, result.ttlMs));
          }
        }
        if (copyOutcomes) results[index] = outcomeOf(results[index] as RuleOutcome);
      }
      return { allowed, outcomes: results as RuleOutcome[], nowMs };
    }
    // A key named twice: rules are evaluated in order against an overlay, so a key named twice sees its
    // own spend; the overlay is written only when every rule allowed: all or nothing. The overlay
    // is parallel arrays searched by ===: a quota check has a handful of keys, and a Map per batch
    // (its allocation and iteration) was 40 % of a 3-level check. Each slot keeps the map's entry
    // for its key, so the write reuses it without a second lookup.
    const overlayKeys: string[] = [];
    const overlayStored: (Entry | undefined)[] = [];
    const overlayKinds: Entry["kind"][] = [];
    const overlayData: (number[] | HeldLease[])[] = [];
    const overlayExpiry: number[] = [];
    const outcomes: RuleOutcome[] = new Array(count);
    let allowed = true;
    /** Indices of the rules whose refusal starts a block, if any. */
    let blocking: number[] | undefined;
    for (let index = 0; index < count; index++) {
      const rule = rules[index]!;
      const key = rule.key;
      let at = overlayKeys.length - 1;
      while (at >= 0 && overlayKeys[at] !== key) at--;
      let result: Evaluation | LeaseEvaluation;
      if (at >= 0) {
        result = evaluateOn(rule, overlayKinds[at], overlayData[at], nowMs);
      } else {
        const stored = entries.get(key);
        result = evaluateRule(
          rule,
          stored !== undefined && stored.expiresAtMs > nowMs ? stored : undefined,
          nowMs,
        );
        if (result.allowed) {
          at = overlayKeys.length;
          overlayKeys.push(key);
          overlayStored.push(stored);
        }
      }
      outcomes[index] = copyOutcomes ? outcomeOf(result) : result;
      if (!result.allowed) {
        allowed = false;
        if (rule.kind === "rate" && (result as Evaluation).startsBlock) {
          blocking ??= [];
          blocking.push(index);
        }
      } else {
        overlayKinds[at] = rule.kind;
        overlayData[at] = result.next;
        overlayExpiry[at] = nowMs + Math.max(1, result.ttlMs);
      }
    }
    if (spend && allowed) {
      for (let at = 0; at < overlayKeys.length; at++) {
        write(overlayKeys[at]!, overlayStored[at], overlayKinds[at]!, overlayData[at]!, overlayExpiry[at]!);
      }
    } else if (spend && blocking !== undefined) {
      // A refused batch writes only the blocks its refusals start, each on the key's stored state:
      // what the batch would have spent on that key before the refusal is not kept.
      for (const index of blocking) {
        const rule = rules[index] as RateRule;
        const stored = entries.get(rule.key);
        const current =
          stored !== undefined && stored.expiresAtMs > nowMs && stored.kind === "rate" ? stored : undefined;
        const block = blockedState(rule.spec, current?.state, nowMs);
        write(rule.key, stored, "rate", block.next, nowMs + Math.max(1, block.ttlMs));
      }
    }
    return { allowed, outcomes, nowMs };
  };

  /**
   * One rate rule, in place: what applySync([rule]) decides, without the batch, its rule and
   * outcome objects (a limiter's hot path; the caller has validated the rule).
   */
  const decideRate = (
    key: string,
    spec: RateLimitSpec,
    cost: number,
    nowMs: number | undefined,
    dryRun: boolean,
  ): Evaluation => {
    const time = timeOf(nowMs);
    sweepIfDue(time);
    const entry = entries.get(key);
    const current =
      entry !== undefined && entry.expiresAtMs > time && entry.kind === "rate" ? entry : undefined;
    const evaluation = evaluate(spec, current?.state, time, cost);
    if ((evaluation.allowed || evaluation.startsBlock) && !dryRun) {
      write(key, entry, "rate", evaluation.next, time + Math.max(1, evaluation.ttlMs));
    }
    return evaluation;
  };

  const store: MemoryStore = {
    name: "memory",
    get size() {
      return entries.size;
    },

    applySync,

    async apply(rules: readonly StoreRule[], applyOptions?: ApplyOptions): Promise<BatchOutcome> {
      return applySync(rules, applyOptions);
    },

    async refund(rules: readonly RateRule[], refundOptions: { readonly nowMs?: number } = {}): Promise<void> {
      // A refund is not a decision: its rules may span partitions.
      assertRules(rules, "rules", false);
      assertRateRules(rules);
      assertTimeOptions(refundOptions);
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
      assertKey(key, "key");
      assertId(leaseId, "leaseId");
      assertTimeOptions(releaseOptions);
      const nowMs = timeOf(releaseOptions.nowMs);
      // Even an expired entry's table: a release drops the leases expired at nowMs, as writing
      // releaseLease's array does, so a later call with an earlier nowMs no longer sees them.
      const current = entries.get(key);
      if (current?.kind !== "lease") return false;
      const released = current.table.release(leaseId, nowMs);
      if (current.table.size === 0) drop(key);
      return released;
    },

    async reset(keys: readonly string[]): Promise<void> {
      assertKeys(keys);
      for (const key of keys) drop(key);
    },
  };
  // Not enumerable: a wrapper built by spreading the store (a spy, a decorator) goes through
  // apply / applySync, not around it.
  Object.defineProperty(store, inProcessRate, { value: decideRate satisfies InProcessRate });
  const inProcess: InProcessBatch = (rules, nowMs, dryRun, memos) =>
    applyValid(rules, nowMs, dryRun, memos, false);
  Object.defineProperty(store, inProcessBatch, { value: inProcess });
  return store;
}

/** True when no key appears twice in `rules` (pairwise for a few rules, by a Set for more). */
function distinctKeys(rules: readonly StoreRule[]): boolean {
  const count = rules.length;
  if (count > 8) return new Set(rules.map((rule) => rule.key)).size === count;
  for (let index = 1; index < count; index++) {
    const key = rules[index]!.key;
    for (let before = 0; before < index; before++) if (rules[before]!.key === key) return false;
  }
  return true;
}

/** The outcome of an evaluation or lease decision: its four fields (and reason), not its state. */
function outcomeOf(result: RuleOutcome): RuleOutcome {
  return result.reason === undefined
    ? {
        allowed: result.allowed,
        remaining: result.remaining,
        retryAfterMs: result.retryAfterMs,
        resetAfterMs: result.resetAfterMs,
      }
    : {
        allowed: result.allowed,
        remaining: result.remaining,
        retryAfterMs: result.retryAfterMs,
        resetAfterMs: result.resetAfterMs,
        reason: result.reason,
      };
}

import { EnisError, systemTimers, type Timers } from "@enis/core";
import {
  assertId,
  assertInteger,
  assertKnownKeys,
  assertObject,
  invalidField,
  oneOf,
} from "@enis/core/validate";
import {
  type ApplyOptions,
  assertApplyOptions,
  assertKey,
  assertKeys,
  assertRateRules,
  assertRules,
  assertTimeOptions,
  type BatchOutcome,
  createTimeline,
  partitionOf,
  type RateLimitSpec,
  type RateRule,
  type RuleOutcome,
  type StoreRule,
  type ThrottleStore,
} from "@enis/throttle/store";
import {
  createScriptRunner,
  describeReply,
  isScriptClient,
  isStandalone,
  type RedisScriptClient,
  type ScriptRunner,
  withTimeout,
} from "./client.js";
import { createCoalescer, maxKeysPerCall, ruleReplyLength } from "./coalescer.js";
import { groupByPartition, leaseIndexKey, storedKey } from "./keys.js";
import { luaScripts } from "./lua-scripts.js";

/** Which clock a Redis store evaluates at. */
export type RedisStoreTime = "server" | "caller";

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * A connected client the caller built: ioredis `Redis` or `Cluster`, or a node-redis client or
   * cluster. The store only sends EVALSHA and EVAL; it never reads credentials nor connects.
   */
  readonly client: RedisScriptClient;
  /**
   * Prefix of every key, before the `{partition}` hash tag. Must not contain `{` or `}`.
   * @default "enis:"
   */
  readonly prefix?: string;
  /**
   * Most milliseconds one store call may take (EVALSHA plus, after NOSCRIPT, EVAL); past it the
   * call rejects with `EnisError` `STORE_UNAVAILABLE` rather than stall the request it guards.
   * @default 50
   */
  readonly timeoutMs?: number;
  /**
   * `"server"`: evaluate at the Redis server's clock (`TIME`), one clock for every replica; the
   * `nowMs` option of a call is ignored. `"caller"`: evaluate at the `nowMs` each call must pass
   * (tests, replays, the conformance suite's explicit clock); a `nowMs` more than `maxClockLagMs`
   * (1 s) before the latest one this store object has decided at is refused with `INVALID_OPTIONS`.
   * @default "server"
   */
  readonly time?: RedisStoreTime;
  /**
   * Most batches sent in one script call. The store coalesces the batches its callers submit in
   * the same event-loop turn (concurrent requests) into EVALSHA calls of the apply script, which
   * evaluates them in submission order, each still all or nothing: the decisions of the same
   * batches sent one by one, at a fraction of the round trips and server time. Four batches or
   * more go out as two calls at least, so that Redis runs one while the client prepares the other.
   * On a cluster only batches of one partition share a call. `1` sends every batch on its own.
   * @default 16
   */
  readonly maxBatchesPerCall?: number;
  /**
   * The timers the call timeouts run on.
   * @default the host's `setTimeout` / `clearTimeout` (`systemTimers` of `@enis/core`)
   */
  readonly timers?: Timers;
}

const knownOptions = new Set(["client", "prefix", "timeoutMs", "time", "maxBatchesPerCall", "timers"]);
const noOptions: ApplyOptions = Object.freeze({});

/**
 * Creates the throttle store on Redis or Redis Cluster (name `"redis"`). Each batch is one Lua
 * script call: every rule is evaluated at one clock reading, and all are spent or none. Keys are
 * `${prefix}{${partition}}${key}`, the partition being the port's (`partitionOf`): the text inside
 * a leading `{…}`, else before the first `":"`, else the whole key; one batch must stay within one
 * partition (one cluster slot), else `INVALID_OPTIONS`.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { createRedisStore } from "@enis/redis";
 *
 * const store = createRedisStore({ client: new Redis(process.env.REDIS_URL!) });
 * const spec = { algorithm: "gcra", limit: 100, windowMs: 60_000, burst: 20 } as const;
 * const { allowed, outcomes } = await store.apply([
 *   { kind: "rate", key: "acme", spec, cost: 1 },
 *   { kind: "rate", key: "acme:team-a:user-7", spec, cost: 1 },
 * ]);
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): ThrottleStore {
  assertObject(options, "options");
  assertKnownKeys(options, knownOptions, "options");
  if (!isScriptClient(options.client)) {
    throw invalidField(
      "options.client",
      options.client,
      "an ioredis or node-redis client (with eval and evalsha or evalSha)",
    );
  }
  const prefix = options.prefix ?? "enis:";
  if (typeof prefix !== "string" || /[{}]/.test(prefix)) {
    throw invalidField(
      "options.prefix",
      prefix,
      'a string without "{" or "}" (they would move the hash tag)',
    );
  }
  const timeoutMs = options.timeoutMs ?? 50;
  // Above 2^31 - 1 ms Node fires a timer after 1 ms: every call would time out.
  assertInteger(timeoutMs, "options.timeoutMs", 1, 60_000);
  const time = oneOf(options.time, "options.time", ["server", "caller"] as const, "server");
  const maxBatches = options.maxBatchesPerCall ?? 16;
  assertInteger(maxBatches, "options.maxBatchesPerCall", 1, 10_000);
  const timers = options.timers === undefined ? systemTimers : options.timers;
  if (
    typeof timers !== "object" ||
    timers === null ||
    typeof timers.setTimeout !== "function" ||
    typeof timers.clearTimeout !== "function"
  ) {
    throw invalidField("options.timers", timers, "timers with setTimeout and clearTimeout");
  }
  const run = createScriptRunner(options.client);
  const coalescer = createCoalescer(run, time === "server" ? "s" : "c", timeoutMs, {
    // On one server a script may touch any key; on a cluster only one slot's, so batches are
    // grouped by partition (the hash tag), and an unknown client is treated as a cluster.
    byPartition: !isStandalone(options.client),
    maxBatches,
    timers,
  });
  // The clock-lag rule of the port, for this store object: the caller's clocks only (the server's
  // clock is one clock, read inside the scripts).
  const timeline = createTimeline();
  /**
   * The clock argument of a call whose options are valid: "" for the server's clock; else the
   * caller's nowMs, required, and refused when more than maxClockLagMs before the latest time
   * decided at. Called last, after every other check, so a refused call moves no clock.
   */
  const clockArgument = (nowMs: number | undefined): string => {
    if (time === "server") return "";
    if (nowMs === undefined) {
      throw invalidField("options.nowMs", nowMs, 'a time in ms (the store was created with time: "caller")');
    }
    return String(timeline.accept(nowMs, "options.nowMs"));
  };

  return Object.freeze({
    name: "redis",

    async apply(rules: readonly StoreRule[], applyOptions: ApplyOptions = noOptions): Promise<BatchOutcome> {
      assertRules(rules);
      assertApplyOptions(applyOptions);
      const count = rules.length;
      if (count > maxKeysPerCall) {
        throw invalidField("rules", `${count} rules`, `at most ${maxKeysPerCall} rules in one batch`);
      }
      // assertRules has checked that every key shares the first key's partition.
      const partition = count === 0 ? "" : partitionOf(rules[0]!.key);
      // A lease rule declares its index too (so that a Cluster redirects the script while its slot moves).
      const keys: string[] = [];
      for (let index = 0; index < count; index++) {
        const rule = rules[index]!;
        keys.push(storedKey(prefix, rule.key, partition));
        if (rule.kind === "lease") keys.push(leaseIndexKey(prefix, rule.key, partition));
      }
      if (keys.length > maxKeysPerCall) {
        throw invalidField(
          "rules",
          `${count} rules with ${keys.length} keys`,
          `at most ${maxKeysPerCall} keys in one batch (a lease rule has two: its key and its index)`,
        );
      }
      const clock = clockArgument(applyOptions.nowMs);
      const texts: string[] = new Array(count);
      for (let index = 0; index < count; index++) texts[index] = ruleText(rules[index]!);
      const [serverClock, replies, offset] = await coalescer.submit(
        partition,
        keys,
        texts,
        applyOptions.dryRun === true,
        clock,
      );
      return parseBatchReply(
        replies,
        offset,
        count,
        clock === "" ? parseScriptNumber(serverClock) : Number(clock),
      );
    },

    async refund(
      rules: readonly RateRule[],
      refundOptions: { readonly nowMs?: number } = noOptions,
    ): Promise<void> {
      // A refund is not a decision: its rules may span partitions.
      assertRules(rules, "rules", false);
      assertRateRules(rules);
      assertTimeOptions(refundOptions);
      const clock = clockArgument(refundOptions.nowMs);
      // Each partition's part is atomic, the parts independent. Batches queued before it go first,
      // as they were called.
      coalescer.flush();
      await withTimeout("refund", timeoutMs, timers, () =>
        Promise.all(
          groupByPartition(rules, (rule) => rule.key).map((group) => {
            const args = [clock];
            for (const rule of group) {
              const { algorithm, limit, windowMs } = rule.spec;
              args.push(algorithm, String(limit), String(windowMs), String(rule.cost));
            }
            return call(
              run,
              "refund",
              group.map((rule) => storedKey(prefix, rule.key)),
              args,
            );
          }),
        ),
      );
    },

    async release(
      key: string,
      leaseId: string,
      releaseOptions: { readonly nowMs?: number } = noOptions,
    ): Promise<boolean> {
      assertKey(key, "key");
      assertId(leaseId, "leaseId");
      assertTimeOptions(releaseOptions);
      const clock = clockArgument(releaseOptions.nowMs);
      coalescer.flush();
      const reply = await withTimeout("release", timeoutMs, timers, () =>
        call(run, "release", [storedKey(prefix, key), leaseIndexKey(prefix, key)], [clock, leaseId]),
      );
      return reply === "1" || reply === 1;
    },

    async reset(keys: readonly string[]): Promise<void> {
      assertKeys(keys);
      coalescer.flush();
      await withTimeout("reset", timeoutMs, timers, () =>
        Promise.all(
          groupByPartition(keys, (key) => key).map((group) =>
            call(
              run,
              "reset",
              // A key and its lease index, if it is a lease key.
              group.flatMap((key) => [storedKey(prefix, key), leaseIndexKey(prefix, key)]),
              [],
            ),
          ),
        ),
      );
    },
  } satisfies ThrottleStore);
}

function call(
  run: ScriptRunner,
  name: keyof typeof luaScripts,
  keys: string[],
  args: string[],
): Promise<unknown> {
  return run(luaScripts[name], keys, args);
}

/** The rule (checked by `assertRules`) as the apply script reads it (numbers as round-trip exact text). */
function ruleText(rule: StoreRule): string {
  if (rule.kind === "rate") return rateText(rule.spec, rule.cost);
  // The lease id goes last: the script takes the rest of the text, commas and all.
  return `l,${rule.limit},${rule.cost},${rule.ttlMs},${rule.renew === true ? 1 : 0},${rule.leaseId}`;
}

/**
 * A frozen spec's (every limiter's) texts, built once: "r,algorithm,limit,windowMs,burst,
 * blockDurationMs," and that text with cost 1, so that the rules of a limiter's requests carry one
 * string object, which a call's list of distinct texts finds by reference.
 */
const specTexts = new WeakMap<object, { readonly base: string; readonly one: string }>();

function rateText(spec: RateLimitSpec, cost: number): string {
  let texts = specTexts.get(spec);
  if (texts === undefined) {
    const base = `r,${spec.algorithm},${spec.limit},${spec.windowMs},${spec.burst},${spec.blockDurationMs ?? 0},`;
    texts = { base, one: `${base}1` };
    if (Object.isFrozen(spec)) specTexts.set(spec, texts);
  }
  return cost === 1 ? texts.one : `${texts.base}${cost}`;
}

/** Parses "%.17g" text (and "inf") back to the exact double the script computed. */
export function parseScriptNumber(text: unknown): number {
  if (text === "inf") return Number.POSITIVE_INFINITY;
  if (text === "-inf") return Number.NEGATIVE_INFINITY;
  const value = typeof text === "string" ? Number(text) : Number.NaN;
  if (typeof text !== "string" || text.length === 0 || Number.isNaN(value)) {
    throw new EnisError("INTERNAL", `redis store: the script returned ${JSON.stringify(text)}, not a number`);
  }
  return value;
}

/** A reply value: an integer reply (a whole number) as is, text ("%.17g", "inf") parsed. */
function replyNumber(value: unknown): number {
  return typeof value === "number" ? value : parseScriptNumber(value);
}

/**
 * Parses one batch's part of the flat apply reply: per rule, remaining and resetAfterMs when it is
 * allowed; else a code (-1 refused, -2 refused "blocked", -3 refused "lease-held"), remaining,
 * retryAfterMs and resetAfterMs. The batch is allowed when every rule is.
 */
function parseBatchReply(
  replies: readonly unknown[],
  offset: number,
  count: number,
  nowMs: number,
): BatchOutcome {
  const outcomes: RuleOutcome[] = new Array(count);
  let allowed = true;
  let at = offset;
  for (let index = 0; index < count; index++) {
    const first = replies[at];
    if (ruleReplyLength(first) === 2) {
      outcomes[index] = {
        allowed: true,
        remaining: replyNumber(first),
        retryAfterMs: 0,
        resetAfterMs: replyNumber(replies[at + 1]),
      };
      at += 2;
      continue;
    }
    allowed = false;
    const remaining = replyNumber(replies[at + 1]);
    const retryAfterMs = replyNumber(replies[at + 2]);
    const resetAfterMs = replyNumber(replies[at + 3]);
    at += 4;
    if (first === -1) {
      outcomes[index] = { allowed: false, remaining, retryAfterMs, resetAfterMs };
    } else if (first === -2 || first === -3) {
      const reason = first === -2 ? "blocked" : "lease-held";
      outcomes[index] = { allowed: false, remaining, retryAfterMs, resetAfterMs, reason };
    } else {
      throw new EnisError("INTERNAL", `redis store: unexpected apply reply ${describeReply(replies)}`);
    }
  }
  return { allowed, outcomes, nowMs };
}

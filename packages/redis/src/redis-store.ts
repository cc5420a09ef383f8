import { EnisError } from "@enis/core";
import {
  assertArray,
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
  assertTime,
  assertTimeOptions,
  type BatchOutcome,
  maxWindowMs,
  type RateLimitSpec,
  type RateRule,
  type RuleOutcome,
  type StoreRule,
  type ThrottleStore,
} from "@enis/throttle";
import {
  createScriptRunner,
  isScriptClient,
  isStandalone,
  type RedisScriptClient,
  type ScriptRunner,
  withTimeout,
} from "./client.js";
import { createCoalescer, maxKeysPerCall } from "./coalescer.js";
import { assertThrottleKey, groupByPartition, leaseIndexKey, redisKey, singlePartition } from "./keys.js";
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
   * Prefix of every key, before the `{organisation}` hash tag. Must not contain `{` or `}`.
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
   * (tests, replays, the conformance suite's explicit clock).
   * @default "server"
   */
  readonly time?: RedisStoreTime;
  /**
   * Most batches sent in one script call. The store coalesces the batches its callers submit in
   * the same event-loop turn (concurrent requests) into EVALSHA calls of the apply script, which
   * evaluates them in submission order, each still all or nothing: the decisions of the same
   * batches sent one by one, at a fraction of the round trips and server time. Four batches or
   * more go out as two calls at least, so that Redis runs one while the client prepares the other.
   * On a cluster only batches of one organisation share a call. `1` sends every batch on its own.
   * @default 16
   */
  readonly maxBatchesPerCall?: number;
}

const knownOptions = new Set(["client", "prefix", "timeoutMs", "time", "maxBatchesPerCall"]);
const algorithms = new Set(["gcra", "token-bucket", "fixed-window", "sliding-window"]);

/**
 * Creates the throttle store on Redis or Redis Cluster (name `"redis"`). Each batch is one Lua
 * script call: every rule is evaluated at one clock reading, and all are spent or none. Keys are
 * `${prefix}{${organisation}}${key}`, the organisation being the key's text before its first
 * `":"`; one batch must stay within one organisation (one cluster slot), else `INVALID_OPTIONS`.
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
  const run = createScriptRunner(options.client);
  const coalescer = createCoalescer(run, time === "server" ? "s" : "c", timeoutMs, {
    // On one server a script may touch any key; on a cluster only one slot's, so batches are
    // grouped by organisation (the hash tag), and an unknown client is treated as a cluster.
    byPartition: !isStandalone(options.client),
    maxBatches,
  });
  const clockArgument = (nowMs: number | undefined, field: string): string => {
    if (time === "server") return "";
    if (nowMs === undefined) {
      throw invalidField(field, nowMs, 'a time in ms (the store was created with time: "caller")');
    }
    assertTime(nowMs, field);
    return String(nowMs);
  };

  return Object.freeze({
    name: "redis",

    async apply(rules: readonly StoreRule[], applyOptions: ApplyOptions = {}): Promise<BatchOutcome> {
      assertArray(rules, "rules");
      assertApplyOptions(applyOptions);
      const clock = clockArgument(applyOptions.nowMs, "options.nowMs");
      const count = rules.length;
      if (count > maxKeysPerCall) {
        throw invalidField("rules", `${count} rules`, `at most ${maxKeysPerCall} rules in one batch`);
      }
      const ruleKeys: string[] = new Array(count);
      // The header: the rule count, negative for a dry run; then the caller's clock, if it is used.
      const args: string[] = [applyOptions.dryRun === true ? `-${count}` : String(count)];
      if (clock !== "") args.push(clock);
      for (let index = 0; index < count; index++) {
        const rule = rules[index]!;
        ruleKeys[index] = checkedKey(rule, `rules[${index}]`);
        args.push(ruleArgument(rule, `rules[${index}]`));
      }
      const partition = singlePartition(ruleKeys, "rules");
      // Every key shares the partition just found: no second scan of each key for its ":". A lease
      // rule declares its index too (so that a Cluster redirects the script while its slot moves).
      const keys: string[] = [];
      for (let index = 0; index < count; index++) {
        keys.push(redisKey(prefix, ruleKeys[index]!, partition));
        if (rules[index]!.kind === "lease") keys.push(leaseIndexKey(prefix, ruleKeys[index]!, partition));
      }
      if (keys.length > maxKeysPerCall) {
        throw invalidField(
          "rules",
          `${count} rules with ${keys.length} keys`,
          `at most ${maxKeysPerCall} keys in one batch (a lease rule has two: its key and its index)`,
        );
      }
      const [serverClock, replies, offset] = await coalescer.submit(partition ?? "", keys, args, count);
      return parseBatchReply(
        replies,
        offset,
        count,
        clock === "" ? parseScriptNumber(serverClock) : Number(clock),
      );
    },

    async refund(rules: readonly RateRule[], refundOptions: { readonly nowMs?: number } = {}): Promise<void> {
      assertArray(rules, "rules");
      assertTimeOptions(refundOptions);
      const clock = clockArgument(refundOptions.nowMs, "options.nowMs");
      for (let index = 0; index < rules.length; index++) {
        const rule = rules[index]!;
        checkedKey(rule, `rules[${index}]`);
        if (rule.kind !== "rate") throw invalidField(`rules[${index}].kind`, rule.kind, '"rate"');
        rateArguments(rule, `rules[${index}]`);
      }
      // A refund is not a decision: each organisation's part is atomic, the parts independent.
      // Batches queued before it go first, as they were called.
      coalescer.flush();
      await withTimeout("refund", timeoutMs, () =>
        Promise.all(
          groupByPartition(rules, (rule) => rule.key).map((group) =>
            call(
              run,
              "refund",
              group.map((rule) => redisKey(prefix, rule.key)),
              [clock, ...group.flatMap((rule) => rateArguments(rule, "rules").slice(1))],
            ),
          ),
        ),
      );
    },

    async release(
      key: string,
      leaseId: string,
      releaseOptions: { readonly nowMs?: number } = {},
    ): Promise<boolean> {
      assertThrottleKey(key, "key");
      assertId(leaseId, "leaseId");
      assertTimeOptions(releaseOptions);
      const clock = clockArgument(releaseOptions.nowMs, "options.nowMs");
      coalescer.flush();
      const reply = await withTimeout("release", timeoutMs, () =>
        call(run, "release", [redisKey(prefix, key), leaseIndexKey(prefix, key)], [clock, leaseId]),
      );
      return reply === "1" || reply === 1;
    },

    async reset(keys: readonly string[]): Promise<void> {
      assertArray(keys, "keys");
      keys.forEach((key, index) => {
        assertThrottleKey(key, `keys[${index}]`);
      });
      coalescer.flush();
      await withTimeout("reset", timeoutMs, () =>
        Promise.all(
          groupByPartition(keys, (key) => key).map((group) =>
            call(
              run,
              "reset",
              // A key and its lease index, if it is a lease key.
              group.flatMap((key) => [redisKey(prefix, key), leaseIndexKey(prefix, key)]),
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

function checkedKey(rule: StoreRule, field: string): string {
  assertObject(rule, field);
  assertThrottleKey(rule.key, `${field}.key`);
  return rule.key;
}

/** The rule as the apply script's one argument (numbers as round-trip exact text). */
function ruleArgument(rule: StoreRule, field: string): string {
  if (rule.kind === "rate") return `${specArgument(rule.spec, `${field}.spec`)}${costText(rule.cost, field)}`;
  if (rule.kind === "lease") {
    assertInteger(rule.limit, `${field}.limit`, 0);
    assertInteger(rule.amount, `${field}.amount`, 1);
    assertId(rule.leaseId, `${field}.leaseId`);
    assertInteger(rule.ttlMs, `${field}.ttlMs`, 1, maxWindowMs);
    // The lease id goes last: the script takes the rest of the text, commas and all.
    return `l,${rule.limit},${rule.amount},${rule.ttlMs},${rule.leaseId}`;
  }
  throw invalidField(`${field}.kind`, (rule as { kind?: unknown }).kind, '"rate" or "lease"');
}

/** "r,algorithm,limit,windowMs,burst," of a spec; frozen specs (every limiter's) are checked once. */
const specTexts = new WeakMap<object, string>();

function specArgument(spec: RateLimitSpec, field: string): string {
  const cached = typeof spec === "object" && spec !== null ? specTexts.get(spec) : undefined;
  if (cached !== undefined) return cached;
  const [, algorithm, limit, windowMs, burst] = checkedSpec(spec, field);
  const text = `r,${algorithm},${limit},${windowMs},${burst},`;
  if (Object.isFrozen(spec)) specTexts.set(spec, text);
  return text;
}

function costText(cost: number, field: string): string {
  assertInteger(cost, `${field}.cost`, 0);
  return String(cost);
}

function rateArguments(rule: RateRule, field: string): string[] {
  return [...checkedSpec(rule.spec, `${field}.spec`), costText(rule.cost, field)];
}

/** ["r", algorithm, limit, windowMs, burst] of a spec, after checking it. */
function checkedSpec(spec: RateLimitSpec, field: string): string[] {
  assertObject(spec, field);
  if (!algorithms.has(spec.algorithm)) {
    throw invalidField(`${field}.algorithm`, spec.algorithm, `one of ${[...algorithms].join(", ")}`);
  }
  // Integers, as the algorithms require: a fraction or a number Redis cannot hold is the caller's
  // bug (INVALID_OPTIONS), never a script error that a resilient store would take for an outage.
  assertInteger(spec.limit, `${field}.limit`, 1);
  assertInteger(spec.windowMs, `${field}.windowMs`, 1, maxWindowMs);
  assertInteger(spec.burst, `${field}.burst`, 1);
  return ["r", spec.algorithm, String(spec.limit), String(spec.windowMs), String(spec.burst)];
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

/** Parses one batch's part of the flat apply reply: its flag, then 4 values per rule. */
function parseBatchReply(
  replies: readonly unknown[],
  offset: number,
  count: number,
  nowMs: number,
): BatchOutcome {
  const flag = replies[offset];
  if (flag !== 1 && flag !== 0) {
    throw new EnisError("INTERNAL", `redis store: unexpected apply reply ${JSON.stringify(replies)}`);
  }
  const outcomes: RuleOutcome[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const base = offset + 1 + 4 * index;
    outcomes[index] = {
      allowed: replies[base] === 1,
      remaining: replyNumber(replies[base + 1]),
      retryAfterMs: replyNumber(replies[base + 2]),
      resetAfterMs: replyNumber(replies[base + 3]),
    };
  }
  return { allowed: flag === 1, outcomes, nowMs };
}

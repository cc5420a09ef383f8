import { createRandom, EnisError } from "@enis/core";
import {
  type Algorithm,
  algorithmNames,
  createConcurrencyLimiter,
  createMemoryStore,
  evaluate,
  evaluateLease,
  type HeldLease,
  type RateLimitSpec,
  releaseLease,
  type StoreRule,
} from "@enis/throttle";
import type { RateRule, RuleOutcome } from "@enis/throttle/store";
import { describeStoreDifferential, describeThrottleStore } from "@enis/throttle/testing";
import { Cluster, Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore, redisKey } from "./index.js";
import { luaScripts } from "./lua-scripts.js";
import {
  type RedisCluster,
  type RedisServer,
  requireRedis,
  startRedisCluster,
  startRedisServer,
} from "./test-support/redis-server.js";

const available = requireRedis();
/**
 * How far past its timeout a call may end on a loaded 2-core CI machine (event-loop and scheduler
 * delays). What the tests guard is that a call ends at its timeout, not at the client's own
 * reconnect or TCP timeouts (seconds).
 */
const slackMs = 100;
const epoch = 1_763_000_000_000;
const algorithms: readonly Algorithm[] = algorithmNames;
let prefixes = 0;
const freshPrefix = () => `t${++prefixes}:`;

/** A pure function's outcome as a store reports it: the reason only when there is one. */
function outcomeOf(result: RuleOutcome): RuleOutcome {
  const outcome = {
    allowed: result.allowed,
    remaining: result.remaining,
    retryAfterMs: result.retryAfterMs,
    resetAfterMs: result.resetAfterMs,
  };
  return result.reason === undefined ? outcome : { ...outcome, reason: result.reason };
}

async function rejection(promise: Promise<unknown>): Promise<EnisError> {
  try {
    await promise;
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

/** `client` with its script calls counted: the number of keys of each EVALSHA / EVAL. */
function countingScripts<C extends object>(client: C): { client: C; keyCounts: number[] } {
  const keyCounts: number[] = [];
  const proxy = new Proxy(client, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name === "evalsha" || name === "eval") {
        return (...args: unknown[]) => {
          keyCounts.push(args[1] as number);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { client: proxy, keyCounts };
}

describe.runIf(available)("redis store on a standalone redis-server", () => {
  let server: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.port, "127.0.0.1", { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  for (const algorithm of algorithms) {
    for (const blockDurationMs of [0, 700]) {
      it(`${algorithm}${blockDurationMs > 0 ? ", with blocks" : ""}: every decision equals the pure evaluate, bit for bit`, async () => {
        // A limit that does not divide the window (an emission interval of 1000/3 ms) and fractional
        // times exercise the doubles; cost above the burst exercises Infinity; a block is stored
        // although its refusal spends nothing.
        const spec: RateLimitSpec = {
          algorithm,
          limit: 3,
          windowMs: 1_000,
          burst: algorithm === "gcra" ? 2 : 3,
          blockDurationMs,
        };
        const store = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
        const random = createRandom(7 + algorithms.indexOf(algorithm) + blockDurationMs);
        let state: number[] | undefined;
        let now = epoch + 0.125;
        let blocked = 0;
        for (let step = 0; step < 200; step++) {
          now += [0, 0.001, 1 / 3, 17.5, 250, 999.999, 1_000, 2_500][random.nextInt(8)]!;
          const cost = [0, 1, 1, 1, 2, 4][random.nextInt(6)]!;
          const dryRun = random.nextInt(5) === 0;
          const expected = evaluate(spec, state, now, cost);
          const got = await store.apply([{ kind: "rate", key: "org:limit", spec, cost }], {
            nowMs: now,
            dryRun,
          });
          expect({ step, outcome: got.outcomes[0] }).toStrictEqual({ step, outcome: outcomeOf(expected) });
          expect(got.allowed).toBe(expected.allowed);
          expect(Object.is(got.nowMs, now)).toBe(true);
          for (const field of ["remaining", "retryAfterMs", "resetAfterMs"] as const) {
            expect(Object.is(got.outcomes[0]![field], expected[field])).toBe(true);
          }
          if (expected.reason === "blocked") blocked++;
          if ((expected.allowed || expected.startsBlock) && !dryRun) state = expected.next;
        }
        // The sequence meets blocks when it has them.
        expect(blocked > 0).toBe(blockDurationMs > 0);
      });
    }
  }

  it("leases: every decision equals the pure evaluateLease / releaseLease", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
    const random = createRandom(99);
    let leases: HeldLease[] = [];
    let now = epoch + 0.5;
    for (let step = 0; step < 200; step++) {
      now += [0, 1, 33.3, 400, 1_500][random.nextInt(5)]!;
      const leaseId = `l${random.nextInt(5)}`;
      if (random.nextInt(4) === 0) {
        const expected = releaseLease(leases, leaseId, now);
        expect(await store.release("org:workers", leaseId, { nowMs: now })).toBe(expected.released);
        leases = expected.next;
        continue;
      }
      const cost = 1 + random.nextInt(3);
      const ttlMs = 500 + random.nextInt(2_000);
      // An acquire of an id still held is refused (lease-held); a renewal extends it.
      const renew = random.nextInt(3) === 0;
      const expected = evaluateLease(4, leases, leaseId, cost, ttlMs, now, renew);
      const got = await store.apply(
        [{ kind: "lease", key: "org:workers", limit: 4, cost, leaseId, ttlMs, renew }],
        { nowMs: now },
      );
      expect({ step, outcome: got.outcomes[0] }).toStrictEqual({ step, outcome: outcomeOf(expected) });
      if (expected.allowed) leases = expected.next;
    }
  });

  it("leases at scale: Redis decides as memory under bursts, renewals and clocks going back", async () => {
    // Many lease ids and room for dozens of leases, so a wrong sum, expiry or renewal shows in
    // remaining / retryAfterMs / resetAfterMs; bursts are coalesced into one script call and
    // read a key's leases through views that earlier batches of the same call changed.
    const redis = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
    const memory = createMemoryStore();
    const random = createRandom(4242);
    const leaseRule = (): StoreRule => ({
      kind: "lease",
      key: `org:pool-${random.nextInt(2)}`,
      limit: random.nextInt(4) === 0 ? 1 + random.nextInt(6) : 20 + random.nextInt(40),
      cost: 1 + random.nextInt(3),
      leaseId: `l${random.nextInt(60)}`,
      // Some leases shorter than the clock's jitter below: taken at an earlier clock than a spend
      // before them in the same call, they must still count (and be written).
      ttlMs: random.nextInt(3) === 0 ? 1 + random.nextInt(100) : 1 + random.nextInt(800),
      // Acquires of ids still held are refused (lease-held); renewals extend them.
      renew: random.nextInt(2) === 0,
    });
    const batch = () => Array.from({ length: 1 + random.nextInt(3) }, leaseRule);
    let now = epoch + 0.5;
    for (let step = 0; step < 600; step++) {
      now += [0, 1, 7, 50, 300][random.nextInt(5)]!;
      const choice = random.nextInt(6);
      if (choice === 0) {
        const key = `org:pool-${random.nextInt(2)}`;
        const leaseId = `l${random.nextInt(60)}`;
        const [x, y] = await Promise.all([
          memory.release(key, leaseId, { nowMs: now }),
          redis.release(key, leaseId, { nowMs: now }),
        ]);
        expect({ step, released: y }).toEqual({ step, released: x });
        continue;
      }
      const calls = Array.from({ length: choice === 1 ? 2 + random.nextInt(30) : 1 }, () => ({
        rules: batch(),
        nowMs: now + random.nextInt(121) - 60,
        dryRun: random.nextInt(8) === 0,
      }));
      const submit = (store: typeof redis) =>
        Promise.all(calls.map(({ rules, ...options }) => store.apply(rules, options)));
      const [xs, ys] = await Promise.all([submit(memory), submit(redis)]);
      const decided = (outcomes: typeof xs) =>
        outcomes.map(({ allowed, outcomes }) => ({ allowed, outcomes }));
      expect({ step, decided: decided(ys) }).toEqual({ step, decided: decided(xs) });
    }
  });

  it("lease keys: no throttle key reaches an index, and a lost index is rebuilt", async () => {
    const prefix = freshPrefix();
    const store = createRedisStore({ client, prefix, time: "caller", timeoutMs: 1_000 });
    const memory = createMemoryStore();
    const lease = (leaseId: string, ttlMs: number): StoreRule => ({
      kind: "lease",
      key: "org:x",
      limit: 2,
      cost: 1,
      leaseId,
      ttlMs,
    });
    const spec: RateLimitSpec = { algorithm: "fixed-window", limit: 5, windowMs: 60_000, burst: 5 };
    // A rate rule on the name the index once had (the key followed by "\0enis:expiries").
    const steps: [StoreRule[], number][] = [
      [[lease("a", 10)], epoch],
      [[{ kind: "rate", key: "org:x\0enis:expiries", spec, cost: 1 }], epoch],
      [[lease("b", 1_000)], epoch + 1],
      [[lease("c", 1_000)], epoch + 2],
      // "a" expired at epoch + 10: room for "c".
      [[lease("c", 1_000)], epoch + 11],
    ];
    for (const [rules, nowMs] of steps) {
      const [x, y] = [memory.applySync(rules, { nowMs }), await store.apply(rules, { nowMs })];
      expect(y.outcomes).toEqual(x.outcomes);
    }
    // The index alone evicted (maxmemory policies evict key by key): rebuilt from the hash, so
    // "b" and "c" still expire.
    expect(await client.del(`${prefix}{org}\0org:x`)).toBe(1);
    const later = [lease("d", 1_000)];
    expect((await store.apply(later, { nowMs: epoch + 500 })).allowed).toBe(false);
    expect((await store.apply(later, { nowMs: epoch + 1_002 })).outcomes[0]).toEqual(
      memory.applySync(later, { nowMs: epoch + 1_002 }).outcomes[0],
    );
    expect(await client.exists(`${prefix}{org}\0org:x`)).toBe(1);
  });

  it("an acquire reads a few Redis commands, not every lease held on the key", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
    const take = (leaseId: string) =>
      ({ kind: "lease", key: "org:pool", limit: 100_000, cost: 1, leaseId, ttlMs: 600_000 }) as const;
    for (let batch = 0; batch < 30; batch++) {
      await store.apply(
        Array.from({ length: 100 }, (_, i) => take(`l${batch * 100 + i}`)),
        { nowMs: epoch },
      );
    }
    await client.call("CONFIG", "RESETSTAT");
    const outcome = await store.apply([take("one-more")], { nowMs: epoch + 1 });
    expect(outcome.outcomes[0]).toEqual({
      allowed: true,
      remaining: 100_000 - 3_001,
      retryAfterMs: 0,
      resetAfterMs: 600_000,
    });
    const stats = String(await client.call("INFO", "commandstats"));
    const calls = [...stats.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)]
      .filter(([, name]) => !["evalsha", "eval", "config|resetstat", "info", "config"].includes(name!))
      .map(([, name, count]) => [name, Number(count)] as const);
    // GET, HGET × 2, ZRANGEBYSCORE, ZREVRANGEBYSCORE, then HSET × 2, ZADD, PEXPIRE × 2 (and TIME
    // never: caller time): no HGETALL, nothing per lease held.
    expect(calls.find(([name]) => name === "hgetall")).toBeUndefined();
    expect(calls.reduce((sum, [, count]) => sum + count, 0)).toBeLessThanOrEqual(12);
  });

  it("stores a block as one more packed double of the state, and drops it with the first spend after it", async () => {
    const prefix = freshPrefix();
    const store = createRedisStore({ client, prefix, time: "caller", timeoutMs: 1_000 });
    for (const [algorithm, length, start] of [
      ["gcra", 2, epoch],
      ["sliding-window", 3, epoch + 10_000],
    ] as const) {
      const spec: RateLimitSpec = { algorithm, limit: 1, windowMs: 1_000, burst: 1, blockDurationMs: 5_000 };
      const key = `org:block-${algorithm}`;
      const rule = (cost: number): RateRule => ({ kind: "rate", key, spec, cost });
      // expiresAtMs and keptUntilMs, then the state: 8 bytes each.
      const stored = async () => (await client.strlen(redisKey(prefix, key))) / 8 - 2;
      expect((await store.apply([rule(1)], { nowMs: start })).allowed).toBe(true);
      expect(await stored()).toBe(length);
      // A dry-run refusal blocks nothing; a refusal blocks although it spends nothing.
      expect(
        (await store.apply([rule(1)], { nowMs: start + 1, dryRun: true })).outcomes[0]!.reason,
      ).toBeUndefined();
      expect(await stored()).toBe(length);
      expect((await store.apply([rule(1)], { nowMs: start + 1 })).outcomes[0]).toMatchObject({
        allowed: false,
        retryAfterMs: 5_000,
      });
      expect(await stored()).toBe(length + 1);
      expect((await store.apply([rule(0)], { nowMs: start + 4_000, dryRun: true })).outcomes[0]).toEqual({
        allowed: false,
        remaining: 0,
        retryAfterMs: 1_001,
        resetAfterMs: 1_001,
        reason: "blocked",
      });
      // A refund keeps the block.
      await store.refund([rule(1)], { nowMs: start + 4_000 });
      expect(await stored()).toBe(length + 1);
      expect((await store.apply([rule(1)], { nowMs: start + 5_001 })).allowed).toBe(true);
      expect(await stored()).toBe(length);
    }
  });

  it("a call of rate rules reads its keys with one MGET and writes each with one SET; a refused batch writes only the block it starts", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), timeoutMs: 1_000 });
    const spec: RateLimitSpec = { algorithm: "gcra", limit: 10, windowMs: 60_000, burst: 10 };
    const tight: RateLimitSpec = {
      algorithm: "fixed-window",
      limit: 1,
      windowMs: 60_000,
      burst: 1,
      blockDurationMs: 60_000,
    };
    const levels = ["acme", "acme:team", "acme:team:user"].map(
      (key): StoreRule => ({ kind: "rate", key, spec, cost: 1 }),
    );
    const block: StoreRule = { kind: "rate", key: "acme:tight", spec: tight, cost: 1 };
    /** The Redis commands the scripts ran since the last CONFIG RESETSTAT, by name. */
    const commands = async () => {
      const stats = String(await client.call("INFO", "commandstats"));
      return Object.fromEntries(
        [...stats.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)]
          .filter(([, name]) => !["evalsha", "eval", "config|resetstat", "info"].includes(name!))
          .map(([, name, count]) => [name, Number(count)]),
      );
    };
    expect((await store.apply([...levels, block])).allowed).toBe(true);
    await client.call("CONFIG", "RESETSTAT");
    expect((await store.apply(levels)).allowed).toBe(true);
    expect(await commands()).toEqual({ time: 1, mget: 1, set: 3 });
    await client.call("CONFIG", "RESETSTAT");
    const refused = await store.apply([...levels, block]);
    expect(refused.outcomes.map((outcome) => outcome.allowed)).toEqual([true, true, true, false]);
    expect(await commands()).toEqual({ time: 1, mget: 1, set: 1 });
    // Concurrent batches share a call: a key in several of them (the organisation's) is written
    // once, after its last batch — also when that batch is refused.
    const user = (name: string): StoreRule => ({ kind: "rate", key: `acme:team:${name}`, spec, cost: 1 });
    const full: StoreRule = { kind: "rate", key: "acme:team:full", spec, cost: 11 };
    await client.call("CONFIG", "RESETSTAT");
    const batches = await Promise.all([
      store.apply([levels[0]!, user("u1")]),
      store.apply([levels[0]!, user("u2")]),
      store.apply([levels[0]!, full]),
    ]);
    expect(batches.map((batch) => batch.allowed)).toEqual([true, true, false]);
    expect(batches.map((batch) => batch.outcomes[0]!.remaining)).toEqual([7, 6, 5]);
    expect(await commands()).toEqual({ time: 1, mget: 1, set: 3 });
    // The refused batch spent nothing: a spend leaves 5 again.
    expect((await store.apply([levels[0]!], { dryRun: true })).outcomes[0]!.remaining).toBe(5);
  });

  it("a batch is all or nothing: one refused rule leaves every other key untouched", async () => {
    const prefix = freshPrefix();
    const store = createRedisStore({ client, prefix, time: "caller", timeoutMs: 1_000 });
    const roomy: RateLimitSpec = { algorithm: "gcra", limit: 10, windowMs: 1_000, burst: 10 };
    const tight: RateLimitSpec = { algorithm: "fixed-window", limit: 2, windowMs: 1_000, burst: 2 };
    const first = await store.apply(
      [
        { kind: "rate", key: "acme", spec: roomy, cost: 1 },
        { kind: "rate", key: "acme:team", spec: tight, cost: 1 },
      ],
      { nowMs: epoch },
    );
    expect(first.allowed).toBe(true);
    const keys = ["acme", "acme:team", "acme:team:user", "acme:slots"].map((key) => redisKey(prefix, key));
    const snapshot = async () =>
      Promise.all(keys.map(async (key) => [await client.type(key), await client.dump(key)]));
    const before = await snapshot();
    const refused = await store.apply(
      [
        { kind: "rate", key: "acme", spec: roomy, cost: 1 },
        { kind: "lease", key: "acme:slots", limit: 2, cost: 1, leaseId: "job-1", ttlMs: 5_000 },
        { kind: "rate", key: "acme:team:user", spec: roomy, cost: 1 },
        { kind: "rate", key: "acme:team", spec: tight, cost: 2 },
      ],
      { nowMs: epoch + 10 },
    );
    expect(refused.allowed).toBe(false);
    expect(refused.outcomes.map((outcome) => outcome.allowed)).toEqual([true, true, true, false]);
    expect(await snapshot()).toEqual(before);
    expect(await client.exists(keys[2]!, keys[3]!)).toBe(0);
  });

  it("a dry run spends nothing, and a key named twice sees its own spend", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
    const spec: RateLimitSpec = { algorithm: "sliding-window", limit: 5, windowMs: 1_000, burst: 5 };
    const rule: StoreRule = { kind: "rate", key: "org:twice", spec, cost: 2 };
    const peek = await store.apply([rule, rule], { nowMs: epoch, dryRun: true });
    expect(peek.outcomes.map((outcome) => outcome.remaining)).toEqual([3, 1]);
    const spent = await store.apply([rule, rule], { nowMs: epoch });
    expect(spent.outcomes.map((outcome) => outcome.remaining)).toEqual([3, 1]);
    const after = await store.apply([{ ...rule, cost: 0 }], { nowMs: epoch, dryRun: true });
    expect(after.outcomes[0]!.remaining).toBe(1);
  });

  it("leases expire by themselves and release early", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
    const lease = (leaseId: string, ttlMs = 1_000): StoreRule => ({
      kind: "lease",
      key: "org:gpu",
      limit: 2,
      cost: 1,
      leaseId,
      ttlMs,
    });
    expect((await store.apply([lease("a"), lease("b")], { nowMs: epoch })).allowed).toBe(true);
    const full = await store.apply([lease("c")], { nowMs: epoch + 100 });
    expect(full.outcomes[0]).toEqual({ allowed: false, remaining: 0, retryAfterMs: 900, resetAfterMs: 900 });
    expect(await store.release("org:gpu", "a", { nowMs: epoch + 200 })).toBe(true);
    expect(await store.release("org:gpu", "a", { nowMs: epoch + 200 })).toBe(false);
    expect((await store.apply([lease("c")], { nowMs: epoch + 300 })).allowed).toBe(true);
    // "b" expires at epoch + 1000 although nobody released it: a crashed holder leaks nothing.
    expect((await store.apply([lease("d")], { nowMs: epoch + 1_000 })).allowed).toBe(true);
    expect(await store.release("org:gpu", "b", { nowMs: epoch + 1_000 })).toBe(false);
  });

  it("a concurrency limiter renews its lease on Redis past the first expiry", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
    const executions = createConcurrencyLimiter({ limit: 1, store, createLeaseId: () => "job-1" });
    const first = await executions.acquire("org:jobs", { ttlMs: 1_000, nowMs: epoch });
    if (!first.allowed) throw new Error("unreachable");
    expect(await executions.renew(first.lease, { ttlMs: 1_000, nowMs: epoch + 900 })).toMatchObject({
      allowed: true,
      lease: { leaseId: "job-1", expiresAtMs: epoch + 1_900 },
    });
    const other = createConcurrencyLimiter({ limit: 1, store, createLeaseId: () => "job-2" });
    expect((await other.acquire("org:jobs", { ttlMs: 1_000, nowMs: epoch + 1_500 })).allowed).toBe(false);
    expect((await other.acquire("org:jobs", { ttlMs: 1_000, nowMs: epoch + 1_900 })).allowed).toBe(true);
    expect((await executions.renew(first.lease, { ttlMs: 1_000, nowMs: epoch + 1_901 })).allowed).toBe(false);
  });

  it("coalesces large batches safely: a call never carries more than 4,096 keys", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 2_000 });
    const spec: RateLimitSpec = { algorithm: "fixed-window", limit: 1, windowMs: 60_000, burst: 1 };
    const rules = (org: string, count: number): StoreRule[] =>
      Array.from({ length: count }, (_, index) => ({ kind: "rate", key: `${org}:k${index}`, spec, cost: 1 }));
    // Three batches that together pass the per-call key bound: sent as separate calls, all decided.
    const big = await Promise.all(
      ["a", "b", "c"].map((org) => store.apply(rules(org, 2_000), { nowMs: epoch })),
    );
    expect(big.map((outcome) => outcome.allowed)).toEqual([true, true, true]);
  });

  it("sends a refund, a reset or a release after the batches called before it", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
    const spec: RateLimitSpec = { algorithm: "fixed-window", limit: 1, windowMs: 60_000, burst: 1 };
    const rule: StoreRule = { kind: "rate", key: "org:order", spec, cost: 1 };
    // Both scripts loaded first (a NOSCRIPT round trip would delay the reset by itself).
    await store.reset(["org:warm-up"]);
    await store.apply([{ ...rule, key: "org:warm-up" }], { nowMs: epoch });
    // Neither awaited: the reset must reach Redis after the apply, as it was called.
    const applied = store.apply([rule], { nowMs: epoch });
    const reset = store.reset(["org:order"]);
    await Promise.all([applied, reset]);
    expect((await store.apply([rule], { nowMs: epoch })).allowed).toBe(true);
  });

  it("refund gives units back, never beyond the full allowance", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
    const spec: RateLimitSpec = { algorithm: "token-bucket", limit: 4, windowMs: 1_000, burst: 4 };
    const rule = { kind: "rate" as const, key: "org:refund", spec, cost: 3 };
    await store.apply([rule], { nowMs: epoch });
    await store.refund([{ ...rule, cost: 2 }], { nowMs: epoch });
    expect((await store.apply([{ ...rule, cost: 0 }], { nowMs: epoch })).outcomes[0]!.remaining).toBe(3);
    await store.refund([{ ...rule, cost: 10 }], { nowMs: epoch });
    expect((await store.apply([{ ...rule, cost: 0 }], { nowMs: epoch })).outcomes[0]!.remaining).toBe(4);
  });

  it("server time: decisions at the Redis clock, the caller's nowMs ignored", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), timeoutMs: 1_000 });
    const spec: RateLimitSpec = { algorithm: "fixed-window", limit: 2, windowMs: 60_000, burst: 2 };
    const rule: StoreRule = { kind: "rate", key: "org:server", spec, cost: 1 };
    const [seconds, micros] = await client.time();
    const serverMs = Number(seconds) * 1000 + Number(micros) / 1000;
    const first = await store.apply([rule], { nowMs: 0 });
    expect(first.nowMs).toBeGreaterThanOrEqual(serverMs);
    expect(first.nowMs).toBeLessThan(serverMs + 5_000);
    expect(Number.isInteger(first.nowMs * 1000) || first.nowMs % 1 !== 0).toBe(true);
    const second = await store.apply([rule]);
    expect(second.nowMs).toBeGreaterThanOrEqual(first.nowMs);
    // Both spent in one 60 s window, unless the window rolled between the two calls.
    if (Math.floor(second.nowMs / 60_000) === Math.floor(first.nowMs / 60_000)) {
      expect(second.outcomes[0]!.remaining).toBe(0);
    }
    await store.apply([
      { kind: "lease", key: "org:server-lease", limit: 1, cost: 1, leaseId: "x", ttlMs: 10_000 },
    ]);
    expect(await store.release("org:server-lease", "x")).toBe(true);
    await store.refund([{ kind: "rate", key: "org:server", spec, cost: 1 }]);
    const empty = await store.apply([]);
    expect(empty).toEqual({ allowed: true, outcomes: [], nowMs: expect.any(Number) });
    expect(empty.nowMs).toBeGreaterThanOrEqual(second.nowMs);
  });

  it("sets a TTL on every key it writes", async () => {
    const prefix = freshPrefix();
    const store = createRedisStore({ client, prefix, timeoutMs: 1_000 });
    const spec: RateLimitSpec = { algorithm: "gcra", limit: 10, windowMs: 10_000, burst: 5 };
    await store.apply([
      { kind: "rate", key: "org:ttl-rate", spec, cost: 1 },
      { kind: "lease", key: "org:ttl-lease", limit: 2, cost: 1, leaseId: "a", ttlMs: 30_000 },
    ]);
    const rateTtl = await client.pttl(redisKey(prefix, "org:ttl-rate"));
    const leaseTtl = await client.pttl(redisKey(prefix, "org:ttl-lease"));
    // The state's lifetime, one ms, and a second of slack.
    expect(rateTtl).toBeGreaterThan(1_000);
    expect(rateTtl).toBeLessThanOrEqual(2_001);
    expect(leaseTtl).toBeGreaterThan(20_000);
    expect(leaseTtl).toBeLessThanOrEqual(31_001);
  });

  it("keeps a key's TTL while it outlasts the state, and renews it before the state outlives it", async () => {
    const prefix = freshPrefix();
    const store = createRedisStore({ client, prefix, timeoutMs: 1_000 });
    const key = redisKey(prefix, "org:kept");
    // 100 ms per unit: one unit lives 100 ms, so the key gets a TTL of 100 + 1 + 1,000 ms.
    const spec: RateLimitSpec = { algorithm: "gcra", limit: 100, windowMs: 10_000, burst: 50 };
    const rule = (cost: number): StoreRule => ({ kind: "rate", key: "org:kept", spec, cost });
    await store.apply([rule(1)]);
    expect(await client.pttl(key)).toBeGreaterThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const kept = await store.apply([rule(1)]);
    const keptTtl = await client.pttl(key);
    // Kept: the TTL went on counting down, and still outlasts the new state.
    expect(keptTtl).toBeLessThan(1_000);
    expect(keptTtl).toBeGreaterThanOrEqual(kept.outcomes[0]!.resetAfterMs);
    const renewed = await store.apply([rule(40)]);
    const renewedTtl = await client.pttl(key);
    // 41 units live 4.1 s, past the kept TTL: a new one.
    expect(renewed.outcomes[0]!.resetAfterMs).toBeGreaterThan(4_000);
    expect(renewedTtl).toBeGreaterThanOrEqual(renewed.outcomes[0]!.resetAfterMs);
    expect(renewedTtl).toBeLessThanOrEqual(renewed.outcomes[0]!.resetAfterMs + 1_002);
  });

  it("recovers from NOSCRIPT after SCRIPT FLUSH (EVALSHA, then EVAL)", async () => {
    const store = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
    const spec: RateLimitSpec = { algorithm: "gcra", limit: 10, windowMs: 1_000, burst: 10 };
    const rule: StoreRule = { kind: "rate", key: "org:flush", spec, cost: 1 };
    await store.apply([rule], { nowMs: epoch });
    expect(await client.script("EXISTS", luaScripts.apply.sha1)).toEqual([1]);
    await client.script("FLUSH");
    expect(await client.script("EXISTS", luaScripts.apply.sha1)).toEqual([0]);
    const after = await store.apply([rule], { nowMs: epoch });
    expect(after.outcomes[0]!.remaining).toBe(8);
    expect(await client.script("EXISTS", luaScripts.apply.sha1)).toEqual([1]);
  });

  it("works with a node-redis client too", async () => {
    const nodeRedis = createClient({ url: server.url });
    await nodeRedis.connect();
    try {
      await nodeRedis.scriptFlush();
      const prefix = freshPrefix();
      const store = createRedisStore({ client: nodeRedis, prefix, time: "caller", timeoutMs: 1_000 });
      const reference = createRedisStore({ client, prefix, time: "caller", timeoutMs: 1_000 });
      const spec: RateLimitSpec = { algorithm: "sliding-window", limit: 7, windowMs: 900, burst: 7 };
      for (let step = 0; step < 20; step++) {
        const store_ = step % 2 === 0 ? store : reference;
        const now = epoch + step * 77.7;
        const got = await store_.apply([{ kind: "rate", key: "org:nr", spec, cost: 1 }], {
          nowMs: now,
          dryRun: true,
        });
        const spent = await store.apply([{ kind: "rate", key: "org:nr", spec, cost: 1 }], { nowMs: now });
        expect(spent.outcomes[0]).toEqual(got.outcomes[0]);
      }
      expect(await store.release("org:none", "x", { nowMs: epoch + 20 * 77.7 })).toBe(false);
      await store.reset(["org:nr"]);
      expect(await nodeRedis.exists(redisKey(prefix, "org:nr"))).toBe(0);
    } finally {
      nodeRedis.destroy();
    }
  });

  it("resets keys of several organisations", async () => {
    const prefix = freshPrefix();
    const store = createRedisStore({ client, prefix, time: "caller", timeoutMs: 1_000 });
    const spec: RateLimitSpec = { algorithm: "fixed-window", limit: 1, windowMs: 1_000, burst: 1 };
    await store.apply([{ kind: "rate", key: "a:1", spec, cost: 1 }], { nowMs: epoch });
    await store.apply([{ kind: "rate", key: "b:1", spec, cost: 1 }], { nowMs: epoch });
    await store.reset(["a:1", "b:1"]);
    expect(await client.exists(redisKey(prefix, "a:1"), redisKey(prefix, "b:1"))).toBe(0);
  });

  it("coalesces concurrent batches into one script call, each still all or nothing", async () => {
    const spec: RateLimitSpec = { algorithm: "fixed-window", limit: 10, windowMs: 60_000, burst: 10 };
    // Each group is sent as calls of at most maxBatchesPerCall batches, and as two calls at least
    // (while Redis runs one, the client prepares the other); a group of 2 x max is sent at once.
    for (const [maxBatchesPerCall, calls] of [
      [undefined, 4],
      [32, 2],
      [8, 8],
      [1, 64],
    ] as const) {
      const counted = countingScripts(client);
      const store = createRedisStore({
        client: counted.client,
        prefix: freshPrefix(),
        time: "caller",
        timeoutMs: 1_000,
        ...(maxBatchesPerCall === undefined ? {} : { maxBatchesPerCall }),
      });
      // 64 concurrent batches: each spends 1 on a shared key and 1 on its own; every 8th also asks
      // for 100 on its own key, which refuses that whole batch.
      const decisions = await Promise.all(
        Array.from({ length: 64 }, (_, i) =>
          store.apply(
            [
              { kind: "rate", key: "acme:shared", spec, cost: 1 },
              { kind: "rate", key: `acme:own-${i}`, spec, cost: i % 8 === 7 ? 100 : 1 },
            ],
            { nowMs: epoch },
          ),
        ),
      );
      expect(counted.keyCounts).toHaveLength(calls);
      expect(counted.keyCounts.reduce((sum, keys) => sum + keys, 0)).toBe(128);
      // Submission order decides: the refused batches spend nothing, so the first ten others win.
      const allowed = decisions.flatMap((decision, i) => (decision.allowed ? [i] : []));
      expect(allowed).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 10]);
      expect(decisions[7]!.outcomes.map((outcome) => outcome.allowed)).toEqual([true, false]);
      expect(decisions[11]!.outcomes[0]).toMatchObject({ allowed: false, remaining: 0 });
      const after = await store.apply([{ kind: "rate", key: "acme:own-7", spec, cost: 0 }], {
        nowMs: epoch,
        dryRun: true,
      });
      expect(after.outcomes[0]!.remaining).toBe(10);
    }
  });

  it("decides bursts of rate-only batches as memory: keys shared across and within batches, blocks, dry runs, clocks going back", async () => {
    // The apply script's rate path (a call without lease rules): the shared differential's bursts
    // nearly always hold a lease rule, so this one has none.
    for (let run = 0; run < 12; run++) {
      const random = createRandom(7_000 + run);
      const redis = createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 });
      const memory = createMemoryStore();
      const specs = Array.from({ length: 4 }, (_, index): RateLimitSpec => {
        const algorithm = algorithms[(run + index) % algorithms.length]!;
        const limit = 2 + random.nextInt(6);
        return {
          algorithm,
          limit,
          windowMs: [7, 250, 1_000, 60_000][random.nextInt(4)]!,
          burst: 1 + random.nextInt(limit),
          blockDurationMs: random.nextInt(3) === 0 ? [1, 300, 2_500][random.nextInt(3)]! : 0,
        };
      });
      let now = epoch + random.nextInt(1_000_000);
      for (let step = 0; step < 30; step++) {
        now += [0, 1, 3, 50, 400, 3_000][random.nextInt(6)]! + (random.nextInt(3) === 0 ? 0.375 : 0);
        const batches = Array.from({ length: 1 + random.nextInt(24) }, () => ({
          rules: Array.from(
            { length: 1 + random.nextInt(random.nextInt(4) === 0 ? 4 : 1) },
            (): StoreRule => ({
              kind: "rate",
              key: `org:k${random.nextInt(5)}`,
              spec: specs[random.nextInt(specs.length)]!,
              cost: random.nextInt(6) === 0 ? 0 : 1 + random.nextInt(2),
            }),
          ),
          nowMs: now + random.nextInt(7) - 3,
          dryRun: random.nextInt(8) === 0,
        }));
        const submit = (store: typeof redis) =>
          Promise.all(batches.map(({ rules, ...options }) => store.apply(rules, options)));
        const [expected, actual] = await Promise.all([submit(memory), submit(redis)]);
        const decided = (outcomes: typeof expected) =>
          outcomes.map((outcome) => ({ allowed: outcome.allowed, outcomes: outcome.outcomes }));
        expect({ run, step, burst: decided(actual) }).toEqual({ run, step, burst: decided(expected) });
      }
    }
  });

  describeThrottleStore("redis (ioredis, caller time)", async () => ({
    store: createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 }),
  }));
  describeStoreDifferential(
    "memory vs redis",
    async () => ({ store: createMemoryStore() }),
    async () => ({
      store: createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 }),
    }),
  );
});

describe.runIf(available)("redis store on a cluster-mode server behind a plain client", () => {
  it("regroups by organisation after CROSSSLOT, and decides every batch", async () => {
    // One node in cluster mode holding every slot (a managed single-shard cluster, a proxy): the
    // client looks standalone, yet a script's keys must share a slot.
    const server = await startRedisServer([
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      "nodes.conf",
    ]);
    const client = new Redis(server.port, "127.0.0.1", { maxRetriesPerRequest: 1 });
    try {
      await client.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
      for (let attempt = 0; attempt < 200; attempt++) {
        if (String(await client.call("CLUSTER", "INFO")).includes("cluster_state:ok")) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const spec: RateLimitSpec = { algorithm: "gcra", limit: 10, windowMs: 1_000, burst: 10 };
      const store = createRedisStore({ client, timeoutMs: 2_000 });
      const one = (org: string) => store.apply([{ kind: "rate", key: `${org}:k`, spec, cost: 1 }]);
      const concurrent = await Promise.all(["acme", "globex", "initech", "acme"].map(one));
      expect(concurrent.map((outcome) => outcome.allowed)).toEqual([true, true, true, true]);
      // acme's two batches were decided in order, against the same key.
      expect([concurrent[0]!.outcomes[0]!.remaining, concurrent[3]!.outcomes[0]!.remaining]).toEqual([9, 8]);
      expect((await Promise.all(["acme", "globex"].map(one))).map((outcome) => outcome.allowed)).toEqual([
        true,
        true,
      ]);
    } finally {
      client.disconnect();
      await server.stop();
    }
  });
});

describe.runIf(available)("redis store when the server is down", () => {
  it("rejects with STORE_UNAVAILABLE within timeoutMs + slack, and never hangs", async () => {
    const server = await startRedisServer();
    const ioredis = new Redis(server.port, "127.0.0.1");
    const nodeRedis = createClient({ url: server.url, socket: { reconnectStrategy: 50 } });
    nodeRedis.on("error", () => {});
    await nodeRedis.connect();
    try {
      const timeoutMs = 50;
      const spec: RateLimitSpec = { algorithm: "gcra", limit: 10, windowMs: 1_000, burst: 10 };
      const rules: StoreRule[] = [{ kind: "rate", key: "org:down", spec, cost: 1 }];
      for (const client of [ioredis, nodeRedis]) {
        const store = createRedisStore({ client, timeoutMs });
        expect((await store.apply(rules)).allowed).toBe(true);
      }
      await server.stop();
      for (const client of [ioredis, nodeRedis]) {
        const store = createRedisStore({ client, timeoutMs });
        for (const operation of ["apply", "refund", "release", "reset"] as const) {
          const started = performance.now();
          const call =
            operation === "apply"
              ? store.apply(rules)
              : operation === "refund"
                ? store.refund(rules as never)
                : operation === "release"
                  ? store.release("org:down", "x")
                  : store.reset(["org:down"]);
          const error = await rejection(call);
          const elapsed = performance.now() - started;
          expect(error.code).toBe("STORE_UNAVAILABLE");
          expect(error.message).toContain(operation);
          expect(error.cause).toBeDefined();
          expect(elapsed).toBeLessThan(timeoutMs + slackMs);
        }
      }
    } finally {
      ioredis.disconnect();
      nodeRedis.destroy();
      await server.stop();
    }
  });
});

describe.runIf(available)("redis store on a 3-master Redis Cluster", () => {
  let cluster: RedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = new Cluster(
      cluster.nodes.map((node) => ({ host: "127.0.0.1", port: node.port })),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    );
  });
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it("runs every organisation's batch in one slot, never CROSSSLOT", async () => {
    const prefix = freshPrefix();
    const store = createRedisStore({ client, prefix, timeoutMs: 1_000 });
    const spec: RateLimitSpec = { algorithm: "gcra", limit: 100, windowMs: 60_000, burst: 20 };
    const slots = new Set<number>();
    for (let org = 0; org < 30; org++) {
      const keys = [`org${org}`, `org${org}:team-a`, `org${org}:team-a:user-7`];
      const outcome = await store.apply([
        ...keys.map((key): StoreRule => ({ kind: "rate", key, spec, cost: 1 })),
        { kind: "lease", key: `org${org}:workers`, limit: 3, cost: 1, leaseId: "job", ttlMs: 10_000 },
      ]);
      expect(outcome.allowed).toBe(true);
      const keySlots = await Promise.all(
        keys.map((key) => client.cluster("KEYSLOT", redisKey(prefix, key)) as Promise<number>),
      );
      expect(new Set(keySlots).size).toBe(1);
      slots.add(keySlots[0]!);
      expect(await store.release(`org${org}:workers`, "job")).toBe(true);
      await store.refund(keys.map((key) => ({ kind: "rate", key, spec, cost: 1 })));
    }
    // Thirty organisations spread over the three masters.
    const masters = new Set(
      [...slots].map((slot) => cluster.nodes.findIndex((_, index) => slot < ((index + 1) * 16384) / 3)),
    );
    expect(masters.size).toBeGreaterThan(1);
    await store.reset(Array.from({ length: 30 }, (_, org) => `org${org}:team-a`));
  });

  it("coalesces concurrent batches per organisation, one slot per script call", async () => {
    const counted = countingScripts(client);
    const store = createRedisStore({
      client: counted.client,
      prefix: freshPrefix(),
      time: "caller",
      timeoutMs: 1_000,
    });
    const spec: RateLimitSpec = { algorithm: "gcra", limit: 5, windowMs: 60_000, burst: 5 };
    const decisions = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        store.apply([{ kind: "rate", key: `org${i % 3}:user`, spec, cost: 1 }], { nowMs: epoch }),
      ),
    );
    // 20 batches per organisation, each group sent as two calls of 10 batches.
    expect(counted.keyCounts).toEqual([10, 10, 10, 10, 10, 10]);
    for (let org = 0; org < 3; org++) {
      const allowed = decisions.filter((decision, i) => i % 3 === org && decision.allowed);
      expect(allowed).toHaveLength(5);
    }
  });

  it("keeps an explicit partition's keys in that partition's slot, apart from the default partition's", async () => {
    const prefix = freshPrefix();
    const store = createRedisStore({ client, prefix, timeoutMs: 1_000 });
    const spec: RateLimitSpec = { algorithm: "fixed-window", limit: 1, windowMs: 60_000, burst: 1 };
    const rule = (key: string): StoreRule => ({ kind: "rate", key, spec, cost: 1 });
    const explicit = ["{2001:db8::1}", "{2001:db8::1}:uploads"];
    const outcome = await store.apply([
      ...explicit.map(rule),
      { kind: "lease", key: "{2001:db8::1}:jobs", limit: 1, cost: 1, leaseId: "job", ttlMs: 10_000 },
    ]);
    expect(outcome.allowed).toBe(true);
    // The address without braces is a key of the default partition "2001": its own state.
    expect((await store.apply([rule("2001:db8::1")])).allowed).toBe(true);
    const slotOf = async (key: string) => Number(await client.cluster("KEYSLOT", key));
    const written = [...explicit, "{2001:db8::1}:jobs"].map((key) => redisKey(prefix, key));
    expect(await Promise.all(written.map(slotOf))).toEqual(Array(3).fill(await slotOf("2001:db8::1")));
    expect(await slotOf(redisKey(prefix, "2001:db8::1"))).toBe(await slotOf("2001"));
    for (const key of [...written, redisKey(prefix, "2001:db8::1")]) expect(await client.exists(key)).toBe(1);
    expect(await client.exists(`${prefix}{2001:db8::1}\u0000{2001:db8::1}:jobs`)).toBe(1);
  });

  describeThrottleStore("redis cluster (ioredis Cluster, caller time)", async () => ({
    store: createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 }),
  }));
  describeStoreDifferential(
    "memory vs redis cluster",
    async () => ({ store: createMemoryStore() }),
    async () => ({
      store: createRedisStore({ client, prefix: freshPrefix(), time: "caller", timeoutMs: 1_000 }),
    }),
    8,
  );
});

import { createManualClock, EnisError } from "@enis/core";
import type { RateLimitSpec, RateRule, StoreRule } from "@enis/throttle/store";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IoredisScriptClient } from "./client.js";
import { createRedisStore } from "./index.js";
import { luaScripts } from "./lua-scripts.js";

/*
 * The store without a server: a fake ioredis client records every script call and answers as it
 * is told. What needs a server (the scripts' decisions, clusters, outages) is in the integration
 * files; what is decided before a call leaves the process — validation, the clock-lag rule, the
 * arguments sent, the reading of replies, the timeouts — is here, so it always runs.
 */

interface ScriptCall {
  readonly script: string;
  readonly keys: readonly string[];
  readonly args: readonly string[];
}

/**
 * A fake ioredis client (an unknown shape counts as a cluster: batches group by partition). It
 * answers each call with `answer(call)` — by default the apply script's reply allowing every rule
 * with nothing left, and "0" to the other scripts — or never, when `answer` returns undefined.
 */
function fakeClient(answer: (call: ScriptCall) => unknown = defaultAnswer) {
  const calls: ScriptCall[] = [];
  const byHash = new Map(Object.values(luaScripts).map((script) => [script.sha1, script.name]));
  const client: IoredisScriptClient = {
    evalsha(sha1, numberOfKeys, ...keysAndArguments) {
      const call = {
        script: byHash.get(sha1) ?? sha1,
        keys: keysAndArguments.slice(0, numberOfKeys),
        args: keysAndArguments.slice(numberOfKeys),
      };
      calls.push(call);
      const reply = answer(call);
      return reply === undefined ? new Promise(() => {}) : Promise.resolve(reply);
    },
    eval() {
      return Promise.reject(new Error("fake client: EVALSHA never answers NOSCRIPT here"));
    },
  };
  return { client, calls };
}

/**
 * The apply script's reply to `args`, every rule allowed with nothing left: the clock, then per
 * rule remaining 0 and resetAfterMs 0. The rules are counted from the batches' descriptors (after
 * the clock mode, the number of texts and the texts; with the caller's clock each descriptor is
 * followed by its nowMs).
 */
function defaultAnswer(call: ScriptCall): unknown {
  if (call.script !== "apply") return "0";
  const textCount = Number(call.args[1]);
  const step = call.args[0] === "c" ? 2 : 1;
  let rules = 0;
  for (let at = 2 + textCount; at < call.args.length; at += step) {
    const refs = call.args[at]!.replace(/^d/, "");
    if (refs !== "") rules += refs.split(",").length;
  }
  return ["1763000000000.125", ...Array.from({ length: rules }, () => [0, 0]).flat()];
}

const epoch = 1_763_000_000_000;
const spec: RateLimitSpec = { algorithm: "gcra", limit: 10, windowMs: 1_000, burst: 10 };
const rate = (key: string, cost = 1): RateRule => ({ kind: "rate", key, spec, cost });

/** How a call ended: "resolved", or the code of the EnisError it rejected with (else the error's text). */
async function settle(call: () => unknown): Promise<string> {
  try {
    await call();
    return "resolved";
  } catch (error) {
    if (EnisError.isInstance(error)) return error.code;
    return `${(error as Error)?.constructor?.name ?? typeof error}: ${String(error)}`;
  }
}

/** Resolves once the promise jobs queued so far have run (an event-loop turn, not a wait). */
const drained = () => new Promise<void>((resolve) => setImmediate(resolve));

async function rejection(promise: Promise<unknown>): Promise<EnisError> {
  try {
    await promise;
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("createRedisStore: options", () => {
  it("rejects a bad prefix, client, timeoutMs, maxBatchesPerCall or timers with INVALID_OPTIONS naming it", () => {
    const { client } = fakeClient();
    const field = (options: unknown) => {
      try {
        createRedisStore(options as never);
      } catch (error) {
        if (EnisError.isInstance(error)) return [error.code, error.field];
        throw error;
      }
      return ["created"];
    };
    expect(field({ client, prefix: "{bad}" })).toEqual(["INVALID_OPTIONS", "options.prefix"]);
    expect(field({ client: {} })).toEqual(["INVALID_OPTIONS", "options.client"]);
    expect(field({ client, timeoutMs: 0 })).toEqual(["INVALID_OPTIONS", "options.timeoutMs"]);
    // Above 2^31 - 1 ms Node fires a timer after 1 ms.
    expect(field({ client, timeoutMs: 2 ** 31 })).toEqual(["INVALID_OPTIONS", "options.timeoutMs"]);
    for (const maxBatchesPerCall of [0, 1.5, -1, Number.NaN, 10_001]) {
      expect(field({ client, maxBatchesPerCall })).toEqual(["INVALID_OPTIONS", "options.maxBatchesPerCall"]);
    }
    for (const timers of [null, {}, { setTimeout: () => 0 }, "system"]) {
      expect(field({ client, timers })).toEqual(["INVALID_OPTIONS", "options.timers"]);
    }
    expect(field({ client, time: "client" })).toEqual(["INVALID_OPTIONS", "options.time"]);
    expect(field({ client, timeout: 50 })).toEqual(["INVALID_OPTIONS", "options.timeout"]);
    expect(field({ client, timers: createManualClock(0), maxBatchesPerCall: 1 })).toEqual(["created"]);
  });

  it("malformed option objects throw INVALID_OPTIONS, never another error", () => {
    const { client } = fakeClient();
    const badNumber = fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -1,
      -0.5,
      "1",
      null,
      {},
      [],
      true,
      10n,
    );
    const options = fc.oneof(
      fc.anything(),
      fc.record(
        {
          client: fc.oneof(fc.constant(client), fc.anything()),
          prefix: fc.oneof(fc.string(), fc.anything()),
          timeoutMs: fc.oneof(badNumber, fc.double(), fc.constant(0)),
          time: fc.oneof(fc.constantFrom("server", "caller", "client", ""), fc.anything()),
          tls: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(options, (input) => {
        let outcome = "created";
        try {
          createRedisStore(input as never);
        } catch (error) {
          outcome = EnisError.isInstance(error) ? error.code : `${(error as Error)?.constructor?.name}`;
        }
        expect(["created", "INVALID_OPTIONS"]).toContain(outcome);
        // A store is created only from a client and valid settings.
        if (outcome === "created") {
          const given = input as Record<string, unknown>;
          expect(given["client"]).toBe(client);
          expect(
            Object.keys(given).every((name) => ["client", "prefix", "timeoutMs", "time"].includes(name)),
          ).toBe(true);
        }
      }),
      { seed: 20_251_113, numRuns: 500 },
    );
  });
});

describe("redis store: what is refused before any call leaves the process", () => {
  const badNumber = fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -1,
    -0.5,
    -Number.MAX_VALUE,
    "1",
    null,
    undefined,
    {},
    [],
    true,
    10n,
  );
  const goodNumber = fc.integer({ min: 1, max: 1_000 });
  // ":x" and "{}x" have an empty partition, "{abc" an unclosed one, "a{:b" and "}" a brace in it.
  const badKey = fc.constantFrom(
    "",
    ":x",
    "{}x",
    "{abc",
    "a{:b",
    "}",
    "x".repeat(4_097),
    42,
    null,
    undefined,
    {},
    [],
  );
  const goodKeys = ["acme:x", "acme", "acme:team:user", "{acme}:y"];
  const goodKey = fc.constantFrom(...goodKeys);
  const rateRule = (number: fc.Arbitrary<unknown>, key: fc.Arbitrary<unknown>) =>
    fc.record({
      kind: fc.constant("rate"),
      key,
      spec: fc.record(
        {
          algorithm: fc.constantFrom(
            "gcra",
            "token-bucket",
            "sliding-window",
            "fixed-window",
            "leaky-bucket",
          ),
          limit: number,
          windowMs: number,
          burst: number,
          blockDurationMs: number,
        },
        { requiredKeys: ["algorithm", "limit", "windowMs", "burst"] },
      ),
      cost: number,
    });
  const leaseRule = (number: fc.Arbitrary<unknown>, key: fc.Arbitrary<unknown>) =>
    fc.record(
      {
        kind: fc.constant("lease"),
        key,
        limit: number,
        cost: number,
        leaseId: fc.oneof(fc.constant("lease-1"), fc.constantFrom("", 7, null)),
        ttlMs: number,
        renew: fc.constantFrom(true, false, "yes", 1),
      },
      { requiredKeys: ["kind", "key", "limit", "cost", "leaseId", "ttlMs"] },
    );

  function isValid(rule: Record<string, unknown>): boolean {
    const fine = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
    if (!goodKeys.includes(rule["key"] as string)) return false;
    if (rule["kind"] === "rate") {
      const spec = rule["spec"] as Record<string, unknown>;
      return (
        spec["algorithm"] !== "leaky-bucket" &&
        fine(spec["limit"]) &&
        fine(spec["windowMs"]) &&
        fine(spec["burst"]) &&
        (spec["blockDurationMs"] === undefined || fine(spec["blockDurationMs"])) &&
        fine(rule["cost"])
      );
    }
    return (
      fine(rule["limit"]) &&
      fine(rule["cost"]) &&
      fine(rule["ttlMs"]) &&
      rule["leaseId"] === "lease-1" &&
      (rule["renew"] === undefined || typeof rule["renew"] === "boolean")
    );
  }

  /** A rule with at least one bad field (NaN, +-Infinity, a negative, a non-number, a bad key). */
  const badRule = fc
    .oneof(
      rateRule(fc.oneof(goodNumber, badNumber), fc.oneof(goodKey, badKey)),
      leaseRule(fc.oneof(goodNumber, badNumber), fc.oneof(goodKey, badKey)),
    )
    .filter((rule) => !isValid(rule as never));

  it("apply, refund, release, reset: NaN, +-Infinity, negatives, non-numbers and bad keys reject with INVALID_OPTIONS", async () => {
    const { client, calls } = fakeClient();
    const store = createRedisStore({ client, prefix: "bad:", time: "caller" });
    const call = fc.oneof(
      fc.tuple(fc.array(badRule, { minLength: 1, maxLength: 3 }), fc.boolean()).map(
        ([rules, dryRun]) =>
          () =>
            store.apply(rules as StoreRule[], { nowMs: 1_000, dryRun }),
      ),
      fc
        .array(rateRule(fc.oneof(goodNumber, badNumber), fc.oneof(goodKey, badKey)), {
          minLength: 1,
          maxLength: 3,
        })
        .filter((rules) => rules.some((rule) => !isValid(rule as never)))
        .map((rules) => () => store.refund(rules as never, { nowMs: 1_000 })),
      fc.tuple(badKey, fc.constant("lease-1")).map(
        ([key, id]) =>
          () =>
            store.release(key as string, id, { nowMs: 1 }),
      ),
      fc.tuple(goodKey, fc.constantFrom("", 5, null)).map(
        ([key, id]) =>
          () =>
            store.release(key, id as string),
      ),
      fc
        .array(fc.oneof(goodKey, badKey), { minLength: 1, maxLength: 3 })
        .filter((keys) => keys.some((key) => !goodKeys.includes(key as string)))
        .map((keys) => () => store.reset(keys as string[])),
      fc
        .constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 1e20, "5", null)
        .map((nowMs) => () => store.apply([rate("acme:x")], { nowMs: nowMs as number })),
    );
    await fc.assert(
      fc.asyncProperty(call, async (run) => {
        expect(await settle(run)).toBe("INVALID_OPTIONS");
      }),
      { seed: 20_251_113, numRuns: 400 },
    );
    // Nothing reached the client.
    expect(calls).toEqual([]);
  });

  it("names the field: a null options object, a loose dryRun, a missing caller clock, a batch across partitions", async () => {
    const { client, calls } = fakeClient();
    const store = createRedisStore({ client, time: "caller" });
    const fieldOf = async (promise: Promise<unknown>) => {
      const error = await rejection(promise);
      return [error.code, error.field];
    };
    expect(await fieldOf(store.apply([], null as never))).toEqual(["INVALID_OPTIONS", "options"]);
    expect(await fieldOf(store.refund([], null as never))).toEqual(["INVALID_OPTIONS", "options"]);
    expect(await fieldOf(store.release("acme:x", "id", null as never))).toEqual([
      "INVALID_OPTIONS",
      "options",
    ]);
    expect(await fieldOf(store.apply([rate("acme:x")], { dryRun: "false" as never, nowMs: epoch }))).toEqual([
      "INVALID_OPTIONS",
      "options.dryRun",
    ]);
    expect(await fieldOf(store.apply([rate("acme:x")]))).toEqual(["INVALID_OPTIONS", "options.nowMs"]);
    expect(await fieldOf(store.refund([rate("acme:x")]))).toEqual(["INVALID_OPTIONS", "options.nowMs"]);
    expect(await fieldOf(store.release("acme:x", "id"))).toEqual(["INVALID_OPTIONS", "options.nowMs"]);
    expect(await fieldOf(store.apply([rate("acme:x"), rate("globex:x")], { nowMs: epoch }))).toEqual([
      "INVALID_OPTIONS",
      "rules[1].key",
    ]);
    // An explicit partition is its own: "{2001:db8::1}" and "{2001:db8::2}" never share a batch.
    expect(
      await fieldOf(store.apply([rate("{2001:db8::1}:a"), rate("{2001:db8::2}:a")], { nowMs: epoch })),
    ).toEqual(["INVALID_OPTIONS", "rules[1].key"]);
    expect(await fieldOf(store.refund([{ kind: "lease" } as never], { nowMs: epoch }))).toEqual([
      "INVALID_OPTIONS",
      "rules[0].key",
    ]);
    expect(calls).toEqual([]);
  });

  it("refuses fractions, integers beyond 2^53 - 1 and out-of-range numbers where the port requires integers", async () => {
    const { client, calls } = fakeClient();
    const store = createRedisStore({ client, time: "caller" });
    for (const rule of [
      { kind: "rate", key: "acme:f", spec, cost: 0.5 },
      { kind: "rate", key: "acme:f", spec: { ...spec, limit: 2 ** 53 + 1, burst: 2 ** 53 + 1 }, cost: 1 },
      { kind: "rate", key: "acme:f", spec: { ...spec, windowMs: 0.25 }, cost: 1 },
      { kind: "rate", key: "acme:f", spec: { ...spec, blockDurationMs: 0.5 }, cost: 1 },
      { kind: "rate", key: "acme:h", spec: { ...spec, windowMs: 1e300 }, cost: 1 },
      { kind: "rate", key: "acme:h", spec: { ...spec, limit: 1e-300 }, cost: 1 },
      { kind: "rate", key: "acme:h", spec: { ...spec, blockDurationMs: 1e300 }, cost: 1 },
      { kind: "lease", key: "acme:g", limit: 2, cost: 0.5, leaseId: "a", ttlMs: 100 },
      { kind: "lease", key: "acme:g", limit: 1.5, cost: 1, leaseId: "a", ttlMs: 0.5 },
      { kind: "lease", key: "acme:i", limit: 2, cost: 1, leaseId: "a", ttlMs: 1e300 },
    ] satisfies StoreRule[]) {
      expect({ rule, outcome: await settle(() => store.apply([rule], { nowMs: epoch })) }).toEqual({
        rule,
        outcome: "INVALID_OPTIONS",
      });
    }
    expect(calls).toEqual([]);
  });

  it("refuses a batch of more than 4,096 rules, or of more than 4,096 keys (a lease rule has two)", async () => {
    const { client, calls } = fakeClient();
    const store = createRedisStore({ client, time: "caller" });
    const rates = Array.from({ length: 4_097 }, (_, index) => rate(`huge:k${index}`));
    expect((await rejection(store.apply(rates, { nowMs: epoch }))).field).toBe("rules");
    const leases = Array.from(
      { length: 2_049 },
      (_, index): StoreRule => ({
        kind: "lease",
        key: "huge:pool",
        limit: 10,
        cost: 1,
        leaseId: `l${index}`,
        ttlMs: 10,
      }),
    );
    const error = await rejection(store.apply(leases, { nowMs: epoch }));
    expect([error.field, error.message]).toEqual(["rules", expect.stringContaining("4098 keys")]);
    expect(calls).toEqual([]);
    // 4,096 keys are fine.
    expect((await store.apply(leases.slice(1), { nowMs: epoch })).allowed).toBe(true);
    expect(calls.map((call) => call.keys.length)).toEqual([4_096]);
  });
});

describe("redis store: the caller's clock may not go back more than maxClockLagMs", () => {
  it("refuses an apply, refund or release more than 1,000 ms before the latest nowMs, before any call", async () => {
    const { client, calls } = fakeClient();
    const store = createRedisStore({ client, time: "caller" });
    await store.apply([rate("acme:x")], { nowMs: epoch + 5_000 });
    expect(calls).toHaveLength(1);
    const late = epoch + 5_000 - 1_001;
    for (const call of [
      () => store.apply([rate("acme:x")], { nowMs: late }),
      () => store.refund([rate("acme:x")], { nowMs: late }),
      () => store.release("acme:x", "lease-1", { nowMs: late }),
    ]) {
      const error = await rejection(call());
      expect([error.code, error.field]).toEqual(["INVALID_OPTIONS", "options.nowMs"]);
    }
    expect(calls).toHaveLength(1);
    // Within the lag, calls go out with their own clock.
    await store.apply([rate("acme:x")], { nowMs: epoch + 4_000 });
    await store.release("acme:x", "lease-1", { nowMs: epoch + 4_500 });
    // The apply's nowMs follows its batch's descriptor (after the mode, the text count and the text).
    expect(
      calls.slice(1).map((call) => [call.script, call.script === "apply" ? call.args[4] : call.args[0]]),
    ).toEqual([
      ["apply", String(epoch + 4_000)],
      ["release", String(epoch + 4_500)],
    ]);
  });

  it("a call refused for its input moves no clock; each store object keeps its own", async () => {
    const { client } = fakeClient();
    const store = createRedisStore({ client, time: "caller" });
    expect(await settle(() => store.apply([rate(":bad")], { nowMs: epoch + 60_000 }))).toBe(
      "INVALID_OPTIONS",
    );
    expect(await settle(() => store.apply([rate("acme:x")], { nowMs: epoch }))).toBe("resolved");
    const other = createRedisStore({ client, time: "caller" });
    expect(await settle(() => other.apply([rate("acme:x")], { nowMs: epoch - 60_000 }))).toBe("resolved");
  });

  it("server time ignores the caller's nowMs: the scripts read TIME", async () => {
    const { client, calls } = fakeClient();
    const store = createRedisStore({ client });
    const first = await store.apply([rate("acme:x")], { nowMs: epoch + 60_000 });
    await store.apply([rate("acme:x")], { nowMs: epoch });
    await store.release("acme:x", "lease-1", { nowMs: 0 });
    expect(calls.map((call) => [call.script, call.args[0]])).toEqual([
      ["apply", "s"],
      ["apply", "s"],
      ["release", ""],
    ]);
    // The batch's nowMs is the server's reading, microseconds and all.
    expect(first.nowMs).toBe(1_763_000_000_000.125);
  });
});

describe("redis store: what goes to the scripts, and what comes back", () => {
  it("sends each distinct rule text once, the batch as the texts' indexes, and every key in its partition's slot", async () => {
    const { client, calls } = fakeClient();
    const store = createRedisStore({ client, time: "caller" });
    const blocking: RateLimitSpec = {
      algorithm: "sliding-window",
      limit: 3,
      windowMs: 60_000,
      burst: 3,
      blockDurationMs: 300,
    };
    await store.apply(
      [
        { kind: "rate", key: "{2001:db8::1}", spec: blocking, cost: 2 },
        { kind: "rate", key: "{2001:db8::1}:uploads", spec, cost: 0 },
        {
          kind: "lease",
          key: "{2001:db8::1}:jobs",
          limit: 3,
          cost: 2,
          leaseId: "job,7",
          ttlMs: 500,
          renew: true,
        },
        { kind: "lease", key: "{2001:db8::1}:jobs", limit: 3, cost: 1, leaseId: "job-8", ttlMs: 500 },
      ],
      { nowMs: epoch + 0.5, dryRun: true },
    );
    expect(calls).toEqual([
      {
        script: "apply",
        keys: [
          "enis:{2001:db8::1}{2001:db8::1}",
          "enis:{2001:db8::1}{2001:db8::1}:uploads",
          "enis:{2001:db8::1}{2001:db8::1}:jobs",
          "enis:{2001:db8::1}\u0000{2001:db8::1}:jobs",
          "enis:{2001:db8::1}{2001:db8::1}:jobs",
          "enis:{2001:db8::1}\u0000{2001:db8::1}:jobs",
        ],
        args: [
          "c",
          "4",
          "r,sliding-window,3,60000,3,300,2",
          "r,gcra,10,1000,10,0,0",
          "l,3,2,500,1,job,7",
          "l,3,1,500,0,job-8",
          "d1,2,3,4",
          String(epoch + 0.5),
        ],
      },
    ]);
    // Batches of one call share their texts: a limiter's requests send theirs once.
    const server = fakeClient();
    const shared = createRedisStore({ client: server.client, time: "caller" });
    await Promise.all([
      shared.apply([rate("acme:a")], { nowMs: epoch }),
      shared.apply([rate("acme:b"), rate("acme:c", 2)], { nowMs: epoch }),
      shared.apply([rate("acme:d")], { nowMs: epoch + 1, dryRun: true }),
      shared.apply([], { nowMs: epoch + 1 }),
    ]);
    // (An unknown client counts as a cluster: the empty batch, of no partition, goes apart.)
    expect(server.calls.map((call) => call.args)).toEqual([
      [
        "c",
        "2",
        "r,gcra,10,1000,10,0,1",
        "r,gcra,10,1000,10,0,2",
        "1",
        String(epoch),
        "1,2",
        String(epoch),
        "d1",
        String(epoch + 1),
      ],
      ["c", "0", "", String(epoch + 1)],
    ]);
    await store.refund([{ kind: "rate", key: "2001:db8::1", spec: blocking, cost: 1 }], { nowMs: epoch + 1 });
    await store.reset(["{2001:db8::1}", "2001:db8::1"]);
    expect(calls.slice(1)).toEqual([
      {
        script: "refund",
        keys: ["enis:{2001}2001:db8::1"],
        args: [String(epoch + 1), "sliding-window", "3", "60000", "1"],
      },
      {
        script: "reset",
        keys: ["enis:{2001:db8::1}{2001:db8::1}", "enis:{2001:db8::1}\u0000{2001:db8::1}"],
        args: [],
      },
      { script: "reset", keys: ["enis:{2001}2001:db8::1", "enis:{2001}\u00002001:db8::1"], args: [] },
    ]);
  });

  it("reads each rule's reply: remaining and resetAfterMs when allowed, else a code (-1 refused, -2 blocked, -3 lease-held) and three numbers", async () => {
    const { client } = fakeClient(() => [
      "",
      3,
      5000,
      -1,
      0,
      "inf",
      0,
      -2,
      0,
      1001,
      5000,
      -3,
      1,
      "899.5",
      900,
    ]);
    const store = createRedisStore({ client, time: "caller" });
    const lease: StoreRule = {
      kind: "lease",
      key: "acme:jobs",
      limit: 3,
      cost: 2,
      leaseId: "a",
      ttlMs: 1_000,
    };
    const outcome = await store.apply([rate("acme:a"), rate("acme:b", 20), rate("acme:c"), lease], {
      nowMs: epoch,
    });
    expect(outcome).toStrictEqual({
      allowed: false,
      nowMs: epoch,
      outcomes: [
        { allowed: true, remaining: 3, retryAfterMs: 0, resetAfterMs: 5_000 },
        { allowed: false, remaining: 0, retryAfterMs: Number.POSITIVE_INFINITY, resetAfterMs: 0 },
        { allowed: false, remaining: 0, retryAfterMs: 1_001, resetAfterMs: 5_000, reason: "blocked" },
        { allowed: false, remaining: 1, retryAfterMs: 899.5, resetAfterMs: 900, reason: "lease-held" },
      ],
    });
    // Text that is not a whole number: a fraction, or -0.
    const text = fakeClient(() => ["", "2.5", "-0"]);
    const textStore = createRedisStore({ client: text.client, time: "caller" });
    expect((await textStore.apply([rate("acme:a")], { nowMs: epoch })).outcomes).toStrictEqual([
      { allowed: true, remaining: 2.5, retryAfterMs: 0, resetAfterMs: -0 },
    ]);
  });

  it("rejects a malformed reply with INTERNAL, never a made-up decision", async () => {
    for (const reply of [
      ["", -4, 1, 0, 0],
      ["", -1, 1, 0],
      ["", 1, 0, 0],
      ["", "nan", 0],
      ["", 1, null],
      ["", null, 1],
      ["not a clock", 1, 0],
    ]) {
      const { client } = fakeClient(() => reply);
      const store = createRedisStore({ client, time: reply[0] === "" ? "caller" : "server" });
      const error = await rejection(store.apply([rate("acme:x")], { nowMs: epoch }));
      expect([JSON.stringify(reply), error.code]).toEqual([JSON.stringify(reply), "INTERNAL"]);
    }
  });
});

describe("redis store: timeouts on the injected timers", () => {
  it("rejects apply, refund, release and reset with STORE_UNAVAILABLE once timeoutMs has passed on the timers", async () => {
    const clock = createManualClock(0);
    const { client, calls } = fakeClient(() => undefined);
    const store = createRedisStore({ client, time: "caller", timeoutMs: 40, timers: clock });
    const settled: string[] = [];
    const pending = (
      [
        ["apply", () => store.apply([rate("acme:x")], { nowMs: epoch })],
        ["refund", () => store.refund([rate("acme:x")], { nowMs: epoch })],
        ["release", () => store.release("acme:x", "lease-1", { nowMs: epoch })],
        ["reset", () => store.reset(["acme:x"])],
      ] as const
    ).map(([operation, call]) =>
      call().then(
        () => settled.push(`${operation}: resolved`),
        (error: EnisError) => settled.push(`${operation}: ${error.code} ${error.message}`),
      ),
    );
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(calls.map((call) => call.script)).toEqual(["apply", "refund", "release", "reset"]);
    clock.advance(39);
    await drained();
    expect(settled).toEqual([]);
    clock.advance(1);
    await Promise.all(pending);
    expect(settled.sort()).toEqual([
      "apply: STORE_UNAVAILABLE redis store: apply got no answer within 40 ms",
      "refund: STORE_UNAVAILABLE redis store: refund got no answer within 40 ms",
      "release: STORE_UNAVAILABLE redis store: release got no answer within 40 ms",
      "reset: STORE_UNAVAILABLE redis store: reset got no answer within 40 ms",
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("clears its timer when the call answers in time", async () => {
    const clock = createManualClock(0);
    const { client } = fakeClient();
    const store = createRedisStore({ client, time: "caller", timers: clock });
    await store.apply([rate("acme:x")], { nowMs: epoch });
    await store.release("acme:x", "a", { nowMs: epoch });
    await store.reset(["acme:x"]);
    expect(clock.pendingTimers).toBe(0);
  });
});

import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { EnisError } from "@enis/core";
import {
  type Algorithm,
  algorithmNames,
  createQuotaManager,
  createRateLimiter,
  createResilientStore,
  type Decision,
  type QuotaPath,
  type RateLimitSpec,
  type UnavailablePolicy,
} from "@enis/throttle";
import { maxWindowMs } from "@enis/throttle/store";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore, redisKey } from "./index.js";
import type { FromWorker, Job, JobResult, LimitJob, ToWorker } from "./test-support/check-worker.js";
import {
  type RedisCluster,
  type RedisServer,
  requireRedis,
  startRedisCluster,
  startRedisServer,
} from "./test-support/redis-server.js";

/*
 * Reliability against real servers: exact admission across OS processes, client clock skew, a
 * redis-server killed and restarted under load, a cluster slot moved under load. (Bad inputs need
 * no server: redis-store.test.ts.)
 */

const available = requireRedis();
/**
 * How far past its timeout a call may end on a loaded 2-core CI machine (event-loop and scheduler
 * delays). What the tests guard is that a call ends at its timeout, not at the client's own
 * reconnect or TCP timeouts (seconds).
 */
const slackMs = 100;
const algorithms: readonly Algorithm[] = algorithmNames;
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const workerScript = fileURLToPath(new URL("./test-support/check-worker.ts", import.meta.url));
// The worker runs from the sources: tsx, and the hook that imports .lua files as their text.
const textLoader = new URL("../../../scripts/text-loader.mjs", import.meta.url).href;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let prefixes = 0;
const freshPrefix = () => `rel${++prefixes}-${process.pid}:`;

/** A replica: a forked `node --import tsx check-worker.ts` (and the .lua text loader) with its own ioredis client. */
interface Replica {
  send(message: ToWorker): void;
  next(): Promise<FromWorker>;
  stop(): Promise<void>;
}

async function startReplica(port: number): Promise<Replica> {
  const child: ChildProcess = fork(workerScript, [String(port)], {
    cwd: repoRoot,
    execArgv: ["--import", "tsx", "--import", textLoader],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const inbox: FromWorker[] = [];
  const waiters: ((message: FromWorker) => void)[] = [];
  child.on("message", (message: FromWorker) => {
    const waiter = waiters.shift();
    if (waiter === undefined) inbox.push(message);
    else waiter(message);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const replica: Replica = {
    send: (message) => child.send(message),
    next: () => {
      const queued = inbox.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return Promise.race([
        new Promise<FromWorker>((resolve) => waiters.push(resolve)),
        exited.then(() => ({ type: "failed", error: `worker exited (${child.exitCode})` }) as const),
      ]);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
  expect(await replica.next()).toEqual({ type: "ready" });
  return replica;
}

/** Prepares one job per replica, then fires them together; resolves with each one's result. */
async function runTogether(replicas: readonly Replica[], jobs: readonly Job[]): Promise<JobResult[]> {
  replicas.forEach((replica, index) => {
    replica.send({ type: "prepare", job: jobs[index]! });
  });
  for (const replica of replicas) expect(await replica.next()).toEqual({ type: "ready" });
  for (const replica of replicas) replica.send({ type: "go" });
  const results: JobResult[] = [];
  for (const replica of replicas) {
    const message = await replica.next();
    if (message.type !== "result") throw new Error(`replica failed: ${JSON.stringify(message)}`);
    expect(message.result.errors).toEqual([]);
    results.push(message.result);
  }
  return results;
}

function totals(results: readonly JobResult[], field: "allowed" | "reasons"): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const result of results)
    for (const [name, count] of Object.entries(result[field])) sum[name] = (sum[name] ?? 0) + count;
  return sum;
}

const tenKeys = Array.from({ length: 10 }, (_, index) => `org${index}:api:user-${index}`);

function limitJob(overrides: Partial<LimitJob> & Pick<LimitJob, "algorithm" | "prefix">): LimitJob {
  return {
    kind: "limit",
    limit: 100,
    // Ten years: nothing refills while the test runs, and no fixed or sliding window rolls over.
    windowMs: maxWindowMs,
    keys: tenKeys,
    checks: 2_500,
    clockOffsetMs: 0,
    time: "server",
    sequential: false,
    ...overrides,
  };
}

describe.runIf(available)("replicas in separate OS processes on one redis-server", () => {
  let server: RedisServer;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    replicas = await Promise.all(Array.from({ length: 4 }, () => startReplica(server.port)));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await server?.stop();
  });

  for (const algorithm of algorithms) {
    it(`${algorithm}: 4 processes x 2,500 concurrent checks on 10 keys admit exactly the limit (100) per key`, async () => {
      const prefix = freshPrefix();
      const results = await runTogether(
        replicas,
        replicas.map(() => limitJob({ algorithm, prefix })),
      );
      expect(totals(results, "allowed")).toEqual(Object.fromEntries(tenKeys.map((key) => [key, 100])));
      expect(totals(results, "reasons")).toEqual({ "rate-limited": 4 * 2_500 - 10 * 100 });
    });
  }

  it("quota manager, 3 levels: the binding level admits exactly its limit across 4 processes", async () => {
    // acme: org 100 binds (teams 150 and users 200 are above it, and each team or user receives at
    // most the org's 100). globex: org and teams raised to 10,000, each user limited to 30, so
    // the user level binds: 10 users x 30.
    const paths: QuotaPath[] = [];
    for (const org of ["acme", "globex"])
      for (const team of ["data", "web"])
        for (let user = 0; user < 5; user++) paths.push({ org, team, user: `${team}-user${user}` });
    const globexPaths = paths.filter((path) => path.org === "globex");
    const overrides: [QuotaPath, number][] = [
      [{ org: "globex" }, 10_000],
      [{ org: "globex", team: "data" }, 10_000],
      [{ org: "globex", team: "web" }, 10_000],
      ...globexPaths.map((path): [QuotaPath, number] => [path, 30]),
    ];
    const prefix = freshPrefix();
    const results = await runTogether(
      replicas,
      replicas.map(() => ({
        kind: "quota" as const,
        prefix,
        windowMs: maxWindowMs,
        paths,
        checks: 2_500,
        limits: { org: 100, team: 150, user: 200 },
        overrides,
      })),
    );
    const allowed = totals(results, "allowed");
    const sumOf = (org: string) =>
      Object.entries(allowed)
        .filter(([name]) => name.startsWith(`${org}/`))
        .reduce((sum, [, count]) => sum + count, 0);
    expect(sumOf("acme")).toBe(100);
    expect(sumOf("globex")).toBe(300);
    for (const path of globexPaths) expect(allowed[`globex/${path.team}/${path.user}`]).toBe(30);
    // Every refusal names only the binding level: org for acme, user for globex.
    expect(totals(results, "reasons")).toEqual({
      "quota-hard:org": 5_000 - 100,
      "quota-hard:user": 5_000 - 300,
    });
  });

  describe("client clocks 10 s apart (+5 s and -5 s) with time: server", () => {
    const skews = [5_000, -5_000];

    for (const algorithm of algorithms) {
      it(`${algorithm}: concurrent checks admit what the unskewed run admits`, async () => {
        const run = async (offsets: readonly number[]) => {
          const prefix = freshPrefix();
          return totals(
            await runTogether(
              replicas.slice(0, 2),
              offsets.map((clockOffsetMs) => limitJob({ algorithm, prefix, clockOffsetMs })),
            ),
            "allowed",
          );
        };
        const unskewed = await run([0, 0]);
        expect(unskewed).toEqual(Object.fromEntries(tenKeys.map((key) => [key, 100])));
        expect(await run(skews)).toEqual(unskewed);
      });

      it(`${algorithm}: sequential checks, one process after the other, give the unskewed sequence`, async () => {
        const run = async (offsets: readonly number[]) => {
          const prefix = freshPrefix();
          const decisions = [];
          for (const [index, clockOffsetMs] of offsets.entries()) {
            const [result] = await runTogether(
              [replicas[index]!],
              [
                limitJob({
                  algorithm,
                  prefix,
                  clockOffsetMs,
                  keys: ["acme:seq"],
                  checks: 60,
                  sequential: true,
                }),
              ],
            );
            decisions.push(...result!.decisions);
          }
          return decisions;
        };
        const unskewed = await run([0, 0]);
        expect(unskewed).toEqual(
          Array.from({ length: 120 }, (_, index) =>
            index < 100
              ? { key: "acme:seq", allowed: true, remaining: 99 - index, reason: undefined }
              : { key: "acme:seq", allowed: false, remaining: 0, reason: "rate-limited" },
          ),
        );
        expect(await run(skews)).toEqual(unskewed);
        expect(await run([...skews].reverse())).toEqual(unskewed);
      });
    }

    it("control: with time: caller the same skew changes the decisions (the skew is real)", async () => {
      // 10 s fixed windows: the +5 s and -5 s clocks fall in different windows, so each process
      // gets its own 100 per key; a store that read the caller's clock would admit 200.
      const prefix = freshPrefix();
      const allowed = totals(
        await runTogether(
          replicas.slice(0, 2),
          skews.map((clockOffsetMs) =>
            limitJob({ algorithm: "fixed-window", prefix, clockOffsetMs, time: "caller", windowMs: 10_000 }),
          ),
        ),
        "allowed",
      );
      for (const key of tenKeys) expect(allowed[key]).toBeGreaterThan(100);
    });
  });
});

describe.runIf(available)("redis-server SIGKILLed mid-run, then restarted on the same port", () => {
  it("every call returns within timeoutMs + slack; degraded while down; normal again on the same client", async () => {
    const timeoutMs = 50;
    const server = await startRedisServer();
    const client = new Redis(server.port, "127.0.0.1", {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
    });
    client.on("error", () => {});
    let readyEvents = 0;
    client.on("ready", () => {
      readyEvents++;
    });
    await new Promise((resolve) => client.once("ready", resolve));
    try {
      const store = createRedisStore({ client, timeoutMs: 1_000 });
      const policies: UnavailablePolicy[] = ["open", "closed", "fallback"];
      const transitions: Record<string, string[]> = {};
      const limiters = policies.map((policy) => {
        transitions[policy] = [];
        const resilient = createResilientStore({
          store,
          timeoutMs,
          onUnavailable: policy,
          probeIntervalMs: 100,
          onStateChange: (state) => transitions[policy]!.push(state),
        });
        return createRateLimiter({ algorithm: "gcra", limit: 1_000, windowMs: 60_000, store: resilient });
      });
      type Phase = "up" | "killing" | "down" | "restarting" | "restarted";
      let phase: Phase = "up";
      const calls: {
        policy: UnavailablePolicy;
        phase: Phase;
        ended: Phase;
        ms: number;
        decision: Decision;
      }[] = [];
      let running = true;
      const load = (async () => {
        while (running) {
          await Promise.all(
            policies.map(async (policy, index) => {
              const started = phase;
              const begin = performance.now();
              const decision = await limiters[index]!.limit(`org-${policy}:k`);
              calls.push({ policy, phase: started, ended: phase, ms: performance.now() - begin, decision });
            }),
          );
          await sleep(5);
        }
      })();
      const normal = (decision: Decision) => decision.reason === undefined;
      const recovered = () =>
        policies.every((policy) => {
          const after = calls.filter((call) => call.policy === policy && call.phase === "restarted");
          return after.length >= 5 && after.slice(-5).every((call) => normal(call.decision));
        });

      await sleep(300);
      phase = "killing";
      await server.stop();
      phase = "down";
      await sleep(1_000);
      phase = "restarting";
      await server.restart();
      phase = "restarted";
      for (let waited = 0; waited < 10_000 && !recovered(); waited += 20) await sleep(20);
      running = false;
      await load;

      // A call belongs to a phase when it started and ended in it.
      const of = (policy: UnavailablePolicy, wanted: Phase) =>
        calls.filter((call) => call.policy === policy && call.phase === wanted && call.ended === wanted);
      const maxMs = (list: typeof calls) => Math.max(0, ...list.map((call) => call.ms));
      console.info(
        `kill/restart: ${calls.length} calls; max ms up ${maxMs(calls.filter((c) => c.phase === "up")).toFixed(1)}, ` +
          `down ${maxMs(calls.filter((c) => c.phase === "down" || c.phase === "killing")).toFixed(1)}, ` +
          `restarting/restarted ${maxMs(calls.filter((c) => c.phase === "restarting" || c.phase === "restarted")).toFixed(1)}; ` +
          `down calls per policy ${policies.map((p) => of(p, "down").length).join("/")}`,
      );
      expect(maxMs(calls)).toBeLessThan(timeoutMs + slackMs);
      for (const policy of policies) {
        expect(of(policy, "up").length).toBeGreaterThan(10);
        expect(of(policy, "up").every((call) => normal(call.decision))).toBe(true);
        const down = of(policy, "down");
        expect(down.length).toBeGreaterThan(20);
        for (const { decision } of down) {
          if (policy === "fallback") expect(decision).toMatchObject({ allowed: true, reason: "degraded" });
          else expect(decision).toMatchObject({ allowed: policy === "open", reason: "store-unavailable" });
        }
        // Recovered with the same client: once normal again, normal from then on, and on the new
        // (empty) server: its first normal decision is a fresh key's. The client may reconnect
        // while the restart helper is still returning, so that decision can come from a call
        // started in the "restarting" phase.
        expect(recovered()).toBe(true);
        const after = of(policy, "restarted");
        const first = after.findIndex((call) => normal(call.decision));
        expect(after.slice(first).every((call) => normal(call.decision))).toBe(true);
        const firstAfterKill = calls.find(
          (call) =>
            call.policy === policy &&
            (call.phase === "restarting" || call.phase === "restarted") &&
            normal(call.decision),
        );
        expect(firstAfterKill?.decision.remaining).toBe(999);
        expect(transitions[policy]).toEqual(["unavailable", "recovered"]);
      }
      expect(readyEvents).toBe(2);
      expect(client.status).toBe("ready");
    } finally {
      client.disconnect();
      await server.stop();
    }
  });
});

describe.runIf(available)("a 3-master Redis Cluster moving a slot under load", () => {
  let cluster: RedisCluster;
  let client: Cluster;
  const admins: Redis[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = new Cluster(
      cluster.nodes.map((node) => ({ host: "127.0.0.1", port: node.port })),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    );
    for (const node of cluster.nodes) admins.push(new Redis(node.port, "127.0.0.1"));
  });
  afterAll(async () => {
    client?.disconnect();
    for (const admin of admins) admin.disconnect();
    await cluster?.stop();
  });

  it("checks on 40 organisations see no error while one organisation's slot migrates; no spend lost", async () => {
    // Every check also takes a gauge lease (a lease key and its index, declared together) and
    // releases it, so lease scripts meet the slot half-moved too.
    const prefix = "enis:";
    // 2 s, not the default 50 ms: while a slot is half moved, a batch whose keys are split between
    // the two masters gets TRYAGAIN, and ioredis retries it after retryDelayOnTryAgain (100 ms)
    // until the last key has moved. With 50 ms those checks reject STORE_UNAVAILABLE — and are
    // still spent when ioredis' retry lands (see the report).
    const store = createRedisStore({ client, prefix, timeoutMs: 2_000 });
    const limit = 1_000_000;
    const quotas = createQuotaManager({
      dimensions: {
        requests: { kind: "rate", windowMs: maxWindowMs, algorithm: "fixed-window" },
        executions: { kind: "gauge", leaseTtlMs: 60_000 },
      },
      limits: {
        org: { requests: { hard: limit }, executions: { hard: limit } },
        team: { requests: { hard: limit }, executions: { hard: limit } },
        user: { requests: { hard: limit }, executions: { hard: limit } },
      },
      store,
    });
    const orgs = Array.from({ length: 40 }, (_, index) => `org${index}`);
    const moved = "org7";
    const orgKey = (org: string) => `${org}:quota:org:requests`;
    const slot = Number(await client.cluster("KEYSLOT", redisKey(prefix, orgKey(moved))));
    const ids = await Promise.all(admins.map(async (admin) => String(await admin.cluster("MYID"))));
    const ownerOf = async (wanted: number) => {
      const ranges = await admins[0]!.cluster("SLOTS");
      const range = ranges.find(([from, to]) => from <= wanted && wanted <= to)!;
      return ids.indexOf(range[2]![2]);
    };
    const source = await ownerOf(slot);
    const target = (source + 1) % 3;

    type Phase = "before" | "migrating" | "after";
    let phase: Phase = "before";
    const errors: string[] = [];
    const allowed = new Map<string, number>();
    const checksOfMoved: Record<Phase, number> = { before: 0, migrating: 0, after: 0 };
    let slowestMs = 0;
    let running = true;
    const loops = Array.from({ length: 4 }, async (_, loop) => {
      for (let round = 0; running; round++) {
        // Every other check is the moving organisation; the rest spread over all forty.
        const org = round % 2 === 0 ? moved : orgs[(round * 4 + loop) % orgs.length]!;
        const started = phase;
        const begin = performance.now();
        try {
          const decision = await quotas.check(
            { org, team: `team${loop}`, user: `user${round % 3}` },
            { requests: 1, executions: 1 },
          );
          if (decision.allowed) {
            allowed.set(org, (allowed.get(org) ?? 0) + 1);
            await quotas.release(decision);
          } else errors.push(`refused: ${JSON.stringify(decision)}`);
          if (org === moved) checksOfMoved[started]++;
        } catch (error) {
          errors.push(`${phase}: ${String(error)} (cause: ${String((error as EnisError).cause)})`);
        }
        slowestMs = Math.max(slowestMs, performance.now() - begin);
        if (round % 20 === 0) await sleep(1);
      }
    });

    await sleep(300);
    const [from, to] = [admins[source]!, admins[target]!];
    phase = "migrating";
    await to.cluster("SETSLOT", slot, "IMPORTING", ids[source]!);
    await from.cluster("SETSLOT", slot, "MIGRATING", ids[target]!);
    await sleep(150);
    // Ten keys at a time with pauses, as `redis-cli --cluster reshard` does (its default
    // pipeline), so checks meet the slot half-moved (ASK, TRYAGAIN). One key at a time, the slot's
    // ~50 keys (rate keys, lease keys and their indexes) took longer than ioredis' redirection
    // budget (16 TRYAGAIN retries 100 ms apart) for a check whose nine keys straddled the nodes.
    for (let keys = await from.cluster("GETKEYSINSLOT", slot, 10); (keys as string[]).length > 0; ) {
      await from.call(
        "MIGRATE",
        "127.0.0.1",
        cluster.nodes[target]!.port,
        "",
        0,
        5_000,
        "KEYS",
        ...(keys as string[]),
      );
      await sleep(20);
      keys = await from.cluster("GETKEYSINSLOT", slot, 10);
    }
    await sleep(100);
    for (const index of [target, source, 3 - source - target])
      await admins[index]!.cluster("SETSLOT", slot, "NODE", ids[target]!);
    phase = "after";
    await sleep(300);
    running = false;
    await Promise.all(loops);
    console.info(
      `slot ${slot} moved ${cluster.nodes[source]!.port} -> ${cluster.nodes[target]!.port}; checks of ${moved} ` +
        `before/migrating/after ${checksOfMoved.before}/${checksOfMoved.migrating}/${checksOfMoved.after}; slowest ${slowestMs.toFixed(1)} ms`,
    );

    expect(errors).toEqual([]);
    expect(await ownerOf(slot)).toBe(target);
    expect(Number(await from.cluster("COUNTKEYSINSLOT", slot))).toBe(0);
    expect(Number(await to.cluster("COUNTKEYSINSLOT", slot))).toBeGreaterThan(0);
    expect(checksOfMoved.migrating).toBeGreaterThan(0);
    expect(checksOfMoved.after).toBeGreaterThan(0);
    // Nothing lost or spent twice: each organisation's counter equals the checks it admitted.
    const spec: RateLimitSpec = { algorithm: "fixed-window", limit, windowMs: maxWindowMs, burst: limit };
    for (const org of orgs) {
      const peek = await store.apply([{ kind: "rate", key: orgKey(org), spec, cost: 0 }], { dryRun: true });
      expect({ org, used: limit - peek.outcomes[0]!.remaining }).toEqual({
        org,
        used: allowed.get(org) ?? 0,
      });
    }
  });
});

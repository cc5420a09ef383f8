import {
  type Algorithm,
  createQuotaManager,
  createRateLimiter,
  type LevelLimits,
  type QuotaPath,
} from "@enis/throttle";
import { Redis } from "ioredis";
import { createRedisStore } from "../index.js";

/*
 * A replica in its own OS process, for reliability.integration.test.ts: one ioredis client,
 * driven over IPC. Each job is prepared, acknowledged with "ready", and fired on "go", so the
 * replicas' checks overlap. Run with `node --import tsx --import ./scripts/text-loader.mjs check-worker.ts <port>`
 * (fork, from the repository root).
 */

/** Checks spread round-robin over `keys` on a rate limiter. */
export interface LimitJob {
  readonly kind: "limit";
  readonly algorithm: Algorithm;
  readonly limit: number;
  readonly windowMs: number;
  readonly prefix: string;
  readonly keys: readonly string[];
  readonly checks: number;
  /** Added to this process' clock (Date.now) and passed as every call's nowMs. */
  readonly clockOffsetMs: number;
  readonly time: "server" | "caller";
  /** One check after the other (decisions recorded in order) instead of all at once. */
  readonly sequential: boolean;
}

/** Checks spread round-robin over `paths` on a quota manager with one rate dimension. */
export interface QuotaJob {
  readonly kind: "quota";
  readonly prefix: string;
  readonly windowMs: number;
  readonly paths: readonly QuotaPath[];
  readonly checks: number;
  readonly limits: { readonly org: number; readonly team: number; readonly user: number };
  /** Per-path limit overrides (setLimits). */
  readonly overrides: readonly (readonly [QuotaPath, number])[];
}

export type Job = LimitJob | QuotaJob;

/** One recorded decision of a sequential job. */
export interface RecordedDecision {
  readonly key: string;
  readonly allowed: boolean;
  readonly remaining: number;
  readonly reason: string | undefined;
}

export interface JobResult {
  /** Allowed checks per key (limit jobs) or per path "org/team/user" (quota jobs). */
  readonly allowed: Record<string, number>;
  /** Refusal reasons seen, with counts. */
  readonly reasons: Record<string, number>;
  readonly decisions: readonly RecordedDecision[];
  /** Messages of calls that rejected (none expected). */
  readonly errors: readonly string[];
}

export type ToWorker = { type: "prepare"; job: Job } | { type: "go" } | { type: "exit" };
export type FromWorker =
  | { type: "ready" }
  | { type: "result"; result: JobResult }
  | { type: "failed"; error: string };

const realNow = Date.now.bind(Date);
let clockOffsetMs = 0;
Date.now = () => realNow() + clockOffsetMs;

const port = Number(process.argv[2]);
const client = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 1 });
client.on("error", () => {});

const send = (message: FromWorker) => process.send?.(message);
const pathName = (path: QuotaPath) => [path.org, path.team, path.user].filter(Boolean).join("/");

let prepared: (() => Promise<JobResult>) | undefined;

function prepare(job: Job): () => Promise<JobResult> {
  // Exactness, not latency: a call that timed out could still have spent on the server.
  if (job.kind === "limit") {
    const store = createRedisStore({ client, prefix: job.prefix, time: job.time, timeoutMs: 30_000 });
    const limiter = createRateLimiter({
      algorithm: job.algorithm,
      limit: job.limit,
      windowMs: job.windowMs,
      store,
    });
    return async () => {
      clockOffsetMs = job.clockOffsetMs;
      const allowed: Record<string, number> = Object.fromEntries(job.keys.map((key) => [key, 0]));
      const reasons: Record<string, number> = {};
      const decisions: RecordedDecision[] = [];
      const errors: string[] = [];
      const check = async (index: number) => {
        const key = job.keys[index % job.keys.length]!;
        try {
          const decision = await limiter.limit(key, { nowMs: Date.now() });
          if (decision.allowed) allowed[key]! += 1;
          else reasons[decision.reason ?? "none"] = (reasons[decision.reason ?? "none"] ?? 0) + 1;
          if (job.sequential)
            decisions.push({
              key,
              allowed: decision.allowed,
              remaining: decision.remaining,
              reason: decision.reason,
            });
        } catch (error) {
          errors.push(String(error));
        }
      };
      if (job.sequential) for (let index = 0; index < job.checks; index++) await check(index);
      else await Promise.all(Array.from({ length: job.checks }, (_, index) => check(index)));
      return { allowed, reasons, decisions, errors };
    };
  }
  const store = createRedisStore({ client, prefix: job.prefix, timeoutMs: 30_000 });
  const hard = (value: number): LevelLimits => ({ requests: { hard: value } });
  const quotas = createQuotaManager({
    dimensions: { requests: { kind: "rate", windowMs: job.windowMs } },
    limits: { org: hard(job.limits.org), team: hard(job.limits.team), user: hard(job.limits.user) },
    store,
  });
  for (const [path, limit] of job.overrides) quotas.setLimits(path, hard(limit));
  return async () => {
    const allowed: Record<string, number> = Object.fromEntries(job.paths.map((path) => [pathName(path), 0]));
    const reasons: Record<string, number> = {};
    const errors: string[] = [];
    await Promise.all(
      Array.from({ length: job.checks }, async (_, index) => {
        const path = job.paths[index % job.paths.length]!;
        try {
          const decision = await quotas.check(path, { requests: 1 });
          if (decision.allowed) allowed[pathName(path)]! += 1;
          else {
            const reason = `${decision.reason}:${decision.refusals.map((refusal) => refusal.level).join("+")}`;
            reasons[reason] = (reasons[reason] ?? 0) + 1;
          }
        } catch (error) {
          errors.push(String(error));
        }
      }),
    );
    return { allowed, reasons, decisions: [], errors };
  };
}

process.on("message", (message: ToWorker) => {
  if (message.type === "prepare") {
    try {
      prepared = prepare(message.job);
      send({ type: "ready" });
    } catch (error) {
      send({ type: "failed", error: String(error) });
    }
  } else if (message.type === "go") {
    const run = prepared;
    prepared = undefined;
    if (run === undefined) {
      send({ type: "failed", error: "go before prepare" });
      return;
    }
    run().then(
      (result) => send({ type: "result", result }),
      (error: unknown) => send({ type: "failed", error: String(error) }),
    );
  } else {
    client.disconnect();
    process.exit(0);
  }
});
process.on("disconnect", () => {
  client.disconnect();
  process.exit(0);
});
// Connected and ready for jobs.
client.ping().then(
  () => send({ type: "ready" }),
  (error: unknown) => send({ type: "failed", error: String(error) }),
);

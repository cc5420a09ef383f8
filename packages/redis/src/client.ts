import { EnisError, type Timers } from "@enis/core";
import type { LuaScript } from "./lua-scripts.js";

/**
 * The two methods the store uses of an ioredis `Redis` or `Cluster` (v5, v6): keys and arguments
 * spread after the key count.
 */
export interface IoredisScriptClient {
  evalsha(sha1: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
}

/** The two methods the store uses of a node-redis (`redis` v4 and later) client or cluster. */
export interface NodeRedisScriptClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** A Redis client the caller built and connected: ioredis or node-redis, standalone or cluster. */
export type RedisScriptClient = IoredisScriptClient | NodeRedisScriptClient;

/** Runs a script by EVALSHA, and by EVAL when the server does not hold it (NOSCRIPT). */
export type ScriptRunner = (script: LuaScript, keys: string[], args: string[]) => Promise<unknown>;

/** True when `client` has the methods of one of the supported clients. */
export function isScriptClient(client: unknown): client is RedisScriptClient {
  if (typeof client !== "object" || client === null) return false;
  const methods = client as Record<string, unknown>;
  if (typeof methods["eval"] !== "function") return false;
  return typeof methods["evalsha"] === "function" || typeof methods["evalSha"] === "function";
}

/**
 * True for a client known to talk to one server (ioredis `Redis`: `isCluster` false; node-redis:
 * a client with `isOpen` and without the cluster's `masters`), where one script may touch keys of
 * any slot. Anything else is treated as a cluster.
 */
export function isStandalone(client: RedisScriptClient): boolean {
  const fields = client as unknown as Record<string, unknown>;
  if (typeof fields["isCluster"] === "boolean") return fields["isCluster"] === false;
  return "isOpen" in fields && !("masters" in fields) && !("slots" in fields);
}

/**
 * Builds the runner for `client`, detected by method: node-redis has `evalSha` (camel case),
 * ioredis `evalsha`. EVALSHA first sends 40 bytes instead of the script; the first call on a
 * server (or after SCRIPT FLUSH, a restart or a failover) answers NOSCRIPT and EVAL loads it
 * (upstash/ratelimit-js does the same).
 */
export function createScriptRunner(client: RedisScriptClient): ScriptRunner {
  if ("evalSha" in client && typeof client.evalSha === "function") {
    const nodeRedis = client;
    return async (script, keys, args) => {
      try {
        return await nodeRedis.evalSha(script.sha1, { keys, arguments: args });
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return await nodeRedis.eval(script.source, { keys, arguments: args });
      }
    };
  }
  const ioredis = client as IoredisScriptClient;
  return async (script, keys, args) => {
    try {
      return await ioredis.evalsha(script.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return await ioredis.eval(script.source, keys.length, ...keys, ...args);
    }
  };
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/**
 * Runs `call` against a timer of `timeoutMs` on `timers`: a store that does not answer must not
 * stall the request it guards (rate-limiter-flexible #184, #49: calls hung up to ~30 s while Redis
 * was down). Timeouts and connection failures become `STORE_UNAVAILABLE`, so the caller can choose
 * to fail open or closed; a script error (a key holding another type, WRONGTYPE) is `INTERNAL`.
 */
export async function withTimeout<T>(
  operation: string,
  timeoutMs: number,
  timers: Timers,
  call: () => Promise<T>,
): Promise<T> {
  let timer: unknown;
  const timeout = new Promise<never>((_, reject) => {
    timer = timers.setTimeout(() => {
      reject(timeoutError(operation, timeoutMs));
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch (error) {
    if (EnisError.isInstance(error)) throw error;
    throw classify(operation, error);
  } finally {
    timers.clearTimeout(timer);
  }
}

/** The STORE_UNAVAILABLE of a call that got no answer within `timeoutMs`. */
export function timeoutError(operation: string, timeoutMs: number): EnisError {
  return new EnisError(
    "STORE_UNAVAILABLE",
    `redis store: ${operation} got no answer within ${timeoutMs} ms`,
    {
      cause: new Error(`timeout after ${timeoutMs} ms`),
    },
  );
}

/** The EnisError of a failed call: `INTERNAL` for a script error, else `STORE_UNAVAILABLE`. */
export function classify(operation: string, error: unknown): EnisError {
  const message = error instanceof Error ? error.message : String(error);
  // Busy, loading or failing-over servers are unavailable, not broken.
  const transient = /^(BUSY|LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|MOVED|ASK)\b/.test(message);
  if (!transient && (/^WRONGTYPE\b/.test(message) || /^ERR\b.*script/i.test(message))) {
    return new EnisError("INTERNAL", `redis store: ${operation} failed: ${message}`, { cause: error });
  }
  return new EnisError("STORE_UNAVAILABLE", `redis store: ${operation} failed: ${message}`, { cause: error });
}

/** A reply for an error message: its JSON, or its type when it has none (a BigInt, a cycle). */
export function describeReply(reply: unknown): string {
  try {
    return JSON.stringify(reply) ?? String(reply);
  } catch {
    return `a ${typeof reply} reply`;
  }
}

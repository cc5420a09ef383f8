/**
 * What the three HTTP examples share: one rate limit per caller, and the decision a middleware
 * needs — may the request go ahead, and which header fields to set on the response, allowed or not.
 */
import type { Clock } from "@enis/core";
import { createMemoryStore, createRateLimiter, rateLimitHeaders } from "@enis/throttle";

/**
 * 10 requests per minute per caller, by GCRA (one every 6 s on average, up to 10 at once), on the
 * in-memory store. Give it a clock to test it without waiting; share a `@enis/redis` store between
 * replicas in production.
 */
export function createApiLimiter(options: { clock?: Clock; limit?: number } = {}) {
  const store =
    options.clock === undefined ? createMemoryStore() : createMemoryStore({ clock: options.clock });
  return createRateLimiter({ algorithm: "gcra", limit: options.limit ?? 10, windowMs: 60_000, store });
}

export type ApiLimiter = ReturnType<typeof createApiLimiter>;

// An organisation id as this API issues them: it becomes the key's partition, so it must not carry
// ":" (the partition separator) or "{" (an explicit partition) from the client.
const organisationId = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The key to limit a request by: its organisation (here from an `X-Organisation` header; in a
 * real service, from the authenticated token) or, without a valid one, the client's address as an
 * explicit partition — `{127.0.0.1}`, `{::1}` — since an IPv6 address is full of colons.
 */
export function requestKey(organisation: string | string[] | undefined, address: string | undefined): string {
  if (typeof organisation === "string" && organisationId.test(organisation)) return organisation;
  return `{${address ?? "unknown"}}`;
}

/**
 * Spends one request of `key` and returns whether it may go ahead, with the header fields to set:
 * `RateLimit-Policy` and `RateLimit` always, `Retry-After` on a refusal.
 */
export async function decide(
  limiter: ApiLimiter,
  key: string,
): Promise<{ allowed: boolean; headers: Record<string, string> }> {
  const decision = await limiter.limit(key);
  const policy = { name: "api", limit: limiter.spec.limit, windowMs: limiter.spec.windowMs };
  return { allowed: decision.allowed, headers: rateLimitHeaders({ policy, decision }) };
}

/**
 * The requests every HTTP example's test sends, over real HTTP, to an app limited to 3 requests a
 * minute by GCRA (one every 20 s, 3 at once) on a manual clock: so every header value is exact.
 */
import type { ManualClock } from "@enis/core";
import { expect } from "vitest";
import { createApiLimiter } from "./api-limit.js";

/** 2023-11-14T22:13:20Z: any time will do, the clock only moves when the scenario says. */
const startMs = 1_700_000_000_000;

export function createScenarioLimiter(clock: ManualClock) {
  return createApiLimiter({ clock, limit: 3 });
}

export { startMs };

async function get(origin: string, organisation?: string) {
  const response = await fetch(
    `${origin}/`,
    organisation === undefined ? {} : { headers: { "X-Organisation": organisation } },
  );
  return {
    status: response.status,
    policy: response.headers.get("RateLimit-Policy"),
    limit: response.headers.get("RateLimit"),
    retryAfter: response.headers.get("Retry-After"),
    body: (await response.json()) as Record<string, unknown>,
  };
}

export async function expectRateLimited(origin: string, clock: ManualClock): Promise<void> {
  // Allowed three times: r counts down, t (until the allowance is full again) grows by 20 s each.
  for (const [remaining, seconds] of [
    [2, 20],
    [1, 40],
    [0, 60],
  ]) {
    expect(await get(origin, "acme")).toEqual({
      status: 200,
      policy: '"api";q=3;w=60',
      limit: `"api";r=${remaining};t=${seconds}`,
      retryAfter: null,
      body: { hello: "acme" },
    });
  }
  // Refused: 429, Retry-After the wait for one more request, and t the same moment.
  expect(await get(origin, "acme")).toEqual({
    status: 429,
    policy: '"api";q=3;w=60',
    limit: '"api";r=0;t=20',
    retryAfter: "20",
    body: { error: "too many requests", key: "acme" },
  });
  // Another organisation has its own allowance.
  expect(await get(origin, "globex")).toMatchObject({ status: 200, limit: '"api";r=2;t=20' });
  // Without an organisation, or with one that could smuggle a partition, the address is the key.
  expect(await get(origin)).toMatchObject({
    status: 200,
    limit: '"api";r=2;t=20',
    body: { hello: "{127.0.0.1}" },
  });
  expect(await get(origin, "acme:other")).toMatchObject({ status: 200, limit: '"api";r=1;t=40' });
  // Waiting exactly Retry-After is enough for the refused request.
  clock.advance(20_000);
  expect(await get(origin, "acme")).toMatchObject({ status: 200, limit: '"api";r=0;t=60', retryAfter: null });
  expect(await get(origin, "acme")).toMatchObject({ status: 429, retryAfter: "20" });
}

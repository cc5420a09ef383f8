import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeOf } from "../../../test-support/enis-error.js";
import {
  type RateLimitHeaderDecision,
  type RateLimitHeaderEntry,
  type RateLimitPolicy,
  rateLimitHeaders,
} from "./http-headers.js";

const api: RateLimitPolicy = { name: "api", limit: 100, windowMs: 60_000 };

describe("rateLimitHeaders", () => {
  it("writes the draft's two fields for an allowed decision, t from resetAfterMs, no Retry-After", () => {
    const decision = { allowed: true, remaining: 42, limit: 100, retryAfterMs: 0, resetAfterMs: 16_001 };
    expect(rateLimitHeaders({ policy: api, decision })).toEqual({
      "RateLimit-Policy": '"api";q=100;w=60',
      RateLimit: '"api";r=42;t=17',
    });
  });

  it("adds Retry-After on a refusal, and t is the refusal's wait, not the full reset", () => {
    const decision = {
      allowed: false,
      remaining: 0,
      limit: 100,
      retryAfterMs: 2_500,
      resetAfterMs: 60_000,
      reason: "rate-limited",
    } as const;
    expect(rateLimitHeaders({ policy: api, decision })).toEqual({
      "RateLimit-Policy": '"api";q=100;w=60',
      RateLimit: '"api";r=0;t=3',
      "Retry-After": "3",
    });
  });

  it("reports what is left on a refusal of a larger cost", () => {
    const decision = { allowed: false, remaining: 1, retryAfterMs: 600, resetAfterMs: 1_200 };
    expect(rateLimitHeaders({ policy: api, decision })).toMatchObject({
      RateLimit: '"api";r=1;t=1',
      "Retry-After": "1",
    });
  });

  it("sends no Retry-After when no wait can help (retryAfterMs: Infinity), and t is the full reset", () => {
    const decision = {
      allowed: false,
      remaining: 100,
      retryAfterMs: Number.POSITIVE_INFINITY,
      resetAfterMs: 0,
      reason: "cost-exceeds-limit",
    };
    expect(rateLimitHeaders({ policy: api, decision })).toEqual({
      "RateLimit-Policy": '"api";q=100;w=60',
      RateLimit: '"api";r=100;t=0',
    });
  });

  it("reports r=0 for a blocked key, whatever its counter says", () => {
    const decision = {
      allowed: false,
      remaining: 7,
      retryAfterMs: 30_000,
      resetAfterMs: 1_000,
      reason: "blocked",
    };
    expect(rateLimitHeaders({ policy: api, decision })).toEqual({
      "RateLimit-Policy": '"api";q=100;w=60',
      RateLimit: '"api";r=0;t=30',
      "Retry-After": "30",
    });
  });

  it("reports a peek's allowance without Retry-After: r=0 and t the block while a key is blocked", () => {
    expect(
      rateLimitHeaders({ policy: api, allowance: { remaining: 5, resetAfterMs: 57_300, retryAfterMs: 0 } }),
    ).toEqual({ "RateLimit-Policy": '"api";q=100;w=60', RateLimit: '"api";r=5;t=58' });
    expect(
      rateLimitHeaders({
        policy: api,
        allowance: { remaining: 5, resetAfterMs: 1_000, retryAfterMs: 9_000 },
      }),
    ).toEqual({ "RateLimit-Policy": '"api";q=100;w=60', RateLimit: '"api";r=0;t=9' });
    // A fresh key: the full allowance, nothing to wait for.
    expect(
      rateLimitHeaders({ policy: api, allowance: { remaining: 100, resetAfterMs: 0, retryAfterMs: 0 } })
        .RateLimit,
    ).toBe('"api";r=100;t=0');
  });

  it("rounds windows and waits up to whole seconds", () => {
    const at = (windowMs: number, resetAfterMs: number) =>
      rateLimitHeaders({
        policy: { name: "p", limit: 1, windowMs },
        decision: { allowed: true, remaining: 0, retryAfterMs: 0, resetAfterMs },
      });
    expect(at(1, 1)).toEqual({ "RateLimit-Policy": '"p";q=1;w=1', RateLimit: '"p";r=0;t=1' });
    expect(at(1_000, 1_000)).toEqual({ "RateLimit-Policy": '"p";q=1;w=1', RateLimit: '"p";r=0;t=1' });
    expect(at(1_001, 999.5)).toEqual({ "RateLimit-Policy": '"p";q=1;w=2', RateLimit: '"p";r=0;t=1' });
    // Ten years: 315,360,000 s.
    expect(at(315_360_000_000, 315_360_000_001)).toEqual({
      "RateLimit-Policy": '"p";q=1;w=315360000',
      RateLimit: '"p";r=0;t=315360001',
    });
    // At the top of the time range and of the safe integers, 1 ms past a whole second still counts.
    expect(at(1, 8_639_999_999_999_001).RateLimit).toBe('"p";r=0;t=8640000000000');
    expect(at(1, 8_639_999_999_998_999).RateLimit).toBe('"p";r=0;t=8639999999999');
    expect(at(9_000_000_000_000_001, 0)["RateLimit-Policy"]).toBe('"p";q=1;w=9000000000001');
  });

  it("quotes and escapes policy names as Structured Fields Strings", () => {
    const named = (name: string) =>
      rateLimitHeaders({
        policy: { name, limit: 10 },
        decision: { allowed: true, remaining: 9, retryAfterMs: 0 },
      });
    expect(named('say "hi"')).toEqual({
      "RateLimit-Policy": '"say \\"hi\\"";q=10',
      RateLimit: '"say \\"hi\\"";r=9',
    });
    expect(named("a\\b")["RateLimit-Policy"]).toBe('"a\\\\b";q=10');
    expect(named("per user; 1,2")["RateLimit-Policy"]).toBe('"per user; 1,2";q=10');
  });

  it("adds qu to the policy and pk (a Byte Sequence) to the service limit", () => {
    const headers = rateLimitHeaders({
      policy: { name: "uploads", limit: 65_535, windowMs: 10_000, quotaUnit: "content-bytes" },
      decision: { allowed: true, remaining: 65_000, retryAfterMs: 0, resetAfterMs: 9_000 },
      partitionKey: "acme",
    });
    expect(headers).toEqual({
      "RateLimit-Policy": '"uploads";q=65535;w=10;qu="content-bytes"',
      RateLimit: '"uploads";r=65000;t=9;pk=:YWNtZQ==:',
    });
    const bytes = rateLimitHeaders({
      policy: { name: "p", limit: 1 },
      decision: { allowed: true, remaining: 1, retryAfterMs: 0 },
      partitionKey: new Uint8Array([0, 255, 128]),
    });
    expect(bytes.RateLimit).toBe('"p";r=1;pk=:AP+A:');
    // UTF-8, not UTF-16 or Latin-1.
    expect(
      rateLimitHeaders({
        policy: { name: "p", limit: 1 },
        decision: { allowed: true, remaining: 1, retryAfterMs: 0 },
        partitionKey: "é",
      }).RateLimit,
    ).toBe('"p";r=1;pk=:w6k=:');
  });

  it("lists several limiters in order, with Retry-After the longest refusal's wait", () => {
    const headers = rateLimitHeaders([
      {
        policy: { name: "per-second", limit: 10, windowMs: 1_000 },
        decision: { allowed: false, remaining: 0, retryAfterMs: 400, resetAfterMs: 1_000 },
      },
      {
        policy: { name: "per-day", limit: 10_000, windowMs: 86_400_000 },
        decision: { allowed: true, remaining: 9_000, retryAfterMs: 0, resetAfterMs: 3_600_000 },
      },
      {
        policy: { name: "per-minute", limit: 100, windowMs: 60_000 },
        decision: { allowed: false, remaining: 0, retryAfterMs: 12_001, resetAfterMs: 60_000 },
      },
    ]);
    expect(headers).toEqual({
      "RateLimit-Policy": '"per-second";q=10;w=1, "per-day";q=10000;w=86400, "per-minute";q=100;w=60',
      RateLimit: '"per-second";r=0;t=1, "per-day";r=9000;t=3600, "per-minute";r=0;t=13',
      "Retry-After": "13",
    });
  });

  it("leaves Retry-After out when one of several refusals can never be allowed", () => {
    const headers = rateLimitHeaders([
      { policy: { name: "a", limit: 1 }, decision: { allowed: false, remaining: 0, retryAfterMs: 5_000 } },
      {
        policy: { name: "b", limit: 1 },
        decision: { allowed: false, remaining: 1, retryAfterMs: Number.POSITIVE_INFINITY },
      },
    ]);
    expect(headers).toEqual({ "RateLimit-Policy": '"a";q=1, "b";q=1', RateLimit: '"a";r=0;t=5, "b";r=1' });
  });

  it("maps a quota decision's refusals, one policy per level and dimension", () => {
    // What createQuotaManager's check resolves when the team's and the user's limits refuse.
    const quota = {
      allowed: false,
      reason: "quota-hard",
      retryAfterMs: 45_000,
      refusals: [
        { level: "team", dimension: "requestsPerMinute", limit: 600, remaining: 0, retryAfterMs: 45_000 },
        { level: "user", dimension: "requestsPerMinute", limit: 60, remaining: 1, retryAfterMs: 2_000 },
      ],
      warnings: [],
      leases: [],
    } as const;
    const windowMsOf: Record<string, number> = { requestsPerMinute: 60_000 };
    const headers = rateLimitHeaders(
      quota.refusals.map((refusal) => ({
        policy: {
          name: `${refusal.level}-${refusal.dimension}`,
          limit: refusal.limit,
          windowMs: windowMsOf[refusal.dimension]!,
        },
        decision: { ...refusal, allowed: false },
      })),
    );
    expect(headers).toEqual({
      "RateLimit-Policy": '"team-requestsPerMinute";q=600;w=60, "user-requestsPerMinute";q=60;w=60',
      RateLimit: '"team-requestsPerMinute";r=0;t=45, "user-requestsPerMinute";r=1;t=2',
      "Retry-After": String(quota.retryAfterMs / 1000),
    });
  });

  it("has nothing to say about no policies", () => {
    expect(rateLimitHeaders([])).toEqual({});
  });

  it("rejects bad input with EnisError naming the field", () => {
    const decision: RateLimitHeaderDecision = {
      allowed: true,
      remaining: 1,
      retryAfterMs: 0,
      resetAfterMs: 0,
    };
    const call = (entry: unknown) => codeOf(() => rateLimitHeaders(entry as RateLimitHeaderEntry));
    expect(call(null)).toEqual(["INVALID_OPTIONS", "entries"]);
    expect(call({ policy: api })).toEqual(["INVALID_OPTIONS", "entries"]);
    expect(call({ policy: api, decision, allowance: decision })).toEqual(["INVALID_OPTIONS", "entries"]);
    expect(call({ policy: api, decision, partition: "x" })).toEqual(["INVALID_OPTIONS", "entries.partition"]);
    expect(call({ policy: { ...api, window: 1 }, decision })).toEqual([
      "INVALID_OPTIONS",
      "entries.policy.window",
    ]);
    expect(call({ policy: { ...api, name: "" }, decision })).toEqual([
      "INVALID_OPTIONS",
      "entries.policy.name",
    ]);
    expect(call({ policy: { ...api, name: "café" }, decision })).toEqual([
      "INVALID_OPTIONS",
      "entries.policy.name",
    ]);
    expect(call({ policy: { ...api, name: "a\nb" }, decision })).toEqual([
      "INVALID_OPTIONS",
      "entries.policy.name",
    ]);
    expect(call({ policy: { ...api, limit: -1 }, decision })).toEqual([
      "INVALID_OPTIONS",
      "entries.policy.limit",
    ]);
    expect(call({ policy: { ...api, limit: 1e15 }, decision })).toEqual([
      "INVALID_OPTIONS",
      "entries.policy.limit",
    ]);
    expect(call({ policy: { ...api, windowMs: 0 }, decision })).toEqual([
      "INVALID_OPTIONS",
      "entries.policy.windowMs",
    ]);
    expect(call({ policy: { ...api, windowMs: 1.5 }, decision })).toEqual([
      "INVALID_OPTIONS",
      "entries.policy.windowMs",
    ]);
    expect(call({ policy: { ...api, quotaUnit: "bytes" }, decision })).toEqual([
      "INVALID_OPTIONS",
      "entries.policy.quotaUnit",
    ]);
    expect(call({ policy: api, decision: { ...decision, allowed: "yes" } })).toEqual([
      "INVALID_OPTIONS",
      "entries.decision.allowed",
    ]);
    expect(call({ policy: api, decision: { ...decision, remaining: 0.5 } })).toEqual([
      "INVALID_OPTIONS",
      "entries.decision.remaining",
    ]);
    expect(call({ policy: api, decision: { ...decision, retryAfterMs: Number.NaN } })).toEqual([
      "INVALID_OPTIONS",
      "entries.decision.retryAfterMs",
    ]);
    expect(call({ policy: api, decision: { ...decision, resetAfterMs: Number.POSITIVE_INFINITY } })).toEqual([
      "INVALID_OPTIONS",
      "entries.decision.resetAfterMs",
    ]);
    expect(call({ policy: api, allowance: { remaining: 1, retryAfterMs: 0 } })).toEqual([
      "INVALID_OPTIONS",
      "entries.allowance.resetAfterMs",
    ]);
    expect(call({ policy: api, decision, partitionKey: "" })).toEqual([
      "INVALID_OPTIONS",
      "entries.partitionKey",
    ]);
    expect(
      codeOf(() =>
        rateLimitHeaders([
          { policy: api, decision },
          { policy: api, decision },
        ]),
      ),
    ).toEqual(["DUPLICATE_ID", "entries[1].policy.name"]);
    expect(() => rateLimitHeaders({ policy: { ...api, limit: -1 }, decision })).toThrow(
      "entries.policy.limit must be an integer in [0, 999999999999999], got -1",
    );
    expect(() => rateLimitHeaders({ policy: { ...api, name: "café" }, decision })).toThrow(
      'entries.policy.name must be printable ASCII (a Structured Fields String), got "café"',
    );
  });
});

/*
 * A parser of the Structured Fields Lists these headers use (RFC 9651 §4.2.1: members with
 * parameters; bare items String, Integer, Byte Sequence), written from the RFC's algorithm so the
 * properties below check what a conforming client reads, not the text we meant to write.
 */
type BareItem = string | number | { readonly bytes: string };
interface Member {
  readonly value: BareItem;
  readonly parameters: ReadonlyMap<string, BareItem>;
}

function parseList(input: string): Member[] {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${at} in ${JSON.stringify(input)}`);
  };
  const skipSpaces = () => {
    while (input[at] === " ") at++;
  };
  const parseBareItem = (): BareItem => {
    const char = input[at] ?? "";
    if (char === '"') {
      at++;
      let text = "";
      for (;;) {
        const next = input[at++];
        if (next === undefined) return fail("unterminated string");
        if (next === "\\") {
          const escaped = input[at++];
          if (escaped !== '"' && escaped !== "\\") return fail("bad escape");
          text += escaped;
        } else if (next === '"') return text;
        else if (next < " " || next > "~") return fail("non-printable character");
        else text += next;
      }
    }
    if (char === ":") {
      const end = input.indexOf(":", at + 1);
      if (end < 0) return fail("unterminated byte sequence");
      const bytes = input.slice(at + 1, end);
      if (!/^[A-Za-z0-9+/=]*$/.test(bytes)) return fail("bad base64");
      at = end + 1;
      return { bytes };
    }
    const digits = /^-?\d{1,15}(?![\d.])/.exec(input.slice(at));
    if (digits === null) return fail("unknown bare item");
    at += digits[0].length;
    return Number(digits[0]);
  };
  const parseParameters = () => {
    const parameters = new Map<string, BareItem>();
    while (input[at] === ";") {
      at++;
      skipSpaces();
      const key = /^[a-z*][a-z0-9_\-.*]*/.exec(input.slice(at));
      if (key === null) return fail("bad parameter key");
      at += key[0].length;
      if (input[at] !== "=") return fail("boolean parameter not expected here");
      at++;
      parameters.set(key[0], parseBareItem());
    }
    return parameters;
  };
  const members: Member[] = [];
  while (at < input.length) {
    members.push({ value: parseBareItem(), parameters: parseParameters() });
    skipSpaces();
    if (at >= input.length) break;
    if (input[at] !== ",") fail("expected a comma");
    at++;
    skipSpaces();
    if (at >= input.length) fail("trailing comma");
  }
  return members;
}

describe("rateLimitHeaders (properties)", () => {
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    minLength: 1,
    maxLength: 20,
  });
  const waitMs = fc.oneof(
    fc.integer({ min: 0, max: 8_640_000_000_000_000 }),
    fc.double({ min: 0, max: 1e7, noNaN: true }),
    fc.constant(Number.POSITIVE_INFINITY),
  );
  const entry = fc.record({
    name: printable,
    limit: fc.integer({ min: 0, max: 999_999_999_999_999 }),
    windowMs: fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
    allowed: fc.boolean(),
    remaining: fc.integer({ min: 0, max: 999_999_999_999_999 }),
    retryAfterMs: waitMs,
    resetAfterMs: fc.integer({ min: 0, max: 8_640_000_000_000_000 }),
  });
  const entries = fc.uniqueArray(entry, {
    selector: (candidate) => candidate.name,
    minLength: 1,
    maxLength: 5,
  });
  type Generated = typeof entry extends fc.Arbitrary<infer T> ? T : never;
  const toEntries = (generated: readonly Generated[]) =>
    generated.map(
      (candidate): RateLimitHeaderEntry => ({
        policy:
          candidate.windowMs === undefined
            ? { name: candidate.name, limit: candidate.limit }
            : { name: candidate.name, limit: candidate.limit, windowMs: candidate.windowMs },
        decision: {
          allowed: candidate.allowed,
          remaining: candidate.remaining,
          // Conventions: an allowed decision waits for nothing.
          retryAfterMs: candidate.allowed ? 0 : candidate.retryAfterMs,
          resetAfterMs: candidate.resetAfterMs,
        },
      }),
    );
  const seconds = (ms: number, value: number) => value * 1000 >= ms && (value - 1) * 1000 < ms;

  it("parses back, item for item, to the names, the quotas and the remaining units given", () => {
    fc.assert(
      fc.property(entries, (generated) => {
        const headers = rateLimitHeaders(toEntries(generated));
        const policies = parseList(headers["RateLimit-Policy"]!);
        const limits = parseList(headers["RateLimit"]!);
        expect(policies.map((member) => member.value)).toEqual(generated.map((candidate) => candidate.name));
        expect(limits.map((member) => member.value)).toEqual(generated.map((candidate) => candidate.name));
        generated.forEach((candidate, index) => {
          expect(policies[index]!.parameters.get("q")).toBe(candidate.limit);
          expect(limits[index]!.parameters.get("r")).toBe(candidate.remaining);
          const w = policies[index]!.parameters.get("w");
          if (candidate.windowMs === undefined) expect(w).toBeUndefined();
          else expect(typeof w === "number" && w >= 1 && seconds(candidate.windowMs, w)).toBe(true);
        });
      }),
      { seed: 101, numRuns: 400 },
    );
  });

  it("t and Retry-After are whole seconds >= 0, rounded up; Retry-After is never before a refusal's t", () => {
    fc.assert(
      fc.property(entries, (generated) => {
        const headers = rateLimitHeaders(toEntries(generated));
        const limits = parseList(headers["RateLimit"]!);
        const refusals = generated.filter((candidate) => !candidate.allowed);
        const hopeless = refusals.some((candidate) => candidate.retryAfterMs === Number.POSITIVE_INFINITY);
        const retryAfter = headers["Retry-After"];
        expect(retryAfter !== undefined).toBe(refusals.length > 0 && !hopeless);
        if (retryAfter !== undefined) {
          expect(retryAfter).toMatch(/^\d+$/);
          const longest = Math.max(...refusals.map((candidate) => candidate.retryAfterMs));
          expect(seconds(longest, Number(retryAfter))).toBe(true);
        }
        generated.forEach((candidate, index) => {
          const t = limits[index]!.parameters.get("t");
          expect(Number.isSafeInteger(t) && (t as number) >= 0).toBe(true);
          const waited =
            !candidate.allowed && Number.isFinite(candidate.retryAfterMs)
              ? candidate.retryAfterMs
              : candidate.resetAfterMs;
          expect(seconds(waited, t as number)).toBe(true);
          if (!candidate.allowed && retryAfter !== undefined)
            expect(Number(retryAfter)).toBeGreaterThanOrEqual(t as number);
        });
      }),
      { seed: 103, numRuns: 400 },
    );
  });
});

import { EnisError } from "@enis/core";
import {
  assertId,
  assertInteger,
  assertKnownKeys,
  assertObject,
  describeValue,
  invalidField,
  oneOf,
} from "@enis/core/validate";

/*
 * The IETF RateLimit header fields, as draft-ietf-httpapi-ratelimit-headers-10 (September 2025)
 * defines them: two Structured Fields Lists (RFC 9651),
 *
 *   RateLimit-Policy: "api";q=100;w=60        what each policy allows: quota q per window w (s)
 *   RateLimit: "api";r=42;t=17                 its service limit now: r left, more in t seconds
 *
 * plus `Retry-After` (RFC 9110 §10.2.3, delay-seconds) on a refusal. Drafts -00 to -06 sent
 * `RateLimit-Limit` / `-Remaining` / `-Reset` instead; -07 replaced them with these two fields, and
 * from -09 a policy's identifier is a String (`"api"`), which -11 still accepts. Pure: no clock, no
 * I/O — the same decision always gives the same text.
 */

/** A quota unit of the draft's registry (§ "RateLimit Quota Units"); the draft's default is `"requests"`. */
export type RateLimitQuotaUnit = "requests" | "content-bytes" | "concurrent-requests";

/** What one policy allows, advertised in `RateLimit-Policy`: the same on every response. */
export interface RateLimitPolicy {
  /**
   * The policy's identifier, shared by its `RateLimit-Policy` and `RateLimit` items: a non-empty
   * string of printable ASCII (a Structured Fields String; `"` and `\` are escaped), unique among
   * the policies of one response.
   */
  readonly name: string;
  /** The quota `q`: units allowed per window, an integer from 0 to 999,999,999,999,999. */
  readonly limit: number;
  /**
   * The window, advertised as `w` in whole seconds rounded up (a 500 ms window is `w=1`: the
   * advertised rate q / w is never above the real one). Absent: no `w` (a gauge has no window).
   */
  readonly windowMs?: number;
  /**
   * The draft's `qu` parameter, for a policy counted in other units than requests.
   * @default absent (the draft's default, "requests")
   */
  readonly quotaUnit?: RateLimitQuotaUnit;
}

/**
 * A decision to report: a rate limiter's `Decision`, or one level of a quota decision's refusals
 * (any object with these fields; others are ignored).
 */
export interface RateLimitHeaderDecision {
  readonly allowed: boolean;
  /** Units still available: an integer >= 0. */
  readonly remaining: number;
  /** 0 when allowed; else the wait in ms until the same request could be allowed; `Infinity` when none can help. */
  readonly retryAfterMs: number;
  /** The wait in ms until the full allowance is back. Absent (a quota refusal): `t` only on a refusal. */
  readonly resetAfterMs?: number;
  /** `"blocked"`: the key is refused whatever it asks, so `r=0` whatever its counter says. */
  readonly reason?: string;
}

/** An allowance to report: what a rate limiter's `peek(key)` resolves (the state now, nothing spent). */
export interface RateLimitHeaderAllowance {
  /** Units available now: an integer >= 0. */
  readonly remaining: number;
  /** The wait in ms until the full allowance is back. */
  readonly resetAfterMs: number;
  /** The wait in ms before anything can be spent (a blocked key), else 0. */
  readonly retryAfterMs: number;
}

/** One policy and its state: a decision (`limit`, a quota refusal) or an allowance (`peek`). */
export type RateLimitHeaderEntry = {
  readonly policy: RateLimitPolicy;
  /**
   * The draft's `pk`, sent on the `RateLimit` item as a Byte Sequence (a string is sent as its
   * UTF-8 bytes): lets a client acting for several partitions tell their limits apart. The draft
   * asks servers not to expose sensitive information in it — send an opaque id, not a user's key.
   * @default absent
   */
  readonly partitionKey?: string | Uint8Array;
} & (
  | { readonly decision: RateLimitHeaderDecision; readonly allowance?: never }
  | { readonly allowance: RateLimitHeaderAllowance; readonly decision?: never }
);

/** The header fields of {@link rateLimitHeaders}, by their names as the draft spells them. */
export type RateLimitHeaders = Record<string, string>;

/** The largest Integer a Structured Field may carry (RFC 9651 §3.3.1: at most 15 digits). */
const maxStructuredInteger = 999_999_999_999_999;

const quotaUnits: readonly RateLimitQuotaUnit[] = ["requests", "content-bytes", "concurrent-requests"];
const entryKeys: ReadonlySet<string> = new Set(["policy", "decision", "allowance", "partitionKey"]);
const policyKeys: ReadonlySet<string> = new Set(["name", "limit", "windowMs", "quotaUnit"]);
// RFC 9651 §3.3.3: a String holds printable ASCII only (%x20-7E); anything else is not a String.
const printableAscii = /^[\x20-\x7e]+$/;

/**
 * The IETF RateLimit header fields of one or more policies (draft-ietf-httpapi-ratelimit-headers-10)
 * and, when a decision refused, `Retry-After`: a plain record to set on any framework's response.
 *
 * For each entry, in order, one item in each field:
 * - `RateLimit-Policy`: `"name";q=<limit>` then `;w=<window in s, rounded up>` and `;qu="…"` when given.
 * - `RateLimit`: `"name";r=<remaining>;t=<s>` then `;pk=:…:` when given. `t` is the wait the state
 *   names, in whole seconds rounded up: a refusal's `retryAfterMs` (so `t` = `Retry-After` for the
 *   policy that refused), a blocked allowance's `retryAfterMs`, and otherwise `resetAfterMs`, the
 *   time until the full allowance is back (for a fixed window, the window's end; for GCRA and the
 *   token bucket units come back sooner, so `t` is when they all are). `r` is 0 while a key is
 *   blocked (a decision's `reason: "blocked"`, an allowance's `retryAfterMs > 0`).
 * - `Retry-After` (delay-seconds, rounded up) when any decision refused: the longest of the
 *   refusals' waits, so never before any refusing policy's `t` (the draft's rule). It is left out
 *   when a refusal's `retryAfterMs` is `Infinity` (a cost above the capacity: no wait helps), and
 *   for an allowance (a `peek` refuses nothing).
 *
 * No entries, no fields: `{}`. Throws `INVALID_OPTIONS` for a malformed entry (the field and value
 * named) and `DUPLICATE_ID` for two policies of one name.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ algorithm: "fixed-window", limit: 100, windowMs: 60_000 });
 * const policy = { name: "api", limit: limiter.spec.limit, windowMs: limiter.spec.windowMs };
 * const decision = await limiter.limit("acme:alice");
 * rateLimitHeaders({ policy, decision });
 * // { "RateLimit-Policy": '"api";q=100;w=60', RateLimit: '"api";r=99;t=17' } (17 s to the window's end)
 * // refused: also "Retry-After": "17", with RateLimit '"api";r=0;t=17'
 * ```
 */
export function rateLimitHeaders(
  entries: RateLimitHeaderEntry | readonly RateLimitHeaderEntry[],
): RateLimitHeaders {
  // One entry may come bare; its fields are then named `entries.policy…`, as in an array `entries[0]…`.
  if (!Array.isArray(entries)) assertObject(entries, "entries");
  const list: readonly unknown[] = Array.isArray(entries) ? entries : [entries];
  const policies: string[] = [];
  const limits: string[] = [];
  const names = new Set<string>();
  let refused = false;
  let longestWaitMs = 0;
  for (let index = 0; index < list.length; index++) {
    const field = Array.isArray(entries) ? `entries[${index}]` : "entries";
    const entry = list[index];
    assertObject(entry, field);
    assertKnownKeys(entry, entryKeys, field);
    const policy = checkPolicy(entry["policy"], `${field}.policy`);
    if (names.has(policy.name)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `${field}.policy.name must be unique among the policies of one response, got ${describeValue(policy.name)}`,
        { field: `${field}.policy.name` },
      );
    }
    names.add(policy.name);
    const state = checkState(entry, field);
    const name = structuredString(policy.name);
    let policyItem = `${name};q=${policy.limit}`;
    if (policy.windowMs !== undefined) policyItem += `;w=${wholeSeconds(policy.windowMs)}`;
    if (policy.quotaUnit !== undefined) policyItem += `;qu=${structuredString(policy.quotaUnit)}`;
    policies.push(policyItem);
    let limitItem = `${name};r=${state.remaining}`;
    if (state.waitMs !== undefined) limitItem += `;t=${wholeSeconds(state.waitMs)}`;
    const partitionKey = entry["partitionKey"];
    if (partitionKey !== undefined) limitItem += `;pk=${byteSequence(partitionKey, `${field}.partitionKey`)}`;
    limits.push(limitItem);
    if (state.refusedWaitMs !== undefined) {
      refused = true;
      longestWaitMs = Math.max(longestWaitMs, state.refusedWaitMs);
    }
  }
  if (policies.length === 0) return {};
  const headers: RateLimitHeaders = { "RateLimit-Policy": policies.join(", "), RateLimit: limits.join(", ") };
  if (refused && longestWaitMs !== Number.POSITIVE_INFINITY) {
    headers["Retry-After"] = String(wholeSeconds(longestWaitMs));
  }
  return headers;
}

/** `ms` in whole seconds, rounded up — checked by multiplying back, so a rounded quotient cannot hide 1 ms. */
function wholeSeconds(ms: number): number {
  const seconds = Math.trunc(ms / 1000);
  return seconds * 1000 < ms ? seconds + 1 : seconds;
}

/** A Structured Fields String (RFC 9651 §4.1.6): quoted, with `"` and `\` escaped. */
function structuredString(text: string): string {
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}

/** A Structured Fields Byte Sequence (RFC 9651 §4.1.8): base64 between colons. */
function byteSequence(value: unknown, field: string): string {
  let bytes: Uint8Array;
  if (typeof value === "string" && value.length > 0) bytes = new TextEncoder().encode(value);
  else if (value instanceof Uint8Array && value.length > 0) bytes = value;
  else throw invalidField(field, value, "a non-empty string or Uint8Array");
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `:${btoa(binary)}:`;
}

function checkPolicy(value: unknown, field: string): RateLimitPolicy {
  assertObject(value, field);
  assertKnownKeys(value, policyKeys, field);
  const { name, limit, windowMs, quotaUnit } = value;
  assertId(name, `${field}.name`);
  if (!printableAscii.test(name)) {
    throw invalidField(`${field}.name`, name, "printable ASCII (a Structured Fields String)");
  }
  assertInteger(limit, `${field}.limit`, 0, maxStructuredInteger);
  if (windowMs !== undefined) assertInteger(windowMs, `${field}.windowMs`, 1);
  if (quotaUnit !== undefined) oneOf(quotaUnit, `${field}.quotaUnit`, quotaUnits, "requests");
  return value as unknown as RateLimitPolicy;
}

interface CheckedState {
  /** `r`. */
  readonly remaining: number;
  /** What `t` reports, in ms; undefined for no `t`. */
  readonly waitMs: number | undefined;
  /** A refusal's wait (maybe Infinity); undefined when nothing was refused. */
  readonly refusedWaitMs: number | undefined;
}

function checkState(entry: Record<string, unknown>, field: string): CheckedState {
  const { decision, allowance } = entry;
  if ((decision === undefined) === (allowance === undefined)) {
    throw invalidField(field, entry, "an entry with exactly one of decision and allowance");
  }
  const isDecision = decision !== undefined;
  const stateField = isDecision ? `${field}.decision` : `${field}.allowance`;
  const state = isDecision ? decision : allowance;
  assertObject(state, stateField);
  const { allowed, remaining, retryAfterMs, resetAfterMs, reason } = state;
  if (isDecision && typeof allowed !== "boolean") {
    throw invalidField(`${stateField}.allowed`, allowed, "true or false");
  }
  assertInteger(remaining, `${stateField}.remaining`, 0, maxStructuredInteger);
  if (typeof retryAfterMs !== "number" || !(retryAfterMs >= 0)) {
    throw invalidField(`${stateField}.retryAfterMs`, retryAfterMs, "a number >= 0 (Infinity allowed)");
  }
  if (
    (resetAfterMs !== undefined || !isDecision) &&
    (typeof resetAfterMs !== "number" || !(resetAfterMs >= 0) || resetAfterMs === Number.POSITIVE_INFINITY)
  ) {
    throw invalidField(`${stateField}.resetAfterMs`, resetAfterMs, "a finite number >= 0");
  }
  const refused = isDecision && allowed === false;
  // A finite wait the state names comes first: it is when more quota is there for this request
  // (and the draft wants Retry-After never before `t`); otherwise when the allowance is full again.
  const waits = Number.isFinite(retryAfterMs) && (refused || retryAfterMs > 0);
  const blocked = isDecision ? reason === "blocked" : retryAfterMs > 0;
  return {
    remaining: blocked ? 0 : remaining,
    waitMs: waits ? retryAfterMs : (resetAfterMs as number | undefined),
    refusedWaitMs: refused ? retryAfterMs : undefined,
  };
}

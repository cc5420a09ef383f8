import type { z } from "zod";
import { describeValue, EnisError, invalidField } from "./errors.js";

/*
 * Two ways to validate, for two kinds of input:
 * - option objects, validated once with zod at a factory (`parseOptions`), strict, frozen;
 * - hot-path arguments (a cost per enqueue, a million tenants' demands) checked with the plain
 *   assertions below, which cost a comparison each and allocate nothing on success.
 */

/**
 * Parses `input` with a strict zod schema. On failure throws `EnisError("INVALID_OPTIONS")`
 * whose message names the first offending field (prefixed by `what`) and its value, with
 * the zod error as `cause`. Returns the parsed value, deeply frozen.
 */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  what: string,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path: PropertyKey[] = issue ? [...issue.path] : [];
    // A misspelt key ("weigthOf") is reported at the key itself, not at its parent object.
    if (issue?.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
    const field = `${what}${path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("")}`;
    const value = issue ? valueAt(input, path) : input;
    const detail = issue?.code === "unrecognized_keys" ? "not a known option" : (issue?.message ?? "invalid");
    throw new EnisError("INVALID_OPTIONS", `${field} is invalid (${detail}), got ${describeValue(value)}`, {
      field,
      cause: result.error,
    });
  }
  return freezeCreated(result.data, input);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Freezes what the schema built, and only that: a value the schema passed through by reference
 * (a clock, a callback's object, a catalogue) still belongs to the caller and stays mutable.
 */
function freezeCreated<T>(output: T, input: unknown): T {
  if (typeof output !== "object" || output === null || output === input || Object.isFrozen(output))
    return output;
  const proto = Object.getPrototypeOf(output);
  if (proto !== Object.prototype && proto !== null && !Array.isArray(output)) return output;
  for (const key of Object.keys(output)) {
    const inputChild =
      typeof input === "object" && input !== null ? (input as Record<string, unknown>)[key] : undefined;
    freezeCreated((output as Record<string, unknown>)[key], inputChild);
  }
  return Object.freeze(output);
}

/** Freezes a plain data structure in place and returns it. Functions and class instances are left alone. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null && !Array.isArray(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/** Returns `value` when it is one of `allowed`, `fallback` when undefined; throws `INVALID_OPTIONS` naming `field` otherwise. */
export function oneOf<const Allowed extends string>(
  value: unknown,
  field: string,
  allowed: readonly Allowed[],
  fallback: Allowed,
): Allowed {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as Allowed;
  throw invalidField(field, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
}

/** Throws `INVALID_OPTIONS` unless `value` is a finite number. */
export function assertFinite(value: unknown, field: string): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw invalidField(field, value, "a finite number");
}

/** Throws `INVALID_OPTIONS` unless `value` is a finite number ≥ 0. */
export function assertNonNegative(value: unknown, field: string): asserts value is number {
  if (typeof value !== "number" || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
    throw invalidField(field, value, "a finite number >= 0");
  }
}

/** Throws `INVALID_OPTIONS` unless `value` is a finite number > 0. */
export function assertPositive(value: unknown, field: string): asserts value is number {
  if (typeof value !== "number" || !(value > 0) || value === Number.POSITIVE_INFINITY) {
    throw invalidField(field, value, "a finite number > 0");
  }
}

/** Throws `INVALID_OPTIONS` unless `value` is a safe integer within `[min, max]`. */
export function assertInteger(
  value: unknown,
  field: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || !(value >= min && value <= max)) {
    // NaN bounds admit nothing rather than everything; the message names them.
    throw invalidField(field, value, `an integer in [${min}, ${max}]`);
  }
}

/** Throws `INVALID_OPTIONS` unless `value` is a non-empty string. */
export function assertId(value: unknown, field: string): asserts value is string {
  if (typeof value !== "string" || value.length === 0) throw invalidField(field, value, "a non-empty string");
}

/** Throws `INVALID_OPTIONS` unless `value` is an array. */
export function assertArray(value: unknown, field: string): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) throw invalidField(field, value, "an array");
}

/** Throws `INVALID_OPTIONS` unless `value` is a plain object (not null, not an array). */
export function assertObject(value: unknown, field: string): asserts value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidField(field, value, "an object");
  }
}

/** Throws `INVALID_OPTIONS` naming the first key of `value` that is not in `allowed` (strict options). */
export function assertKnownKeys(
  value: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  field: string,
): void {
  for (const key in value) {
    if (!allowed.has(key)) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${field}.${key} is not a known option, got ${describeValue(value[key])}`,
        {
          field: `${field}.${key}`,
        },
      );
    }
  }
}

import type { z } from "zod";
import { describeValue, EnisError, invalidField } from "./errors.js";

export { resolveCatalogue } from "./tiers.js";
export { describeValue, invalidField };

/*
 * `@enis/core/validate`: the validation helpers the ENIS Governance packages share. They are not
 * part of the public API of any package (their signatures may change in any release); a library
 * built on ENIS may use them, knowing that.
 *
 * Two ways to validate, for two kinds of input:
 * - option objects, validated once with zod at a factory (`parseOptions`), strict, frozen;
 * - hot-path arguments (a cost per enqueue, a million tenants' demands) checked with the plain
 *   assertions below, which cost a comparison each and allocate nothing on success.
 */

/**
 * Parses `input` with a strict zod schema. On failure throws `EnisError("INVALID_OPTIONS")` whose
 * message reads like every other validation message of ENIS Governance — `<field> must be
 * <expectation>, got <value>` — naming the offending field (prefixed by `what`) and its value, with
 * the zod error as `cause`. An unknown key is reported first, as unknown (with the known key it most
 * resembles): a typo `window` would otherwise surface as a missing `windowMs`. Returns the parsed
 * value, deeply frozen.
 *
 * Custom messages in a schema (`z.custom(check, "a function")`, `.regex(pattern, "…")`) are written
 * as what the value must be, so that they read after "must be".
 */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  what: string,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues;
    const issue = issues.find((candidate) => candidate.code === "unrecognized_keys") ?? issues[0];
    const path: PropertyKey[] = issue ? [...issue.path] : [];
    if (issue?.code === "unrecognized_keys" && issue.keys[0] !== undefined) {
      // A misspelt key ("weigthOf") is reported at the key itself, not at its parent object.
      const known = knownKeysAt(schema, issue.path);
      path.push(issue.keys[0]);
      const field = fieldName(what, path);
      const hint = unknownKeyHint(issue.keys[0], known);
      throw new EnisError(
        "INVALID_OPTIONS",
        `${field} is not a known option${hint}, got ${describeValue(valueAt(input, path))}`,
        { field, cause: result.error },
      );
    }
    const field = fieldName(what, path);
    const value = issue ? valueAt(input, path) : input;
    const expectation = issue ? expectationOf(issue) : "valid";
    throw new EnisError("INVALID_OPTIONS", `${field} must be ${expectation}, got ${describeValue(value)}`, {
      field,
      cause: result.error,
    });
  }
  return freezeCreated(result.data, input);
}

/** `what` and a path as one dotted field name: `options.limits[1].rate`, `options.usage["a:b"]`. */
function fieldName(what: string, path: readonly PropertyKey[]): string {
  let field = what;
  for (const part of path) {
    if (typeof part === "number") field += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) field += `.${part}`;
    else field += `[${JSON.stringify(String(part))}]`;
  }
  return field;
}

/** Plain words for the types zod names in `expected`. */
const typeWords: Readonly<Record<string, string>> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  function: "a function",
  bigint: "a bigint",
  date: "a date",
  map: "a Map",
  set: "a Set",
  symbol: "a symbol",
  undefined: "absent",
  null: "null",
};

type Issue = z.core.$ZodIssue;

/** What a zod issue says its value must be, in the words of {@link invalidField}. */
function expectationOf(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return typeWords[issue.expected] ?? `of type ${issue.expected}`;
    case "too_small": {
      const bound = String(issue.minimum);
      if (issue.origin === "string") {
        return issue.minimum === 1 ? "a non-empty string" : `a string of at least ${bound} characters`;
      }
      if (issue.origin === "array" || issue.origin === "set") {
        return issue.minimum === 1 ? "a non-empty list" : `a list of at least ${bound} items`;
      }
      return issue.inclusive ? `at least ${bound}` : `greater than ${bound}`;
    }
    case "too_big": {
      const bound = String(issue.maximum);
      if (issue.origin === "string") return `a string of at most ${bound} characters`;
      if (issue.origin === "array" || issue.origin === "set") return `a list of at most ${bound} items`;
      return issue.inclusive ? `at most ${bound}` : `less than ${bound}`;
    }
    case "invalid_value":
      return issue.values.length === 1
        ? describeValue(issue.values[0])
        : `one of ${issue.values.map((value) => describeValue(value)).join(", ")}`;
    case "invalid_format":
      // A schema's own message says it better than "Invalid string: must match pattern /…/".
      return issue.message.startsWith("Invalid") && issue.format === "regex"
        ? `a string matching ${(issue as { pattern?: string }).pattern ?? "its pattern"}`
        : issue.message.startsWith("Invalid")
          ? `a valid ${issue.format}`
          : issue.message;
    case "not_multiple_of":
      return `a multiple of ${String(issue.divisor)}`;
    case "invalid_union": {
      const forms = new Set<string>();
      for (const branch of issue.errors) if (branch[0] !== undefined) forms.add(expectationOf(branch[0]));
      return forms.size > 0 ? [...forms].join(" or ") : "one of the accepted forms";
    }
    case "invalid_key":
      return issue.issues[0] !== undefined
        ? `a key that is ${expectationOf(issue.issues[0])}`
        : "a valid key";
    case "invalid_element":
      return issue.issues[0] !== undefined ? expectationOf(issue.issues[0]) : "a valid element";
    default:
      return issue.message;
  }
}

/** The keys a strict object schema accepts at `path`, or undefined where that cannot be told. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let current: unknown = schema;
  for (let depth = 0; ; ) {
    const def = (current as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (def === undefined) return undefined;
    const type = def["type"];
    if (type === "optional" || type === "nullable" || type === "default" || type === "readonly") {
      current = def["innerType"];
      continue;
    }
    if (type === "pipe") {
      current = def["in"];
      continue;
    }
    if (depth === path.length) {
      return type === "object" ? Object.keys(def["shape"] as Record<string, unknown>) : undefined;
    }
    const part = path[depth++];
    if (type === "object") current = (def["shape"] as Record<string, unknown>)[String(part)];
    else if (type === "array") current = def["element"];
    else if (type === "record") current = def["valueType"];
    else return undefined;
  }
}

/** " (did you mean \"windowMs\"?)" for the closest known key, else " (known: a, b, c)"; "" when unknown. */
function unknownKeyHint(key: string, known: readonly string[] | undefined): string {
  if (known === undefined || known.length === 0) return "";
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance =
      candidate.toLowerCase().startsWith(key.toLowerCase()) ||
      key.toLowerCase().startsWith(candidate.toLowerCase())
        ? Math.abs(candidate.length - key.length) / 2
        : editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3))) {
    return ` (did you mean ${JSON.stringify(best)}?)`;
  }
  return ` (known: ${known.join(", ")})`;
}

/** Levenshtein distance between two short strings (option names, catalogue keys), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
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

/**
 * Throws `INVALID_OPTIONS` naming the first key of `value` that is not in `allowed` (strict
 * options), as unknown, with the known key it most resembles.
 */
export function assertKnownKeys(
  value: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  field: string,
): void {
  for (const key in value) {
    if (!allowed.has(key)) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${field}.${key} is not a known option${unknownKeyHint(key, [...allowed])}, got ${describeValue(value[key])}`,
        { field: `${field}.${key}` },
      );
    }
  }
}

/** A feature matrix read by {@link readFeatureMatrix}: row-major values, row and column counts. */
export interface FeatureMatrixData {
  readonly values: Float64Array;
  readonly rows: number;
  readonly columns: number;
}

/**
 * Validates a feature matrix — rows as `number[][]` (every row the same length) or a row-major
 * `{ values: Float64Array, columns }` — and returns it row-major (a given `Float64Array` is used as
 * is). Every cell must be finite; with `expectedColumns`, the column count must equal it (a fitted
 * model's). Throws `INVALID_OPTIONS` naming the cell, row or field under `field`.
 */
export function readFeatureMatrix(
  input: unknown,
  field: string,
  expectedColumns?: number,
): FeatureMatrixData {
  if (Array.isArray(input)) {
    const rowCount = input.length;
    if (rowCount === 0) throw invalidField(field, input, "a non-empty list of rows");
    const first: unknown = input[0];
    if (!Array.isArray(first) || first.length === 0) {
      throw invalidField(`${field}[0]`, first, "a non-empty array of numbers");
    }
    const columns = expectedColumns ?? first.length;
    const values = new Float64Array(rowCount * columns);
    for (let r = 0; r < rowCount; r++) {
      const row: unknown = input[r];
      if (!Array.isArray(row) || row.length !== columns) {
        throw invalidField(`${field}[${r}]`, row, `an array of ${columns} numbers`);
      }
      for (let c = 0; c < columns; c++) {
        const x: unknown = row[c];
        if (typeof x !== "number" || !Number.isFinite(x)) {
          throw invalidField(`${field}[${r}][${c}]`, x, "a finite number");
        }
        values[r * columns + c] = x;
      }
    }
    return { values, rows: rowCount, columns };
  }
  if (typeof input === "object" && input !== null && "values" in input && "columns" in input) {
    const { values, columns } = input as { values: unknown; columns: unknown };
    if (!(values instanceof Float64Array)) throw invalidField(`${field}.values`, values, "a Float64Array");
    if (
      typeof columns !== "number" ||
      !Number.isInteger(columns) ||
      columns < 1 ||
      (expectedColumns !== undefined && columns !== expectedColumns)
    ) {
      throw invalidField(
        `${field}.columns`,
        columns,
        expectedColumns === undefined
          ? "an integer >= 1"
          : `${expectedColumns} (the fitted model's column count)`,
      );
    }
    if (values.length === 0 || values.length % columns !== 0) {
      throw invalidField(`${field}.values.length`, values.length, `a positive multiple of ${columns}`);
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw invalidField(
          `${field}.values[${i}]`,
          values[i],
          `a finite number (row ${Math.floor(i / columns)}, column ${i % columns})`,
        );
      }
    }
    return { values, rows: values.length / columns, columns };
  }
  throw invalidField(field, input, "an array of rows or { values: Float64Array, columns }");
}

const marker = Symbol.for("@enis/core.EnisError");

/**
 * Stable error codes. Callers branch on `code`, never on the message.
 *
 * - `INVALID_OPTIONS`: an options object or argument failed validation; the message names the field and value.
 * - `UNKNOWN_TIER`: a tier id or emoji that the catalogue does not hold.
 * - `UNKNOWN_INSTANCE_TYPE`: an instance type that the pricing catalogue does not hold.
 * - `DUPLICATE_ID`: two entries of one input share an id.
 * - `INFEASIBLE`: the request cannot be met (for example, guaranteed floors above capacity).
 * - `UNKNOWN_TICKET`: a fair-queue ticket that this queue did not issue, or one completed twice.
 * - `STORE_UNAVAILABLE`: a shared store did not answer in time.
 * - `INVALID_DATA`: data read from a file (a billing export) that breaks its format: missing
 *   required columns (all listed), or a malformed cell (named by its line number and column).
 * - `FILE_UNREADABLE`: a file or glob that cannot be opened or matches nothing.
 * - `INTERNAL`: a broken invariant (a bug in ENIS Governance).
 */
export type EnisErrorCode =
  | "INVALID_OPTIONS"
  | "UNKNOWN_TIER"
  | "UNKNOWN_INSTANCE_TYPE"
  | "DUPLICATE_ID"
  | "INFEASIBLE"
  | "UNKNOWN_TICKET"
  | "STORE_UNAVAILABLE"
  | "INVALID_DATA"
  | "FILE_UNREADABLE"
  | "INTERNAL";

/** Options of {@link EnisError}. */
export interface EnisErrorOptions {
  /** The underlying error or validation issue. */
  cause?: unknown;
  /** Dotted path of the offending field, e.g. `tenants[3].weight`. */
  field?: string;
}

/**
 * The one error class of ENIS Governance. Identify it with {@link EnisError.isInstance}, which
 * works across two installed copies of `@enis/core` (an `instanceof` check does not).
 *
 * @example
 * ```ts
 * try { parseTier("gold"); } catch (error) {
 *   if (EnisError.isInstance(error) && error.code === "UNKNOWN_TIER") { ... }
 * }
 * ```
 */
export class EnisError extends Error {
  /** Stable machine-readable code. */
  readonly code: EnisErrorCode;
  /** Dotted path of the offending field, when one field is at fault. */
  readonly field: string | undefined;

  constructor(code: EnisErrorCode, message: string, options: EnisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EnisError";
    this.code = code;
    this.field = options.field;
  }

  /** True for any `EnisError`, including one thrown by another installed copy of `@enis/core`. */
  static isInstance(value: unknown): value is EnisError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

// The marker every EnisError carries, so that {@link EnisError.isInstance} recognises one from
// another installed copy of the package. It sits on the prototype, not enumerable: logged errors do
// not show it, and a spread copy of an error (a plain object) does not pass for one.
Object.defineProperty(EnisError.prototype, marker, { value: true });

/** Renders a user's value for an error message: short, and unambiguous for NaN, ±Infinity and -0. */
export function describeValue(value: unknown): string {
  if (typeof value === "number") {
    if (Object.is(value, -0)) return "-0";
    return String(value);
  }
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return "an object";
  }
}

/** Builds the `INVALID_OPTIONS` error for one field: `"<field> must be <expectation>, got <value>"`. */
export function invalidField(field: string, value: unknown, expectation: string, cause?: unknown): EnisError {
  return new EnisError("INVALID_OPTIONS", `${field} must be ${expectation}, got ${describeValue(value)}`, {
    field,
    cause,
  });
}

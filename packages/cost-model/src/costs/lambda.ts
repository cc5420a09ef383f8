import {
  assertInteger,
  assertKnownKeys,
  assertNonNegative,
  assertObject,
  invalidField,
} from "@enis/core/validate";
import { resolvePricingCatalogue } from "../catalogue/resolve.js";
import type { Architecture, PriceProvenance, PricingCatalogue } from "../catalogue/types.js";
import { assertFiniteCost, num, tidy, usd } from "./money.js";

/** The smallest Lambda memory size, MB. */
export const lambdaMinMemoryMb = 128;
/** The largest Lambda memory size, MB (sizes go in 1 MB steps). */
export const lambdaMaxMemoryMb = 10_240;

/** Input of {@link lambdaCost}. */
export interface LambdaCostInput {
  /** Invocations (requests), a whole number >= 0. */
  readonly invocations: number;
  /**
   * Billed duration of one invocation in milliseconds, finite and >= 0: the billed duration when
   * every invocation bills the same, or their average (Lambda rounds each invocation's duration up
   * to 1 ms; an average of billed durations already includes that rounding).
   */
  readonly billedDurationMs: number;
  /** Configured memory, a whole number of MB from 128 to 10,240. */
  readonly memoryMb: number;
  /**
   * Processor architecture.
   * @default "x86_64"
   */
  readonly architecture?: Architecture;
}

/** Result of {@link lambdaCost}: the cost and everything it was computed from. */
export interface LambdaCostResult {
  /** The roll-up category of this cost (see {@link monthlyCost}). */
  readonly category: "lambda";
  /** `computeUsd + requestsUsd`, in US dollars. */
  readonly costUsd: number;
  /** `gbSeconds × gbSecondUsd`. */
  readonly computeUsd: number;
  /** `invocations × requestUsd`. */
  readonly requestsUsd: number;
  /** `invocations × billedDurationMs / 1000 × memoryMb / 1024`. */
  readonly gbSeconds: number;
  readonly invocations: number;
  readonly billedDurationMs: number;
  readonly memoryMb: number;
  readonly architecture: Architecture;
  /** The catalogue's price of a GB-second for `architecture`, USD. */
  readonly gbSecondUsd: number;
  /** The catalogue's price of one request for `architecture`, USD. */
  readonly requestUsd: number;
  /** Where the prices come from. */
  readonly provenance: PriceProvenance;
  /** The computation in words and numbers. */
  readonly explanation: string;
}

const lambdaKeys: ReadonlySet<string> = new Set([
  "invocations",
  "billedDurationMs",
  "memoryMb",
  "architecture",
]);

/**
 * Cost of Lambda invocations: GB-seconds (`billedDurationMs / 1000 × memoryMb / 1024` per
 * invocation) at the architecture's GB-second price, plus the per-request price. Duration is an
 * input, not derived from memory: a function's duration falls as memory rises (one full vCPU at
 * 1,769 MB), so compare memory sizes with durations measured at each (REFERENCES §3; the seed's
 * `0.0000002 × memory` was dimensionally wrong, REFERENCES §7). The free tier is not applied.
 * Monotone in invocations, duration and memory. Throws `EnisError("INVALID_OPTIONS")` for memory
 * outside 128–10,240 MB or not a whole number of MB, negative invocations or duration, or an
 * unknown architecture.
 *
 * @example
 * ```ts
 * // 1M invocations of 120 ms at 512 MB on arm64: 60,000 GB-s × $0.0000133334 + 1M × $0.0000002
 * lambdaCost({ invocations: 1_000_000, billedDurationMs: 120, memoryMb: 512, architecture: "arm64" }).costUsd;
 * // 1.000004
 * ```
 */
export function lambdaCost(input: LambdaCostInput, catalogue?: PricingCatalogue): LambdaCostResult {
  assertObject(input, "input");
  assertKnownKeys(input as unknown as Record<string, unknown>, lambdaKeys, "input");
  const prices = resolvePricingCatalogue(catalogue, "catalogue");
  const { invocations, billedDurationMs, memoryMb } = input;
  assertInteger(invocations, "invocations");
  assertNonNegative(billedDurationMs, "billedDurationMs");
  if (
    typeof memoryMb !== "number" ||
    !Number.isInteger(memoryMb) ||
    memoryMb < lambdaMinMemoryMb ||
    memoryMb > lambdaMaxMemoryMb
  ) {
    throw invalidField("memoryMb", memoryMb, "a whole number of MB from 128 to 10240");
  }
  const architecture = input.architecture ?? "x86_64";
  if (architecture !== "x86_64" && architecture !== "arm64") {
    throw invalidField("architecture", architecture, 'one of "x86_64", "arm64"');
  }
  const { gbSecondUsd, requestUsd } = prices.lambda[architecture];
  // memoryMb / 1024 is exact in binary; the rest is rounded once, by tidy.
  const gbSecondsRaw = invocations * (billedDurationMs / 1000) * (memoryMb / 1024);
  const gbSeconds = tidy(gbSecondsRaw);
  const computeUsd = tidy(gbSecondsRaw * gbSecondUsd);
  const requestsUsd = tidy(invocations * requestUsd);
  const costUsd = tidy(gbSecondsRaw * gbSecondUsd + invocations * requestUsd);
  assertFiniteCost(costUsd, "billedDurationMs", billedDurationMs);
  const { x86_64: _x86, arm64: _arm, ...provenance } = prices.lambda;
  return {
    category: "lambda",
    costUsd,
    computeUsd,
    requestsUsd,
    gbSeconds,
    invocations,
    billedDurationMs,
    memoryMb,
    architecture,
    gbSecondUsd,
    requestUsd,
    provenance,
    explanation:
      `${num(invocations)} invocations × ${num(billedDurationMs)} ms × ${memoryMb} MB (${architecture}) = ` +
      `${num(gbSeconds)} GB-s × ${usd(gbSecondUsd)} = ${usd(computeUsd)}, plus ${num(invocations)} requests × ` +
      `${usd(requestUsd)} = ${usd(requestsUsd)}; total ${usd(costUsd)}`,
  };
}

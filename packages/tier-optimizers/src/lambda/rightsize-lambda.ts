import { EnisError } from "@enis/core";
import { invalidField, parseOptions } from "@enis/core/validate";
import {
  type Architecture,
  defaultAwsCatalogue,
  lambdaCost,
  lambdaMaxMemoryMb,
  lambdaMinMemoryMb,
  type PricingCatalogue,
} from "@enis/cost-model";
import { z } from "zod";
import { planSavings } from "../plan.js";
import { cpuShare, durationFactor, fullVcpuMemoryMb } from "./duration-model.js";
import {
  balancedScore,
  pickIndex,
  plainMean,
  powerTuningBaseCostUsd,
  powerTuningPrice,
  trimmedMean,
} from "./statistics.js";
import type {
  LambdaBasis,
  LambdaCandidate,
  LambdaConfigurationFigures,
  LambdaExclusion,
  LambdaRightsizing,
  LambdaRisk,
  LambdaStrategy,
  RightsizeLambdaOptions,
} from "./types.js";

/** Power Tuning's default `discardTopBottom` (lambda/executor.js). */
const defaultDiscardTopBottom = 0.2;
/** Power Tuning's default `balancedWeight` (lambda/analyzer.js). */
const defaultBalancedWeight = 0.5;
/** Chosen: see {@link RightsizeLambdaOptions.memoryHeadroom}. */
const defaultMemoryHeadroom = 0.2;
/** Chosen: see {@link RightsizeLambdaOptions.cpuBoundFraction}. */
const defaultCpuBoundFraction = 0.5;
/** Power Tuning's default power values (template.yml, parameter `PowerValues`). */
const powerTuningDefaultPowerValuesMb: readonly number[] = [128, 256, 512, 1024, 1536, 3008];
/** Power Tuning's README: `num`, the invocations per power value, is at least 5. */
const minimumMeasuredInvocations = 5;
/** AWS Compute Optimizer recommends for a Lambda function after at least 50 invocations (REFERENCES §3). */
const minimumObservedInvocations = 50;
/** The untrimmed mean billed duration this far above the one priced raises `outliers-excluded`. */
const outliersRatio = 1.1;

const memoryMbSchema = z.number().int().min(lambdaMinMemoryMb).max(lambdaMaxMemoryMb);
const architectureSchema = z.enum(["x86_64", "arm64"]);
/**
 * Lambda's maximum run, ms (a 15-minute timeout): no invocation runs or is billed longer, so a
 * larger figure is a caller's error, refused here rather than priced (or summed to Infinity).
 */
const lambdaMaxDurationMs = 900_000;
const durationsSchema = z.array(z.number().min(0).max(lambdaMaxDurationMs)).min(1);
const billedSchema = z.array(z.number().int().min(0).max(lambdaMaxDurationMs));
const optionsSchema = z.strictObject({
  current: z.strictObject({
    memoryMb: memoryMbSchema,
    architecture: architectureSchema.optional(),
    durationsMs: durationsSchema.optional(),
    billedDurationsMs: billedSchema.optional(),
    maxMemoryUsedMb: z.number().positive().optional(),
  }),
  measurements: z
    .array(
      z.strictObject({
        memoryMb: memoryMbSchema,
        architecture: architectureSchema.optional(),
        durationsMs: durationsSchema,
        billedDurationsMs: billedSchema.optional(),
      }),
    )
    .min(1)
    .optional(),
  invocationsPerMonth: z.number().int().min(0),
  strategy: z.enum(["cost", "speed", "balanced"]).optional(),
  balancedWeight: z.number().min(0).max(1).optional(),
  discardTopBottom: z.number().min(0).max(0.4).optional(),
  memoryHeadroom: z.number().min(0).max(10).optional(),
  cpuBoundFraction: z.number().min(0).max(1).optional(),
  candidateMemoryMb: z.array(memoryMbSchema).min(1).optional(),
});

/** A configuration's statistics before pricing. */
interface Statistics {
  readonly memoryMb: number;
  readonly architecture: Architecture;
  readonly basis: LambdaBasis;
  readonly durationMs: number;
  /** The trimmed mean of the billed durations, before rounding up. */
  readonly averageBilledDurationMs: number;
  /** The plain mean of the billed durations (null for an estimate). */
  readonly untrimmedBilledDurationMs: number | null;
  readonly invocationsMeasured: number | null;
  readonly invocationsKept: number | null;
}

/**
 * Right-sizes an AWS Lambda function with the semantics of AWS Lambda Power Tuning
 * (alexcasalboni/aws-lambda-power-tuning): for each configuration (memory size × architecture)
 * the durations' mean after discarding the fastest and slowest `discardTopBottom` (20%), a price per
 * invocation from the billed durations' trimmed mean rounded up to the millisecond, and a pick by
 * `strategy` (`cost`, `speed`, or `balanced` with `balancedWeight`). On the same measurements it
 * picks what Power Tuning's analyzer picks (a property test holds it to a transcription of
 * Power Tuning's code); measurements on both architectures are compared together, each priced at its
 * own GB-second price.
 *
 * Without `measurements`, it estimates from CloudWatch alone (`current.durationsMs` and
 * `current.maxMemoryUsedMb`): other sizes' durations come from a model in which the CPU share grows
 * with memory up to one vCPU at 1,769 MB and `cpuBoundFraction` of the duration is CPU work; the
 * result is `basis: "estimated"` with an `estimate` and a `performance` risk. Only the current
 * architecture is estimated: a duration on the other one cannot be derived, so it is named in the
 * explanation with its price difference, to be measured. With `current.maxMemoryUsedMb`, no size
 * below it plus `memoryHeadroom` (20%) is recommended.
 *
 * Costs come from `lambdaCost` of `@enis/cost-model` (GB-seconds plus the request charge; the free
 * tier is not applied) with `catalogue` (default: `defaultAwsCatalogue`), per invocation and at
 * `invocationsPerMonth`. Pure: no I/O, no clock.
 *
 * Throws `EnisError` `INVALID_OPTIONS` naming the field and its value: a negative or non-finite
 * duration, memory outside 128–10,240 MB or not whole, an empty `measurements` (no sizes),
 * negative or fractional `invocationsPerMonth`, an unknown strategy or option, `balancedWeight`
 * outside [0, 1] or without `strategy: "balanced"`, `discardTopBottom` outside [0, 0.4], billed
 * durations not one per duration, `maxMemoryUsedMb` above the configured memory, estimate-only
 * options with measurements, or a missing CloudWatch figure without them; `DUPLICATE_ID` for a
 * configuration measured twice.
 *
 * @example
 * ```ts
 * const plan = rightsizeLambda({
 *   current: { memoryMb: 1024 },
 *   measurements: [
 *     { memoryMb: 256, durationsMs: [410, 405, 398, 420, 402] },
 *     { memoryMb: 512, durationsMs: [201, 199, 204, 198, 210] },
 *     { memoryMb: 1024, durationsMs: [150, 149, 151, 152, 148] },
 *   ],
 *   invocationsPerMonth: 3_000_000,
 * });
 * // plan.recommended.memoryMb: 512 (202 ms billed at 0.5 GB is the cheapest per invocation)
 * // plan.savings.usd: 2.4500049 ($8.100015 → $5.6500101 a month); plan.risks: a 34% slower
 * // invocation ("performance"), and no memory margin known ("out-of-memory")
 * ```
 */
export function rightsizeLambda(
  options: RightsizeLambdaOptions,
  catalogue?: PricingCatalogue,
): LambdaRightsizing {
  const resolved = parseOptions(optionsSchema, options, "options");
  const strategy: LambdaStrategy = resolved.strategy ?? "cost";
  if (resolved.balancedWeight !== undefined && strategy !== "balanced") {
    throw invalidField(
      "options.balancedWeight",
      resolved.balancedWeight,
      'absent unless options.strategy is "balanced"',
    );
  }
  const weight = resolved.balancedWeight ?? defaultBalancedWeight;
  const discard = resolved.discardTopBottom ?? defaultDiscardTopBottom;
  const { current } = resolved;
  const currentArchitecture: Architecture = current.architecture ?? "x86_64";
  const measurements = resolved.measurements;
  const estimating = measurements === undefined;

  checkBilled(current.durationsMs, current.billedDurationsMs, "options.current");
  if (current.maxMemoryUsedMb !== undefined && current.maxMemoryUsedMb > current.memoryMb) {
    throw invalidField(
      "options.current.maxMemoryUsedMb",
      current.maxMemoryUsedMb,
      `at most the configured memory, ${current.memoryMb} MB`,
    );
  }
  if (resolved.memoryHeadroom !== undefined && current.maxMemoryUsedMb === undefined) {
    throw invalidField(
      "options.memoryHeadroom",
      resolved.memoryHeadroom,
      "absent unless options.current.maxMemoryUsedMb is given",
    );
  }
  if (estimating) {
    if (current.durationsMs === undefined) {
      throw invalidField(
        "options.current.durationsMs",
        undefined,
        "a non-empty list of durations at the current configuration when no measurements are given",
      );
    }
    if (current.maxMemoryUsedMb === undefined) {
      throw invalidField(
        "options.current.maxMemoryUsedMb",
        undefined,
        "the largest memory used (MB) when no measurements are given",
      );
    }
  } else {
    for (const key of ["cpuBoundFraction", "candidateMemoryMb"] as const) {
      if (resolved[key] !== undefined) {
        throw invalidField(
          `options.${key}`,
          resolved[key],
          "absent when measurements are given (it shapes the estimate only)",
        );
      }
    }
    const seen = new Map<string, number>();
    measurements.forEach((measurement, index) => {
      checkBilled(measurement.durationsMs, measurement.billedDurationsMs, `options.measurements[${index}]`);
      const key = configurationName(measurement.memoryMb, measurement.architecture ?? "x86_64");
      const first = seen.get(key);
      if (first !== undefined) {
        throw new EnisError(
          "DUPLICATE_ID",
          `options.measurements[${index}] must be a configuration not measured before, got ${key} again (options.measurements[${first}])`,
          { field: `options.measurements[${index}]` },
        );
      }
      seen.set(key, index);
    });
  }

  // Validates the catalogue (lambdaCost refuses one it did not build) before its prices are read.
  lambdaCost({ invocations: 0, billedDurationMs: 0, memoryMb: current.memoryMb }, catalogue);
  const prices = (catalogue ?? defaultAwsCatalogue).lambda;
  const invocationsPerMonth = resolved.invocationsPerMonth;
  const headroom = resolved.memoryHeadroom ?? defaultMemoryHeadroom;
  const memoryFloorMb =
    current.maxMemoryUsedMb === undefined
      ? null
      : Math.ceil(Number((current.maxMemoryUsedMb * (1 + headroom)).toPrecision(12)));
  const risks: LambdaRisk[] = [];
  const explanation: string[] = [];

  // Statistics of every configuration considered, in the order ties are broken.
  let statistics: Statistics[];
  let currentStatistics: Statistics;
  let currentFromCloudWatch = false;
  if (measurements !== undefined) {
    statistics = measurements.map((measurement) =>
      measuredStatistics(
        measurement.memoryMb,
        measurement.architecture ?? "x86_64",
        measurement.durationsMs,
        measurement.billedDurationsMs,
        discard,
      ),
    );
    const measuredCurrent = statistics.find(
      (stat) => stat.memoryMb === current.memoryMb && stat.architecture === currentArchitecture,
    );
    if (measuredCurrent !== undefined) {
      currentStatistics = measuredCurrent;
    } else if (current.durationsMs !== undefined) {
      currentStatistics = measuredStatistics(
        current.memoryMb,
        currentArchitecture,
        current.durationsMs,
        current.billedDurationsMs,
        discard,
      );
      currentFromCloudWatch = true;
    } else {
      throw invalidField(
        "options.current.durationsMs",
        undefined,
        `durations at the current configuration (${configurationName(current.memoryMb, currentArchitecture)}) when the measurements do not include it`,
      );
    }
  } else {
    currentStatistics = measuredStatistics(
      current.memoryMb,
      currentArchitecture,
      current.durationsMs!,
      current.billedDurationsMs,
      discard,
    );
    if (!(currentStatistics.durationMs > 0)) {
      throw invalidField(
        "options.current.durationsMs",
        current.durationsMs,
        "durations whose trimmed mean is above 0 ms (the estimate scales it)",
      );
    }
    const p = resolved.cpuBoundFraction ?? defaultCpuBoundFraction;
    const sizes = new Set<number>(
      resolved.candidateMemoryMb ?? [...powerTuningDefaultPowerValuesMb, fullVcpuMemoryMb],
    );
    if (
      resolved.candidateMemoryMb === undefined &&
      memoryFloorMb !== null &&
      memoryFloorMb <= lambdaMaxMemoryMb
    ) {
      sizes.add(Math.max(lambdaMinMemoryMb, memoryFloorMb));
    }
    sizes.add(current.memoryMb);
    statistics = [...sizes]
      .sort((a, b) => a - b)
      .map((memoryMb) => {
        if (memoryMb === current.memoryMb) return currentStatistics;
        const factor = durationFactor(current.memoryMb, memoryMb, p);
        return {
          memoryMb,
          architecture: currentArchitecture,
          basis: "estimated",
          durationMs: currentStatistics.durationMs * factor,
          // Tidied before it is rounded up: 100 ms × 1.5 must bill 150 ms, not 151 for a last bit.
          averageBilledDurationMs: tidy(currentStatistics.averageBilledDurationMs * factor),
          untrimmedBilledDurationMs: null,
          invocationsMeasured: null,
          invocationsKept: null,
        };
      });
  }

  // Power Tuning compares compute prices only; a request price that differs between the
  // architectures (never at AWS's list prices) is added above the cheapest, so that the sum stays
  // bit for bit Power Tuning's figure when it does not.
  const architectures = new Set(statistics.map((stat) => stat.architecture));
  const cheapestRequestUsd = Math.min(...[...architectures].map((arch) => prices[arch].requestUsd));
  const baseCostUsd = {
    x86_64: powerTuningBaseCostUsd(prices.x86_64.gbSecondUsd),
    arm64: powerTuningBaseCostUsd(prices.arm64.gbSecondUsd),
  };
  const selectionCost = (stat: Statistics): number => {
    const premium = prices[stat.architecture].requestUsd - cheapestRequestUsd;
    const price = powerTuningPrice(
      baseCostUsd[stat.architecture],
      stat.memoryMb,
      stat.averageBilledDurationMs,
    );
    return premium === 0 ? price : price + premium;
  };

  // Eligibility: Power Tuning drops a size whose mean duration is 0 (an empty result); the memory
  // floor drops sizes without the margin, unless none has it (then the largest sizes stay).
  // A modelled duration beyond Lambda's 900,000 ms maximum run would time out at that size.
  const exclusions: (LambdaExclusion | null)[] = statistics.map((stat) =>
    !(stat.durationMs > 0)
      ? "zero-duration"
      : stat.durationMs > lambdaMaxDurationMs || stat.averageBilledDurationMs > lambdaMaxDurationMs
        ? "over-max-duration"
        : null,
  );
  if (exclusions.every((exclusion) => exclusion !== null)) {
    throw invalidField(
      "options.measurements",
      measurements,
      "measurements with a trimmed-mean duration above 0 ms at one configuration at least",
    );
  }
  let floorUnreachable = false;
  if (memoryFloorMb !== null) {
    const withDuration = statistics.filter((_, index) => exclusions[index] === null);
    const largest = Math.max(...withDuration.map((stat) => stat.memoryMb));
    floorUnreachable = largest < memoryFloorMb;
    statistics.forEach((stat, index) => {
      if (exclusions[index] !== null) return;
      const keeps = floorUnreachable ? stat.memoryMb === largest : stat.memoryMb >= memoryFloorMb;
      if (!keeps) exclusions[index] = "below-memory-floor";
    });
  }
  const eligibleIndexes = statistics.flatMap((_, index) => (exclusions[index] === null ? [index] : []));
  const eligibleStats = eligibleIndexes.map((index) => ({
    cost: selectionCost(statistics[index]!),
    duration: statistics[index]!.durationMs,
  }));
  const pickedIndex = eligibleIndexes[pickIndex(eligibleStats, strategy, weight)]!;
  let maxCost = Number.NEGATIVE_INFINITY;
  let maxDuration = Number.NEGATIVE_INFINITY;
  for (const stat of eligibleStats) {
    maxCost = Math.max(maxCost, stat.cost);
    maxDuration = Math.max(maxDuration, stat.duration);
  }

  const figures = (stat: Statistics): LambdaConfigurationFigures => {
    const billedDurationMs = Math.ceil(stat.averageBilledDurationMs);
    const input = { billedDurationMs, memoryMb: stat.memoryMb, architecture: stat.architecture };
    return {
      memoryMb: stat.memoryMb,
      architecture: stat.architecture,
      basis: stat.basis,
      durationMs: stat.durationMs,
      billedDurationMs,
      invocationsMeasured: stat.invocationsMeasured,
      invocationsKept: stat.invocationsKept,
      costPerInvocationUsd: lambdaCost({ invocations: 1, ...input }, catalogue).costUsd,
      monthlyCostUsd: lambdaCost({ invocations: invocationsPerMonth, ...input }, catalogue).costUsd,
    };
  };
  const candidates: LambdaCandidate[] = statistics.map((stat, index) => {
    const selectionCostUsd = selectionCost(stat);
    const eligible = exclusions[index] === null;
    return {
      ...figures(stat),
      eligible,
      excludedBecause: exclusions[index] ?? null,
      selectionCostUsd,
      balancedScore:
        strategy === "balanced" && eligible
          ? balancedScore({ cost: selectionCostUsd, duration: stat.durationMs }, weight, maxCost, maxDuration)
          : null,
    };
  });
  const recommended = candidates[pickedIndex]!;
  const currentFigures = statistics.includes(currentStatistics)
    ? stripCandidate(candidates[statistics.indexOf(currentStatistics)]!)
    : figures(currentStatistics);
  const change =
    recommended.memoryMb !== currentFigures.memoryMb ||
    recommended.architecture !== currentFigures.architecture;
  const costBeforeUsd = currentFigures.monthlyCostUsd;
  const costAfterUsd = recommended.monthlyCostUsd;
  const savings = planSavings(costBeforeUsd, costAfterUsd);

  // Explanation.
  explanation.push(
    estimating
      ? `Estimated from CloudWatch alone: ${currentStatistics.invocationsMeasured} invocations at the current ` +
          `${configurationName(current.memoryMb, currentArchitecture)}; other sizes' durations are modelled, not measured.`
      : `Measured: ${statistics.length} configuration${statistics.length === 1 ? "" : "s"} (${statistics
          .map((stat) => configurationName(stat.memoryMb, stat.architecture))
          .join(", ")}).`,
  );
  explanation.push(
    `Each mean leaves out the fastest and the slowest ${formatNumber(discard * 100)}% of the invocations ` +
      `(Power Tuning's discardTopBottom ${discard}); a configuration is priced at its mean billed duration rounded up ` +
      `to the millisecond, × memory × the GB-second price, plus the request charge (lambdaCost, @enis/cost-model).`,
  );
  if (estimating) {
    const p = resolved.cpuBoundFraction ?? defaultCpuBoundFraction;
    explanation.push(
      `Model: duration(m) = ${formatMs(currentStatistics.durationMs)} × ((1 − ${p}) + ${p} × share(${current.memoryMb}) / share(m)), ` +
        `share(m) = min(m, ${fullVcpuMemoryMb}) / ${fullVcpuMemoryMb} (CPU in proportion to memory up to one vCPU at ` +
        `${fullVcpuMemoryMb} MB; cpuBoundFraction ${p} of the duration is CPU work); the billed duration scales by the same factor.`,
    );
  }
  candidates.forEach((candidate) => {
    const stat = statistics[candidates.indexOf(candidate)]!;
    const source =
      candidate.basis === "measured"
        ? `${candidate.invocationsKept} of ${candidate.invocationsMeasured} invocations kept, mean ${formatMs(candidate.durationMs)}, ` +
          `billed ${formatMs(stat.averageBilledDurationMs)} → ${candidate.billedDurationMs} ms`
        : `modelled ${formatMs(candidate.durationMs)}, billed ${candidate.billedDurationMs} ms`;
    const status = candidate.eligible
      ? ""
      : candidate.excludedBecause === "zero-duration"
        ? " — not eligible: a mean duration of 0 ms (Power Tuning drops such a result)"
        : candidate.excludedBecause === "over-max-duration"
          ? ` — not eligible: above Lambda's maximum run of ${lambdaMaxDurationMs} ms (it would time out)`
          : ` — not eligible: below the memory floor of ${memoryFloorMb} MB`;
    const score =
      candidate.balancedScore === null ? "" : `; balanced score ${formatNumber(candidate.balancedScore)}`;
    explanation.push(
      `${configurationName(candidate.memoryMb, candidate.architecture)}: ${source}; ` +
        `${usd(candidate.costPerInvocationUsd)} per invocation, ${usd(candidate.monthlyCostUsd)} a month${score}${status}.`,
    );
  });
  if (memoryFloorMb !== null) {
    explanation.push(
      `Memory floor: ${current.maxMemoryUsedMb} MB used at most × (1 + ${headroom}) = ${memoryFloorMb} MB; smaller sizes are not recommended.`,
    );
  }
  const pickName = configurationName(recommended.memoryMb, recommended.architecture);
  explanation.push(
    strategy === "cost"
      ? `Strategy cost (Power Tuning's findCheapest): the lowest compute price per invocation, ties to the faster: ${pickName}.`
      : strategy === "speed"
        ? `Strategy speed (Power Tuning's findFastest): the shortest mean duration, ties to the cheaper: ${pickName}.`
        : `Strategy balanced (Power Tuning's findBalanced), weight ${weight}: the lowest ${weight} × cost / ` +
          `${usd(maxCost)} + ${formatNumber(1 - weight)} × duration / ${formatMs(maxDuration)}: ${pickName}.`,
  );
  explanation.push(
    `At ${formatCount(invocationsPerMonth)} invocations a month: current ${configurationName(currentFigures.memoryMb, currentFigures.architecture)} ` +
      `${usd(currentFigures.monthlyCostUsd)}, recommended ${pickName} ${usd(recommended.monthlyCostUsd)}; ` +
      (change
        ? savings.usd >= 0
          ? `saves ${usd(savings.usd)} a month (${formatNumber(savings.percent ?? 0)}%).`
          : `costs ${usd(-savings.usd)} a month more (${formatNumber(-(savings.percent ?? 0))}%), for ` +
            `${formatMs(currentFigures.durationMs)} → ${formatMs(recommended.durationMs)}.`
        : "no change."),
  );
  if (architectures.size === 1) {
    const [only] = architectures;
    const considered: Architecture = only ?? currentArchitecture;
    const other: Architecture = considered === "x86_64" ? "arm64" : "x86_64";
    const ratio = prices[other].gbSecondUsd / prices[considered].gbSecondUsd;
    explanation.push(
      `${other} was not ${estimating ? "observed" : "measured"}, so it is not a candidate: its durations are unknown ` +
        `(they can be shorter or longer than on ${considered}). At equal duration its GB-second price ` +
        `(${usd(prices[other].gbSecondUsd)}) is ${formatNumber(Math.abs(1 - ratio) * 100)}% ${ratio < 1 ? "lower" : "higher"}; ` +
        `measure it before switching.`,
    );
  }

  // Risks.
  if (estimating) {
    risks.push({
      kind: "estimate",
      message:
        "No measurements: durations at sizes other than the current one come from a model (CPU share ∝ memory up to " +
        `${fullVcpuMemoryMb} MB, cpuBoundFraction ${resolved.cpuBoundFraction ?? defaultCpuBoundFraction}); measure the ` +
        "recommended size (for example with AWS Lambda Power Tuning) before relying on its figures.",
    });
    if (recommended.basis === "estimated") {
      const ioBound = currentStatistics.durationMs;
      const cpuBound =
        (currentStatistics.durationMs * cpuShare(current.memoryMb)) / cpuShare(recommended.memoryMb);
      risks.push({
        kind: "performance",
        message:
          `At ${recommended.memoryMb} MB the model gives ${formatMs(recommended.durationMs)} per invocation against ` +
          `${formatMs(currentStatistics.durationMs)} now; between ${formatMs(Math.min(ioBound, cpuBound))} and ` +
          `${formatMs(Math.max(ioBound, cpuBound))} if the function is I/O-bound or CPU-bound` +
          (current.memoryMb > fullVcpuMemoryMb && recommended.memoryMb < current.memoryMb
            ? `, and slower still if it runs several threads (it has more than one vCPU at ${current.memoryMb} MB).`
            : "."),
      });
    }
    if (currentStatistics.invocationsMeasured! < minimumObservedInvocations) {
      risks.push({
        kind: "few-samples",
        message:
          `${currentStatistics.invocationsMeasured} invocations observed; AWS Compute Optimizer waits for at least ` +
          `${minimumObservedInvocations} before recommending a Lambda memory size.`,
      });
    }
  } else if (recommended.durationMs > currentFigures.durationMs) {
    risks.push({
      kind: "performance",
      message:
        `${pickName} is ${formatNumber((recommended.durationMs / currentFigures.durationMs - 1) * 100)}% slower than the current ` +
        `${configurationName(currentFigures.memoryMb, currentFigures.architecture)} (${formatMs(recommended.durationMs)} against ` +
        `${formatMs(currentFigures.durationMs)} mean per invocation).`,
    });
  }
  if (current.maxMemoryUsedMb !== undefined && current.maxMemoryUsedMb >= current.memoryMb) {
    risks.push({
      kind: "out-of-memory",
      message: `The function used all of its ${current.memoryMb} MB: it may already run out of memory, and what it needs is unknown.`,
    });
  } else if (memoryFloorMb !== null && current.memoryMb < memoryFloorMb) {
    risks.push({
      kind: "out-of-memory",
      message:
        `The current ${current.memoryMb} MB keeps less than the ${formatNumber(headroom * 100)}% margin above the ` +
        `${current.maxMemoryUsedMb} MB used (floor ${memoryFloorMb} MB).`,
    });
  }
  if (floorUnreachable) {
    risks.push({
      kind: "out-of-memory",
      message: `No configuration considered reaches the memory floor of ${memoryFloorMb} MB; the largest, ${recommended.memoryMb} MB, was kept.`,
    });
  }
  if (memoryFloorMb === null && recommended.memoryMb < current.memoryMb) {
    risks.push({
      kind: "out-of-memory",
      message:
        `${recommended.memoryMb} MB ran the measured invocations; heavier production payloads may need more memory. ` +
        "Give current.maxMemoryUsedMb (CloudWatch's Max Memory Used) to keep a margin above it.",
    });
  }
  if (!estimating) {
    const few = candidates.filter((candidate) => candidate.invocationsMeasured! < minimumMeasuredInvocations);
    if (few.length > 0) {
      risks.push({
        kind: "few-samples",
        message:
          `Fewer than ${minimumMeasuredInvocations} invocations (Power Tuning's minimum num) at ` +
          `${few.map((candidate) => configurationName(candidate.memoryMb, candidate.architecture)).join(", ")}.`,
      });
    }
  }
  const pickedStatistics = statistics[pickedIndex]!;
  for (const [label, stat, billedDurationMs] of [
    ["recommended", pickedStatistics, recommended.billedDurationMs],
    ["current", currentStatistics, currentFigures.billedDurationMs],
  ] as const) {
    if (label === "current" && stat === pickedStatistics) continue;
    const untrimmed = stat.untrimmedBilledDurationMs;
    if (untrimmed !== null && untrimmed > billedDurationMs * outliersRatio) {
      risks.push({
        kind: "outliers-excluded",
        message:
          `The ${label} ${configurationName(stat.memoryMb, stat.architecture)} is priced at ${billedDurationMs} ms billed ` +
          `(the trimmed mean); all its invocations average ${formatMs(untrimmed)} billed ` +
          `(+${formatNumber((untrimmed / billedDurationMs - 1) * 100)}%): cold starts and slow invocations are billed too.`,
      });
    }
  }
  if (currentFromCloudWatch) {
    risks.push({
      kind: "workload-mismatch",
      message:
        "The current configuration was not measured: its cost comes from CloudWatch durations (production traffic), the " +
        "candidates' from the measurements (their payloads); the savings compare the two.",
    });
  }
  if (recommended.architecture !== currentArchitecture) {
    risks.push({
      kind: "architecture-change",
      message:
        `The recommendation moves the function from ${currentArchitecture} to ${recommended.architecture}: its code, ` +
        "native dependencies, layers and container image must be built for it.",
    });
  }

  const { x86_64: _x86, arm64: _arm, ...provenance } = prices;
  return {
    basis: estimating ? "estimated" : "measured",
    strategy,
    balancedWeight: strategy === "balanced" ? weight : null,
    discardTopBottom: discard,
    invocationsPerMonth,
    memoryFloorMb,
    current: currentFigures,
    recommended,
    change,
    candidates,
    costBeforeUsd,
    costAfterUsd,
    period: "month",
    savings,
    risks,
    explanation,
    provenance,
  };
}

/** Statistics of durations measured at one configuration. */
function measuredStatistics(
  memoryMb: number,
  architecture: Architecture,
  durationsMs: readonly number[],
  billedDurationsMs: readonly number[] | undefined,
  discard: number,
): Statistics {
  const duration = trimmedMean(durationsMs, discard);
  const billed = billedDurationsMs ?? durationsMs.map((value) => Math.ceil(value));
  return {
    memoryMb,
    architecture,
    basis: "measured",
    durationMs: duration.mean,
    averageBilledDurationMs: trimmedMean(billed, discard).mean,
    untrimmedBilledDurationMs: plainMean(billed),
    invocationsMeasured: durationsMs.length,
    invocationsKept: duration.kept,
  };
}

/** Throws unless `billed` is absent or has one value per duration. */
function checkBilled(
  durations: readonly number[] | undefined,
  billed: readonly number[] | undefined,
  field: string,
): void {
  if (billed === undefined) return;
  if (durations === undefined || billed.length !== durations.length) {
    throw invalidField(
      `${field}.billedDurationsMs`,
      billed,
      `one billed duration per duration (${durations?.length ?? 0} in ${field}.durationsMs)`,
    );
  }
}

/** The figures of a candidate without its selection fields. */
function stripCandidate(candidate: LambdaCandidate): LambdaConfigurationFigures {
  const {
    eligible: _eligible,
    excludedBecause: _excluded,
    selectionCostUsd: _cost,
    balancedScore: _score,
    ...figures
  } = candidate;
  return figures;
}

function configurationName(memoryMb: number, architecture: Architecture): string {
  return `${memoryMb} MB ${architecture}`;
}

/** 12 significant digits, as @enis/cost-model's figures: drops the noise of binary floating point. */
function tidy(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(12));
}

function formatNumber(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function formatMs(value: number): string {
  return `${Number(value.toFixed(2))} ms`;
}

function formatCount(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function usd(value: number): string {
  return `$${tidy(value)}`;
}

import { EnisError } from "@enis/core";
import {
  assertFinite,
  assertKnownKeys,
  assertNonNegative,
  assertObject,
  invalidField,
} from "@enis/core/validate";
import { num, percent, tidy, usd } from "../costs/money.js";
import {
  type KpiComparator,
  type KpiDefinition,
  type KpiId,
  type KpiThreshold,
  type KpiUnit,
  kpiDefinition,
} from "./definitions.js";

/**
 * Where a KPI stands:
 * - `"met"`: the value meets the target, and no alert threshold is crossed;
 * - `"missed"`: the target is missed, but not as far as the alert threshold;
 * - `"alert"`: the alert threshold is crossed (this wins over `"met"` when a caller's thresholds overlap);
 * - `"undefined"`: the KPI has no value — a zero or missing baseline — and `explanation` says why.
 */
export type KpiStatus = "met" | "missed" | "alert" | "undefined";

/** One KPI, evaluated: its value, its thresholds, whether it is met, and why. */
export interface Kpi {
  readonly id: KpiId;
  readonly name: string;
  /** The KPI's value in `unit`, or null when it is undefined (never NaN or Infinity). */
  readonly value: number | null;
  readonly unit: KpiUnit;
  readonly formula: string;
  readonly target: KpiThreshold;
  readonly alertThreshold: KpiThreshold;
  /** Whether the value meets the target; null when the KPI has no value. */
  readonly met: boolean | null;
  readonly status: KpiStatus;
  /** The computation and the verdict in words and numbers, or why there is no value. */
  readonly explanation: string;
  /** The inputs the value was computed from (null for a missing one). */
  readonly inputs: Readonly<Record<string, number | null>>;
}

/** Thresholds of a caller's own, in the KPI's unit, replacing the defaults of {@link kpiDefinitions}. */
export interface KpiThresholdOptions {
  /** The target (same comparator as the default). */
  readonly target?: number;
  /** The alert threshold (same comparator as the default); at or beyond the target. */
  readonly alertThreshold?: number;
}

const thresholdKeys: ReadonlySet<string> = new Set(["target", "alertThreshold"]);

function holds(value: number, comparator: KpiComparator, threshold: number | null): boolean {
  if (threshold === null) return false;
  switch (comparator) {
    case "<":
      return value < threshold;
    case ">":
      return value > threshold;
    case "<=":
      return value <= threshold;
    case ">=":
      return value >= threshold;
  }
}

function format(value: number | null, unit: KpiUnit): string {
  if (value === null) return "(not given)";
  if (unit === "usd") return usd(value);
  if (unit === "months") return `${num(value)} months`;
  return percent(value);
}

/** The thresholds of `definition`, with the caller's values where given (checked). */
function resolveThresholds(
  definition: KpiDefinition,
  options: KpiThresholdOptions | undefined,
  field: string,
): { target: KpiThreshold; alertThreshold: KpiThreshold } {
  if (options !== undefined) {
    assertObject(options, field);
    assertKnownKeys(options as Record<string, unknown>, thresholdKeys, field);
  }
  const pick = (which: "target" | "alertThreshold"): KpiThreshold => {
    const base = definition[which];
    const given = options?.[which];
    if (given !== undefined) {
      assertFinite(given, `${field}.${which}`);
      return {
        comparator: base.comparator,
        value: given,
        source: "caller",
        rationale: "given by the caller",
      };
    }
    return base;
  };
  const target = pick("target");
  const alertThreshold = pick("alertThreshold");
  // Every definition that comes through here has numeric defaults (only availability's are per call).
  const targetValue = target.value!;
  const alertValue = alertThreshold.value!;
  const consistent = definition.better === "lower" ? alertValue >= targetValue : alertValue <= targetValue;
  if (!consistent) {
    const side = definition.better === "lower" ? "at least" : "at most";
    throw invalidField(
      `${field}.alertThreshold`,
      alertValue,
      `${side} the target (${targetValue}): an alert lies beyond the target`,
    );
  }
  return { target, alertThreshold };
}

interface Outcome {
  /** The value, or null when there is none. */
  readonly value: number | null;
  /** How the value was computed (when there is one). */
  readonly computation?: string;
  /** Why there is no value (when there is none). */
  readonly reason?: string;
  /** A verdict without a value (a payback that never comes is an alert, not undefined). */
  readonly verdict?: { readonly met: boolean; readonly status: KpiStatus };
}

function evaluate(
  definition: KpiDefinition,
  thresholds: { target: KpiThreshold; alertThreshold: KpiThreshold },
  inputs: Record<string, number | null>,
  outcome: Outcome,
): Kpi {
  const { target, alertThreshold } = thresholds;
  const limits = `target ${target.comparator} ${format(target.value, definition.unit)}, alert ${alertThreshold.comparator} ${format(alertThreshold.value, definition.unit)}`;
  const base = {
    id: definition.id,
    name: definition.name,
    unit: definition.unit,
    formula: definition.formula,
    target,
    alertThreshold,
    inputs,
  };
  if (outcome.value === null) {
    const verdict = outcome.verdict;
    return {
      ...base,
      value: null,
      met: verdict?.met ?? null,
      status: verdict?.status ?? "undefined",
      explanation: `${definition.name}: ${outcome.reason}${verdict === undefined ? "" : ` — ${verdict.status} (${limits})`}`,
    };
  }
  if (!Number.isFinite(outcome.value)) {
    // A denominator so small (a subnormal baseline) that the ratio overflows: no value, as for zero.
    return {
      ...base,
      value: null,
      met: null,
      status: "undefined",
      explanation: `${definition.name}: undefined, ${outcome.computation} overflows (the denominator is too close to 0)`,
    };
  }
  const value = tidy(outcome.value);
  const met = holds(value, target.comparator, target.value);
  const alert = holds(value, alertThreshold.comparator, alertThreshold.value);
  const status: KpiStatus = alert ? "alert" : met ? "met" : "missed";
  return {
    ...base,
    value,
    met,
    status,
    explanation: `${definition.name} = ${outcome.computation} = ${format(value, definition.unit)}: ${status} (${limits})`,
  };
}

/** Reads an optional denominator: null when missing (undefined or null), else a finite number >= 0. */
function optionalBase(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  assertNonNegative(value, field);
  return value;
}

function checkInput(input: unknown, keys: ReadonlySet<string>): Record<string, unknown> {
  assertObject(input, "input");
  assertKnownKeys(input, keys, "input");
  return input;
}

/** The reason a KPI has no value: its baseline (denominator) is missing or zero. */
function noBase(field: string, value: number | null, definition: KpiDefinition): Outcome {
  return {
    value: null,
    reason:
      value === null
        ? `undefined without ${field} (${definition.formula})`
        : `undefined with ${field} = 0 (${definition.formula} would divide by zero)`,
  };
}

/** Input of {@link costPerTransaction}. */
export interface CostPerTransactionInput {
  /** Total cost of the period, USD, >= 0. */
  readonly totalCostUsd: number;
  /** Transactions served in the period, >= 0; zero or missing gives an undefined KPI. */
  readonly transactions?: number | null;
}

/**
 * Cost per transaction = `totalCostUsd / transactions`; seed 000 target < $0.01 (alert > $0.02,
 * chosen). No transactions gives status `"undefined"`.
 *
 * @example
 * ```ts
 * costPerTransaction({ totalCostUsd: 1234, transactions: 200_000 }).status; // "met" ($0.00617)
 * ```
 */
export function costPerTransaction(input: CostPerTransactionInput, thresholds?: KpiThresholdOptions): Kpi {
  const definition = kpiDefinition("cost-per-transaction");
  const given = checkInput(input, new Set(["totalCostUsd", "transactions"]));
  assertNonNegative(given["totalCostUsd"], "totalCostUsd");
  const totalCostUsd = given["totalCostUsd"];
  const transactions = optionalBase(given["transactions"], "transactions");
  const limits = resolveThresholds(definition, thresholds, "thresholds");
  const inputs = { totalCostUsd, transactions };
  if (transactions === null || transactions === 0) {
    return evaluate(definition, limits, inputs, noBase("transactions", transactions, definition));
  }
  return evaluate(definition, limits, inputs, {
    value: totalCostUsd / transactions,
    computation: `${usd(totalCostUsd)} / ${num(transactions)} transactions`,
  });
}

/** Input of {@link resourceUtilization}. */
export interface ResourceUtilizationInput {
  /** Resources used, in any unit, >= 0. */
  readonly used: number;
  /** Resources allocated, in the same unit, >= 0; zero or missing gives an undefined KPI. */
  readonly allocated?: number | null;
}

/**
 * Resource utilization = `used / allocated`; seed 000 target > 80% (alert < 40%, chosen). Nothing
 * allocated gives status `"undefined"`. A value above 1 (bursting past the allocation) is reported as is.
 *
 * @example
 * ```ts
 * resourceUtilization({ used: 61, allocated: 100 }).status; // "missed" (61%)
 * ```
 */
export function resourceUtilization(input: ResourceUtilizationInput, thresholds?: KpiThresholdOptions): Kpi {
  const definition = kpiDefinition("resource-utilization");
  const given = checkInput(input, new Set(["used", "allocated"]));
  assertNonNegative(given["used"], "used");
  const used = given["used"];
  const allocated = optionalBase(given["allocated"], "allocated");
  const limits = resolveThresholds(definition, thresholds, "thresholds");
  const inputs = { used, allocated };
  if (allocated === null || allocated === 0) {
    return evaluate(definition, limits, inputs, noBase("allocated", allocated, definition));
  }
  return evaluate(definition, limits, inputs, {
    value: used / allocated,
    computation: `${num(used)} / ${num(allocated)}`,
  });
}

/** Input of {@link costVariance}. */
export interface CostVarianceInput {
  /** Actual spend, USD, >= 0. */
  readonly actualUsd: number;
  /** Budget, USD, >= 0; zero or missing gives an undefined KPI. */
  readonly budgetUsd?: number | null;
}

/**
 * Cost variance = `|actualUsd − budgetUsd| / budgetUsd` (over or under budget alike); seed 000
 * target < 5% (alert > 10%, chosen). No budget gives status `"undefined"`.
 *
 * @example
 * ```ts
 * costVariance({ actualUsd: 10_300, budgetUsd: 10_000 }).value; // 0.03
 * ```
 */
export function costVariance(input: CostVarianceInput, thresholds?: KpiThresholdOptions): Kpi {
  const definition = kpiDefinition("cost-variance");
  const given = checkInput(input, new Set(["actualUsd", "budgetUsd"]));
  assertNonNegative(given["actualUsd"], "actualUsd");
  const actualUsd = given["actualUsd"];
  const budgetUsd = optionalBase(given["budgetUsd"], "budgetUsd");
  const limits = resolveThresholds(definition, thresholds, "thresholds");
  const inputs = { actualUsd, budgetUsd };
  if (budgetUsd === null || budgetUsd === 0) {
    return evaluate(definition, limits, inputs, noBase("budgetUsd", budgetUsd, definition));
  }
  return evaluate(definition, limits, inputs, {
    value: Math.abs(actualUsd - budgetUsd) / budgetUsd,
    computation: `|${usd(actualUsd)} − ${usd(budgetUsd)}| / ${usd(budgetUsd)}`,
  });
}

/** Input of {@link savingsAchieved}. */
export interface SavingsAchievedInput {
  /** Cost before optimisation (the baseline), USD, >= 0; zero or missing gives an undefined KPI. */
  readonly baselineUsd?: number | null;
  /** Cost after optimisation, USD, >= 0. */
  readonly optimizedUsd: number;
}

/**
 * Savings achieved = `(baselineUsd − optimizedUsd) / baselineUsd` = `1 − optimizedUsd /
 * baselineUsd`; seed 000 target > 25% (alert < 12.5%, chosen). Negative when the optimised cost is
 * higher. No baseline gives status `"undefined"`.
 *
 * @example
 * ```ts
 * savingsAchieved({ baselineUsd: 40_000, optimizedUsd: 26_000 }).value; // 0.35
 * ```
 */
export function savingsAchieved(input: SavingsAchievedInput, thresholds?: KpiThresholdOptions): Kpi {
  return reduction("savings-achieved", input, ["baselineUsd", "optimizedUsd"], thresholds);
}

/** Input of {@link tcoReduction}. */
export interface TcoReductionInput {
  /** Total cost of ownership before, USD, >= 0; zero or missing gives an undefined KPI. */
  readonly oldTcoUsd?: number | null;
  /** Total cost of ownership after, USD, >= 0. */
  readonly newTcoUsd: number;
}

/**
 * TCO reduction = `(oldTcoUsd − newTcoUsd) / oldTcoUsd`; seed 000 target > 30% (alert < 15%,
 * chosen). No old TCO gives status `"undefined"`.
 *
 * @example
 * ```ts
 * tcoReduction({ oldTcoUsd: 1_200_000, newTcoUsd: 780_000 }).value; // 0.35
 * ```
 */
export function tcoReduction(input: TcoReductionInput, thresholds?: KpiThresholdOptions): Kpi {
  return reduction("tco-reduction", input, ["oldTcoUsd", "newTcoUsd"], thresholds);
}

/** Input of {@link effectiveSavingsRate}. */
export interface EffectiveSavingsRateInput {
  /** What the usage costs at list (on-demand) prices, USD, >= 0; zero or missing gives an undefined KPI. */
  readonly listCostUsd?: number | null;
  /** What it cost after discounts, commitments and credits, USD, >= 0. */
  readonly effectiveCostUsd: number;
}

/**
 * The FinOps effective savings rate = `(listCostUsd − effectiveCostUsd) / listCostUsd` (FinOps
 * Foundation; FOCUS `ListCost` and `EffectiveCost`): in [0, 1) for a discount that leaves some cost,
 * negative when the effective cost is above list. Target > 25% and alert < 12.5%, both chosen (the
 * seed names no ESR target). No list cost gives status `"undefined"`.
 *
 * @example
 * ```ts
 * effectiveSavingsRate({ listCostUsd: 100_000, effectiveCostUsd: 72_000 }).value; // 0.28
 * ```
 */
export function effectiveSavingsRate(
  input: EffectiveSavingsRateInput,
  thresholds?: KpiThresholdOptions,
): Kpi {
  return reduction("effective-savings-rate", input, ["listCostUsd", "effectiveCostUsd"], thresholds);
}

/** `(before − after) / before`, the form of savings, TCO reduction and the effective savings rate. */
function reduction(
  id: KpiId,
  input: unknown,
  [beforeField, afterField]: readonly [string, string],
  thresholds: KpiThresholdOptions | undefined,
): Kpi {
  const definition = kpiDefinition(id);
  const given = checkInput(input, new Set([beforeField, afterField]));
  assertNonNegative(given[afterField], afterField);
  const after = given[afterField];
  const before = optionalBase(given[beforeField], beforeField);
  const limits = resolveThresholds(definition, thresholds, "thresholds");
  const inputs = { [beforeField]: before, [afterField]: after };
  if (before === null || before === 0)
    return evaluate(definition, limits, inputs, noBase(beforeField, before, definition));
  return evaluate(definition, limits, inputs, {
    value: (before - after) / before,
    computation: `(${usd(before)} − ${usd(after)}) / ${usd(before)}`,
  });
}

/** Input of {@link returnOnInvestment}. */
export interface ReturnOnInvestmentInput {
  /** Savings over the period measured, USD (negative for a loss). */
  readonly savingsUsd: number;
  /** What the optimisation cost, USD, >= 0; zero or missing gives an undefined KPI. */
  readonly investmentUsd?: number | null;
}

/**
 * ROI = `(savingsUsd − investmentUsd) / investmentUsd`; seed 000 target > 300% (a value of 3;
 * alert < 150%, chosen). With savings at a steady `monthlySavingsUsd` over `months`, ROI =
 * `months / paybackMonths − 1` (see {@link paybackPeriod}). No investment gives status `"undefined"`.
 *
 * @example
 * ```ts
 * returnOnInvestment({ savingsUsd: 60_000, investmentUsd: 12_000 }).value; // 4 (400%)
 * ```
 */
export function returnOnInvestment(input: ReturnOnInvestmentInput, thresholds?: KpiThresholdOptions): Kpi {
  const definition = kpiDefinition("roi");
  const given = checkInput(input, new Set(["savingsUsd", "investmentUsd"]));
  assertFinite(given["savingsUsd"], "savingsUsd");
  const savingsUsd = given["savingsUsd"];
  const investmentUsd = optionalBase(given["investmentUsd"], "investmentUsd");
  const limits = resolveThresholds(definition, thresholds, "thresholds");
  const inputs = { savingsUsd, investmentUsd };
  if (investmentUsd === null || investmentUsd === 0) {
    return evaluate(definition, limits, inputs, noBase("investmentUsd", investmentUsd, definition));
  }
  return evaluate(definition, limits, inputs, {
    value: (savingsUsd - investmentUsd) / investmentUsd,
    computation: `(${usd(savingsUsd)} − ${usd(investmentUsd)}) / ${usd(investmentUsd)}`,
  });
}

/** Input of {@link paybackPeriod}. */
export interface PaybackPeriodInput {
  /** What the optimisation cost, USD, >= 0. */
  readonly investmentUsd: number;
  /** What it saves each month, USD (zero or negative: it never pays back). */
  readonly monthlySavingsUsd: number;
}

/**
 * Payback period = `investmentUsd / monthlySavingsUsd`, in months; seed 000 target < 6 months
 * (alert > 12, chosen). No investment pays back at once (0 months). Savings of zero or less with an
 * investment never pay it back: `value: null`, status `"alert"`, `met: false` — a definite verdict,
 * not an undefined one.
 *
 * @example
 * ```ts
 * paybackPeriod({ investmentUsd: 12_000, monthlySavingsUsd: 5_000 }).value; // 2.4
 * ```
 */
export function paybackPeriod(input: PaybackPeriodInput, thresholds?: KpiThresholdOptions): Kpi {
  const definition = kpiDefinition("payback-period");
  const given = checkInput(input, new Set(["investmentUsd", "monthlySavingsUsd"]));
  assertNonNegative(given["investmentUsd"], "investmentUsd");
  assertFinite(given["monthlySavingsUsd"], "monthlySavingsUsd");
  const investmentUsd = given["investmentUsd"];
  const monthlySavingsUsd = given["monthlySavingsUsd"];
  const limits = resolveThresholds(definition, thresholds, "thresholds");
  const inputs = { investmentUsd, monthlySavingsUsd };
  if (investmentUsd === 0) {
    return evaluate(definition, limits, inputs, { value: 0, computation: "no investment to pay back" });
  }
  if (monthlySavingsUsd <= 0) {
    return evaluate(definition, limits, inputs, {
      value: null,
      reason: `monthly savings of ${usd(monthlySavingsUsd)} never pay back ${usd(investmentUsd)}`,
      verdict: { met: false, status: "alert" },
    });
  }
  return evaluate(definition, limits, inputs, {
    value: investmentUsd / monthlySavingsUsd,
    computation: `${usd(investmentUsd)} / ${usd(monthlySavingsUsd)} a month`,
  });
}

/** Input of {@link responseTimeImpact}. */
export interface ResponseTimeImpactInput {
  /** Response time before optimisation, ms, >= 0; zero or missing gives an undefined KPI. */
  readonly baselineMs?: number | null;
  /** Response time after, ms, >= 0 (the same statistic: both p99, or both means). */
  readonly optimizedMs: number;
}

/**
 * Response time impact = `(optimizedMs − baselineMs) / baselineMs` (degradation; negative is an
 * improvement); seed 000 target < 5% and alert > 10%. No baseline gives status `"undefined"`.
 *
 * @example
 * ```ts
 * responseTimeImpact({ baselineMs: 100, optimizedMs: 108 }).status; // "missed" (8%)
 * ```
 */
export function responseTimeImpact(input: ResponseTimeImpactInput, thresholds?: KpiThresholdOptions): Kpi {
  const definition = kpiDefinition("response-time-impact");
  const given = checkInput(input, new Set(["baselineMs", "optimizedMs"]));
  assertNonNegative(given["optimizedMs"], "optimizedMs");
  const optimizedMs = given["optimizedMs"];
  const baselineMs = optionalBase(given["baselineMs"], "baselineMs");
  const limits = resolveThresholds(definition, thresholds, "thresholds");
  const inputs = { baselineMs, optimizedMs };
  if (baselineMs === null || baselineMs === 0) {
    return evaluate(definition, limits, inputs, noBase("baselineMs", baselineMs, definition));
  }
  return evaluate(definition, limits, inputs, {
    value: (optimizedMs - baselineMs) / baselineMs,
    computation: `(${num(optimizedMs)} ms − ${num(baselineMs)} ms) / ${num(baselineMs)} ms`,
  });
}

/** Input of {@link throughputImpact}. */
export interface ThroughputImpactInput {
  /** Throughput before optimisation, requests per second, >= 0; zero or missing gives an undefined KPI. */
  readonly baselineRps?: number | null;
  /** Throughput after, requests per second, >= 0. */
  readonly optimizedRps: number;
}

/**
 * Throughput impact = `optimizedRps / baselineRps`; seed 000 target >= 1 ("maintain baseline") and
 * alert < 0.95 ("< 95% baseline"). No baseline gives status `"undefined"`.
 *
 * @example
 * ```ts
 * throughputImpact({ baselineRps: 1000, optimizedRps: 960 }).status; // "missed" (96%)
 * ```
 */
export function throughputImpact(input: ThroughputImpactInput, thresholds?: KpiThresholdOptions): Kpi {
  const definition = kpiDefinition("throughput-impact");
  const given = checkInput(input, new Set(["baselineRps", "optimizedRps"]));
  assertNonNegative(given["optimizedRps"], "optimizedRps");
  const optimizedRps = given["optimizedRps"];
  const baselineRps = optionalBase(given["baselineRps"], "baselineRps");
  const limits = resolveThresholds(definition, thresholds, "thresholds");
  const inputs = { baselineRps, optimizedRps };
  if (baselineRps === null || baselineRps === 0) {
    return evaluate(definition, limits, inputs, noBase("baselineRps", baselineRps, definition));
  }
  return evaluate(definition, limits, inputs, {
    value: optimizedRps / baselineRps,
    computation: `${num(optimizedRps)} rps / ${num(baselineRps)} rps`,
  });
}

/** Input of {@link availabilityImpact}. Availabilities are fractions of time up, in [0, 1] (0.999 is "three nines"). */
export interface AvailabilityImpactInput {
  /** Availability after optimisation. */
  readonly availability: number;
  /** Availability before (the target: no degradation); missing gives an undefined KPI. */
  readonly baselineAvailability?: number | null;
  /** The SLA (the alert threshold: below it is an alert). */
  readonly slaAvailability: number;
}

/**
 * Availability impact: `availability` against `baselineAvailability` (seed 000 target "no
 * degradation": at least the baseline) and `slaAvailability` (alert "< SLA"). No baseline gives
 * status `"undefined"`.
 *
 * @example
 * ```ts
 * availabilityImpact({ availability: 0.9993, baselineAvailability: 0.9995, slaAvailability: 0.999 }).status;
 * // "missed": degraded, still within the SLA
 * ```
 */
export function availabilityImpact(input: AvailabilityImpactInput): Kpi {
  const definition = kpiDefinition("availability-impact");
  const given = checkInput(input, new Set(["availability", "baselineAvailability", "slaAvailability"]));
  const fraction = (value: unknown, field: string): number => {
    if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
      throw invalidField(field, value, "a fraction in [0, 1] (0.999 for three nines)");
    }
    return value;
  };
  const availability = fraction(given["availability"], "availability");
  const slaAvailability = fraction(given["slaAvailability"], "slaAvailability");
  const rawBaseline = given["baselineAvailability"];
  const baselineAvailability =
    rawBaseline === undefined || rawBaseline === null ? null : fraction(rawBaseline, "baselineAvailability");
  const target: KpiThreshold = {
    comparator: ">=",
    value: baselineAvailability,
    source: "seed",
    rationale: definition.target.rationale,
  };
  const alertThreshold: KpiThreshold = {
    comparator: "<",
    value: slaAvailability,
    source: "seed",
    rationale: definition.alertThreshold.rationale,
  };
  const inputs = { availability, baselineAvailability, slaAvailability };
  if (baselineAvailability === null) {
    return {
      id: definition.id,
      name: definition.name,
      value: null,
      unit: definition.unit,
      formula: definition.formula,
      target,
      alertThreshold,
      met: null,
      status: "undefined",
      explanation: `${definition.name}: undefined without baselineAvailability (no degradation has nothing to compare with)`,
      inputs,
    };
  }
  return evaluate(definition, { target, alertThreshold }, inputs, {
    value: availability,
    computation: `uptime ${percent(availability)} against the baseline ${percent(baselineAvailability)}`,
  });
}

/** Inputs of {@link evaluateKpis}: any of the KPIs, each by its function's name. */
export interface KpiInputs {
  readonly costPerTransaction?: CostPerTransactionInput;
  readonly resourceUtilization?: ResourceUtilizationInput;
  readonly costVariance?: CostVarianceInput;
  readonly savingsAchieved?: SavingsAchievedInput;
  readonly returnOnInvestment?: ReturnOnInvestmentInput;
  readonly paybackPeriod?: PaybackPeriodInput;
  readonly tcoReduction?: TcoReductionInput;
  readonly effectiveSavingsRate?: EffectiveSavingsRateInput;
  readonly responseTimeImpact?: ResponseTimeImpactInput;
  readonly availabilityImpact?: AvailabilityImpactInput;
  readonly throughputImpact?: ThroughputImpactInput;
  /** The caller's thresholds by KPI id (the availability guard's come with its input). */
  readonly thresholds?: Readonly<Partial<Record<Exclude<KpiId, "availability-impact">, KpiThresholdOptions>>>;
}

type Section = Exclude<keyof KpiInputs, "thresholds">;

const sections: readonly (readonly [
  Section,
  Exclude<KpiId, "availability-impact"> | null,
  (input: never, thresholds?: KpiThresholdOptions) => Kpi,
])[] = [
  ["costPerTransaction", "cost-per-transaction", costPerTransaction],
  ["resourceUtilization", "resource-utilization", resourceUtilization],
  ["costVariance", "cost-variance", costVariance],
  ["savingsAchieved", "savings-achieved", savingsAchieved],
  ["returnOnInvestment", "roi", returnOnInvestment],
  ["paybackPeriod", "payback-period", paybackPeriod],
  ["tcoReduction", "tco-reduction", tcoReduction],
  ["effectiveSavingsRate", "effective-savings-rate", effectiveSavingsRate],
  ["responseTimeImpact", "response-time-impact", responseTimeImpact],
  ["availabilityImpact", null, availabilityImpact],
  ["throughputImpact", "throughput-impact", throughputImpact],
];
const inputKeys: ReadonlySet<string> = new Set([...sections.map(([section]) => section), "thresholds"]);
const thresholdIds: ReadonlySet<string> = new Set(sections.flatMap(([, id]) => (id === null ? [] : [id])));

/**
 * Evaluates every KPI whose input is given, in the order of {@link kpiDefinitions}. Errors name the
 * field under its KPI (`costVariance.budgetUsd must be …`).
 *
 * @example
 * ```ts
 * const kpis = evaluateKpis({
 *   costPerTransaction: { totalCostUsd: 1234, transactions: 200_000 },
 *   savingsAchieved: { baselineUsd: 40_000, optimizedUsd: 26_000 },
 *   paybackPeriod: { investmentUsd: 12_000, monthlySavingsUsd: 5_000 },
 * });
 * kpis.map((kpi) => `${kpi.id}: ${kpi.status}`); // all "met"
 * ```
 */
export function evaluateKpis(inputs: KpiInputs): Kpi[] {
  assertObject(inputs, "inputs");
  assertKnownKeys(inputs as Record<string, unknown>, inputKeys, "inputs");
  const thresholds: NonNullable<KpiInputs["thresholds"]> = inputs.thresholds ?? {};
  assertObject(thresholds as unknown, "thresholds");
  assertKnownKeys(thresholds as Record<string, unknown>, thresholdIds, "thresholds");
  const kpis: Kpi[] = [];
  for (const [section, id, evaluateOne] of sections) {
    const input = inputs[section];
    if (input === undefined) continue;
    try {
      kpis.push(evaluateOne(input as never, id === null ? undefined : thresholds[id]));
    } catch (error) {
      if (!EnisError.isInstance(error) || error.field === undefined) throw error;
      // The single-KPI functions name their fields bare ("budgetUsd", "input", "thresholds.target");
      // here each belongs to its section of the inputs.
      const bare = error.field;
      const qualified = bare.startsWith("thresholds")
        ? `thresholds[${JSON.stringify(id)}]${bare.slice("thresholds".length)}`
        : bare.startsWith("input")
          ? `${section}${bare.slice("input".length)}`
          : `${section}.${bare}`;
      const rest = error.message.startsWith(bare) ? error.message.slice(bare.length) : `: ${error.message}`;
      throw new EnisError(error.code, `${qualified}${rest}`, { field: qualified, cause: error });
    }
  }
  return kpis;
}

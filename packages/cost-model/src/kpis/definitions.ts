/** The KPIs of seed 000, the FinOps effective savings rate, and the performance-impact guards. */
export type KpiId =
  | "cost-per-transaction"
  | "resource-utilization"
  | "cost-variance"
  | "savings-achieved"
  | "roi"
  | "payback-period"
  | "tco-reduction"
  | "effective-savings-rate"
  | "response-time-impact"
  | "availability-impact"
  | "throughput-impact";

/**
 * The unit of a KPI's value: `"usd"` (US dollars), `"fraction"` (0.25 is 25%; an ROI of 3 is
 * 300%) or `"months"`.
 */
export type KpiUnit = "usd" | "fraction" | "months";

/** A comparison of a KPI's value with a threshold: the value must be `<`, `>`, `<=` or `>=` it. */
export type KpiComparator = "<" | ">" | "<=" | ">=";

/**
 * Where a threshold comes from: `"seed"` (seed 000 states it), `"chosen"` (the seed states none;
 * see the threshold's `rationale`) or `"caller"` (passed in).
 */
export type KpiThresholdSource = "seed" | "chosen" | "caller";

/** A target or an alert threshold of a KPI. */
export interface KpiThreshold {
  /** How the value compares with `value` for the threshold to hold (target) or trip (alert). */
  readonly comparator: KpiComparator;
  /**
   * The threshold, in the KPI's unit; null only where the threshold is an input not given (the
   * availability guard's baseline) or, in {@link kpiDefinitions}, one each evaluation supplies.
   */
  readonly value: number | null;
  readonly source: KpiThresholdSource;
  /** Why this threshold: the seed's words, or how it was chosen. */
  readonly rationale: string;
}

/** The definition of one KPI: its formula, unit and default thresholds. */
export interface KpiDefinition {
  readonly id: KpiId;
  /** The seed's name for it. */
  readonly name: string;
  /** The formula, over the input fields of the KPI's function. */
  readonly formula: string;
  readonly unit: KpiUnit;
  /** `"lower"` when a smaller value is better, `"higher"` when a larger one is. */
  readonly better: "lower" | "higher";
  /** The default target (met when the value compares to it as `comparator` says). */
  readonly target: KpiThreshold;
  /** The default alert threshold (an alert when the value compares to it as `comparator` says). */
  readonly alertThreshold: KpiThreshold;
  /** How often the seed measures it, when it says. */
  readonly frequency?: string;
}

// Where seed 000 gives a target but no alert threshold, the alert sits as far beyond the target as
// the seed's one cost-side pair does: response time, target < 5% degradation and alert > 10%, so an
// alert at twice a lower-is-better target and, mirrored, at half a higher-is-better one.
const twiceTarget = "chosen: twice the target, as the seed's response-time guard (target < 5%, alert > 10%)";
const halfTarget =
  "chosen: half the target, the mirror of the seed's response-time guard (target < 5%, alert > 10%)";

const definitions: readonly KpiDefinition[] = [
  {
    id: "cost-per-transaction",
    name: "Cost per transaction",
    formula: "totalCostUsd / transactions",
    unit: "usd",
    better: "lower",
    target: { comparator: "<", value: 0.01, source: "seed", rationale: 'seed 000: "< $0.01"' },
    alertThreshold: { comparator: ">", value: 0.02, source: "chosen", rationale: twiceTarget },
    frequency: "Real-time",
  },
  {
    id: "resource-utilization",
    name: "Resource utilization",
    formula: "used / allocated",
    unit: "fraction",
    better: "higher",
    target: { comparator: ">", value: 0.8, source: "seed", rationale: 'seed 000: "> 80%"' },
    alertThreshold: { comparator: "<", value: 0.4, source: "chosen", rationale: halfTarget },
    frequency: "5-minute intervals",
  },
  {
    id: "cost-variance",
    name: "Cost variance",
    formula: "|actualUsd - budgetUsd| / budgetUsd",
    unit: "fraction",
    better: "lower",
    target: { comparator: "<", value: 0.05, source: "seed", rationale: 'seed 000: "< 5%"' },
    alertThreshold: { comparator: ">", value: 0.1, source: "chosen", rationale: twiceTarget },
    frequency: "Daily",
  },
  {
    id: "savings-achieved",
    name: "Savings achieved",
    formula: "(baselineUsd - optimizedUsd) / baselineUsd",
    unit: "fraction",
    better: "higher",
    target: { comparator: ">", value: 0.25, source: "seed", rationale: 'seed 000: "> 25%"' },
    alertThreshold: { comparator: "<", value: 0.125, source: "chosen", rationale: halfTarget },
    frequency: "Monthly",
  },
  {
    id: "roi",
    name: "ROI",
    formula: "(savingsUsd - investmentUsd) / investmentUsd",
    unit: "fraction",
    better: "higher",
    target: { comparator: ">", value: 3, source: "seed", rationale: 'seed 000: "> 300%"' },
    alertThreshold: { comparator: "<", value: 1.5, source: "chosen", rationale: halfTarget },
    frequency: "Quarterly",
  },
  {
    id: "payback-period",
    name: "Payback period",
    formula: "investmentUsd / monthlySavingsUsd",
    unit: "months",
    better: "lower",
    target: { comparator: "<", value: 6, source: "seed", rationale: 'seed 000: "< 6 months"' },
    alertThreshold: { comparator: ">", value: 12, source: "chosen", rationale: twiceTarget },
    frequency: "Monthly",
  },
  {
    id: "tco-reduction",
    name: "TCO reduction",
    formula: "(oldTcoUsd - newTcoUsd) / oldTcoUsd",
    unit: "fraction",
    better: "higher",
    target: { comparator: ">", value: 0.3, source: "seed", rationale: 'seed 000: "> 30%"' },
    alertThreshold: { comparator: "<", value: 0.15, source: "chosen", rationale: halfTarget },
    frequency: "Annually",
  },
  {
    id: "effective-savings-rate",
    name: "Effective savings rate",
    formula: "(listCostUsd - effectiveCostUsd) / listCostUsd",
    unit: "fraction",
    better: "higher",
    target: {
      comparator: ">",
      value: 0.25,
      source: "chosen",
      rationale:
        "chosen: the seed names no ESR target; its savings target (> 25%) applied to the rate discount",
    },
    alertThreshold: { comparator: "<", value: 0.125, source: "chosen", rationale: halfTarget },
  },
  {
    id: "response-time-impact",
    name: "Response time impact",
    formula: "(optimizedMs - baselineMs) / baselineMs",
    unit: "fraction",
    better: "lower",
    target: { comparator: "<", value: 0.05, source: "seed", rationale: 'seed 000: "< 5% degradation"' },
    alertThreshold: { comparator: ">", value: 0.1, source: "seed", rationale: 'seed 000: "Alert if > 10%"' },
  },
  {
    id: "availability-impact",
    name: "Availability impact",
    formula: "availability (uptime fraction), against baselineAvailability and slaAvailability",
    unit: "fraction",
    better: "higher",
    target: {
      comparator: ">=",
      value: null,
      source: "seed",
      rationale: 'seed 000: "No degradation": at least baselineAvailability',
    },
    alertThreshold: {
      comparator: "<",
      value: null,
      source: "seed",
      rationale: 'seed 000: "Alert if < SLA": below slaAvailability',
    },
  },
  {
    id: "throughput-impact",
    name: "Throughput impact",
    formula: "optimizedRps / baselineRps",
    unit: "fraction",
    better: "higher",
    target: { comparator: ">=", value: 1, source: "seed", rationale: 'seed 000: "Maintain baseline"' },
    alertThreshold: {
      comparator: "<",
      value: 0.95,
      source: "seed",
      rationale: 'seed 000: "Alert if < 95% baseline"',
    },
  },
];

/**
 * Every KPI's definition — formula, unit, default target and alert threshold with their source —
 * in the order of seed 000 (cost efficiency, business value, then the FinOps effective savings rate
 * and the performance-impact guards).
 */
export const kpiDefinitions: readonly KpiDefinition[] = Object.freeze(
  definitions.map((definition) =>
    Object.freeze({
      ...definition,
      target: Object.freeze(definition.target),
      alertThreshold: Object.freeze(definition.alertThreshold),
    }),
  ),
);

/** The definition of `id`. */
export function kpiDefinition(id: KpiId): KpiDefinition {
  return kpiDefinitions.find((definition) => definition.id === id)!;
}

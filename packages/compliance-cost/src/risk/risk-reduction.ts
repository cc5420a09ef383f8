import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import type { CostingAssumption } from "../costing/defaults.js";
import { num, tidy, usd } from "../costing/money.js";
import { rulePackRegistry, unknownFramework } from "../rule-packs/index.js";
import type { RulePack } from "../rule-packs/types.js";

/** Options of {@link riskReduction}; every one has a default, listed with its source in the result. */
export interface RiskReductionOptions {
  /**
   * Probability of a material breach in a year without the frameworks' controls, in [0, 1].
   * @default 0.1509: 27.9% over 24 months (IBM Security / Ponemon Institute, 2018 Cost of a Data
   * Breach Study: Global Overview), annualised as 1 − (1 − 0.279)^(1/2) — an assumption
   */
  readonly annualBreachProbability?: number;
  /**
   * Cost of one breach, USD, finite and >= 0.
   * @default 9,770,000 when `"hipaa"` is among the frameworks (healthcare), else 4,880,000 (global
   * average) — IBM Security / Ponemon Institute, Cost of a Data Breach Report 2024
   */
  readonly impactUsd?: number;
  /**
   * The share of that expected loss the controls avoid, in [0, 1] (a control set that stops
   * breaches or shrinks their cost by that fraction). Several frameworks' controls overlap: give
   * one figure for the set.
   * @default 0.5 — an assumption, not a published figure: replace it with your own estimate
   */
  readonly controlEffectiveness?: number;
  /**
   * The caller's own rule packs, as `costCompliance` takes them: a framework id is known when it is
   * built in or is one of these packs' `framework`.
   * @default [] (the built-in packs only)
   */
  readonly rulePacks?: readonly RulePack[];
}

/** Result of {@link riskReduction}. */
export interface RiskReductionResult {
  /** The frameworks, as given. */
  readonly frameworks: readonly string[];
  /** `annualBreachProbability × impactUsd`: the expected annual loss without the controls, USD. */
  readonly expectedAnnualLossUsd: number;
  /** `expectedAnnualLossUsd × controlEffectiveness`: the expected annual loss avoided, USD. */
  readonly annualLossAvoidedUsd: number;
  /** `annualLossAvoidedUsd / 12`, USD: the `monthlySavingsUsd` side of a payback period. */
  readonly monthlyLossAvoidedUsd: number;
  /** `expectedAnnualLossUsd − annualLossAvoidedUsd`, USD. */
  readonly residualAnnualLossUsd: number;
  readonly annualBreachProbability: number;
  readonly impactUsd: number;
  readonly controlEffectiveness: number;
  /** Every figure used, with its source and whether it is an assumption. */
  readonly assumptions: readonly CostingAssumption[];
  /** The seed's figure for the same frameworks, for comparison. */
  readonly seed: {
    /** Σ breach cost × "probability reduction" over the frameworks, as seed 000 computes it, USD a year. */
    readonly annualUsd: number;
    readonly source: string;
  };
  /** The arithmetic in words. */
  readonly explanation: string;
}

/** IBM Security / Ponemon Institute, Cost of a Data Breach Report 2024: global average, USD. */
export const globalAverageBreachCostUsd = 4_880_000;
/** IBM Security / Ponemon Institute, Cost of a Data Breach Report 2024: healthcare, USD. */
export const healthcareBreachCostUsd = 9_770_000;

const ibm2024 =
  "IBM Security / Ponemon Institute, Cost of a Data Breach Report 2024 (https://www.ibm.com/reports/data-breach): global average $4.88M, healthcare $9.77M";
/** 27.9% over 24 months, annualised. */
const defaultProbability = tidy(1 - Math.sqrt(1 - 0.279));

/**
 * Seed 000's risk values (`_calculate_risk_reduction_value`): breach cost × "probability
 * reduction", summed over the frameworks. Quoted for comparison only: it multiplies a cost by a
 * reduction without any probability of the breach, and sums overlapping frameworks.
 */
const seedRiskValues: Readonly<Record<string, { breachCostUsd: number; probabilityReduction: number }>> = {
  hipaa: { breachCostUsd: 10_000_000, probabilityReduction: 0.8 },
  sox: { breachCostUsd: 5_000_000, probabilityReduction: 0.9 },
  gdpr: { breachCostUsd: 20_000_000, probabilityReduction: 0.85 },
  "pci-dss": { breachCostUsd: 3_000_000, probabilityReduction: 0.9 },
  fedramp: { breachCostUsd: 15_000_000, probabilityReduction: 0.95 },
};

const optionsSchema = z
  .object({
    annualBreachProbability: z.number().min(0).max(1).optional(),
    impactUsd: z.number().nonnegative().finite().optional(),
    controlEffectiveness: z.number().min(0).max(1).optional(),
    rulePacks: z.array(z.unknown()).optional(),
  })
  .strict();

/**
 * The expected annual loss the frameworks' controls avoid: `annualBreachProbability × impactUsd ×
 * controlEffectiveness`, once for the set of frameworks (their controls overlap; summing a figure
 * per framework, as the seed does, counts one breach several times). Every default is cited in
 * `assumptions` and marked when it is an assumption. Throws `EnisError("INVALID_OPTIONS")` naming
 * the field (a probability or effectiveness outside [0, 1], a negative impact, an empty or
 * repeated framework list, an unknown framework id — with the known id it resembles — since a typo
 * such as `"hippa"` would otherwise silently take the global impact instead of healthcare's).
 *
 * The result feeds `@enis/cost-model`'s ROI and payback KPIs, with the compliance cost as the
 * investment:
 *
 * @example
 * ```ts
 * import { paybackPeriod, returnOnInvestment } from "@enis/cost-model";
 * const risk = riskReduction(["hipaa"], { annualBreachProbability: 0.1, controlEffectiveness: 0.5 });
 * risk.annualLossAvoidedUsd; // 0.1 × 9,770,000 × 0.5 = 488,500
 * const monthlyCostUsd = costCompliance(resources, ["hipaa"]).costUsd;
 * // ROI over a year: the loss avoided against a year of compliance cost.
 * returnOnInvestment({ savingsUsd: risk.annualLossAvoidedUsd, investmentUsd: 12 * monthlyCostUsd });
 * // Payback of a one-off implementation cost from the monthly loss avoided net of the running cost.
 * paybackPeriod({ investmentUsd: 50_000, monthlySavingsUsd: risk.monthlyLossAvoidedUsd - monthlyCostUsd });
 * ```
 */
export function riskReduction(
  frameworks: readonly string[],
  options: RiskReductionOptions = {},
): RiskReductionResult {
  if (!Array.isArray(frameworks) || frameworks.length === 0) {
    throw invalidField("frameworks", frameworks, "a non-empty array of framework ids");
  }
  const parsed = parseOptions(optionsSchema, options, "options");
  // The same registry, and the same errors, as validateCompliance's and costCompliance's.
  const known = new Set<string>(rulePackRegistry(parsed.rulePacks ?? [], "options.rulePacks").keys());
  frameworks.forEach((framework, index) => {
    if (typeof framework !== "string" || framework.length === 0) {
      throw invalidField(`frameworks[${index}]`, framework, "a non-empty string");
    }
    if (frameworks.indexOf(framework) !== index) {
      throw invalidField(`frameworks[${index}]`, framework, "a framework not already listed");
    }
    if (!known.has(framework)) throw unknownFramework(`frameworks[${index}]`, framework, known);
  });
  const healthcare = frameworks.includes("hipaa");

  const probability = parsed.annualBreachProbability ?? defaultProbability;
  const impactUsd = parsed.impactUsd ?? (healthcare ? healthcareBreachCostUsd : globalAverageBreachCostUsd);
  const effectiveness = parsed.controlEffectiveness ?? 0.5;

  const assumptions: CostingAssumption[] = [
    parsed.annualBreachProbability === undefined
      ? {
          name: "annualBreachProbability",
          value: probability,
          unit: "probability a year",
          source:
            "IBM Security / Ponemon Institute, 2018 Cost of a Data Breach Study: Global Overview — 'likelihood of a recurring material breach over the next two years: 27.9%' (a 'material' breach as the study defines it), annualised as 1 − (1 − 0.279)^(1/2)",
          assumption: true,
          note: "A survey average across countries and industries (14.3% Germany to 43% South Africa over 24 months), taken as this organisation's probability: an assumption.",
        }
      : caller("annualBreachProbability", probability, "probability a year"),
    parsed.impactUsd === undefined
      ? {
          name: "impactUsd",
          value: impactUsd,
          unit: "USD per breach",
          source: `${ibm2024}; ${healthcare ? "healthcare, because hipaa is among the frameworks" : "global average"}`,
          assumption: true,
          note: "An industry average, taken as this organisation's impact: an assumption.",
        }
      : caller("impactUsd", impactUsd, "USD per breach"),
    parsed.controlEffectiveness === undefined
      ? {
          name: "controlEffectiveness",
          value: effectiveness,
          unit: "fraction of the expected loss avoided",
          source: "assumption: no authority publishes the effectiveness of a framework's controls",
          assumption: true,
          note: "A placeholder to replace with an estimate from a control assessment.",
        }
      : caller("controlEffectiveness", effectiveness, "fraction of the expected loss avoided"),
  ];

  const expectedRaw = probability * impactUsd;
  const avoidedRaw = expectedRaw * effectiveness;
  const expectedAnnualLossUsd = tidy(expectedRaw);
  const annualLossAvoidedUsd = tidy(avoidedRaw);
  let seedAnnual = 0;
  for (const framework of frameworks) {
    const values = seedRiskValues[framework];
    if (values !== undefined) seedAnnual += values.breachCostUsd * values.probabilityReduction;
  }
  return {
    frameworks: [...frameworks],
    expectedAnnualLossUsd,
    annualLossAvoidedUsd,
    monthlyLossAvoidedUsd: tidy(avoidedRaw / 12),
    residualAnnualLossUsd: tidy(expectedRaw - avoidedRaw),
    annualBreachProbability: probability,
    impactUsd,
    controlEffectiveness: effectiveness,
    assumptions,
    seed: {
      annualUsd: tidy(seedAnnual),
      source:
        "seed 000, tier 5, _calculate_risk_reduction_value: Σ breach_cost × probability_reduction (HIPAA $10M × 0.8, SOX $5M × 0.9, GDPR $20M × 0.85, PCI DSS $3M × 0.9, FedRAMP $15M × 0.95; none for ISO 27001) — no probability of a breach, and one breach counted once per framework",
    },
    explanation: `${num(probability)} breaches a year × ${usd(impactUsd)} = ${usd(expectedAnnualLossUsd)} expected annual loss × ${num(effectiveness)} effectiveness = ${usd(annualLossAvoidedUsd)} avoided a year (${usd(tidy(avoidedRaw / 12))} a month)`,
  };
}

function caller(name: string, value: number, unit: string): CostingAssumption {
  return { name, value, unit, source: "caller", assumption: false };
}

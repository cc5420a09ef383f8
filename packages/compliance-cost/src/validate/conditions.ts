import { describeValue } from "@enis/core/validate";
import { regionInSet, regionsInSet } from "../rule-packs/regions.js";
import type {
  Condition,
  ConditionValue,
  RegionCatalogue,
  RegionInfo,
  RegionSetId,
} from "../rule-packs/types.js";
import { type ComplianceRequest, readField } from "./request.js";

/** A change to one request field that would satisfy a leaf condition. */
export type FieldFix =
  | { readonly field: string; readonly set: ConditionValue }
  | { readonly field: string; readonly atLeast: number }
  | { readonly field: string; readonly oneOf: readonly ConditionValue[] }
  | { readonly field: string; readonly add: string }
  | { readonly field: string; readonly lengthAtLeast: number };

/** Why a condition failed, and what would make it hold. */
export interface ConditionFailure {
  /** The field at fault (for an `any`, the first field of its first alternative). */
  readonly field: string;
  /** Every field the failure involves was absent from the request. */
  readonly missing: boolean;
  /** `"<field> must be …, got …"`, or the alternatives of an `any`. */
  readonly message: string;
  /** The change that would satisfy it: one field fix, or alternatives / a conjunction of them. */
  readonly fix: Fix;
}

/** A change: a field fix, all of several, or any one of several. */
export type Fix = FieldFix | { readonly all: readonly Fix[] } | { readonly any: readonly Fix[] };

/** The result of evaluating a condition. */
export interface ConditionResult {
  readonly holds: boolean;
  /** Empty when the condition holds. */
  readonly failures: readonly ConditionFailure[];
}

const setLabels: Readonly<Record<RegionSetId, string>> = {
  "eu-eea": "the EU/EEA",
  "gdpr-adequate": "the EU/EEA or a country with an adequacy decision (GDPR Art. 45)",
  "gdpr-conditional":
    "a country whose adequacy covers certified recipients only (EU-US Data Privacy Framework)",
  "fedramp-high": "infrastructure authorised at FedRAMP High",
  "fedramp-moderate": "infrastructure authorised at FedRAMP Moderate or High",
  govcloud: "a government region",
};

/** Renders a fix as an instruction: `set encryption.atRest to true`. */
export function describeFix(fix: Fix): string {
  if ("all" in fix) return fix.all.map(describeFix).join(" and ");
  if ("any" in fix)
    return fix.any
      .map((part) => ("all" in part && part.all.length > 1 ? `(${describeFix(part)})` : describeFix(part)))
      .join(", or ");
  if ("set" in fix) return `set ${fix.field} to ${describeValue(fix.set)}`;
  if ("atLeast" in fix) return `set ${fix.field} to at least ${fix.atLeast}`;
  if ("oneOf" in fix)
    return `set ${fix.field} to one of ${fix.oneOf.map((value) => (typeof value === "string" ? value : describeValue(value))).join(", ")}`;
  if ("add" in fix) return `add ${describeValue(fix.add)} to ${fix.field}`;
  return `list at least ${fix.lengthAtLeast} entries in ${fix.field}`;
}

function describeRegion(region: RegionInfo): string {
  const status =
    region.gdpr === "eu-eea"
      ? "EU/EEA"
      : region.gdpr === "adequate"
        ? "adequacy decision"
        : region.gdpr === "conditional"
          ? "adequate for DPF-certified recipients only"
          : "no adequacy decision";
  return `${region.location}, ${region.country}: ${status}; FedRAMP ${region.fedramp}`;
}

/**
 * Evaluates a condition against a request. A field the request lacks fails the condition (with
 * `missing: true`); a field of the wrong type fails it as well. Pure and deterministic.
 */
export function evaluateCondition(
  condition: Condition,
  request: ComplianceRequest,
  catalogue: RegionCatalogue,
): ConditionResult {
  if ("all" in condition) {
    const failures = condition.all.flatMap((part) => evaluateCondition(part, request, catalogue).failures);
    return { holds: failures.length === 0, failures };
  }
  if ("any" in condition) {
    const branches: ConditionFailure[][] = [];
    for (const part of condition.any) {
      const result = evaluateCondition(part, request, catalogue);
      if (result.holds) return { holds: true, failures: [] };
      branches.push([...result.failures]);
    }
    const first = branches[0]![0]!;
    const fixOf = (failures: ConditionFailure[]): Fix =>
      failures.length === 1 ? failures[0]!.fix : { all: failures.map((failure) => failure.fix) };
    const failure: ConditionFailure = {
      field: first.field,
      missing: branches.every((branch) => branch.every((item) => item.missing)),
      message: `none of the alternatives holds: ${branches.map((branch) => branch.map((item) => item.message).join(" and ")).join("; or ")}`,
      fix: { any: branches.map(fixOf) },
    };
    return { holds: false, failures: [failure] };
  }
  const field = condition.field;
  const value = readField(request, field);
  const fail = (expectation: string, fix: FieldFix): ConditionResult => ({
    holds: false,
    failures: [
      {
        field,
        missing: value === undefined,
        message:
          value === undefined
            ? `${field} is missing (it must be ${expectation})`
            : `${field} must be ${expectation}, got ${describeValue(value)}`,
        fix,
      },
    ],
  });
  const holds: ConditionResult = { holds: true, failures: [] };
  if ("equals" in condition) {
    return value === condition.equals
      ? holds
      : fail(describeValue(condition.equals), { field, set: condition.equals });
  }
  if ("atLeast" in condition) {
    return typeof value === "number" && value >= condition.atLeast
      ? holds
      : fail(`at least ${condition.atLeast}`, { field, atLeast: condition.atLeast });
  }
  if ("oneOf" in condition) {
    return condition.oneOf.includes(value as ConditionValue)
      ? holds
      : fail(`one of ${condition.oneOf.map((item) => describeValue(item)).join(", ")}`, {
          field,
          oneOf: condition.oneOf,
        });
  }
  if ("includes" in condition) {
    return Array.isArray(value) && value.includes(condition.includes)
      ? holds
      : fail(`a list that includes ${describeValue(condition.includes)}`, { field, add: condition.includes });
  }
  if ("lengthAtLeast" in condition) {
    return Array.isArray(value) && value.length >= condition.lengthAtLeast
      ? holds
      : fail(`a list of at least ${condition.lengthAtLeast} entries`, {
          field,
          lengthAtLeast: condition.lengthAtLeast,
        });
  }
  const set = condition.inRegionSet;
  const allowed = regionsInSet(catalogue, set);
  const fix: FieldFix = { field, oneOf: allowed };
  const region = typeof value === "string" ? catalogue.regions.find((item) => item.id === value) : undefined;
  if (region !== undefined && regionInSet(region, set)) return holds;
  if (value === undefined) return fail(`a region in ${setLabels[set]}`, fix);
  if (region === undefined) {
    return fail(`a region of the region catalogue (as of ${catalogue.asOf}) in ${setLabels[set]}`, fix);
  }
  return {
    holds: false,
    failures: [
      {
        field,
        missing: false,
        message: `${field} must be a region in ${setLabels[set]}, got ${describeValue(value)} (${describeRegion(region)})`,
        fix,
      },
    ],
  };
}

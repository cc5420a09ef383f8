import { EnisError } from "@enis/core";
import { deepFreeze, describeValue, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { rulePackRegistry, unknownFramework } from "../rule-packs/index.js";
import { awsRegionCatalogue } from "../rule-packs/regions.js";
import type {
  ComplianceControl,
  Obligation,
  RegionCatalogue,
  RetentionRule,
  RulePack,
} from "../rule-packs/types.js";
import { type ConditionFailure, describeFix, evaluateCondition, type Fix } from "./conditions.js";
import { type ComplianceRequest, parseComplianceRequest } from "./request.js";

/** Options of {@link validateCompliance}. */
export interface ValidateComplianceOptions {
  /**
   * The caller's own packs (plain data, e.g. read from JSON): a pack with a new framework id adds a
   * framework; one with a built-in id replaces the built-in pack. The same option as
   * `costCompliance`'s and `riskReduction`'s.
   */
  readonly rulePacks?: readonly RulePack[];
  /** The region catalogue `inRegionSet` conditions read. Default: {@link awsRegionCatalogue}. */
  readonly regionCatalogue?: RegionCatalogue;
}

/** One control a request breaks. */
export interface ComplianceViolation {
  /** The framework id, e.g. `"hipaa"`. */
  readonly framework: string;
  /** The control id within the framework, e.g. `"164.312(a)(2)(iv)"`. */
  readonly control: string;
  /** The request field at fault (dotted path). */
  readonly field: string;
  /** True when the request lacks the field. */
  readonly missing: boolean;
  /** What is wrong: `"<field> must be …, got …"`, prefixed by the framework and control. */
  readonly message: string;
  /** The control's citation. */
  readonly citation: string;
  /** How firmly the text demands the control. */
  readonly obligation: Obligation;
  /** The change that would satisfy the control, e.g. `"set encryption.atRest to true"`. */
  readonly recommendation: string;
}

/** A change to the request, merged over every control that asks for it. */
export interface ComplianceRecommendation {
  /** The request field to change (for alternatives, the first one). */
  readonly field: string;
  /** The change, e.g. `"set logRetentionDays to at least 915"` or `"set region to one of eu-west-1, …"`. */
  readonly message: string;
  /** The controls the change satisfies. */
  readonly controls: readonly { readonly framework: string; readonly control: string }[];
}

/** A control that applies to the request. */
export interface RequiredControl {
  /** The framework id. */
  readonly framework: string;
  /** The control id. */
  readonly control: string;
  /** The control's title. */
  readonly title: string;
  /** The control's citation. */
  readonly citation: string;
  /** The request fields it reads. */
  readonly fields: readonly string[];
  /** How firmly the text demands it. */
  readonly obligation: Obligation;
  /**
   * `"applies"`: its `appliesWhen` holds (or it has none); `"assumed"`: the request lacks a field
   * `appliesWhen` reads (e.g. no `dataCategories`), so the control is taken to apply.
   */
  readonly applicability: "applies" | "assumed";
  /** False for a control with no condition (a policy, an assessment): only evidence can meet it. */
  readonly checkable: boolean;
  /** The retention rule it imposes, if any. */
  readonly retention?: RetentionRule;
}

/** A control of a chosen framework that does not apply to the request. */
export interface NotApplicableControl {
  readonly framework: string;
  readonly control: string;
  /** Why not, e.g. `"dataCategories must be a list that includes \"phi\", got []"`. */
  readonly reason: string;
}

/** The result of {@link validateCompliance}. */
export interface ComplianceValidation {
  /** True when no applicable control is violated. Controls that need evidence do not count against it. */
  readonly compliant: boolean;
  /** Every violated applicable control, one entry per field at fault; framework ids sorted, controls in pack order. */
  readonly violations: readonly ComplianceViolation[];
  /** The changes that would make the request compliant, merged across frameworks. */
  readonly recommendations: readonly ComplianceRecommendation[];
  /** Every applicable control of the chosen frameworks. */
  readonly requiredControls: readonly RequiredControl[];
  /** Controls of the chosen frameworks that do not apply, with the reason. */
  readonly notApplicable: readonly NotApplicableControl[];
  /** The packs evaluated: id and version, sorted by id. */
  readonly frameworks: readonly {
    readonly framework: string;
    readonly name: string;
    readonly version: string;
  }[];
  /** The date of the region catalogue used. */
  readonly regionCatalogueAsOf: string;
}

const regionSchema = z.strictObject({
  id: z.string().min(1),
  provider: z.string().min(1),
  location: z.string().min(1),
  country: z.string().regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code"),
  gdpr: z.enum(["eu-eea", "adequate", "conditional", "none"]),
  fedramp: z.enum(["high", "moderate", "none"]),
  govCloud: z.boolean(),
  note: z.string().optional(),
});

const catalogueSchema = z.strictObject({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "an ISO 8601 date (YYYY-MM-DD)"),
  sources: z.array(z.string()),
  regions: z.array(regionSchema).min(1),
});

const checkedCatalogues = new WeakSet<object>([awsRegionCatalogue]);

/** Checks a region catalogue (shape, unique region ids); throws `INVALID_OPTIONS` / `DUPLICATE_ID`. */
export function parseRegionCatalogue(catalogue: unknown, what = "regionCatalogue"): RegionCatalogue {
  if (typeof catalogue === "object" && catalogue !== null && checkedCatalogues.has(catalogue)) {
    return catalogue as RegionCatalogue;
  }
  const parsed = parseOptions(catalogueSchema, catalogue, what) as RegionCatalogue;
  const seen = new Set<string>();
  parsed.regions.forEach((region, index) => {
    if (seen.has(region.id)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `${what}.regions[${index}].id must be unique, got ${describeValue(region.id)}`,
        {
          field: `${what}.regions[${index}].id`,
        },
      );
    }
    seen.add(region.id);
  });
  const frozen = deepFreeze(parsed);
  checkedCatalogues.add(frozen);
  return frozen;
}

/**
 * The frameworks argument: a non-empty list of ids, each resolved to its pack, sorted by id. A
 * repeated id is refused (`INVALID_OPTIONS` naming its index), as in `costCompliance` and
 * `riskReduction`: a list with a repeat is a mistake in the caller's input.
 */
export function resolveFrameworks(
  frameworks: unknown,
  registry: ReadonlyMap<string, RulePack>,
  what = "frameworks",
): RulePack[] {
  if (!Array.isArray(frameworks) || frameworks.length === 0) {
    throw invalidField(what, frameworks, "a non-empty list of framework ids");
  }
  const ids = new Set<string>();
  frameworks.forEach((framework, index) => {
    if (typeof framework !== "string" || !registry.has(framework)) {
      throw unknownFramework(`${what}[${index}]`, framework, registry.keys());
    }
    if (ids.has(framework)) {
      throw invalidField(`${what}[${index}]`, framework, "a framework not already listed");
    }
    ids.add(framework);
  });
  return [...ids].sort().map((id) => registry.get(id)!);
}

const optionsSchema = z
  .object({
    rulePacks: z.array(z.unknown()).optional(),
    regionCatalogue: z.unknown().optional(),
  })
  .strict();

/**
 * The options of a validation, read with `parseOptions` under `what` (`"options"`, or the report's
 * `"input"`): an unknown key gets the option it resembles (`rulePack`: did you mean `rulePacks`?), else the list of known options.
 */
function readOptions(
  options: unknown,
  what: string,
): { rulePacks: readonly unknown[]; catalogue: RegionCatalogue } {
  if (options === undefined) return { rulePacks: [], catalogue: awsRegionCatalogue };
  const { rulePacks, regionCatalogue } = parseOptions(optionsSchema, options, what);
  return {
    rulePacks: rulePacks ?? [],
    catalogue:
      regionCatalogue === undefined
        ? awsRegionCatalogue
        : parseRegionCatalogue(regionCatalogue, `${what}.regionCatalogue`),
  };
}

/** The outcome of one control for one request: what validation and the report both build on. */
export interface ControlOutcome {
  readonly pack: RulePack;
  readonly control: ComplianceControl;
  /** Absent when the control does not apply. */
  readonly applicability?: "applies" | "assumed";
  /** Why it does not apply (when `applicability` is absent). */
  readonly notApplicableReason?: string;
  /** The condition's failures (empty when it holds, or when there is no condition). */
  readonly failures: readonly ConditionFailure[];
}

/** Evaluates every control of the packs against the request, in pack order. */
export function evaluateControls(
  request: ComplianceRequest,
  packs: readonly RulePack[],
  catalogue: RegionCatalogue,
): ControlOutcome[] {
  const outcomes: ControlOutcome[] = [];
  for (const pack of packs) {
    for (const control of pack.controls) {
      let applicability: "applies" | "assumed" = "applies";
      if (control.appliesWhen !== undefined) {
        const scope = evaluateCondition(control.appliesWhen, request, catalogue);
        if (!scope.holds) {
          if (scope.failures.every((failure) => failure.missing)) applicability = "assumed";
          else {
            outcomes.push({
              pack,
              control,
              notApplicableReason: scope.failures.map((failure) => failure.message).join("; "),
              failures: [],
            });
            continue;
          }
        }
      }
      const failures =
        control.condition === undefined
          ? []
          : evaluateCondition(control.condition, request, catalogue).failures;
      outcomes.push({ pack, control, applicability, failures });
    }
  }
  return outcomes;
}

/**
 * Merges fixes that ask for the same thing of one field: one entry per field for `atLeast` and
 * `lengthAtLeast` (the largest bound), the regions two `oneOf` lists share (when they share any),
 * and identical changes once. Entries keep the order in which they first appear.
 */
function mergeRecommendations(
  items: readonly { fix: Fix; framework: string; control: string }[],
): ComplianceRecommendation[] {
  interface Entry {
    fix: Fix;
    readonly controls: { framework: string; control: string }[];
  }
  const entries: Entry[] = [];
  const mergeInto = (entry: Entry, fix: Fix): Fix | undefined => {
    const a = entry.fix;
    if ("all" in a || "any" in a || "all" in fix || "any" in fix) {
      return describeFix(a) === describeFix(fix) ? a : undefined;
    }
    if (a.field !== fix.field) return undefined;
    if ("atLeast" in a && "atLeast" in fix) return fix.atLeast > a.atLeast ? fix : a;
    if ("lengthAtLeast" in a && "lengthAtLeast" in fix) return fix.lengthAtLeast > a.lengthAtLeast ? fix : a;
    if ("oneOf" in a && "oneOf" in fix) {
      const common = a.oneOf.filter((value) => fix.oneOf.includes(value));
      return common.length > 0 ? { field: a.field, oneOf: common } : undefined;
    }
    return describeFix(a) === describeFix(fix) ? a : undefined;
  };
  for (const item of items) {
    const ref = { framework: item.framework, control: item.control };
    let merged = false;
    for (const entry of entries) {
      const fix = mergeInto(entry, item.fix);
      if (fix === undefined) continue;
      entry.fix = fix;
      if (!entry.controls.some((c) => c.framework === ref.framework && c.control === ref.control)) {
        entry.controls.push(ref);
      }
      merged = true;
      break;
    }
    if (!merged) entries.push({ fix: item.fix, controls: [ref] });
  }
  return entries.map((entry) => ({
    field: firstField(entry.fix),
    message: describeFix(entry.fix),
    controls: entry.controls,
  }));
}

function firstField(fix: Fix): string {
  if ("all" in fix) return firstField(fix.all[0]!);
  if ("any" in fix) return firstField(fix.any[0]!);
  return fix.field;
}

/** Builds the validation from evaluated controls (shared with `complianceReport`). */
export function validationFromOutcomes(
  outcomes: readonly ControlOutcome[],
  packs: readonly RulePack[],
  catalogue: RegionCatalogue,
): ComplianceValidation {
  const violations: ComplianceViolation[] = [];
  const requiredControls: RequiredControl[] = [];
  const notApplicable: NotApplicableControl[] = [];
  const fixes: { fix: Fix; framework: string; control: string }[] = [];
  for (const { pack, control, applicability, notApplicableReason, failures } of outcomes) {
    if (applicability === undefined) {
      notApplicable.push({
        framework: pack.framework,
        control: control.id,
        reason: notApplicableReason ?? "",
      });
      continue;
    }
    const obligation = control.obligation ?? "required";
    requiredControls.push({
      framework: pack.framework,
      control: control.id,
      title: control.title,
      citation: control.citation,
      fields: control.fields,
      obligation,
      applicability,
      checkable: control.condition !== undefined,
      ...(control.retention === undefined ? {} : { retention: control.retention }),
    });
    for (const failure of failures) {
      const qualifier = obligation === "required" ? "" : ` [${obligation}]`;
      violations.push({
        framework: pack.framework,
        control: control.id,
        field: failure.field,
        missing: failure.missing,
        message: `${pack.name} ${control.id} (${control.title})${qualifier}: ${failure.message}`,
        citation: control.citation,
        obligation,
        recommendation: describeFix(failure.fix),
      });
      fixes.push({ fix: failure.fix, framework: pack.framework, control: control.id });
    }
  }
  return deepFreeze({
    compliant: violations.length === 0,
    violations,
    recommendations: mergeRecommendations(fixes),
    requiredControls,
    notApplicable,
    frameworks: packs.map((pack) => ({ framework: pack.framework, name: pack.name, version: pack.version })),
    regionCatalogueAsOf: catalogue.asOf,
  });
}

/**
 * The checked inputs of a validation: request, packs (sorted by id) and catalogue. `names` prefixes
 * the fields of errors: `validateCompliance` names its arguments (`frameworks[1]`,
 * `options.rulePacks[0]`), `complianceReport` the fields of its input (`input.frameworks[1]`).
 */
export function prepareValidation(
  request: unknown,
  frameworks: unknown,
  options: unknown,
  names: { readonly frameworks: string; readonly options: string } = {
    frameworks: "frameworks",
    options: "options",
  },
): { request: ComplianceRequest; packs: RulePack[]; catalogue: RegionCatalogue } {
  const { rulePacks, catalogue } = readOptions(options, names.options);
  const parsedRequest = parseComplianceRequest(request, "request");
  const registry = rulePackRegistry(rulePacks, `${names.options}.rulePacks`);
  const packs = resolveFrameworks(frameworks, registry, names.frameworks);
  return { request: parsedRequest, packs, catalogue };
}

/**
 * Validates a resource request against the rule packs of the chosen frameworks: every control
 * that applies (its `appliesWhen` holds, or the request lacks the fields to tell) is evaluated, and
 * each failing one is a violation naming the field, with its citation and the change that would
 * fix it. A field the request lacks is a violation, not an error. Deterministic: the same input
 * gives the same output, whatever the order of `frameworks` (ids are sorted).
 *
 * Throws `INVALID_OPTIONS` for a request of the wrong shape (an unknown key is named with the key it
 * resembles), an empty `frameworks`, a repeated framework id (naming its index), an unknown
 * framework id (with "did you mean") or an unknown option (with the option it resembles); an
 * invalid pack of `options.rulePacks` (`DUPLICATE_ID` for two of one id) or region catalogue
 * throws naming its field.
 *
 * @example
 * ```ts
 * const result = validateCompliance(
 *   { region: "us-east-1", dataCategories: ["personal-data"], encryption: { atRest: true, inTransit: true }, replicas: 2 },
 *   ["gdpr"],
 * );
 * result.compliant; // false: us-east-1 without the Data Privacy Framework or Art. 46 safeguards
 * result.recommendations[0].message; // "set region to one of eu-west-1, eu-west-3, …, or (…)"
 * ```
 */
export function validateCompliance(
  request: ComplianceRequest,
  frameworks: readonly string[],
  options?: ValidateComplianceOptions,
): ComplianceValidation {
  const prepared = prepareValidation(request, frameworks, options);
  const outcomes = evaluateControls(prepared.request, prepared.packs, prepared.catalogue);
  return validationFromOutcomes(outcomes, prepared.packs, prepared.catalogue);
}

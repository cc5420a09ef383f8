import { EnisError } from "@enis/core";
import { deepFreeze, describeValue, editDistance, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { isRequestField } from "../validate/request.js";
import { fedrampRulePack } from "./fedramp.js";
import { gdprRulePack } from "./gdpr.js";
import { hipaaRulePack } from "./hipaa.js";
import { iso27001RulePack } from "./iso-27001.js";
import { pciDssRulePack } from "./pci-dss.js";
import { regionSetIds } from "./regions.js";
import { soxRulePack } from "./sox.js";
import type { BuiltInFrameworkId, Condition, RulePack } from "./types.js";

export { awsRegionCatalogue, regionInSet, regionSetIds, regionsInSet } from "./regions.js";
export type * from "./types.js";
export { fedrampRulePack, gdprRulePack, hipaaRulePack, iso27001RulePack, pciDssRulePack, soxRulePack };

/** The shipped packs by framework id, frozen. Serialise one with `JSON.stringify`; read it back with {@link parseRulePack}. */
export const builtInRulePacks: Readonly<Record<BuiltInFrameworkId, RulePack>> = deepFreeze({
  hipaa: hipaaRulePack,
  sox: soxRulePack,
  gdpr: gdprRulePack,
  "pci-dss": pciDssRulePack,
  fedramp: fedrampRulePack,
  "iso-27001": iso27001RulePack,
});

const conditionValue = z.union([z.string(), z.number(), z.boolean()]);
const fieldPath = z.string().min(1);

const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ field: fieldPath, equals: conditionValue }),
    z.strictObject({ field: fieldPath, atLeast: z.number() }),
    z.strictObject({ field: fieldPath, oneOf: z.array(conditionValue).min(1) }),
    z.strictObject({ field: fieldPath, includes: z.string() }),
    z.strictObject({ field: fieldPath, lengthAtLeast: z.number().int().min(0) }),
    z.strictObject({ field: fieldPath, inRegionSet: z.enum(regionSetIds as [string, ...string[]]) }),
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
  ]),
) as z.ZodType<Condition>;

const obligation = z.enum(["required", "addressable", "risk-based", "practice"]);
const requirementKey = z.enum([
  "encryptionAtRest",
  "encryptionInTransit",
  "keyManagement",
  "minReplicas",
  "govCloud",
  "auditLogging",
]);

const retentionSchema = z.strictObject({
  dataClass: z.enum(["documentation", "audit-evidence", "audit-logs"]),
  minimumDays: z.number().int().min(0),
  immediatelyAvailableDays: z.number().int().min(0).optional(),
  citation: z.string().min(1),
  period: z.string().min(1).optional(),
});

const packSchema = z.strictObject({
  framework: z.string().min(1),
  name: z.string().min(1),
  version: z.string().min(1),
  controls: z.array(
    z.strictObject({
      id: z.string().min(1),
      title: z.string().min(1),
      citation: z.string().min(1),
      fields: z.array(fieldPath),
      retention: retentionSchema.optional(),
      condition: conditionSchema.optional(),
      appliesWhen: conditionSchema.optional(),
      obligation: obligation.optional(),
      note: z.string().optional(),
    }),
  ),
  requirements: z.strictObject({
    encryptionAtRest: z.boolean(),
    encryptionInTransit: z.boolean(),
    keyManagement: z.enum(["none", "kms", "hsm"]),
    minReplicas: z.number().int().min(1),
    govCloud: z.boolean(),
    auditLogging: z.boolean(),
    citations: z.partialRecord(requirementKey, z.string()),
    basis: z.partialRecord(requirementKey, obligation).optional(),
  }),
  notes: z.array(z.string()).optional(),
});

/** The request fields a condition reads, in order of appearance (duplicates kept once). */
export function conditionFields(condition: Condition, into: string[] = []): string[] {
  if ("all" in condition) for (const part of condition.all) conditionFields(part, into);
  else if ("any" in condition) for (const part of condition.any) conditionFields(part, into);
  else if (!into.includes(condition.field)) into.push(condition.field);
  return into;
}

/**
 * Checks a rule pack (one read from JSON, or a caller's own) and returns it deeply frozen. Beyond
 * the shape: control ids are unique (`DUPLICATE_ID`), every field a condition reads is a request
 * field (or `attributes.<name>`) and is listed in the control's `fields`, and a retention's
 * immediately available days do not exceed its minimum. Throws `INVALID_OPTIONS` naming the field.
 */
export function parseRulePack(pack: unknown, what = "pack"): RulePack {
  const parsed = parseOptions(packSchema, pack, what) as RulePack;
  const seen = new Set<string>();
  parsed.controls.forEach((control, index) => {
    const at = `${what}.controls[${index}]`;
    if (seen.has(control.id)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `${at}.id must be unique within the pack, got ${describeValue(control.id)}`,
        {
          field: `${at}.id`,
        },
      );
    }
    seen.add(control.id);
    for (const [key, condition] of [
      ["condition", control.condition],
      ["appliesWhen", control.appliesWhen],
    ] as const) {
      if (condition === undefined) continue;
      for (const field of conditionFields(condition)) {
        if (!isRequestField(field)) {
          throw invalidField(
            `${at}.${key}`,
            field,
            "a condition on request fields (see requestFields, or attributes.<name>)",
          );
        }
        if (key === "condition" && !control.fields.includes(field)) {
          throw invalidField(
            `${at}.fields`,
            control.fields,
            `a list that includes ${describeValue(field)}, which the condition reads`,
          );
        }
      }
    }
    const retention = control.retention;
    if (
      retention?.immediatelyAvailableDays !== undefined &&
      retention.immediatelyAvailableDays > retention.minimumDays
    ) {
      throw invalidField(
        `${at}.retention.immediatelyAvailableDays`,
        retention.immediatelyAvailableDays,
        `at most retention.minimumDays (${retention.minimumDays})`,
      );
    }
  });
  return deepFreeze(parsed);
}

/**
 * The packs a lookup sees: the built-in ones, then the caller's `rulePacks` (checked by
 * {@link parseRulePack}); a caller's pack with a built-in framework id replaces the built-in one.
 * Two of the caller's packs with one id: `DUPLICATE_ID`. Errors name the field as `what[i]…`
 * (`validateCompliance` passes `"options.rulePacks"`).
 */
export function rulePackRegistry(
  rulePacks: readonly unknown[] = [],
  what = "rulePacks",
): ReadonlyMap<string, RulePack> {
  if (!Array.isArray(rulePacks)) throw invalidField(what, rulePacks, "an array of rule packs");
  const registry = new Map<string, RulePack>(Object.entries(builtInRulePacks));
  const extra = new Set<string>();
  rulePacks.forEach((candidate, index) => {
    const pack = parseRulePack(candidate, `${what}[${index}]`);
    if (extra.has(pack.framework)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `${what}[${index}].framework must be unique among the packs given, got ${describeValue(pack.framework)}`,
        { field: `${what}[${index}].framework` },
      );
    }
    extra.add(pack.framework);
    registry.set(pack.framework, pack);
  });
  return registry;
}

/** Throws the `INVALID_OPTIONS` error for an unknown framework id, with the known id it most resembles. */
export function unknownFramework(field: string, framework: unknown, known: Iterable<string>): EnisError {
  const ids = [...known].sort();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  if (typeof framework === "string") {
    for (const id of ids) {
      const distance = editDistance(framework.toLowerCase(), id);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = id;
      }
    }
  }
  const hint =
    best !== undefined &&
    typeof framework === "string" &&
    bestDistance <= Math.max(2, Math.floor(framework.length / 3))
      ? ` (did you mean ${JSON.stringify(best)}?)`
      : "";
  return new EnisError(
    "INVALID_OPTIONS",
    `${field} must be a known framework${hint}: one of ${ids.join(", ")}, got ${describeValue(framework)}`,
    { field },
  );
}

/**
 * The rule pack of a framework: a built-in one, or one of `rulePacks` (which override built-ins
 * of the same id). An unknown id throws `INVALID_OPTIONS` with a "did you mean".
 *
 * @example
 * ```ts
 * rulePack("hipaa").controls[0].retention?.minimumDays; // 2192
 * rulePack("acme-policy", [acmePack]);
 * ```
 */
export function rulePack(framework: string, rulePacks: readonly unknown[] = []): RulePack {
  const registry = rulePackRegistry(rulePacks);
  const pack = typeof framework === "string" ? registry.get(framework) : undefined;
  if (pack === undefined) throw unknownFramework("framework", framework, registry.keys());
  return pack;
}

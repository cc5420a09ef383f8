import { EnisError } from "@enis/core";
import { deepFreeze, describeValue, editDistance, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { tidy } from "../costs/money.js";
import type {
  GovCloudPricing,
  InstancePriceKind,
  InstanceTypeInput,
  InstanceTypeSpec,
  KmsPrices,
  LambdaPrices,
  PriceProvenance,
  PricingCatalogue,
  PricingCatalogueInput,
  PricingCatalogueOverrides,
  PurchaseOption,
  StoragePrices,
  TransferPrices,
} from "./types.js";

const nonEmpty = z.string().min(1);
const usd = z.number().min(0);
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date written YYYY-MM-DD")
  .refine((text) => {
    const time = Date.parse(`${text}T00:00:00Z`);
    return Number.isFinite(time) && new Date(time).toISOString().startsWith(text);
  }, "a calendar date written YYYY-MM-DD");

const provenanceShape = {
  source: nonEmpty,
  asOf: isoDate,
  approximate: z.boolean().optional(),
  note: nonEmpty.optional(),
};
const provenanceSchema = z.strictObject(provenanceShape);

const instanceNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const instanceNameSchema = z
  .string()
  .regex(
    instanceNamePattern,
    'an instance type name (letters, digits, ".", "-", "_"; at most 64 characters)',
  );

const instanceTypeSchema = z.strictObject({
  name: instanceNameSchema.optional(),
  family: nonEmpty.optional(),
  category: z.enum(["general", "compute", "memory", "burstable", "gpu", "other"]).optional(),
  vcpus: z.number().int().min(1),
  memoryGib: z.number().positive(),
  architecture: z.enum(["x86_64", "arm64"]),
  gpus: z.number().int().min(0).optional(),
  gpuModel: nonEmpty.optional(),
  onDemandHourlyUsd: usd,
  spotHourlyUsd: usd,
  reserved1yHourlyUsd: usd,
  reserved3yHourlyUsd: usd,
  spotInterruption: z.enum(["<5%", "5-10%", "10-15%", "15-20%", ">20%"]).optional(),
  sources: z
    .strictObject({
      onDemand: provenanceSchema.optional(),
      spot: provenanceSchema.optional(),
      reserved1y: provenanceSchema.optional(),
      reserved3y: provenanceSchema.optional(),
    })
    .optional(),
});

const lambdaArchitectureSchema = z.strictObject({ gbSecondUsd: usd, requestUsd: usd });
const storageTierSchema = z.strictObject({ gbMonthUsd: usd, product: nonEmpty.optional() });

const catalogueSchema = z.strictObject({
  provider: nonEmpty,
  region: nonEmpty,
  instanceTypes: z.record(instanceNameSchema, instanceTypeSchema),
  instanceTypeSources: z.strictObject({
    onDemand: provenanceSchema,
    spot: provenanceSchema,
    reserved1y: provenanceSchema,
    reserved3y: provenanceSchema,
  }),
  lambda: z.strictObject({
    ...provenanceShape,
    x86_64: lambdaArchitectureSchema,
    arm64: lambdaArchitectureSchema,
  }),
  storage: z.strictObject({
    ...provenanceShape,
    hot: storageTierSchema,
    warm: storageTierSchema,
    cold: storageTierSchema,
    archive: storageTierSchema,
  }),
  transfer: z.strictObject({ ...provenanceShape, internetOutGbUsd: usd }),
  kms: z.strictObject({ ...provenanceShape, keyMonthUsd: usd, per10kRequestsUsd: usd }),
  govCloud: z.strictObject({ ...provenanceShape, multiplier: z.number().positive() }),
});

type ParsedCatalogue = z.output<typeof catalogueSchema>;
type ParsedProvenance = z.output<typeof provenanceSchema>;

/**
 * The documented JSON form, as the schema's input: this fails to compile if the schema requires a
 * field the type lacks or types one differently
 * (toGovCloud builds its data as a {@link PricingCatalogueInput} and passes it through here).
 */
function asSchemaInput(input: z.input<typeof catalogueSchema>): unknown {
  return input;
}

/** Catalogues built (so validated) here; a look-alike object could carry NaN prices. */
const madeCatalogues = new WeakSet<object>();

function provenanceOf(parsed: ParsedProvenance | (ParsedProvenance & object)): PriceProvenance {
  return {
    source: parsed.source,
    asOf: parsed.asOf,
    approximate: parsed.approximate ?? false,
    ...(parsed.note === undefined ? {} : { note: parsed.note }),
  };
}

/** The validated form of a parsed catalogue, with defaults filled, frozen and registered. */
function build(parsed: ParsedCatalogue, what: string): PricingCatalogue {
  const instanceTypes: Record<string, InstanceTypeSpec> = Object.create(null);
  for (const [name, entry] of Object.entries(parsed.instanceTypes)) {
    if (entry.name !== undefined && entry.name !== name) {
      const field = `${what}.instanceTypes[${JSON.stringify(name)}].name`;
      throw invalidField(field, entry.name, `${JSON.stringify(name)} (its key) or absent`);
    }
    if (entry.gpuModel !== undefined && (entry.gpus ?? 0) === 0) {
      const field = `${what}.instanceTypes[${JSON.stringify(name)}].gpuModel`;
      throw invalidField(field, entry.gpuModel, "absent when the type has no GPUs");
    }
    let sources: Partial<Record<InstancePriceKind, PriceProvenance>> | undefined;
    if (entry.sources !== undefined) {
      sources = {};
      for (const kind of ["onDemand", "spot", "reserved1y", "reserved3y"] as const) {
        const own = entry.sources[kind];
        if (own !== undefined) sources[kind] = provenanceOf(own);
      }
    }
    instanceTypes[name] = {
      name,
      family: entry.family ?? name.split(".")[0]!,
      category: entry.category ?? "other",
      vcpus: entry.vcpus,
      memoryGib: entry.memoryGib,
      architecture: entry.architecture,
      gpus: entry.gpus ?? 0,
      ...(entry.gpuModel === undefined ? {} : { gpuModel: entry.gpuModel }),
      onDemandHourlyUsd: entry.onDemandHourlyUsd,
      spotHourlyUsd: entry.spotHourlyUsd,
      reserved1yHourlyUsd: entry.reserved1yHourlyUsd,
      reserved3yHourlyUsd: entry.reserved3yHourlyUsd,
      ...(entry.spotInterruption === undefined ? {} : { spotInterruption: entry.spotInterruption }),
      ...(sources === undefined ? {} : { sources }),
    };
  }
  const { lambda, storage, transfer, kms, govCloud } = parsed;
  const catalogue: PricingCatalogue = {
    provider: parsed.provider,
    region: parsed.region,
    instanceTypes,
    instanceTypeSources: {
      onDemand: provenanceOf(parsed.instanceTypeSources.onDemand),
      spot: provenanceOf(parsed.instanceTypeSources.spot),
      reserved1y: provenanceOf(parsed.instanceTypeSources.reserved1y),
      reserved3y: provenanceOf(parsed.instanceTypeSources.reserved3y),
    },
    lambda: {
      ...provenanceOf(lambda),
      x86_64: { gbSecondUsd: lambda.x86_64.gbSecondUsd, requestUsd: lambda.x86_64.requestUsd },
      arm64: { gbSecondUsd: lambda.arm64.gbSecondUsd, requestUsd: lambda.arm64.requestUsd },
    } satisfies LambdaPrices,
    storage: {
      ...provenanceOf(storage),
      hot: tierPrice(storage.hot),
      warm: tierPrice(storage.warm),
      cold: tierPrice(storage.cold),
      archive: tierPrice(storage.archive),
    } satisfies StoragePrices,
    transfer: {
      ...provenanceOf(transfer),
      internetOutGbUsd: transfer.internetOutGbUsd,
    } satisfies TransferPrices,
    kms: {
      ...provenanceOf(kms),
      keyMonthUsd: kms.keyMonthUsd,
      per10kRequestsUsd: kms.per10kRequestsUsd,
    } satisfies KmsPrices,
    govCloud: { ...provenanceOf(govCloud), multiplier: govCloud.multiplier } satisfies GovCloudPricing,
  };
  deepFreeze(catalogue);
  madeCatalogues.add(catalogue);
  return catalogue;
}

function tierPrice(parsed: { gbMonthUsd: number; product?: string | undefined }) {
  return {
    gbMonthUsd: parsed.gbMonthUsd,
    ...(parsed.product === undefined ? {} : { product: parsed.product }),
  };
}

/**
 * Validates a pricing catalogue — a JSON text or the object it parses to — and returns it
 * deeply frozen, with defaults filled (see {@link PricingCatalogueInput}). Every price must be a
 * finite number >= 0 (no NaN), every `asOf` a calendar date `YYYY-MM-DD`, and unknown keys are
 * reported with the known key they resemble. Throws `EnisError("INVALID_OPTIONS")` naming the field
 * (`catalogue.instanceTypes["m5.large"].spotHourlyUsd must be at least 0, got -1`).
 *
 * @example
 * ```ts
 * const catalogue = loadCatalogue(readFileSync("prices.json", "utf8"));
 * computeCost({ instanceType: "m5.large", hours: 730 }, catalogue).costUsd;
 * ```
 */
export function loadCatalogue(json: unknown): PricingCatalogue {
  let data = json;
  if (typeof json === "string") {
    try {
      data = JSON.parse(json);
    } catch (error) {
      throw invalidField("catalogue", json, "a JSON text of a pricing catalogue", error);
    }
  }
  rejectProtoKeys(data, "catalogue");
  return build(parseOptions(catalogueSchema, data, "catalogue"), "catalogue");
}

/**
 * Throws `INVALID_OPTIONS` for an own `"__proto__"` key anywhere in `value` (JSON.parse makes one
 * from `{"__proto__": …}`): zod drops such a key from a record without a word, and a price would
 * silently go missing.
 */
function rejectProtoKeys(value: unknown, field: string): void {
  if (typeof value !== "object" || value === null) return;
  if (Object.hasOwn(value, "__proto__")) {
    throw invalidField(
      `${field}.__proto__`,
      Object.getOwnPropertyDescriptor(value, "__proto__")?.value,
      'absent ("__proto__" is not a name)',
    );
  }
  for (const [key, child] of Object.entries(value)) {
    rejectProtoKeys(
      child,
      /^[A-Za-z_$][\w$]*$/.test(key) ? `${field}.${key}` : `${field}[${JSON.stringify(key)}]`,
    );
  }
}

/**
 * A new catalogue: `base` with `overrides` merged in field by field (objects merge, anything else
 * replaces), validated as a whole. An existing instance type takes the fields given; a new name
 * adds a type, which then needs every required field. Errors name the field under `overrides`.
 *
 * @example
 * ```ts
 * // A negotiated discount on one type, and a region-wide spot snapshot of your own.
 * const mine = withOverrides(defaultAwsCatalogue, {
 *   instanceTypes: { "m5.large": { onDemandHourlyUsd: 0.0864 } },
 *   instanceTypeSources: { spot: { source: "aws ec2 describe-spot-price-history", asOf: "2026-11-30" } },
 * });
 * ```
 */
export function withOverrides(
  base: PricingCatalogue,
  overrides: PricingCatalogueOverrides,
): PricingCatalogue {
  const catalogue = checkCatalogue(base, "base");
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
    throw invalidField("overrides", overrides, "an object");
  }
  rejectProtoKeys(overrides, "overrides");
  const merged = merge(catalogue, overrides);
  return build(parseOptions(catalogueSchema, merged, "overrides"), "overrides");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `base` with `patch` merged in; new objects throughout, keys defined (never a prototype set by "__proto__"). */
function merge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch) || !isPlainObject(base)) return patch;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(base)) {
    Object.defineProperty(out, key, {
      value: base[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === undefined) continue;
    const merged = Object.hasOwn(out, key) ? merge(out[key], value) : value;
    Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A new catalogue for AWS GovCloud (US): every price of `base` times its `govCloud.multiplier`,
 * each provenance marked approximate (the multiplier is a typical ratio, not a GovCloud price list).
 * `base` must be a commercial-region catalogue (applying the multiplier twice is refused).
 *
 * @example
 * ```ts
 * const gov = toGovCloud(defaultAwsCatalogue);
 * instanceType(gov, "m5.large").onDemandHourlyUsd; // 0.1152 (0.096 × 1.2)
 * ```
 */
export function toGovCloud(base: PricingCatalogue, options: { region?: string } = {}): PricingCatalogue {
  const catalogue = checkCatalogue(base, "base");
  if (typeof options !== "object" || options === null) throw invalidField("options", options, "an object");
  for (const key of Object.keys(options)) {
    if (key !== "region")
      throw invalidField(
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        "absent (known: region)",
      );
  }
  const region = options.region ?? "us-gov-west-1";
  // A GovCloud region's name starts "us-gov-" (us-gov-west-1, us-gov-east-1): the result's region
  // then marks it GovCloud, and applying the multiplier to it again is refused below.
  if (typeof region !== "string" || !/^us-gov-[a-z0-9-]+$/.test(region)) {
    throw invalidField("options.region", region, 'a GovCloud region ("us-gov-west-1", "us-gov-east-1")');
  }
  if (catalogue.region.startsWith("us-gov-")) {
    throw invalidField(
      "base.region",
      catalogue.region,
      "a commercial region (the GovCloud multiplier is already applied)",
    );
  }
  const factor = catalogue.govCloud.multiplier;
  const scaled = (value: number): number => tidy(value * factor);
  const mark = (provenance: PriceProvenance): PriceProvenance => ({
    ...provenance,
    approximate: true,
    note: `${provenance.note === undefined ? "" : `${provenance.note} `}× GovCloud multiplier ${factor} (a typical ratio, not a GovCloud price list).`,
  });
  const instanceTypes: Record<string, InstanceTypeInput> = Object.create(null);
  for (const [name, spec] of Object.entries(catalogue.instanceTypes)) {
    let sources: Record<string, PriceProvenance> | undefined;
    if (spec.sources !== undefined) {
      sources = {};
      for (const [kind, provenance] of Object.entries(spec.sources)) sources[kind] = mark(provenance);
    }
    instanceTypes[name] = {
      ...spec,
      onDemandHourlyUsd: scaled(spec.onDemandHourlyUsd),
      spotHourlyUsd: scaled(spec.spotHourlyUsd),
      reserved1yHourlyUsd: scaled(spec.reserved1yHourlyUsd),
      reserved3yHourlyUsd: scaled(spec.reserved3yHourlyUsd),
      ...(sources === undefined ? {} : { sources }),
    };
  }
  const { lambda, storage, transfer, kms, instanceTypeSources } = catalogue;
  const data: PricingCatalogueInput = {
    provider: catalogue.provider,
    region,
    instanceTypes,
    instanceTypeSources: {
      onDemand: mark(instanceTypeSources.onDemand),
      spot: mark(instanceTypeSources.spot),
      reserved1y: mark(instanceTypeSources.reserved1y),
      reserved3y: mark(instanceTypeSources.reserved3y),
    },
    lambda: {
      ...mark(lambda),
      x86_64: {
        gbSecondUsd: scaled(lambda.x86_64.gbSecondUsd),
        requestUsd: scaled(lambda.x86_64.requestUsd),
      },
      arm64: { gbSecondUsd: scaled(lambda.arm64.gbSecondUsd), requestUsd: scaled(lambda.arm64.requestUsd) },
    },
    storage: {
      ...mark(storage),
      hot: { ...storage.hot, gbMonthUsd: scaled(storage.hot.gbMonthUsd) },
      warm: { ...storage.warm, gbMonthUsd: scaled(storage.warm.gbMonthUsd) },
      cold: { ...storage.cold, gbMonthUsd: scaled(storage.cold.gbMonthUsd) },
      archive: { ...storage.archive, gbMonthUsd: scaled(storage.archive.gbMonthUsd) },
    },
    transfer: { ...mark(transfer), internetOutGbUsd: scaled(transfer.internetOutGbUsd) },
    kms: {
      ...mark(kms),
      keyMonthUsd: scaled(kms.keyMonthUsd),
      per10kRequestsUsd: scaled(kms.per10kRequestsUsd),
    },
    govCloud: catalogue.govCloud,
  };
  return build(parseOptions(catalogueSchema, asSchemaInput(data), "catalogue"), "catalogue");
}

/**
 * The instance type `name` of `catalogue`. Throws `EnisError("UNKNOWN_INSTANCE_TYPE")` naming it,
 * with the closest name the catalogue holds when one is close (`"m5.lrge"` → did you mean `"m5.large"`).
 *
 * @example
 * ```ts
 * instanceType(defaultAwsCatalogue, "m7g.large").architecture; // "arm64"
 * ```
 */
export function instanceType(catalogue: PricingCatalogue, name: string): InstanceTypeSpec {
  return lookupInstanceType(checkCatalogue(catalogue, "catalogue"), name, "instanceType");
}

/** {@link instanceType} on a catalogue already checked; `field` names the argument in the error. */
export function lookupInstanceType(
  catalogue: PricingCatalogue,
  name: unknown,
  field: string,
): InstanceTypeSpec {
  if (typeof name === "string" && Object.hasOwn(catalogue.instanceTypes, name)) {
    return catalogue.instanceTypes[name]!;
  }
  const hint = typeof name === "string" ? closestName(name, Object.keys(catalogue.instanceTypes)) : undefined;
  const count = Object.keys(catalogue.instanceTypes).length;
  throw new EnisError(
    "UNKNOWN_INSTANCE_TYPE",
    `${field} must be one of the ${count} instance types of the ${catalogue.provider} ${catalogue.region} catalogue${
      hint === undefined ? "" : ` (did you mean ${JSON.stringify(hint)}?)`
    }, got ${describeValue(name)}`,
    { field },
  );
}

/** The closest of `names` to `name` by edit distance (case-insensitive), when close enough to be a typo. */
function closestName(name: string, names: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of names) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

/** The hourly price of `spec` under `purchase`, in USD. */
export function hourlyPrice(spec: InstanceTypeSpec, purchase: PurchaseOption): number {
  switch (purchase) {
    case "on-demand":
      return spec.onDemandHourlyUsd;
    case "spot":
      return spec.spotHourlyUsd;
    case "reserved-1y":
      return spec.reserved1yHourlyUsd;
    case "reserved-3y":
      return spec.reserved3yHourlyUsd;
  }
}

const priceKindOf: Readonly<Record<PurchaseOption, InstancePriceKind>> = {
  "on-demand": "onDemand",
  spot: "spot",
  "reserved-1y": "reserved1y",
  "reserved-3y": "reserved3y",
};

/**
 * Where the price of `instanceTypeName` under `purchase` comes from: the type's own `sources`
 * entry when it has one, else the catalogue's `instanceTypeSources`.
 *
 * @example
 * ```ts
 * priceProvenance(defaultAwsCatalogue, "m5.large", "spot").approximate; // true
 * ```
 */
export function priceProvenance(
  catalogue: PricingCatalogue,
  instanceTypeName: string,
  purchase: PurchaseOption,
): PriceProvenance {
  const checked = checkCatalogue(catalogue, "catalogue");
  const spec = lookupInstanceType(checked, instanceTypeName, "instanceTypeName");
  return provenanceFor(checked, spec, checkPurchase(purchase, "purchase"));
}

/** {@link priceProvenance} on arguments already checked. */
export function provenanceFor(
  catalogue: PricingCatalogue,
  spec: InstanceTypeSpec,
  purchase: PurchaseOption,
): PriceProvenance {
  const kind = priceKindOf[purchase];
  return spec.sources?.[kind] ?? catalogue.instanceTypeSources[kind];
}

/** Returns `value` when it is a purchase option, `"on-demand"` when undefined; throws `INVALID_OPTIONS` otherwise. */
export function checkPurchase(value: unknown, field: string): PurchaseOption {
  if (value === undefined) return "on-demand";
  if (value === "on-demand" || value === "spot" || value === "reserved-1y" || value === "reserved-3y")
    return value;
  throw invalidField(field, value, 'one of "on-demand", "spot", "reserved-1y", "reserved-3y"');
}

/**
 * Checks that `value` is a catalogue built by this package and returns it. Throws
 * `INVALID_OPTIONS` naming `field` otherwise.
 */
export function checkCatalogue(value: unknown, field: string): PricingCatalogue {
  if (typeof value !== "object" || value === null || !madeCatalogues.has(value)) {
    throw invalidField(
      field,
      value,
      "a pricing catalogue (loadCatalogue, withOverrides, toGovCloud or defaultAwsCatalogue)",
    );
  }
  return value as PricingCatalogue;
}

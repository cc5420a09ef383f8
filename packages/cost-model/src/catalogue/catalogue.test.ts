import {
  computeCost,
  defaultAwsCatalogue,
  instanceType,
  loadCatalogue,
  type PricingCatalogue,
  priceProvenance,
  toGovCloud,
  withOverrides,
} from "@enis/cost-model";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../../test-support/enis-error.js";

/** The default catalogue as the JSON a user would write. */
const defaultJson = (): Record<string, unknown> => JSON.parse(JSON.stringify(defaultAwsCatalogue));

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every(isDeepFrozen);
}

describe("defaultAwsCatalogue", () => {
  it("validates against the schema: its JSON loads back to an equal catalogue", () => {
    const reloaded = loadCatalogue(JSON.stringify(defaultAwsCatalogue));
    expect(JSON.parse(JSON.stringify(reloaded))).toEqual(defaultJson());
    expect(isDeepFrozen(defaultAwsCatalogue)).toBe(true);
  });

  it("holds a few dozen types across the general, compute, memory, Graviton and GPU families", () => {
    const types = Object.values(defaultAwsCatalogue.instanceTypes);
    expect(types.length).toBeGreaterThanOrEqual(36);
    const families = new Set(types.map((type) => type.family));
    for (const family of [
      "m5",
      "m6i",
      "m7i",
      "c5",
      "c6i",
      "c7i",
      "r5",
      "r6i",
      "r7i",
      "m7g",
      "c7g",
      "r7g",
      "t4g",
    ]) {
      expect(families.has(family), family).toBe(true);
    }
    expect(types.some((type) => type.gpus > 0 && type.category === "gpu")).toBe(true);
    for (const type of types) {
      expect(type.architecture).toBe(/^[a-z]+\dg/.test(type.family) ? "arm64" : "x86_64");
      // The default's spot and reserved figures are discounts off on-demand.
      expect(type.spotHourlyUsd).toBeLessThan(type.onDemandHourlyUsd);
      expect(type.reserved3yHourlyUsd).toBeLessThan(type.reserved1yHourlyUsd);
      expect(type.reserved1yHourlyUsd).toBeLessThan(type.onDemandHourlyUsd);
    }
  });

  it("carries the published figures the issue names", () => {
    const m5 = instanceType(defaultAwsCatalogue, "m5.large");
    expect(m5).toMatchObject({
      vcpus: 2,
      memoryGib: 8,
      architecture: "x86_64",
      gpus: 0,
      onDemandHourlyUsd: 0.096,
    });
    expect(instanceType(defaultAwsCatalogue, "g4dn.xlarge")).toMatchObject({
      gpus: 1,
      gpuModel: "NVIDIA T4",
    });
    expect(defaultAwsCatalogue.lambda.x86_64).toEqual({ gbSecondUsd: 0.0000166667, requestUsd: 0.0000002 });
    expect(defaultAwsCatalogue.lambda.arm64).toEqual({ gbSecondUsd: 0.0000133334, requestUsd: 0.0000002 });
    const { storage, transfer, kms } = defaultAwsCatalogue;
    expect([storage.hot, storage.warm, storage.cold, storage.archive].map((tier) => tier.gbMonthUsd)).toEqual(
      [0.023, 0.0125, 0.004, 0.00099],
    );
    expect(transfer.internetOutGbUsd).toBe(0.09);
    expect([kms.keyMonthUsd, kms.per10kRequestsUsd]).toEqual([1, 0.03]);
  });

  it("says where each group of figures comes from, when, and which are estimates", () => {
    const sources = defaultAwsCatalogue.instanceTypeSources;
    expect(sources.onDemand.approximate).toBe(false);
    expect(sources.spot.approximate).toBe(true);
    expect(sources.spot.note).toMatch(/not a quote/);
    expect(sources.reserved1y.approximate).toBe(true);
    expect(sources.reserved3y.approximate).toBe(true);
    const groups = [
      ...Object.values(sources),
      defaultAwsCatalogue.lambda,
      defaultAwsCatalogue.storage,
      defaultAwsCatalogue.transfer,
      defaultAwsCatalogue.kms,
      defaultAwsCatalogue.govCloud,
    ];
    for (const group of groups) {
      expect(group.source).toMatch(/^https:\/\//);
      expect(group.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(priceProvenance(defaultAwsCatalogue, "m5.large", "spot")).toBe(sources.spot);
  });
});

describe("loadCatalogue", () => {
  it("fills defaults: name, family, category, gpus, approximate", () => {
    const json = defaultJson();
    const types = json["instanceTypes"] as Record<string, Record<string, unknown>>;
    types["x9.large"] = {
      vcpus: 2,
      memoryGib: 4,
      architecture: "arm64",
      onDemandHourlyUsd: 0.05,
      spotHourlyUsd: 0.02,
      reserved1yHourlyUsd: 0.03,
      reserved3yHourlyUsd: 0.02,
    };
    (json["transfer"] as Record<string, unknown>)["approximate"] = undefined;
    const catalogue = loadCatalogue(json);
    expect(instanceType(catalogue, "x9.large")).toMatchObject({
      name: "x9.large",
      family: "x9",
      category: "other",
      gpus: 0,
    });
    expect(catalogue.transfer.approximate).toBe(false);
    expect(Object.getPrototypeOf(catalogue.instanceTypes)).toBe(null);
  });

  it("rejects a NaN, negative or missing price, naming the field", () => {
    const cases: [unknown, string, RegExp][] = [
      [Number.NaN, "spotHourlyUsd", /must be a number, got NaN/],
      [-0.01, "spotHourlyUsd", /must be at least 0, got -0.01/],
      [Number.POSITIVE_INFINITY, "spotHourlyUsd", /must be a number, got Infinity/],
      [undefined, "spotHourlyUsd", /must be a number, got undefined/],
    ];
    for (const [value, key, message] of cases) {
      const json = defaultJson();
      (json["instanceTypes"] as Record<string, Record<string, unknown>>)["m5.large"]![key] = value;
      const error = catchEnisError(() => loadCatalogue(json));
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.field).toBe(`catalogue.instanceTypes["m5.large"].${key}`);
      expect(error.message).toMatch(message);
    }
    const json = defaultJson();
    (json["lambda"] as { arm64: Record<string, unknown> }).arm64["gbSecondUsd"] = Number.NaN;
    expect(catchEnisError(() => loadCatalogue(json)).field).toBe("catalogue.lambda.arm64.gbSecondUsd");
  });

  it("rejects unknown keys with a hint, bad dates, bad JSON, a mismatched name, a GPU model without GPUs", () => {
    const typo = defaultJson();
    typo["lamda"] = typo["lambda"];
    expect(catchEnisError(() => loadCatalogue(typo)).message).toMatch(
      /^catalogue\.lamda is not a known option \(did you mean "lambda"\?\), got \{"source"/,
    );
    const date = defaultJson();
    (date["kms"] as Record<string, unknown>)["asOf"] = "2021-02-30";
    expect(catchEnisError(() => loadCatalogue(date)).message).toBe(
      'catalogue.kms.asOf must be a calendar date written YYYY-MM-DD, got "2021-02-30"',
    );
    const bad = catchEnisError(() => loadCatalogue("{ not json"));
    expect([bad.code, bad.field]).toEqual(["INVALID_OPTIONS", "catalogue"]);
    const name = defaultJson();
    (name["instanceTypes"] as Record<string, Record<string, unknown>>)["m5.large"]!["name"] = "m5.xlarge";
    expect(catchEnisError(() => loadCatalogue(name)).field).toBe('catalogue.instanceTypes["m5.large"].name');
    const gpu = defaultJson();
    (gpu["instanceTypes"] as Record<string, Record<string, unknown>>)["m5.large"]!["gpuModel"] = "NVIDIA T4";
    expect(catchEnisError(() => loadCatalogue(gpu)).field).toBe(
      'catalogue.instanceTypes["m5.large"].gpuModel',
    );
    expect(catchEnisError(() => loadCatalogue(null)).code).toBe("INVALID_OPTIONS");
  });
});

describe("withOverrides", () => {
  it("merges parts and leaves the base unchanged", () => {
    const mine = withOverrides(defaultAwsCatalogue, {
      region: "us-east-1 (EDP)",
      instanceTypes: { "m5.large": { onDemandHourlyUsd: 0.0864 } },
      instanceTypeSources: { spot: { source: "describe-spot-price-history", asOf: "2026-11-30" } },
      lambda: { arm64: { gbSecondUsd: 0.000012 } },
    });
    expect(instanceType(mine, "m5.large").onDemandHourlyUsd).toBe(0.0864);
    expect(instanceType(mine, "m5.large").spotHourlyUsd).toBe(0.03264);
    expect(mine.instanceTypeSources.spot).toEqual({
      source: "describe-spot-price-history",
      asOf: "2026-11-30",
      approximate: true,
      note: defaultAwsCatalogue.instanceTypeSources.spot.note,
    });
    expect(mine.lambda.arm64).toEqual({ gbSecondUsd: 0.000012, requestUsd: 0.0000002 });
    expect(mine.region).toBe("us-east-1 (EDP)");
    expect(instanceType(defaultAwsCatalogue, "m5.large").onDemandHourlyUsd).toBe(0.096);
    expect(computeCost({ instanceType: "m5.large", hours: 10 }, mine).costUsd).toBe(0.864);
    expect(isDeepFrozen(mine)).toBe(true);
  });

  it("adds a type only with every required field, and names the field under overrides", () => {
    const error = catchEnisError(() =>
      withOverrides(defaultAwsCatalogue, { instanceTypes: { "x1.large": { onDemandHourlyUsd: 1 } } }),
    );
    expect([error.code, error.field]).toEqual([
      "INVALID_OPTIONS",
      'overrides.instanceTypes["x1.large"].vcpus',
    ]);
    const nan = catchEnisError(() =>
      withOverrides(defaultAwsCatalogue, { instanceTypes: { "m5.large": { spotHourlyUsd: Number.NaN } } }),
    );
    expect(nan.message).toBe('overrides.instanceTypes["m5.large"].spotHourlyUsd must be a number, got NaN');
  });

  it("refuses a base that is not a catalogue built here, and a __proto__ key", () => {
    const fake = defaultJson() as unknown as PricingCatalogue;
    expect(catchEnisError(() => withOverrides(fake, {})).field).toBe("base");
    const proto = JSON.parse('{"instanceTypes": {"__proto__": {"vcpus": 1}}}');
    expect(catchEnisError(() => withOverrides(defaultAwsCatalogue, proto)).field).toBe(
      "overrides.instanceTypes.__proto__",
    );
    const json = defaultJson();
    Object.defineProperty(json["instanceTypes"], "__proto__", { value: {}, enumerable: true });
    expect(catchEnisError(() => loadCatalogue(json)).field).toBe("catalogue.instanceTypes.__proto__");
    expect(({} as Record<string, unknown>)["vcpus"]).toBeUndefined();
  });
});

describe("instanceType", () => {
  it("names an unknown type, with the closest known one when it is a likely typo", () => {
    const typo = catchEnisError(() => instanceType(defaultAwsCatalogue, "m5.lrge"));
    expect(typo.code).toBe("UNKNOWN_INSTANCE_TYPE");
    expect(typo.message).toBe(
      'instanceType must be one of the 60 instance types of the aws us-east-1 catalogue (did you mean "m5.large"?), got "m5.lrge"',
    );
    const far = catchEnisError(() => instanceType(defaultAwsCatalogue, "Standard_D2s_v5"));
    expect(far.code).toBe("UNKNOWN_INSTANCE_TYPE");
    expect(far.message).not.toMatch(/did you mean/);
    expect(catchEnisError(() => instanceType(defaultAwsCatalogue, "toString")).code).toBe(
      "UNKNOWN_INSTANCE_TYPE",
    );
  });
});

describe("toGovCloud", () => {
  it("multiplies every price by the multiplier and marks the figures approximate", () => {
    const gov = toGovCloud(defaultAwsCatalogue);
    expect(gov.region).toBe("us-gov-west-1");
    expect(instanceType(gov, "m5.large").onDemandHourlyUsd).toBe(0.1152);
    expect(gov.lambda.x86_64.gbSecondUsd).toBe(0.00002000004);
    expect(gov.storage.hot.gbMonthUsd).toBe(0.0276);
    expect(gov.instanceTypeSources.onDemand.approximate).toBe(true);
    expect(gov.kms.note).toMatch(/GovCloud multiplier 1.2/);
    expect(catchEnisError(() => toGovCloud(gov)).field).toBe("base.region");
  });

  it("takes only a GovCloud region, so that the multiplier is never applied twice", () => {
    expect(toGovCloud(defaultAwsCatalogue, { region: "us-gov-east-1" }).region).toBe("us-gov-east-1");
    const error = catchEnisError(() => toGovCloud(defaultAwsCatalogue, { region: "eu-west-1" }));
    expect([error.code, error.field]).toEqual(["INVALID_OPTIONS", "options.region"]);
  });
});

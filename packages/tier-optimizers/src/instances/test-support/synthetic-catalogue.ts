import {
  defaultAwsCatalogue,
  type InstanceTypeInput,
  type PricingCatalogue,
  withOverrides,
} from "@enis/cost-model";

/*
 * A realistic 700-type catalogue for benchmarks and tests, generated deterministically (no
 * randomness) from the 60 real types of `defaultAwsCatalogue`; the extra types are SYNTHETIC.
 *
 * Each real family (m5, c6i, r7g, t4g, g5, …) gives its memory per vCPU, on-demand price per vCPU
 * and spot/on-demand ratio, read from its smallest real size. Families are crossed with the size
 * ladder AWS uses (large = 2 vCPUs … 48xlarge = 192, and metal) and with variant suffixes whose
 * price factors imitate AWS's (`a` AMD −10%, `d` local NVMe +13%, `n` network +25%, `dn` +40%,
 * `e` extra memory ×2 at +30%). Real types keep their real figures; the rest are added (variant by variant,
 * size by size, family by family) until the catalogue holds 700. Names are the family and the
 * suffix run together (`m5` + `dn` = `m5dn`), as AWS names them. Prices rounded to a millionth of a dollar.
 */
const sizes: readonly (readonly [name: string, vcpus: number])[] = [
  ["large", 2],
  ["xlarge", 4],
  ["2xlarge", 8],
  ["4xlarge", 16],
  ["8xlarge", 32],
  ["12xlarge", 48],
  ["16xlarge", 64],
  ["24xlarge", 96],
  ["32xlarge", 128],
  ["48xlarge", 192],
  ["metal", 96],
];
const variants: readonly (readonly [suffix: string, priceFactor: number, memoryFactor: number])[] = [
  ["", 1, 1],
  ["a", 0.9, 1],
  ["d", 1.13, 1],
  ["n", 1.25, 1],
  ["dn", 1.4, 1],
  ["e", 1.3, 2],
];

const micro = (value: number): number => Math.round(value * 1e6) / 1e6;

/** The synthetic catalogue of `size` types (default 700, at most the generated total), built once per size. */
export function syntheticCatalogue(size = 700): PricingCatalogue {
  const real = defaultAwsCatalogue.instanceTypes;
  const families = new Map<string, (typeof real)[string]>();
  for (const spec of Object.values(real)) {
    const known = families.get(spec.family);
    if (known === undefined || spec.vcpus < known.vcpus) families.set(spec.family, spec);
  }
  const added: Record<string, InstanceTypeInput> = {};
  let total = Object.keys(real).length;
  outer: for (const [suffix, priceFactor, memoryFactor] of variants) {
    for (const [sizeName, vcpus] of sizes) {
      for (const [family, base] of [...families].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (total >= size) break outer;
        if (base.category === "burstable" && vcpus > 8) continue;
        const name = `${family}${suffix}.${sizeName}`;
        if (Object.hasOwn(real, name) || Object.hasOwn(added, name)) continue;
        const onDemand = micro((base.onDemandHourlyUsd / base.vcpus) * vcpus * priceFactor);
        added[name] = {
          category: base.category,
          vcpus,
          memoryGib: (base.memoryGib / base.vcpus) * vcpus * memoryFactor,
          architecture: base.architecture,
          gpus: base.gpus === 0 ? 0 : Math.max(1, Math.round((base.gpus * vcpus) / 16)),
          ...(base.gpuModel === undefined ? {} : { gpuModel: base.gpuModel }),
          onDemandHourlyUsd: onDemand,
          spotHourlyUsd: micro((onDemand * base.spotHourlyUsd) / base.onDemandHourlyUsd),
          reserved1yHourlyUsd: micro((onDemand * 0.06) / 0.096),
          reserved3yHourlyUsd: micro((onDemand * 0.041) / 0.096),
          ...(base.spotInterruption === undefined ? {} : { spotInterruption: base.spotInterruption }),
        };
        total++;
      }
    }
  }
  return withOverrides(defaultAwsCatalogue, { instanceTypes: added });
}

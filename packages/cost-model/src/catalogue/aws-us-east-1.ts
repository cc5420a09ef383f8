import { loadCatalogue } from "./catalogue.js";
import type {
  Architecture,
  InstanceCategory,
  PricingCatalogue,
  PricingCatalogueInput,
  SpotInterruptionBand,
} from "./types.js";

/*
 * The default catalogue: AWS us-east-1 (N. Virginia), Linux, shared tenancy, US dollars.
 *
 * Each group of figures carries its source and date in the data itself (`source`, `asOf`,
 * `approximate`, `note`), so that a result computed from it can say where its price came from.
 * Which figures are published prices and which are estimates:
 * - on-demand: published prices, read from the AWS Price List API for us-east-1 on 2026-07-20
 *   (the snapshot that aws/karpenter-provider-aws generates from it,
 *   pkg/providers/pricing/zz_generated.pricing_aws.go, "generated at 2026-07-20T13:44:30Z");
 * - spot: an estimate. Spot prices move continually and differ by Availability Zone; the figure
 *   here is on-demand × (1 − s), where s is the "savings over On-Demand" the AWS Spot Instance
 *   Advisor published for the type in us-east-1 (Linux), as captured on 2025-06-28;
 * - reserved (Standard, no upfront, effective hourly): an estimate, on-demand × 0.625 (1-year) and
 *   × 0.041/0.096 (3-year), the ratios of m5.large's $0.060 and $0.041 an hour. Actual ratios vary
 *   by a few points from family to family; no per-type reserved price list was read;
 * - Lambda, S3, data transfer and KMS: list prices of long standing, each dated by a day on which
 *   it is known to have been the list price (the launch or announcement of the newest figure of
 *   the group); re-check them against the source URL before relying on them;
 * - GovCloud multiplier: the median ratio of us-gov-west-1 to us-east-1 on-demand prices over the
 *   56 types of this catalogue offered in both (1.2; the ratios range from 1.167 for t4g to 1.261
 *   for m5/m6i/m7i/g4dn), from the same Price List snapshot.
 */

const onDemandSource = {
  source: "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.json",
  asOf: "2026-07-20",
  note: "Linux, shared tenancy, as read from the AWS Price List API by aws/karpenter-provider-aws (pkg/providers/pricing/zz_generated.pricing_aws.go, generated 2026-07-20T13:44:30Z). Pricing page: https://aws.amazon.com/ec2/pricing/on-demand/",
};
const spotSource = {
  source: "https://spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json",
  asOf: "2025-06-28",
  approximate: true,
  note: "A typical discount, not a quote: on-demand × (1 − s/100), s = the AWS Spot Instance Advisor's whole-percent savings over On-Demand for the type (us-east-1, Linux), captured 2025-06-28. Spot prices change continually and differ by Availability Zone; see https://aws.amazon.com/ec2/spot/pricing/ for the current price and https://aws.amazon.com/ec2/spot/instance-advisor/ for the advisor.",
};
const reserved1ySource = {
  source: "https://aws.amazon.com/ec2/pricing/reserved-instances/pricing/",
  asOf: "2026-07-20",
  approximate: true,
  note: "Derived, not read from a price list: on-demand (2026-07-20) × 0.625, the ratio of m5.large's Standard 1-year no-upfront $0.060 to its on-demand $0.096; actual ratios differ by a few points between families (newer families are often discounted less).",
};
const reserved3ySource = {
  source: "https://aws.amazon.com/ec2/pricing/reserved-instances/pricing/",
  asOf: "2026-07-20",
  approximate: true,
  note: "Derived, not read from a price list: on-demand (2026-07-20) × 0.041/0.096, the ratio of m5.large's Standard 3-year no-upfront $0.041 to its on-demand $0.096; actual ratios differ by a few points between families.",
};

type Row = readonly [
  name: string,
  category: InstanceCategory,
  vcpus: number,
  memoryGib: number,
  architecture: Architecture,
  onDemandHourlyUsd: number,
  spotSavingsPercent: number,
  spotInterruption: SpotInterruptionBand,
  gpus?: number,
  gpuModel?: string,
];

// name, category, vCPUs, memory GiB, architecture, on-demand $/h (Price List, 2026-07-20),
// Spot Instance Advisor savings % and interruption band (2025-06-28), GPUs and GPU model.
const rows: readonly Row[] = [
  ["m5.large", "general", 2, 8, "x86_64", 0.096, 66, "15-20%"],
  ["m5.xlarge", "general", 4, 16, "x86_64", 0.192, 66, ">20%"],
  ["m5.2xlarge", "general", 8, 32, "x86_64", 0.384, 54, "10-15%"],
  ["m5.4xlarge", "general", 16, 64, "x86_64", 0.768, 58, "15-20%"],
  ["m6i.large", "general", 2, 8, "x86_64", 0.096, 63, "10-15%"],
  ["m6i.xlarge", "general", 4, 16, "x86_64", 0.192, 55, "5-10%"],
  ["m6i.2xlarge", "general", 8, 32, "x86_64", 0.384, 58, ">20%"],
  ["m6i.4xlarge", "general", 16, 64, "x86_64", 0.768, 66, ">20%"],
  ["m7i.large", "general", 2, 8, "x86_64", 0.1008, 68, "15-20%"],
  ["m7i.xlarge", "general", 4, 16, "x86_64", 0.2016, 53, "15-20%"],
  ["m7i.2xlarge", "general", 8, 32, "x86_64", 0.4032, 62, ">20%"],
  ["m7i.4xlarge", "general", 16, 64, "x86_64", 0.8064, 52, "5-10%"],
  ["c5.large", "compute", 2, 4, "x86_64", 0.085, 59, "<5%"],
  ["c5.xlarge", "compute", 4, 8, "x86_64", 0.17, 56, "<5%"],
  ["c5.2xlarge", "compute", 8, 16, "x86_64", 0.34, 56, "5-10%"],
  ["c5.4xlarge", "compute", 16, 32, "x86_64", 0.68, 66, ">20%"],
  ["c6i.large", "compute", 2, 4, "x86_64", 0.085, 63, "5-10%"],
  ["c6i.xlarge", "compute", 4, 8, "x86_64", 0.17, 60, "15-20%"],
  ["c6i.2xlarge", "compute", 8, 16, "x86_64", 0.34, 51, "5-10%"],
  ["c6i.4xlarge", "compute", 16, 32, "x86_64", 0.68, 57, "15-20%"],
  ["c7i.large", "compute", 2, 4, "x86_64", 0.08925, 66, ">20%"],
  ["c7i.xlarge", "compute", 4, 8, "x86_64", 0.1785, 61, ">20%"],
  ["c7i.2xlarge", "compute", 8, 16, "x86_64", 0.357, 59, ">20%"],
  ["c7i.4xlarge", "compute", 16, 32, "x86_64", 0.714, 61, "15-20%"],
  ["r5.large", "memory", 2, 16, "x86_64", 0.126, 60, "<5%"],
  ["r5.xlarge", "memory", 4, 32, "x86_64", 0.252, 69, "15-20%"],
  ["r5.2xlarge", "memory", 8, 64, "x86_64", 0.504, 61, ">20%"],
  ["r5.4xlarge", "memory", 16, 128, "x86_64", 1.008, 65, ">20%"],
  ["r6i.large", "memory", 2, 16, "x86_64", 0.126, 68, ">20%"],
  ["r6i.xlarge", "memory", 4, 32, "x86_64", 0.252, 58, ">20%"],
  ["r6i.2xlarge", "memory", 8, 64, "x86_64", 0.504, 55, ">20%"],
  ["r6i.4xlarge", "memory", 16, 128, "x86_64", 1.008, 58, ">20%"],
  ["r7i.large", "memory", 2, 16, "x86_64", 0.1323, 65, "10-15%"],
  ["r7i.xlarge", "memory", 4, 32, "x86_64", 0.2646, 60, "15-20%"],
  ["r7i.2xlarge", "memory", 8, 64, "x86_64", 0.5292, 59, ">20%"],
  ["r7i.4xlarge", "memory", 16, 128, "x86_64", 1.0584, 66, ">20%"],
  ["m7g.large", "general", 2, 8, "arm64", 0.0816, 64, "10-15%"],
  ["m7g.xlarge", "general", 4, 16, "arm64", 0.1632, 62, "5-10%"],
  ["m7g.2xlarge", "general", 8, 32, "arm64", 0.3264, 64, "5-10%"],
  ["c7g.large", "compute", 2, 4, "arm64", 0.0725, 49, "<5%"],
  ["c7g.xlarge", "compute", 4, 8, "arm64", 0.145, 62, "<5%"],
  ["c7g.2xlarge", "compute", 8, 16, "arm64", 0.29, 69, "<5%"],
  ["r7g.large", "memory", 2, 16, "arm64", 0.1071, 68, "10-15%"],
  ["r7g.xlarge", "memory", 4, 32, "arm64", 0.2142, 71, ">20%"],
  ["r7g.2xlarge", "memory", 8, 64, "arm64", 0.4284, 67, ">20%"],
  ["t4g.micro", "burstable", 2, 1, "arm64", 0.0084, 49, ">20%"],
  ["t4g.small", "burstable", 2, 2, "arm64", 0.0168, 51, "5-10%"],
  ["t4g.medium", "burstable", 2, 4, "arm64", 0.0336, 64, ">20%"],
  ["t4g.large", "burstable", 2, 8, "arm64", 0.0672, 72, ">20%"],
  ["t4g.xlarge", "burstable", 4, 16, "arm64", 0.1344, 63, ">20%"],
  ["g4dn.xlarge", "gpu", 4, 16, "x86_64", 0.526, 64, "15-20%", 1, "NVIDIA T4"],
  ["g4dn.2xlarge", "gpu", 8, 32, "x86_64", 0.752, 61, ">20%", 1, "NVIDIA T4"],
  ["g4dn.4xlarge", "gpu", 16, 64, "x86_64", 1.204, 68, ">20%", 1, "NVIDIA T4"],
  ["g4dn.12xlarge", "gpu", 48, 192, "x86_64", 3.912, 64, "10-15%", 4, "NVIDIA T4"],
  ["g5.xlarge", "gpu", 4, 16, "x86_64", 1.006, 59, ">20%", 1, "NVIDIA A10G"],
  ["g5.2xlarge", "gpu", 8, 32, "x86_64", 1.212, 58, "15-20%", 1, "NVIDIA A10G"],
  ["g5.4xlarge", "gpu", 16, 64, "x86_64", 1.624, 60, "10-15%", 1, "NVIDIA A10G"],
  ["g5.12xlarge", "gpu", 48, 192, "x86_64", 5.672, 58, ">20%", 4, "NVIDIA A10G"],
  ["p3.2xlarge", "gpu", 8, 61, "x86_64", 3.06, 80, ">20%", 1, "NVIDIA V100"],
  ["p3.8xlarge", "gpu", 32, 244, "x86_64", 12.24, 86, ">20%", 4, "NVIDIA V100"],
];

/** Rounds a derived price to a millionth of a dollar an hour (the Price List's own precision). */
const micro = (value: number): number => Math.round(value * 1e6) / 1e6;

const instanceTypes: PricingCatalogueInput["instanceTypes"] = {};
for (const [
  name,
  category,
  vcpus,
  memoryGib,
  architecture,
  onDemand,
  savings,
  interruption,
  gpus,
  gpuModel,
] of rows) {
  instanceTypes[name] = {
    category,
    vcpus,
    memoryGib,
    architecture,
    ...(gpus === undefined ? {} : { gpus }),
    ...(gpuModel === undefined ? {} : { gpuModel }),
    onDemandHourlyUsd: onDemand,
    spotHourlyUsd: micro((onDemand * (100 - savings)) / 100),
    reserved1yHourlyUsd: micro((onDemand * 0.06) / 0.096),
    reserved3yHourlyUsd: micro((onDemand * 0.041) / 0.096),
    spotInterruption: interruption,
  };
}

const data: PricingCatalogueInput = {
  provider: "aws",
  region: "us-east-1",
  instanceTypes,
  instanceTypeSources: {
    onDemand: onDemandSource,
    spot: spotSource,
    reserved1y: reserved1ySource,
    reserved3y: reserved3ySource,
  },
  lambda: {
    source: "https://aws.amazon.com/lambda/pricing/",
    // Graviton2 (arm64) Lambda and its price were announced on 2021-09-29, beside the x86 price.
    asOf: "2021-09-29",
    note: "US East (N. Virginia), first pricing tier (x86: the first 6 billion GB-seconds a month; arm64: the first 7.5 billion). The free tier (1M requests and 400,000 GB-seconds a month) and the cheaper higher tiers are not applied. Billed duration is rounded up to 1 ms per invocation.",
    x86_64: { gbSecondUsd: 0.0000166667, requestUsd: 0.0000002 },
    arm64: { gbSecondUsd: 0.0000133334, requestUsd: 0.0000002 },
  },
  storage: {
    source: "https://aws.amazon.com/s3/pricing/",
    // S3 Glacier Instant Retrieval, the newest product here, launched on 2021-11-30 at $0.004.
    asOf: "2021-11-30",
    note: "US East (N. Virginia), storage only: S3 Standard's first 50 TB a month. Requests, retrievals, lifecycle transitions and the minimum storage durations (Standard-IA 30 days, Glacier Instant Retrieval 90, Deep Archive 180) are not included.",
    hot: { gbMonthUsd: 0.023, product: "S3 Standard" },
    warm: { gbMonthUsd: 0.0125, product: "S3 Standard-Infrequent Access" },
    cold: { gbMonthUsd: 0.004, product: "S3 Glacier Instant Retrieval" },
    archive: { gbMonthUsd: 0.00099, product: "S3 Glacier Deep Archive" },
  },
  transfer: {
    source: "https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer",
    // The first 100 GB a month out to the internet became free on 2021-12-01; $0.09 is the next tier.
    asOf: "2021-12-01",
    note: "Data transfer out from us-east-1 to the internet, the first 10 TB a month tier. The first 100 GB a month (free) and the cheaper tiers above 10 TB are not applied.",
    internetOutGbUsd: 0.09,
  },
  kms: {
    source: "https://aws.amazon.com/kms/pricing/",
    asOf: "2021-12-01",
    note: "Customer-managed keys ($1 per key a month) and symmetric API requests ($0.03 per 10,000). The 20,000 free requests a month are not applied; asymmetric and key-rotation charges are not modelled.",
    keyMonthUsd: 1,
    per10kRequestsUsd: 0.03,
  },
  govCloud: {
    source:
      "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/us-gov-west-1/index.json",
    asOf: "2026-07-20",
    approximate: true,
    note: "Median ratio of us-gov-west-1 to us-east-1 on-demand prices over the 56 types of this catalogue offered in both (range 1.167 for t4g to 1.261 for m5, m6i, m7i and g4dn), as read from the AWS Price List API by aws/karpenter-provider-aws (pkg/providers/pricing/zz_generated.pricing_aws_us_gov.go, 2026-07-20). Applied to every price alike by toGovCloud.",
    multiplier: 1.2,
  },
};

/**
 * AWS us-east-1 prices for 60 common instance types — general (m5, m6i, m7i), compute (c5, c6i,
 * c7i), memory (r5, r6i, r7i), Graviton (m7g, c7g, r7g, t4g) and GPU (g4dn, g5, p3) — with Lambda
 * (x86 and arm64), S3 storage tiers, data transfer out, KMS and the GovCloud multiplier. Each group
 * says where its figures come from and how far to trust them (`source`, `asOf`, `approximate`,
 * `note`): on-demand prices are published ones (Price List API, 2026-07-20); spot figures are a
 * typical discount from the Spot Instance Advisor (2025-06-28), not a quote; reserved figures are
 * derived from on-demand by m5.large's reserved ratios. Validated by {@link loadCatalogue} like any
 * user catalogue, and frozen.
 *
 * @example
 * ```ts
 * defaultAwsCatalogue.instanceTypes["m5.large"].onDemandHourlyUsd; // 0.096
 * defaultAwsCatalogue.lambda.arm64.gbSecondUsd; // 0.0000133334
 * ```
 */
export const defaultAwsCatalogue: PricingCatalogue = loadCatalogue(data);

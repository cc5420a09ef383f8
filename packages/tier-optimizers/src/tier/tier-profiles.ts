import type { TierId } from "@enis/core";
import { deepFreeze } from "@enis/core/validate";

/*
 * What each tier offers a workload, as data. Seed 000 gives each tier a target, a budget profile
 * (the core catalogue's `budget`), a technical stack and a deployment style (lines 129-160, 246-270,
 * 445-470, 858-885, 1471-1493); it gives no SLA percentage or latency per tier. Where a figure
 * below is not in the seed it is marked `policy` with the reason.
 */

/** How a tier runs a workload, and so how it is priced (`@enis/cost-model`). */
export type TierDeploymentModel =
  /** 🟤 AWS Lambda, billed per request and GB-second (`lambdaCost`). */
  | "serverless"
  /** 🟡 a namespace quota on a shared Kubernetes cluster, billed per core-hour and GiB-hour requested. */
  | "shared-kubernetes"
  /** 🟢 a dedicated Kubernetes cluster of on-demand nodes (`computeCost`). */
  | "dedicated-kubernetes"
  /** 🔵 dedicated clusters in several regions, each able to carry the peak (`computeCost` × regions). */
  | "multi-region-kubernetes"
  /** 🔴 a hardened dedicated cluster at a SHIF level, with its compliance bill (`planCompliantDeployment`'s sizing). */
  | "compliance-kubernetes";

/**
 * How far a tier's workloads are kept from other tenants', weakest first:
 * `"shared-runtime"` (functions on the provider's shared hosts) < `"namespace"` (a namespace of a
 * shared cluster) < `"dedicated-cluster"` < `"physical"` (dedicated hardware, apart from any other
 * tenant's network).
 */
export type TierIsolation = "shared-runtime" | "namespace" | "dedicated-cluster" | "physical";

/** The isolation levels, weakest first. */
export const tierIsolationOrder: readonly TierIsolation[] = Object.freeze([
  "shared-runtime",
  "namespace",
  "dedicated-cluster",
  "physical",
] as const);

/** Where a profile figure comes from. */
export interface TierProfileSource {
  /** `"seed"`: seed 000 says so (lines in `note`); `"policy"`: ENIS Governance's choice, with the reason. */
  readonly basis: "seed" | "policy";
  readonly note: string;
}

/** What one tier offers a workload. */
export interface TierProfile {
  readonly tier: TierId;
  readonly deploymentModel: TierDeploymentModel;
  /** Monthly availability the tier commits to, percent, in (0, 100]. */
  readonly availabilityPercent: number;
  /** The p99 latency the tier can hold, ms, > 0: a workload that needs a lower p99 is ruled out. */
  readonly latencyP99Ms: number;
  /** The compliance frameworks (rule-pack ids of `@enis/compliance-cost`) the tier can be certified for. */
  readonly frameworks: readonly string[];
  readonly isolation: TierIsolation;
  /** Where each figure comes from. */
  readonly sources: Readonly<
    Record<
      "deploymentModel" | "availabilityPercent" | "latencyP99Ms" | "frameworks" | "isolation",
      TierProfileSource
    >
  >;
}

const allFrameworks = ["fedramp", "gdpr", "hipaa", "iso-27001", "pci-dss", "sox"] as const;

/** The five tiers' profiles, in rank order (🟤 🟡 🟢 🔵 🔴). */
export const defaultTierProfiles: readonly TierProfile[] = deepFreeze([
  {
    tier: "zero",
    deploymentModel: "serverless",
    availabilityPercent: 99.5,
    latencyP99Ms: 1_000,
    frameworks: [],
    isolation: "shared-runtime",
    sources: {
      deploymentModel: {
        basis: "seed",
        note: "seed 000, lines 142-155: AWS Lambda, API Gateway, pay-per-use storage; 'Zero standing infrastructure', 'Request-based billing only'",
      },
      availabilityPercent: {
        basis: "policy",
        note: "the seed gives no SLA; a tier for 'Startups, POCs' (line 135) on one region and no standing capacity commits to less than the dedicated tiers",
      },
      latencyP99Ms: {
        basis: "policy",
        note: "cold starts (seed 000, line 151: 'Cold start optimization', and 'Auto-scale to zero', line 154) put up to about a second on the slowest requests",
      },
      frameworks: {
        basis: "policy",
        note: "'Minimal monitoring overhead' (seed 000, line 157) and no audit trail: no framework is offered",
      },
      isolation: { basis: "seed", note: "seed 000, line 142: functions on the provider's shared hosts" },
    },
  },
  {
    tier: "shared",
    deploymentModel: "shared-kubernetes",
    availabilityPercent: 99.5,
    latencyP99Ms: 300,
    frameworks: [],
    isolation: "namespace",
    sources: {
      deploymentModel: {
        basis: "seed",
        note: "seed 000, lines 259-274: Kubernetes shared clusters, resource quotas per tenant, cost allocation by namespace",
      },
      availabilityPercent: {
        basis: "policy",
        note: "the seed gives no SLA; one shared cluster with noisy neighbours: as 🟤",
      },
      latencyP99Ms: {
        basis: "policy",
        note: "warm pods, but 'Shared ingress controllers' (seed 000, line 267) and neighbours on the same nodes",
      },
      frameworks: {
        basis: "policy",
        note: "tenants share nodes and ingress; no framework is offered on a shared cluster",
      },
      isolation: { basis: "seed", note: "seed 000, line 266: 'Namespace isolation per tenant'" },
    },
  },
  {
    tier: "lite",
    deploymentModel: "dedicated-kubernetes",
    availabilityPercent: 99.9,
    latencyP99Ms: 100,
    frameworks: ["gdpr", "iso-27001"],
    isolation: "dedicated-cluster",
    sources: {
      deploymentModel: { basis: "seed", note: "seed 000, line 458: 'Dedicated Kubernetes clusters'" },
      availabilityPercent: {
        basis: "policy",
        note: "a dedicated cluster of at least two nodes in one region; the seed's 99.9% (line 1010) is its 🔵 example",
      },
      latencyP99Ms: {
        basis: "policy",
        note: "dedicated warm nodes; the same p99 as the seed's 🔵 example (line 1011)",
      },
      frameworks: {
        basis: "policy",
        note: "a dedicated cluster can carry the risk-based frameworks (GDPR Art. 32, ISO/IEC 27001 Annex A); not HIPAA, PCI DSS, SOX or FedRAMP, which need the audit and key controls of 🔵 / 🔴",
      },
      isolation: { basis: "seed", note: "seed 000, line 458" },
    },
  },
  {
    tier: "enterprise",
    deploymentModel: "multi-region-kubernetes",
    availabilityPercent: 99.95,
    latencyP99Ms: 100,
    frameworks: ["gdpr", "hipaa", "iso-27001", "pci-dss", "sox"],
    isolation: "dedicated-cluster",
    sources: {
      deploymentModel: {
        basis: "seed",
        note: "seed 000, lines 871 and 880: 'Multi-region Kubernetes', 'Multi-cluster federation'",
      },
      availabilityPercent: {
        basis: "policy",
        note: "two regions each able to carry the peak; above the seed's 🔵 example SLA of 99.9% (line 1010)",
      },
      latencyP99Ms: { basis: "seed", note: "seed 000, line 1011: 'latency_p99_ms': 100" },
      frameworks: {
        basis: "policy",
        note: "the seed lists the frameworks for 🔴 (lines 1512-1518); a dedicated multi-region deployment with audit logs can carry all but FedRAMP, which needs a government region",
      },
      isolation: { basis: "seed", note: "seed 000, line 871: dedicated multi-region clusters" },
    },
  },
  {
    tier: "compliance",
    deploymentModel: "compliance-kubernetes",
    availabilityPercent: 99.9,
    latencyP99Ms: 200,
    frameworks: [...allFrameworks],
    isolation: "physical",
    sources: {
      deploymentModel: {
        basis: "seed",
        note: "seed 000, lines 1484-1493: air-gapped Kubernetes, SHIF, HSM, encrypted storage, audit-logged operations",
      },
      availabilityPercent: {
        basis: "policy",
        note: "at least three nodes with spare capacity (seed 000, lines 2201-2203) in one region, but 'Manual deployment processes' (line 1491): 99.9%, not 🔵's 99.95%",
      },
      latencyP99Ms: {
        basis: "policy",
        note: "traffic passes the SHIF inspection layer (WAF, IDS: seed 000, lines 1773-1780) on its way in",
      },
      frameworks: {
        basis: "seed",
        note: "seed 000, lines 1512-1518: HIPAA, SOX, GDPR, PCI DSS, FedRAMP, ISO 27001",
      },
      isolation: { basis: "seed", note: "seed 000, line 1490: 'Physical isolation'" },
    },
  },
] satisfies TierProfile[]);

export type {
  CurrentQuota,
  NamespaceQuotaConstraints,
  NamespaceQuotaPlan,
  NamespaceUsage,
  QuotaCluster,
  QuotaHpaTarget,
  QuotaManifest,
  QuotaResourcePlan,
  QuotaRisk,
  QuotaRiskKind,
  SizeTenantQuotaOptions,
  TenantQuotaPlan,
} from "./size-tenant-quota.js";
export { sizeTenantQuota } from "./size-tenant-quota.js";
export type { VpaRecommenderConfig, VpaResourceEstimate } from "./vpa.js";
export { defaultVpaRecommenderConfig } from "./vpa.js";

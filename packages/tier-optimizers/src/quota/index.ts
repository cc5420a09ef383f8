export type {
  CurrentQuota,
  KubernetesObject,
  NamespaceQuotaConstraints,
  NamespaceQuotaPlan,
  NamespaceUsage,
  QuotaCluster,
  QuotaHpaTarget,
  QuotaResourcePlan,
  QuotaRisk,
  QuotaRiskKind,
  SizeTenantQuotaOptions,
  TenantQuotaPlan,
} from "./size-tenant-quota.js";
export { sizeTenantQuota } from "./size-tenant-quota.js";
export type { VpaRecommenderConfig, VpaResourceEstimate } from "./vpa.js";
export { defaultVpaRecommenderConfig } from "./vpa.js";

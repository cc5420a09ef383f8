export type { PlanPeriod, PlanSavings } from "../plan.js";
export type {
  CurrentQuota,
  NamespaceQuotaConstraints,
  NamespaceQuotaPlan,
  NamespaceUsage,
  QuotaCluster,
  QuotaCpuPlan,
  QuotaHpaTarget,
  QuotaManifest,
  QuotaMemoryPlan,
  QuotaRisk,
  QuotaRiskKind,
  SizeTenantQuotaOptions,
  TenantQuotaPlan,
} from "./size-tenant-quota.js";
export { sizeTenantQuota } from "./size-tenant-quota.js";
export type { VpaRecommenderConfig, VpaResourceEstimate } from "./vpa.js";
export { defaultVpaRecommenderConfig } from "./vpa.js";

export type {
  RecommendTierOptions,
  TierAssessment,
  TierConstraints,
  TierPriceLine,
  TierProfileOverride,
  TierRecommendation,
  TierRuledOutReason,
  TierRuling,
  TierWorkload,
  TierWorkloadSizing,
} from "./recommend-tier.js";
export { recommendTier } from "./recommend-tier.js";
export type { TierDeploymentModel, TierIsolation, TierProfile, TierProfileSource } from "./tier-profiles.js";
export { defaultTierProfiles, tierIsolationOrder } from "./tier-profiles.js";

export type {
  CommitmentAdvice,
  CommitmentCurvePoint,
  CommitmentPaybackReason,
  CommitmentRecommendation,
  CommitmentThresholds,
  RecommendCommitmentOptions,
} from "./recommend-commitment.js";
export { recommendCommitment } from "./recommend-commitment.js";

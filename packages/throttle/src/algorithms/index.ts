export type { Algorithm, AlgorithmEvaluation, LimitOutcome, RateLimitSpec } from "./common.js";
export { algorithmNames, capacityOf, isAlgorithm, snap, unitEpsilon, wholeMs } from "./common.js";
export type { Evaluation } from "./evaluate.js";
export { blockedState, evaluate, refund, stateLength } from "./evaluate.js";
export type { HeldLease, LeaseEvaluation } from "./lease.js";
export { evaluateLease, leaseDecision, leaseHeldDecision, releaseLease } from "./lease.js";

export type { ComputeCostInput, ComputeCostResult } from "./compute.js";
export { computeCost } from "./compute.js";
export type { LambdaCostInput, LambdaCostResult } from "./lambda.js";
export { lambdaCost, lambdaMaxMemoryMb, lambdaMinMemoryMb } from "./lambda.js";
export type {
  CostPerRequestInput,
  CostPerRequestOutcome,
  CostPerRequestResult,
} from "./per-request.js";
export { costPerRequest } from "./per-request.js";
export type { CostLine, MonthlyCostCategory, MonthlyCostLine, MonthlyCostResult } from "./rollup.js";
export { monthlyCost } from "./rollup.js";
export type {
  StorageCostInput,
  StorageCostResult,
  StorageLifecycle,
  StorageTierCost,
} from "./storage.js";
export { daysPerMonth, storageCost } from "./storage.js";
export type { KmsCostInput, KmsCostResult, TransferCostInput, TransferCostResult } from "./transfer.js";
export { kmsCost, transferCost } from "./transfer.js";

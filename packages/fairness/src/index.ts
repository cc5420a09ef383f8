export type { DrfAllocation, DrfOptions, DrfUser } from "./drf.js";
export { drfAllocate } from "./drf.js";
export type {
  Dequeued,
  EnqueueOptions,
  EnqueueOutcome,
  FairQueue,
  FairQueueOptions,
  FairQueueTicket,
  TenantQueue,
  TenantQueueOptions,
} from "./fair-queue.js";
export { createFairQueue } from "./fair-queue.js";
export type { HierarchicalOptions, HierarchicalResult, HierarchyNode } from "./hierarchical.js";
export { hierarchicalAllocate } from "./hierarchical.js";
export type {
  HierarchicalDrfAllocation,
  HierarchicalDrfNode,
  HierarchicalDrfOptions,
} from "./hierarchical-drf.js";
export { hierarchicalDrfAllocate } from "./hierarchical-drf.js";
export { jainIndex } from "./jain.js";
export type {
  MaxMinOptions,
  MaxMinPoolResult,
  MaxMinResult,
  MaxMinTenant,
  OvercommitPolicy,
  TierFloorMode,
} from "./max-min.js";
export { maxMinAllocate } from "./max-min.js";
export type { MaxMinColumnsOptions, MaxMinColumnsResult } from "./max-min-columns.js";
export { maxMinAllocateColumns } from "./max-min-columns.js";
export type {
  FactorScores,
  FactorWeights,
  ProportionalShareOptions,
  ProportionalShareResult,
  ProportionalShareTenant,
} from "./proportional-share.js";
export { defaultFactorWeights, proportionalShare } from "./proportional-share.js";

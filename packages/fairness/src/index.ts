export type { DrfAllocation, DrfOptions, DrfUser } from "./drf.js";
export { drfAllocate } from "./drf.js";
export type {
  Dequeued,
  EnqueueOptions,
  EnqueueOutcome,
  FairQueue,
  FairQueueOptions,
  FairQueueTicket,
} from "./fair-queue.js";
export { createFairQueue } from "./fair-queue.js";
export type {
  HierarchicalDrfAllocation,
  HierarchicalDrfNode,
  HierarchicalDrfOptions,
} from "./hierarchical-drf.js";
export { hierarchicalDrfAllocate } from "./hierarchical-drf.js";

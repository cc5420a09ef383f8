export type {
  Dequeued,
  EnqueueOptions,
  EnqueueOutcome,
  FairQueue,
  FairQueueOptions,
  FairQueueTicket,
} from "./fair-queue.js";
export { createFairQueue } from "./fair-queue.js";

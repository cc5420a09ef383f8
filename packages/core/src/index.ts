export type { Clock, ManualClock, Timers } from "./clock.js";
export { createManualClock, systemTimers } from "./clock.js";
export type { EnisErrorCode, EnisErrorOptions } from "./errors.js";
export { EnisError } from "./errors.js";
export type { Random, RandomSeed } from "./random.js";
export { createRandom } from "./random.js";
export type { TierBudget, TierCatalogue, TierId, TierOverride, TierOverrides, TierSpec } from "./tiers.js";
export { createTierCatalogue, defaultTierCatalogue, parseTier, tierIds } from "./tiers.js";

export type { Clock, ManualClock } from "./clock.js";
export { createManualClock } from "./clock.js";
export type { EnisErrorCode, EnisErrorOptions } from "./errors.js";
export { describeValue, EnisError, invalidField } from "./errors.js";
export type { Random, RandomSeed } from "./random.js";
export { createRandom } from "./random.js";
export type { TierBudget, TierCatalogue, TierId, TierOverride, TierOverrides, TierSpec } from "./tiers.js";
export { createTierCatalogue, defaultTierCatalogue, parseTier, resolveCatalogue, tierIds } from "./tiers.js";
export {
  assertArray,
  assertFinite,
  assertId,
  assertInteger,
  assertKnownKeys,
  assertNonNegative,
  assertObject,
  assertPositive,
  deepFreeze,
  oneOf,
  parseOptions,
} from "./validate.js";

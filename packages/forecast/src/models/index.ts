import { defaultRegistry } from "../registry.js";

/**
 * The names `options.model` accepts besides `"auto"`: the local models (one fit per series:
 * `"snaive"`, `"naive2"`, `"naive"` …) and the global ones (one fit across the series of a
 * `forecastMany()` call).
 */
export const forecastModelNames: readonly string[] = Object.freeze([
  ...defaultRegistry.local.keys(),
  ...defaultRegistry.global.keys(),
]);

/**
 * The models `"auto"` validates and combines, in order of preference (the global ones fitted across
 * the series of a `forecastMany()` call).
 */
export const autoCandidateNames: readonly string[] = Object.freeze([...defaultRegistry.autoCandidates]);

/** The models `"auto"` validates in addition when a series has no seasonal periods (after the others). */
export const autoNonSeasonalCandidateNames: readonly string[] = Object.freeze([
  ...defaultRegistry.autoNonSeasonal,
]);

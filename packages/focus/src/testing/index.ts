/**
 * `@enis/focus/testing`: a seeded generator of FOCUS 1.0-shaped CSV files of any size, messy as real
 * exports are, which returns the exact totals of what it wrote, so that a pipeline built on
 * `@enis/focus` can be tested and measured on files larger than any sample.
 *
 * @module testing
 */
export {
  type GeneratedFocusFile,
  type GeneratedTotals,
  type GenerateFocusOptions,
  generatedFocusColumns,
  writeFocusCsv,
} from "./generate-focus.js";

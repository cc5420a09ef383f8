/**
 * @enis/cost-model: what each tier costs, what it should cost, and how to buy it cheaper. Pure:
 * no I/O, no clock, no randomness; every figure in US dollars, every price from a catalogue the
 * caller can read, load or override.
 *
 * @packageDocumentation
 */
export * from "./allocation/index.js";
export * from "./budgets/index.js";
export * from "./catalogue/index.js";
export * from "./commitment/index.js";
export * from "./costs/index.js";
export * from "./kpis/index.js";
export * from "./lp/index.js";
export * from "./purchase-mix/index.js";

export * from "./audit-trail/index.js";
export * from "./costing/index.js";
export * from "./report/index.js";
export * from "./risk/index.js";
export * from "./rule-packs/index.js";
export * from "./segmentation/index.js";
export * from "./validate/index.js";

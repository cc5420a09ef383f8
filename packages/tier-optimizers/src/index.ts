export * from "./compliant/index.js";
export * from "./instances/index.js";
export * from "./lambda/index.js";
export * from "./quota/index.js";
export * from "./tier/index.js";
export * from "./workflow/index.js";

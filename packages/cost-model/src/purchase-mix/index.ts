export {
  optimizePurchaseMix,
  type PurchaseMixConstraint,
  type PurchaseMixOptions,
  type PurchaseMixPrices,
  type PurchaseMixResult,
  type PurchaseMixSplit,
  type PurchaseMixTenant,
} from "./optimize-purchase-mix.js";
export { purchaseMixLinearProgram } from "./purchase-mix-program.js";

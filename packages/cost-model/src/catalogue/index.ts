export { defaultAwsCatalogue } from "./aws-us-east-1.js";
export type { DeepPartial, PricingCatalogueInput, PricingCatalogueOverrides } from "./catalogue.js";
export {
  instanceType,
  loadCatalogue,
  priceProvenance,
  toGovCloud,
  withOverrides,
} from "./catalogue.js";
export type {
  Architecture,
  GovCloudPricing,
  InstanceCategory,
  InstancePriceKind,
  InstanceTypeSpec,
  KmsPrices,
  LambdaArchitecturePrices,
  LambdaPrices,
  PriceProvenance,
  PricingCatalogue,
  PurchaseOption,
  SpotInterruptionBand,
  StoragePrices,
  StorageTier,
  StorageTierPrice,
  TransferPrices,
} from "./types.js";
export { purchaseOptions, storageTiers } from "./types.js";

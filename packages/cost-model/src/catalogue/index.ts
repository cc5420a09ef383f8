export { defaultAwsCatalogue } from "./aws-us-east-1.js";
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
  InstanceTypeInput,
  InstanceTypeSpec,
  KmsPrices,
  LambdaArchitecturePrices,
  LambdaPrices,
  PriceProvenance,
  PriceProvenanceInput,
  PricingCatalogue,
  PricingCatalogueInput,
  PricingCatalogueOverrides,
  PurchaseOption,
  SpotInterruptionBand,
  StoragePrices,
  StorageTier,
  StorageTierPrice,
  TransferPrices,
} from "./types.js";
export { purchaseOptions, storageTiers } from "./types.js";

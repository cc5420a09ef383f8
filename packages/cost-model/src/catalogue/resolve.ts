import { defaultAwsCatalogue } from "./aws-us-east-1.js";
import { checkCatalogue } from "./catalogue.js";
import type { PricingCatalogue } from "./types.js";

/**
 * `value` when it is a catalogue built by this package, {@link defaultAwsCatalogue} when
 * undefined; throws `INVALID_OPTIONS` naming `field` otherwise.
 */
export function resolvePricingCatalogue(value: unknown, field: string): PricingCatalogue {
  return value === undefined ? defaultAwsCatalogue : checkCatalogue(value, field);
}

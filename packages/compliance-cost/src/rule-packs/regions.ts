import type { RegionCatalogue, RegionInfo, RegionSetId } from "./types.js";

const sources = [
  "European Commission, Adequacy decisions (GDPR Art. 45): Andorra, Argentina, Canada (commercial organisations), Faroe Islands, Guernsey, Israel, Isle of Man, Japan, Jersey, New Zealand, Republic of Korea, Switzerland, United Kingdom, United States (commercial organisations participating in the EU-US Data Privacy Framework, decision of 10 July 2023), Uruguay",
  "EEA: the 27 EU member states plus Iceland, Liechtenstein and Norway",
  "AWS Regions and Availability Zones (region ids and locations)",
  "FedRAMP Marketplace: AWS GovCloud (US) (High), AWS US East/West (Moderate); services are authorised one by one",
];

const adequacyReview =
  "adequacy decision under GDPR Art. 45; the Commission reviews each periodically: re-check the list before relying on it";

function region(
  id: string,
  location: string,
  country: string,
  gdpr: RegionInfo["gdpr"],
  extra: { fedramp?: RegionInfo["fedramp"]; govCloud?: boolean; note?: string } = {},
): RegionInfo {
  return {
    id,
    provider: "aws",
    location,
    country,
    gdpr,
    fedramp: extra.fedramp ?? "none",
    govCloud: extra.govCloud ?? false,
    ...(extra.note === undefined ? {} : { note: extra.note }),
  };
}

const dpf =
  "EU-US Data Privacy Framework (Commission decision of 10 July 2023): adequate only for a recipient certified under the DPF; otherwise Art. 46 safeguards";

/**
 * The AWS commercial and GovCloud regions mapped to their countries, to how GDPR Chapter V treats
 * a transfer there, and to their FedRAMP level. Checked against the sources listed in it as of its
 * `asOf` date; the adequacy list changes (the United Kingdom's decisions were due for renewal by
 * 27 December 2025; a draft decision for Brazil was published in 2025): re-check before relying on it.
 */
export const awsRegionCatalogue: RegionCatalogue = {
  asOf: "2025-09-30",
  sources,
  regions: [
    // EU / EEA: inside the GDPR's territory, not a Chapter V transfer.
    region("eu-west-1", "Ireland", "IE", "eu-eea"),
    region("eu-west-3", "Paris", "FR", "eu-eea"),
    region("eu-central-1", "Frankfurt", "DE", "eu-eea"),
    region("eu-north-1", "Stockholm", "SE", "eu-eea"),
    region("eu-south-1", "Milan", "IT", "eu-eea"),
    region("eu-south-2", "Spain (Aragón)", "ES", "eu-eea"),
    // Adequacy decisions.
    region("eu-west-2", "London", "GB", "adequate", {
      note: `United Kingdom ${adequacyReview} (the 2021 decisions ran to 27 December 2025 and were proposed for renewal)`,
    }),
    region("eu-central-2", "Zurich", "CH", "adequate", { note: `Switzerland: ${adequacyReview}` }),
    region("il-central-1", "Tel Aviv", "IL", "adequate", { note: `Israel: ${adequacyReview}` }),
    region("ap-northeast-1", "Tokyo", "JP", "adequate", {
      note: "Japan: adequacy decision of 2019 for the private sector under the APPI with its Supplementary Rules",
    }),
    region("ap-northeast-3", "Osaka", "JP", "adequate", {
      note: "Japan: adequacy decision of 2019 for the private sector under the APPI with its Supplementary Rules",
    }),
    region("ap-northeast-2", "Seoul", "KR", "adequate", {
      note: `Republic of Korea (2021): ${adequacyReview}`,
    }),
    region("ap-southeast-6", "Auckland", "NZ", "adequate", { note: `New Zealand: ${adequacyReview}` }),
    region("ca-central-1", "Montreal", "CA", "adequate", {
      note: "Canada: adequacy covers commercial organisations subject to PIPEDA only",
    }),
    region("ca-west-1", "Calgary", "CA", "adequate", {
      note: "Canada: adequacy covers commercial organisations subject to PIPEDA only",
    }),
    // United States: adequate only for DPF-certified recipients.
    region("us-east-1", "N. Virginia", "US", "conditional", { fedramp: "moderate", note: dpf }),
    region("us-east-2", "Ohio", "US", "conditional", { fedramp: "moderate", note: dpf }),
    region("us-west-1", "N. California", "US", "conditional", { fedramp: "moderate", note: dpf }),
    region("us-west-2", "Oregon", "US", "conditional", { fedramp: "moderate", note: dpf }),
    region("us-gov-west-1", "AWS GovCloud (US-West)", "US", "conditional", {
      fedramp: "high",
      govCloud: true,
      note: dpf,
    }),
    region("us-gov-east-1", "AWS GovCloud (US-East)", "US", "conditional", {
      fedramp: "high",
      govCloud: true,
      note: dpf,
    }),
    // No adequacy decision.
    region("sa-east-1", "São Paulo", "BR", "none", {
      note: "Brazil: an adequacy process opened in 2025; no decision adopted as of the catalogue date",
    }),
    region("mx-central-1", "Mexico (Querétaro)", "MX", "none"),
    region("af-south-1", "Cape Town", "ZA", "none"),
    region("me-south-1", "Bahrain", "BH", "none"),
    region("me-central-1", "UAE", "AE", "none"),
    region("ap-east-1", "Hong Kong", "HK", "none"),
    region("ap-east-2", "Taipei", "TW", "none"),
    region("ap-south-1", "Mumbai", "IN", "none"),
    region("ap-south-2", "Hyderabad", "IN", "none"),
    region("ap-southeast-1", "Singapore", "SG", "none"),
    region("ap-southeast-2", "Sydney", "AU", "none"),
    region("ap-southeast-3", "Jakarta", "ID", "none"),
    region("ap-southeast-4", "Melbourne", "AU", "none"),
    region("ap-southeast-5", "Malaysia", "MY", "none"),
    region("ap-southeast-7", "Thailand", "TH", "none"),
    region("cn-north-1", "Beijing", "CN", "none"),
    region("cn-northwest-1", "Ningxia", "CN", "none"),
  ],
};

/** Every region set a condition may name. */
export const regionSetIds: readonly RegionSetId[] = [
  "eu-eea",
  "gdpr-adequate",
  "gdpr-conditional",
  "fedramp-high",
  "fedramp-moderate",
  "govcloud",
];

/** Whether a region belongs to a named set. */
export function regionInSet(region: RegionInfo, set: RegionSetId): boolean {
  switch (set) {
    case "eu-eea":
      return region.gdpr === "eu-eea";
    case "gdpr-adequate":
      return region.gdpr === "eu-eea" || region.gdpr === "adequate";
    case "gdpr-conditional":
      return region.gdpr === "conditional";
    case "fedramp-high":
      return region.fedramp === "high";
    case "fedramp-moderate":
      return region.fedramp === "high" || region.fedramp === "moderate";
    case "govcloud":
      return region.govCloud;
  }
}

/** The ids of a catalogue's regions in a named set, in catalogue order. */
export function regionsInSet(catalogue: RegionCatalogue, set: RegionSetId): string[] {
  return catalogue.regions.filter((region) => regionInSet(region, set)).map((region) => region.id);
}

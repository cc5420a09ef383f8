import type { RulePack } from "./types.js";

/**
 * FedRAMP High baseline (Rev. 5, on NIST SP 800-53 Rev. 5). Every control applies: choosing the
 * framework means the system serves federal agencies. A Moderate system may run in commercial US
 * regions; add a pack with `inRegionSet: "fedramp-moderate"` for it.
 */
export const fedrampRulePack: RulePack = {
  framework: "fedramp",
  name: "FedRAMP High baseline",
  version: "FedRAMP Rev. 5 High baseline (NIST SP 800-53 Rev. 5)",
  controls: [
    {
      id: "IA-2(1)",
      title: "MFA for privileged accounts",
      citation: "NIST SP 800-53 Rev. 5 IA-2(1); FedRAMP Rev. 5 High baseline",
      fields: ["mfa"],
      condition: { field: "mfa", equals: true },
    },
    {
      id: "IA-2(2)",
      title: "MFA for non-privileged accounts",
      citation: "NIST SP 800-53 Rev. 5 IA-2(2); FedRAMP Rev. 5 High baseline",
      fields: ["mfa"],
      condition: { field: "mfa", equals: true },
    },
    {
      id: "authorized-region",
      title: "Runs in infrastructure authorised at FedRAMP High (AWS GovCloud (US))",
      citation: "FedRAMP authorization boundary; FedRAMP Marketplace (AWS GovCloud (US): High)",
      fields: ["region"],
      condition: { field: "region", inRegionSet: "fedramp-high" },
      note: "Authorisation is per service: each service used must be in the provider's FedRAMP High boundary.",
    },
    {
      id: "AU-11",
      title: "Audit record retention per OMB M-21-31: 12 months active, 18 months cold",
      citation:
        'NIST SP 800-53 Rev. 5 AU-11; FedRAMP Rev. 5 assignment "a time period in compliance with M-21-31"; OMB M-21-31 (12 months active, 18 months cold)',
      fields: ["logRetentionDays", "logImmediatelyAvailableDays"],
      condition: {
        all: [
          { field: "logRetentionDays", atLeast: 915 },
          { field: "logImmediatelyAvailableDays", atLeast: 366 },
        ],
      },
      retention: {
        dataClass: "audit-logs",
        minimumDays: 915,
        immediatelyAvailableDays: 366,
        period: "P30M",
        citation:
          "NIST SP 800-53 Rev. 5 AU-11 with the FedRAMP Rev. 5 assignment (OMB M-21-31: 12 months active storage + 18 months cold storage)",
      },
      note: "FedRAMP's own requirement is at least 90 days online and offline per NARA schedules; its parameter points at M-21-31 (12 months active + 18 months cold = 30 months; counted at the longest calendar lengths, 366 days active and 915 days in all: 2 years with a leap day, 731, plus July to December, 184), which the provider meets by storing logs or by exporting them to the agency.",
    },
    {
      id: "AU-2",
      title: "Event logging",
      citation: "NIST SP 800-53 Rev. 5 AU-2, AU-12",
      fields: ["auditLogging"],
      condition: { field: "auditLogging", equals: true },
    },
    {
      id: "SC-28(1)",
      title: "Cryptographic protection of information at rest",
      citation: "NIST SP 800-53 Rev. 5 SC-28, SC-28(1)",
      fields: ["encryption.atRest"],
      condition: { field: "encryption.atRest", equals: true },
    },
    {
      id: "SC-8(1)",
      title: "Cryptographic protection of information in transit",
      citation: "NIST SP 800-53 Rev. 5 SC-8, SC-8(1)",
      fields: ["encryption.inTransit"],
      condition: { field: "encryption.inTransit", equals: true },
    },
    {
      id: "SC-13",
      title: "FIPS-validated cryptography (FIPS 140 validated modules)",
      citation:
        "NIST SP 800-53 Rev. 5 SC-13; FedRAMP assignment: FIPS-validated or NSA-approved cryptography",
      fields: ["encryption.fips140Validated", "keyManagement"],
      condition: {
        all: [
          { field: "encryption.fips140Validated", equals: true },
          { field: "keyManagement", oneOf: ["kms", "hsm"] },
        ],
      },
      note: "A FIPS 140 validated KMS meets SC-12/SC-13; a dedicated HSM is not required by the text.",
    },
    {
      id: "CP-9",
      title: "System backup, stored at an alternate site",
      citation: "NIST SP 800-53 Rev. 5 CP-9, CP-6",
      fields: ["replicas"],
      condition: { field: "replicas", atLeast: 2 },
    },
  ],
  requirements: {
    encryptionAtRest: true,
    encryptionInTransit: true,
    keyManagement: "kms",
    minReplicas: 2,
    govCloud: true,
    auditLogging: true,
    citations: {
      encryptionAtRest: "NIST SP 800-53 Rev. 5 SC-28(1)",
      encryptionInTransit: "NIST SP 800-53 Rev. 5 SC-8(1)",
      keyManagement:
        "NIST SP 800-53 Rev. 5 SC-12, SC-13: FIPS 140 validated modules (a FIPS-validated KMS suffices; a dedicated HSM is not required)",
      minReplicas: "NIST SP 800-53 Rev. 5 CP-9, CP-6 (backups at an alternate storage site)",
      govCloud: "FedRAMP High authorisation: AWS GovCloud (US) is the AWS infrastructure authorised at High",
      auditLogging: "NIST SP 800-53 Rev. 5 AU-2, AU-12",
    },
  },
};

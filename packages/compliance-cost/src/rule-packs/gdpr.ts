import type { RulePack } from "./types.js";

const personal = { field: "dataCategories", includes: "personal-data" } as const;

/**
 * GDPR (Regulation (EU) 2016/679). Residency is checked against a region catalogue (EU/EEA,
 * adequacy decisions, the conditional EU-US Data Privacy Framework), not a list of two regions. Its
 * controls apply when the request processes personal data (`dataCategories` includes
 * `"personal-data"`). Storage limitation is a maximum: the pack sets no minimum retention.
 */
export const gdprRulePack: RulePack = {
  framework: "gdpr",
  name: "General Data Protection Regulation",
  version: "Regulation (EU) 2016/679",
  controls: [
    {
      id: "art-44-46",
      title: "Transfers outside the EU/EEA only to adequate countries or with safeguards",
      citation: "GDPR Chapter V, Art. 44, 45, 46",
      fields: ["region", "transfer.dataPrivacyFramework", "transfer.article46Safeguards"],
      condition: {
        any: [
          { field: "region", inRegionSet: "gdpr-adequate" },
          {
            all: [
              { field: "region", inRegionSet: "gdpr-conditional" },
              { field: "transfer.dataPrivacyFramework", equals: true },
            ],
          },
          { field: "transfer.article46Safeguards", equals: true },
        ],
      },
      appliesWhen: personal,
      note: "Hosting in a region is treated as a transfer to its country. A US region is adequate only for a recipient certified under the EU-US Data Privacy Framework; elsewhere Art. 46 safeguards (SCCs, BCRs) with a transfer impact assessment are needed.",
    },
    {
      id: "art-32-1-a-encryption",
      title: "Encryption of personal data at rest and in transit",
      citation: "GDPR Art. 32(1)(a)",
      fields: ["encryption.atRest", "encryption.inTransit"],
      condition: {
        all: [
          { field: "encryption.atRest", equals: true },
          { field: "encryption.inTransit", equals: true },
        ],
      },
      appliesWhen: personal,
      obligation: "risk-based",
      note: 'Art. 32 names encryption as an appropriate measure "as appropriate" to the risk; it is not unconditional.',
    },
    {
      id: "art-32-1-c-restore",
      title: "Ability to restore availability and access after an incident (backups)",
      citation: "GDPR Art. 32(1)(c)",
      fields: ["replicas"],
      condition: { field: "replicas", atLeast: 2 },
      appliesWhen: personal,
      obligation: "risk-based",
    },
    {
      id: "art-5-1-e",
      title: "Storage limitation: keep personal data no longer than the purpose needs",
      citation: "GDPR Art. 5(1)(e)",
      fields: [],
      appliesWhen: personal,
      note: "A maximum, not a minimum: evidence is a documented retention period per purpose and its deletion.",
    },
    {
      id: "art-30",
      title: "Records of processing activities",
      citation: "GDPR Art. 30",
      fields: [],
      appliesWhen: personal,
    },
  ],
  requirements: {
    encryptionAtRest: true,
    encryptionInTransit: true,
    keyManagement: "none",
    minReplicas: 2,
    govCloud: false,
    auditLogging: false,
    citations: {
      encryptionAtRest: "GDPR Art. 32(1)(a) (as appropriate to the risk)",
      encryptionInTransit: "GDPR Art. 32(1)(a) (as appropriate to the risk)",
      keyManagement: "The text names no key management; provider-managed keys satisfy Art. 32",
      minReplicas: "GDPR Art. 32(1)(c) ability to restore availability and access",
      auditLogging: "The text requires records of processing (Art. 30), not security event logging",
    },
    basis: { encryptionAtRest: "risk-based", encryptionInTransit: "risk-based", minReplicas: "risk-based" },
  },
  notes: [
    "Storage limitation (Art. 5(1)(e)) caps retention: personal data is kept no longer than necessary for its purpose. The pack sets no minimum retention; a minimum comes from another law (e.g. SOX, HIPAA) that applies to the same records.",
  ],
};

import type { RulePack } from "./types.js";

/**
 * ISO/IEC 27001:2022 Annex A. Annex A controls are selected by risk in the Statement of
 * Applicability (clause 6.1.3), so each is `"risk-based"`; the standard sets no retention periods
 * (logs and records are kept per the organisation's policy and other laws).
 */
export const iso27001RulePack: RulePack = {
  framework: "iso-27001",
  name: "ISO/IEC 27001 Annex A",
  version: "ISO/IEC 27001:2022",
  controls: [
    {
      id: "A.8.24",
      title: "Use of cryptography",
      citation: "ISO/IEC 27001:2022 Annex A 8.24",
      fields: ["encryption.atRest", "encryption.inTransit", "keyManagement"],
      condition: {
        all: [
          { field: "encryption.atRest", equals: true },
          { field: "encryption.inTransit", equals: true },
          { field: "keyManagement", oneOf: ["kms", "hsm"] },
        ],
      },
      obligation: "risk-based",
      note: "The control requires rules for cryptography and key management; encrypting at rest and in transit with managed keys is the common reading.",
    },
    {
      id: "A.8.15",
      title: "Logging",
      citation: "ISO/IEC 27001:2022 Annex A 8.15",
      fields: ["auditLogging"],
      condition: { field: "auditLogging", equals: true },
      obligation: "risk-based",
    },
    {
      id: "A.8.13",
      title: "Information backup",
      citation: "ISO/IEC 27001:2022 Annex A 8.13",
      fields: ["replicas"],
      condition: { field: "replicas", atLeast: 2 },
      obligation: "risk-based",
    },
    {
      id: "A.8.22",
      title: "Segregation of networks",
      citation: "ISO/IEC 27001:2022 Annex A 8.22",
      fields: ["networkSegmentation.zones"],
      condition: { field: "networkSegmentation.zones", lengthAtLeast: 2 },
      obligation: "risk-based",
    },
    {
      id: "A.8.5",
      title: "Secure authentication",
      citation: "ISO/IEC 27001:2022 Annex A 8.5",
      fields: ["mfa"],
      condition: { field: "mfa", equals: true },
      obligation: "risk-based",
      note: "The control asks for authentication matched to the information's sensitivity; MFA is its example for sensitive systems.",
    },
    {
      id: "A.5.23",
      title: "Information security for use of cloud services",
      citation: "ISO/IEC 27001:2022 Annex A 5.23",
      fields: [],
      obligation: "risk-based",
      note: "Evidence: the process to acquire, use, manage and exit cloud services.",
    },
  ],
  requirements: {
    encryptionAtRest: true,
    encryptionInTransit: true,
    keyManagement: "kms",
    minReplicas: 2,
    govCloud: false,
    auditLogging: true,
    citations: {
      encryptionAtRest: "ISO/IEC 27001:2022 A.8.24",
      encryptionInTransit: "ISO/IEC 27001:2022 A.8.24",
      keyManagement: "ISO/IEC 27001:2022 A.8.24 (key management rules; a KMS is the common practice)",
      minReplicas: "ISO/IEC 27001:2022 A.8.13",
      auditLogging: "ISO/IEC 27001:2022 A.8.15",
    },
    basis: {
      encryptionAtRest: "risk-based",
      encryptionInTransit: "risk-based",
      keyManagement: "practice",
      minReplicas: "risk-based",
      auditLogging: "risk-based",
    },
  },
};

import type { RulePack } from "./types.js";

const phi = { field: "dataCategories", includes: "phi" } as const;

/**
 * HIPAA Security Rule (45 CFR Part 164, Subpart C) as it stands in the CFR; the January 2025
 * proposed rule (which would make encryption and MFA required) is not encoded. Its controls apply
 * when the request handles electronic protected health information (`dataCategories` includes
 * `"phi"`).
 */
export const hipaaRulePack: RulePack = {
  framework: "hipaa",
  name: "HIPAA Security Rule",
  version: "45 CFR Part 164 Subpart C (as amended 2013)",
  controls: [
    {
      id: "164.316(b)(2)(i)",
      title: "Retain the required documentation for 6 years",
      citation: "45 CFR 164.316(b)(2)(i)",
      fields: ["documentationRetentionDays"],
      condition: { field: "documentationRetentionDays", atLeast: 2_192 },
      appliesWhen: phi,
      retention: {
        dataClass: "documentation",
        minimumDays: 2_192,
        period: "P6Y",
        citation: "45 CFR 164.316(b)(2)(i)",
      },
      note: "6 years from the date of creation or the date when last in effect, whichever is later; counted at the longest 6 calendar years can last (2,192 days, with 2 leap days), so no policy ends before the anniversary.",
    },
    {
      id: "164.312(a)(2)(iv)",
      title: "Encryption and decryption of ePHI at rest",
      citation: "45 CFR 164.312(a)(2)(iv)",
      fields: ["encryption.atRest"],
      condition: { field: "encryption.atRest", equals: true },
      appliesWhen: phi,
      obligation: "addressable",
      note: "Addressable (164.306(d)(3)): encrypt, or document why an equivalent alternative is reasonable; encrypted data per HHS guidance is outside breach notification.",
    },
    {
      id: "164.312(e)(2)(ii)",
      title: "Encryption of ePHI in transmission",
      citation: "45 CFR 164.312(e)(2)(ii)",
      fields: ["encryption.inTransit"],
      condition: { field: "encryption.inTransit", equals: true },
      appliesWhen: phi,
      obligation: "addressable",
      note: "Addressable (164.306(d)(3)).",
    },
    {
      id: "164.312(b)",
      title: "Audit controls: record and examine activity in systems that hold ePHI",
      citation: "45 CFR 164.312(b)",
      fields: ["auditLogging"],
      condition: { field: "auditLogging", equals: true },
      appliesWhen: phi,
      note: "The rule sets no retention period for audit logs; the 6-year documentation rule covers the records of actions and assessments it requires.",
    },
    {
      id: "164.308(a)(7)(ii)(A)",
      title: "Data backup plan: retrievable exact copies of ePHI",
      citation: "45 CFR 164.308(a)(7)(ii)(A)",
      fields: ["replicas"],
      condition: { field: "replicas", atLeast: 2 },
      appliesWhen: phi,
      note: "A retrievable exact copy besides the primary: at least 2 copies.",
    },
    {
      id: "164.312(d)",
      title: "Person or entity authentication",
      citation: "45 CFR 164.312(d)",
      fields: [],
      appliesWhen: phi,
      note: "The current text requires authentication, not MFA specifically; evidence: the authentication procedure.",
    },
    {
      id: "164.308(a)(1)(ii)(A)",
      title: "Risk analysis",
      citation: "45 CFR 164.308(a)(1)(ii)(A)",
      fields: [],
      appliesWhen: phi,
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
      encryptionAtRest: "45 CFR 164.312(a)(2)(iv) (addressable)",
      encryptionInTransit: "45 CFR 164.312(e)(2)(ii) (addressable)",
      keyManagement:
        "Not in the rule's text: HHS breach guidance (74 FR 42740) treats data as secured when encrypted per NIST SP 800-111 with keys kept apart from the data; customer-managed KMS keys are the common practice",
      minReplicas: "45 CFR 164.308(a)(7)(ii)(A) data backup plan",
      auditLogging: "45 CFR 164.312(b) audit controls",
    },
    basis: {
      encryptionAtRest: "addressable",
      encryptionInTransit: "addressable",
      keyManagement: "practice",
    },
  },
};

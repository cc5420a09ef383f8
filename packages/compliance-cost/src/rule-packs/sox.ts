import type { RulePack } from "./types.js";

const financial = { field: "dataCategories", includes: "financial-reporting" } as const;

/**
 * Sarbanes-Oxley Act of 2002 with the SEC's retention rule for audit records. Its controls apply
 * when the request holds records relevant to financial reporting or its audit (`dataCategories`
 * includes `"financial-reporting"`). The statute names no technical control: audit logging is the
 * IT general control auditors test under §404, i.e. practice.
 */
export const soxRulePack: RulePack = {
  framework: "sox",
  name: "Sarbanes-Oxley Act (SOX) and SEC Regulation S-X Rule 2-06",
  version: "SOX 2002; 17 CFR 210.2-06 (2003)",
  controls: [
    {
      id: "210.2-06",
      title: "Retain audit and review records for 7 years",
      citation: "17 CFR 210.2-06 (SEC Rule 2-06 of Regulation S-X), implementing SOX §802 (18 U.S.C. 1520)",
      fields: ["auditEvidenceRetentionDays"],
      condition: { field: "auditEvidenceRetentionDays", atLeast: 2_557 },
      appliesWhen: financial,
      retention: {
        dataClass: "audit-evidence",
        minimumDays: 2_557,
        period: "P7Y",
        citation: "17 CFR 210.2-06; SOX §802 (18 U.S.C. 1520)",
      },
      note: "7 years after the auditor concludes the audit or review; binds the accountant, and the issuer keeps the records the audit relied on. Counted at the longest 7 calendar years can last (2,557 days, with 2 leap days).",
    },
    {
      id: "404-itgc-logging",
      title: "Audit logging of access and changes to financial systems (IT general control)",
      citation: "SOX §404 (15 U.S.C. 7262); PCAOB AS 2201 (IT general controls)",
      fields: ["auditLogging"],
      condition: { field: "auditLogging", equals: true },
      appliesWhen: financial,
      obligation: "practice",
    },
    {
      id: "404-icfr-assessment",
      title: "Management's assessment of internal control over financial reporting",
      citation: "SOX §404(a) (15 U.S.C. 7262(a))",
      fields: [],
      appliesWhen: financial,
    },
  ],
  requirements: {
    encryptionAtRest: false,
    encryptionInTransit: false,
    keyManagement: "none",
    minReplicas: 1,
    govCloud: false,
    auditLogging: true,
    citations: {
      auditLogging:
        "SOX §404; PCAOB AS 2201: logging is the IT general control auditors test (practice, not statute text)",
    },
    basis: { auditLogging: "practice" },
  },
};

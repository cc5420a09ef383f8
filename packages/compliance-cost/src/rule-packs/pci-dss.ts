import type { RulePack } from "./types.js";

const card = { field: "dataCategories", includes: "cardholder-data" } as const;

/**
 * PCI DSS v4.0.1 (June 2024). Its controls apply when the request stores, processes or transmits
 * cardholder data (`dataCategories` includes `"cardholder-data"`).
 */
export const pciDssRulePack: RulePack = {
  framework: "pci-dss",
  name: "Payment Card Industry Data Security Standard",
  version: "PCI DSS v4.0.1",
  controls: [
    {
      id: "1.3.1",
      title: "The CDE is a network zone isolated by network security controls",
      citation: "PCI DSS v4.0.1 Req. 1.3.1, 1.3.2 (segmentation testing 11.4.5)",
      fields: ["networkSegmentation.cdeIsolated"],
      condition: { field: "networkSegmentation.cdeIsolated", equals: true },
      appliesWhen: card,
      note: "Segmentation is not itself mandated, but without it every connected system is in scope; inbound and outbound CDE traffic must be restricted (1.3.1, 1.3.2).",
    },
    {
      id: "3.5.1",
      title: "PAN is rendered unreadable wherever it is stored",
      citation: "PCI DSS v4.0.1 Req. 3.5.1",
      fields: ["encryption.atRest"],
      condition: { field: "encryption.atRest", equals: true },
      appliesWhen: card,
    },
    {
      id: "4.2.1",
      title: "Strong cryptography protects PAN in transmission over open, public networks",
      citation: "PCI DSS v4.0.1 Req. 4.2.1",
      fields: ["encryption.inTransit"],
      condition: { field: "encryption.inTransit", equals: true },
      appliesWhen: card,
    },
    {
      id: "3.6.1",
      title: "Cryptographic keys protecting stored account data are managed (KMS or HSM)",
      citation: "PCI DSS v4.0.1 Req. 3.6.1, 3.7",
      fields: ["keyManagement"],
      condition: { field: "keyManagement", oneOf: ["kms", "hsm"] },
      appliesWhen: card,
      note: "The standard requires key-management procedures and keys stored in the fewest locations (3.6.1.2 lists an HSM as one option); it does not require a dedicated HSM.",
    },
    {
      id: "8.4.2",
      title: "MFA for all access into the CDE",
      citation: "PCI DSS v4.0.1 Req. 8.4.2",
      fields: ["mfa"],
      condition: { field: "mfa", equals: true },
      appliesWhen: card,
    },
    {
      id: "10.2.1",
      title: "Audit logs are enabled and active for all system components",
      citation: "PCI DSS v4.0.1 Req. 10.2.1",
      fields: ["auditLogging"],
      condition: { field: "auditLogging", equals: true },
      appliesWhen: card,
    },
    {
      id: "10.5.1",
      title: "Audit log history is kept 12 months, the last 3 immediately available",
      citation: "PCI DSS v4.0.1 Req. 10.5.1",
      fields: ["logRetentionDays", "logImmediatelyAvailableDays"],
      condition: {
        all: [
          { field: "logRetentionDays", atLeast: 366 },
          { field: "logImmediatelyAvailableDays", atLeast: 92 },
        ],
      },
      appliesWhen: card,
      retention: {
        dataClass: "audit-logs",
        minimumDays: 366,
        immediatelyAvailableDays: 92,
        period: "P12M",
        citation: "PCI DSS v4.0.1 Req. 10.5.1",
      },
      note: "Counted at the longest calendar lengths: 12 months as 366 days (a span with a leap day), 3 months as 92 days (July to September).",
    },
  ],
  requirements: {
    encryptionAtRest: true,
    encryptionInTransit: true,
    keyManagement: "kms",
    minReplicas: 1,
    govCloud: false,
    auditLogging: true,
    citations: {
      encryptionAtRest: "PCI DSS v4.0.1 Req. 3.5.1",
      encryptionInTransit: "PCI DSS v4.0.1 Req. 4.2.1",
      keyManagement:
        "PCI DSS v4.0.1 Req. 3.6, 3.7 (key management; an HSM is one option of 3.6.1.2, not a requirement)",
      auditLogging: "PCI DSS v4.0.1 Req. 10.2.1",
    },
  },
};

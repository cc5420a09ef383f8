/**
 * The demo's compliance section: a 🔴 tenant's deployment request validated against GDPR and PCI
 * DSS, rejected with cited violations, corrected and approved; its compliance cost from first
 * principles beside the seed's multipliers; its network segmentation; and every decision written
 * to an encrypted, hash-chained audit trail that is verified, tampered with, and verified again.
 */
import { createHash } from "node:crypto";
import {
  type ComplianceRequest,
  complianceReport,
  costCompliance,
  createAuditTrail,
  createMemorySink,
  planSegmentation,
  toAwsSecurityGroups,
  toNetworkPolicies,
  validateCompliance,
  verifyAuditTrail,
} from "@enis/compliance-cost";
import { createManualClock } from "@enis/core";

const frameworks = ["gdpr", "pci-dss"] as const;

/** What the tenant asks for: EU customers' card payments, deployed in N. Virginia on one flat network. */
export const requested: ComplianceRequest = {
  region: "us-east-1",
  dataCategories: ["personal-data", "cardholder-data"],
  encryption: { atRest: true, inTransit: true },
  keyManagement: "kms",
  mfa: true,
  networkSegmentation: { zones: ["app"], cdeIsolated: false },
  auditLogging: true,
  logRetentionDays: 366,
  logImmediatelyAvailableDays: 92,
  replicas: 2,
};

/** The corrected request: an EU region, and the cardholder-data environment in a zone of its own. */
export const corrected: ComplianceRequest = {
  ...requested,
  region: "eu-central-1",
  networkSegmentation: { zones: ["dmz", "app", "cde"], cdeIsolated: true },
};

export async function runCompliance(startMs: number) {
  const rejected = validateCompliance(requested, frameworks);
  const approved = validateCompliance(corrected, frameworks);
  const report = complianceReport({ request: corrected, frameworks: [...frameworks] });

  // The deployment's resources, a month: a payments database and an API tier.
  const cost = costCompliance(
    [
      {
        id: "payments-db",
        instanceType: "r7g.xlarge",
        storedGb: 800,
        auditLogGbPerMonth: 40,
        processedGbPerMonth: 6_000,
        transitGbPerMonth: 2_000,
        kmsRequestsPerMonth: 3_000_000,
      },
      {
        id: "payments-api",
        instanceType: "m7g.large",
        instanceCount: 3,
        auditLogGbPerMonth: 25,
        transitGbPerMonth: 4_000,
        kmsRequestsPerMonth: 1_000_000,
      },
    ],
    frameworks,
  );

  const segmentation = planSegmentation({
    baseCidr: "10.40.0.0/22",
    zones: [
      { name: "dmz", hosts: 100, allow: [{ from: "0.0.0.0/0", ports: [{ protocol: "tcp", port: 443 }] }] },
      { name: "app", hosts: 200, allow: [{ from: "dmz", ports: [{ protocol: "tcp", port: 8443 }] }] },
      { name: "cde", hosts: 50, allow: [{ from: "app", ports: [{ protocol: "tcp", port: 5432 }] }] },
    ],
  });
  const policies = toNetworkPolicies(segmentation);
  const securityGroups = toAwsSecurityGroups(segmentation);

  // Every decision goes to the audit trail. The key is the caller's (a KMS data key in production;
  // here derived from a fixed demo phrase), never generated per process.
  const keyring = {
    activeKeyId: "2026-11",
    keys: { "2026-11": new Uint8Array(createHash("sha256").update("enis demo audit key").digest()) },
  };
  const clock = createManualClock(startMs);
  const sink = createMemorySink();
  const trail = createAuditTrail({ keyring, sink, clock, trailId: "compliance-000" });
  await trail.append({ action: "deployment-requested", tenantId: "compliance-000", request: requested });
  clock.advance(1_000);
  await trail.append({
    action: "deployment-rejected",
    tenantId: "compliance-000",
    violations: rejected.violations.map((v) => `${v.framework} ${v.control}`),
  });
  clock.advance(60_000);
  await trail.append({ action: "deployment-requested", tenantId: "compliance-000", request: corrected });
  clock.advance(1_000);
  await trail.append({
    action: "deployment-approved",
    tenantId: "compliance-000",
    monthlyComplianceUsd: cost.costUsd,
  });
  clock.advance(1_000);
  await trail.append({
    action: "segmentation-planned",
    tenantId: "compliance-000",
    subnets: segmentation.subnets.length,
  });
  const anchor = await trail.checkpoint();
  const verified = await trail.verify({ anchor });

  // Someone with write access to the store (not the key) edits one character of the rejection.
  const lines = sink.lines();
  const target = 1;
  const line = lines[target]!;
  const at = line.indexOf('"data":"') + 20;
  lines[target] = line.slice(0, at) + (line[at] === "A" ? "B" : "A") + line.slice(at + 1);
  const tampered = await verifyAuditTrail({
    keyring,
    sink: createMemorySink(lines),
    trailId: "compliance-000",
    anchor,
  });
  // And someone deletes the approval.
  const dropped = await verifyAuditTrail({
    keyring,
    sink: createMemorySink(sink.lines().filter((_, i) => i !== 3)),
    trailId: "compliance-000",
    anchor,
  });

  return {
    rejected,
    approved,
    report,
    cost,
    segmentation,
    policies,
    securityGroups,
    verified,
    tampered,
    dropped,
  };
}

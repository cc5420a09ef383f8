/*
 * The audit trail's public surface, for the package's main entry (`export * from
 * "./audit-trail/index.js"`). The file sink is not here: it imports node:fs, and lives on its own
 * subpath, `@enis/compliance-cost/file-sink`.
 */
export { type AuditExportCheck, auditExportFormat, verifyAuditExport } from "./export.js";
export { type AuditKeyring, auditKeyBytes } from "./keys.js";
export {
  type AuditSink,
  type AuditSinkContents,
  createMemorySink,
  type MemorySink,
  type TornTail,
} from "./sink.js";
export {
  type AuditAppendResult,
  type AuditExportOptions,
  type AuditTrail,
  type AuditTrailOptions,
  createAuditTrail,
  type VerifyAuditTrailOptions,
  verifyAuditTrail,
} from "./trail.js";
export type {
  AuditCheckpoint,
  AuditProblem,
  AuditProblemKind,
  AuditRecord,
  AuditVerifyOptions,
  AuditVerifyReport,
} from "./verify.js";

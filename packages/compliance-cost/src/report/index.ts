export {
  type ComplianceReport,
  type ComplianceReportInput,
  type ControlStatus,
  complianceReport,
  type EvidenceItem,
  type ReadinessFigure,
  type ReportControl,
  type ReportEvidence,
  type ReportFramework,
} from "./report.js";

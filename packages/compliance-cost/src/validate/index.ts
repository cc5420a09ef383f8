export {
  type ConditionFailure,
  type ConditionResult,
  describeFix,
  evaluateCondition,
  type FieldFix,
  type Fix,
} from "./conditions.js";
export {
  type ComplianceRequest,
  type DataCategory,
  isRequestField,
  parseComplianceRequest,
  requestFields,
} from "./request.js";
export {
  type ComplianceRecommendation,
  type ComplianceValidation,
  type ComplianceViolation,
  type NotApplicableControl,
  parseRegionCatalogue,
  type RequiredControl,
  type ValidateComplianceOptions,
  validateCompliance,
} from "./validate.js";

export type {
  FocusAggregationOptions,
  FocusDuckDBConnection,
  FocusDuckDBInstance,
  FocusFilter,
  FocusGroupBy,
  FocusPeriod,
  FocusReadOptions,
  FocusSqlDialect,
  FocusSqlOptions,
  ReadFocusOptions,
} from "./options.js";
export type {
  FocusCommitmentTotals,
  FocusCostTotals,
  FocusGroupTotals,
  FocusPricingTotals,
  FocusReconciliation,
  FocusReport,
} from "./read-focus.js";
export { focusAggregationSql, readFocus } from "./read-focus.js";

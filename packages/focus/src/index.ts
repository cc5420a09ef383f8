export type {
  FocusHourlyMeasure,
  FocusHourlyReconciliation,
  FocusHourlySeries,
  ReadFocusHourlyOptions,
} from "./hourly.js";
export { readFocusHourly } from "./hourly.js";
export type {
  FocusMonthToDate,
  FocusTenantSpend,
  ReadFocusMonthToDateOptions,
} from "./month-to-date.js";
export { readFocusMonthToDate } from "./month-to-date.js";
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

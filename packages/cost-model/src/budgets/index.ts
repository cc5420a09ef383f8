export type {
  BudgetAlert,
  BudgetAlertKind,
  BudgetOptions,
  BudgetProjection,
  BudgetProjectionContext,
  BudgetProjectionMethod,
  BudgetReport,
  BudgetTenant,
  TenantBudgetStatus,
} from "./budgets.js";
export { evaluateBudgets } from "./budgets.js";

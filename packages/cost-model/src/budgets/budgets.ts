import { EnisError, type TierCatalogue, type TierId } from "@enis/core";
import {
  assertArray,
  assertId,
  assertKnownKeys,
  assertNonNegative,
  assertObject,
  describeValue,
  invalidField,
  resolveCatalogue,
} from "@enis/core/validate";
import { displayPercent, displayUsd, num, percent, tidy, usd } from "../costs/money.js";

/** One tenant's month-to-date spend, and where its budget comes from. */
export interface BudgetTenant {
  /** Unique id of the tenant. */
  readonly id: string;
  /** Spend so far this month (UTC), USD, finite and >= 0. */
  readonly spendUsd: number;
  /**
   * The tenant's tier (id, emoji or both): its monthly ceiling is the budget unless `budgetUsd`
   * is given (🟤 $50, 🟡 $500, 🟢 $2,000, 🔵 $10,000, 🔴 $50,000 in the default tier catalogue).
   */
  readonly tier?: string;
  /** The tenant's own monthly budget, USD, finite and > 0; wins over the tier's ceiling. */
  readonly budgetUsd?: number;
}

/** What a projection hook is told about a tenant (see {@link BudgetOptions.project}). */
export interface BudgetProjectionContext {
  readonly tenantId: string;
  /** The tenant's tier id, when it has one. */
  readonly tier: TierId | null;
  readonly spendUsd: number;
  readonly budgetUsd: number;
  readonly nowMs: number;
  /** Start of the month (UTC) containing `nowMs`, epoch ms. */
  readonly monthStartMs: number;
  /** Start of the next month (UTC), epoch ms. */
  readonly monthEndMs: number;
  /** `(nowMs − monthStartMs) / (monthEndMs − monthStartMs)`, in [0, 1). */
  readonly elapsedFraction: number;
}

/** Options of {@link evaluateBudgets}. */
export interface BudgetOptions {
  /** The tenants; ids unique. An empty list is valid. */
  readonly tenants: readonly BudgetTenant[];
  /** The time of the evaluation, epoch ms: the month is the UTC calendar month containing it. */
  readonly nowMs: number;
  /**
   * Alert when the month-to-date spend reaches these fractions of the budget (each finite, > 0,
   * distinct; 1 is the whole budget).
   * @default [0.5, 0.8, 1]
   */
  readonly thresholds?: readonly number[];
  /**
   * Alert when the projected month-end spend reaches these fractions of the budget.
   * @default [1]
   */
  readonly projectedThresholds?: readonly number[];
  /**
   * The least part of the month, in ms, that must have elapsed before a run-rate projection is
   * made: in the first hours a run-rate multiplies minutes of spend by hundreds. Finite and >= 0.
   * Does not apply to a `project` hook.
   * @default 86_400_000 (one day: the run-rate then multiplies at most 31-fold)
   */
  readonly minElapsedMs?: number;
  /**
   * Projects a tenant's month-end spend, USD, in place of the linear run-rate — the hook for
   * `@enis/forecast`. Must return a finite number at least the tenant's month-to-date spend.
   * @default the linear run-rate, `spendUsd / elapsedFraction`
   */
  readonly project?: (tenant: BudgetProjectionContext) => number;
  /**
   * The tier catalogue holding the monthly ceilings.
   * @default defaultTierCatalogue
   */
  readonly tierCatalogue?: TierCatalogue;
}

/** How a month-end projection was made: the linear run-rate, the caller's hook, or none (too early). */
export type BudgetProjectionMethod = "run-rate" | "custom" | "none";

/** A tenant's projected month-end spend. */
export interface BudgetProjection {
  readonly method: BudgetProjectionMethod;
  /** Projected month-end spend, USD; null when no projection was made (`method: "none"`). */
  readonly projectedUsd: number | null;
  /** `projectedUsd / budgetUsd`, or null. */
  readonly projectedFraction: number | null;
  /** How it was computed, or why there is none. */
  readonly explanation: string;
}

/** Which budget check an alert comes from: the spend so far, or the projected month-end spend. */
export type BudgetAlertKind = "threshold" | "projected";

/** One budget alert, as data. */
export interface BudgetAlert {
  /**
   * Stable id, `<tenantId>:<YYYY-MM>:<kind>:<threshold>`: the same alert in the same month has the
   * same id, so a caller that evaluates often can send each alert once.
   */
  readonly id: string;
  readonly tenantId: string;
  readonly kind: BudgetAlertKind;
  /** The fraction of the budget crossed (0.8 is 80%). */
  readonly threshold: number;
  /** `threshold × budgetUsd`. */
  readonly thresholdUsd: number;
  /** Month-to-date spend, USD. */
  readonly spendUsd: number;
  readonly budgetUsd: number;
  /** The projected month-end spend for a `"projected"` alert, else null. */
  readonly projectedUsd: number | null;
  /** `YYYY-MM` (UTC). */
  readonly month: string;
  /** The alert in words and numbers. */
  readonly message: string;
}

/** One tenant's standing against its budget. */
export interface TenantBudgetStatus {
  readonly tenantId: string;
  /** The tenant's tier id, or null without one. */
  readonly tier: TierId | null;
  readonly budgetUsd: number;
  /** `"tenant"` for the tenant's own `budgetUsd`, `"tier"` for its tier's monthly ceiling. */
  readonly budgetSource: "tenant" | "tier";
  readonly spendUsd: number;
  /** `spendUsd / budgetUsd`. */
  readonly usedFraction: number;
  /** `budgetUsd − spendUsd`: negative when over budget. */
  readonly headroomUsd: number;
  readonly projection: BudgetProjection;
  /** This tenant's alerts (also in {@link BudgetReport.alerts}). */
  readonly alerts: readonly BudgetAlert[];
}

/** Result of {@link evaluateBudgets}. */
export interface BudgetReport {
  readonly nowMs: number;
  /** `YYYY-MM` (UTC). */
  readonly month: string;
  readonly monthStartMs: number;
  readonly monthEndMs: number;
  /** Part of the month elapsed at `nowMs`, in [0, 1). */
  readonly elapsedFraction: number;
  /** Every tenant, in the order given. */
  readonly tenants: readonly TenantBudgetStatus[];
  /** Every alert, tenant by tenant: threshold alerts (lowest first), then projected ones. */
  readonly alerts: readonly BudgetAlert[];
}

const optionKeys: ReadonlySet<string> = new Set([
  "tenants",
  "nowMs",
  "thresholds",
  "projectedThresholds",
  "minElapsedMs",
  "project",
  "tierCatalogue",
]);
const tenantKeys: ReadonlySet<string> = new Set(["id", "spendUsd", "tier", "budgetUsd"]);

/** The largest time `Date` represents, ms (±8.64e15). */
const maxTimeMs = 8.64e15;
const dayMs = 86_400_000;

function checkFractions(value: unknown, field: string, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  assertArray(value, field);
  const fractions: number[] = [];
  for (let index = 0; index < value.length; index++) {
    const fraction = value[index];
    if (typeof fraction !== "number" || !(fraction > 0) || !Number.isFinite(fraction)) {
      throw invalidField(`${field}[${index}]`, fraction, "a finite number > 0 (a fraction of the budget)");
    }
    if (fractions.includes(fraction)) {
      throw invalidField(`${field}[${index}]`, fraction, "distinct from the other thresholds");
    }
    fractions.push(fraction);
  }
  return fractions.sort((a, b) => a - b);
}

/** `YYYY-MM` of a UTC month. */
function monthKey(year: number, monthIndex: number): string {
  return `${String(year).padStart(4, "0")}-${String(monthIndex + 1).padStart(2, "0")}`;
}

/** Days in a month of the Gregorian calendar (`monthIndex` 0 for January). */
function daysInMonth(year: number, monthIndex: number): number {
  if (monthIndex !== 1) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][monthIndex]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

function hours(ms: number): string {
  return `${num(ms / 3_600_000)} h`;
}

/**
 * Month-to-date spend of each tenant against its budget — its own `budgetUsd`, or its tier's
 * monthly ceiling from `@enis/core` — with alerts, as data, when the spend reaches a threshold
 * (default 50%, 80%, 100%) and when the projected month-end spend reaches a projected threshold
 * (default 100%). The projection is a linear run-rate (spend so far / elapsed part of the month)
 * or the caller's `project` hook. The month is the UTC calendar month containing `nowMs`, computed
 * from it alone (pure: no clock is read).
 *
 * Edges: a tenant with zero spend has a run-rate of $0 and no alerts; before `minElapsedMs` of the
 * month (default one day) no run-rate is made (`projection.method: "none"`, with the reason), while
 * threshold alerts still apply. Throws `EnisError` `INVALID_OPTIONS`, `DUPLICATE_ID` or `UNKNOWN_TIER`.
 *
 * @example
 * ```ts
 * const report = evaluateBudgets({
 *   nowMs: Date.UTC(2026, 11, 16), // 15 of December's 31 days have elapsed
 *   tenants: [
 *     { id: "acme", tier: "🟡", spendUsd: 300 }, // $500 ceiling: 60% spent, $620 projected
 *     { id: "globex", budgetUsd: 1000, spendUsd: 100 },
 *   ],
 * });
 * report.alerts.map((alert) => alert.id);
 * // ["acme:2026-12:threshold:0.5", "acme:2026-12:projected:1"]
 * ```
 */
export function evaluateBudgets(options: BudgetOptions): BudgetReport {
  assertObject(options, "options");
  assertKnownKeys(options as unknown as Record<string, unknown>, optionKeys, "options");
  const { nowMs } = options;
  if (typeof nowMs !== "number" || !(nowMs >= 0 && nowMs <= maxTimeMs)) {
    throw invalidField("nowMs", nowMs, `a time in ms from 0 to ${maxTimeMs}`);
  }
  const tenants: unknown = options.tenants;
  assertArray(tenants, "tenants");
  const thresholds = checkFractions(options.thresholds, "thresholds", [0.5, 0.8, 1]);
  const projectedThresholds = checkFractions(options.projectedThresholds, "projectedThresholds", [1]);
  const minElapsedMs = options.minElapsedMs ?? dayMs;
  assertNonNegative(minElapsedMs, "minElapsedMs");
  const project = options.project;
  if (project !== undefined && typeof project !== "function") {
    throw invalidField("project", project, "a function (tenant) => projected month-end spend in USD");
  }
  const tiers = resolveCatalogue(options.tierCatalogue, "tierCatalogue");

  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const monthIndex = now.getUTCMonth();
  const monthStartMs = Date.UTC(year, monthIndex, 1);
  // Not Date.UTC(year, monthIndex + 1, 1): the month of 8.64e15, the last time a Date holds, ends
  // after it, where Date.UTC gives NaN.
  const monthEndMs = monthStartMs + daysInMonth(year, monthIndex) * dayMs;
  const month = monthKey(year, monthIndex);
  const elapsedMs = nowMs - monthStartMs;
  const monthMs = monthEndMs - monthStartMs;
  const elapsedFraction = elapsedMs / monthMs;

  const seen = new Set<string>();
  const statuses: TenantBudgetStatus[] = [];
  const allAlerts: BudgetAlert[] = [];
  for (let index = 0; index < tenants.length; index++) {
    const field = `tenants[${index}]`;
    const tenant = tenants[index] as BudgetTenant | undefined;
    if (typeof tenant !== "object" || tenant === null || Array.isArray(tenant)) {
      throw invalidField(field, tenant, "an object");
    }
    assertKnownKeys(tenant as unknown as Record<string, unknown>, tenantKeys, field);
    assertId(tenant.id, `${field}.id`);
    if (seen.has(tenant.id)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `${field}.id must be unique, got ${describeValue(tenant.id)} twice`,
        { field: `${field}.id` },
      );
    }
    seen.add(tenant.id);
    assertNonNegative(tenant.spendUsd, `${field}.spendUsd`);
    const spendUsd = tenant.spendUsd;
    let tierId: TierId | null = null;
    let tierCeiling: number | undefined;
    if (tenant.tier !== undefined) {
      let spec: ReturnType<TierCatalogue["parse"]>;
      try {
        spec = tiers.parse(tenant.tier);
      } catch (error) {
        if (!EnisError.isInstance(error)) throw error;
        throw new EnisError(error.code, `${field}.${error.message}`, {
          field: `${field}.tier`,
          cause: error,
        });
      }
      tierId = spec.id;
      tierCeiling = spec.budget.monthlyCeilingUsd;
    }
    let budgetUsd: number;
    let budgetSource: "tenant" | "tier";
    if (tenant.budgetUsd !== undefined) {
      if (
        typeof tenant.budgetUsd !== "number" ||
        !(tenant.budgetUsd > 0) ||
        !Number.isFinite(tenant.budgetUsd)
      ) {
        throw invalidField(`${field}.budgetUsd`, tenant.budgetUsd, "a finite number > 0");
      }
      budgetUsd = tenant.budgetUsd;
      budgetSource = "tenant";
      if (!Number.isFinite(spendUsd / budgetUsd)) {
        // A tier's ceiling is never this small; a tenant's own budget of 1e-320 would be.
        throw invalidField(
          `${field}.budgetUsd`,
          budgetUsd,
          `large enough that spendUsd / budgetUsd is a finite number (spendUsd ${spendUsd})`,
        );
      }
    } else if (tierCeiling !== undefined) {
      budgetUsd = tierCeiling;
      budgetSource = "tier";
    } else {
      throw invalidField(field, tenant, "an object with a tier or a budgetUsd (the budget to check against)");
    }

    const projection = projectTenant({
      tenantId: tenant.id,
      tier: tierId,
      spendUsd,
      budgetUsd,
      nowMs,
      monthStartMs,
      monthEndMs,
      elapsedFraction,
    });

    const alerts: BudgetAlert[] = [];
    const who = tenant.id;
    const budgetText = `${budgetSource === "tier" ? `its ${tierId} tier's` : "its"} ${displayUsd(budgetUsd)} budget`;
    for (const threshold of thresholds) {
      const thresholdUsd = tidy(threshold * budgetUsd);
      if (spendUsd < thresholdUsd) continue;
      alerts.push({
        id: `${who}:${month}:threshold:${threshold}`,
        tenantId: who,
        kind: "threshold",
        threshold,
        thresholdUsd,
        spendUsd,
        budgetUsd,
        projectedUsd: null,
        month,
        message: `${who} has spent ${displayUsd(spendUsd)} of ${budgetText} in ${month} (${displayPercent(spendUsd / budgetUsd)}), reaching the ${percent(threshold)} threshold`,
      });
    }
    const projectedUsd = projection.projectedUsd;
    if (projectedUsd !== null) {
      for (const threshold of projectedThresholds) {
        const thresholdUsd = tidy(threshold * budgetUsd);
        if (projectedUsd < thresholdUsd) continue;
        alerts.push({
          id: `${who}:${month}:projected:${threshold}`,
          tenantId: who,
          kind: "projected",
          threshold,
          thresholdUsd,
          spendUsd,
          budgetUsd,
          projectedUsd,
          month,
          message: `${who} is projected to spend ${displayUsd(projectedUsd)} of ${budgetText} by the end of ${month} (${displayPercent(projectedUsd / budgetUsd)}, ${projection.method}), reaching the ${percent(threshold)} threshold`,
        });
      }
    }
    allAlerts.push(...alerts);
    statuses.push({
      tenantId: who,
      tier: tierId,
      budgetUsd,
      budgetSource,
      spendUsd,
      usedFraction: tidy(spendUsd / budgetUsd),
      headroomUsd: tidy(budgetUsd - spendUsd),
      projection,
      alerts,
    });
  }

  return {
    nowMs,
    month,
    monthStartMs,
    monthEndMs,
    elapsedFraction: tidy(elapsedFraction),
    tenants: statuses,
    alerts: allAlerts,
  };

  function projectTenant(context: BudgetProjectionContext): BudgetProjection {
    const { spendUsd, budgetUsd } = context;
    if (project !== undefined) {
      const projected = project(context);
      if (typeof projected !== "number" || !Number.isFinite(projected) || projected < spendUsd) {
        throw invalidField(
          `project(${JSON.stringify(context.tenantId)})`,
          projected,
          `a finite number of USD at least the month-to-date spend (${spendUsd})`,
        );
      }
      if (!Number.isFinite(projected / budgetUsd)) {
        throw invalidField(
          `project(${JSON.stringify(context.tenantId)})`,
          projected,
          `a number of USD whose ratio to the budget (${budgetUsd}) is finite`,
        );
      }
      return {
        method: "custom",
        projectedUsd: projected,
        projectedFraction: tidy(projected / budgetUsd),
        explanation: `projected by the project hook: ${usd(projected)} by the end of ${month}`,
      };
    }
    if (elapsedMs < minElapsedMs || elapsedMs === 0) {
      return {
        method: "none",
        projectedUsd: null,
        projectedFraction: null,
        explanation: `no run-rate: ${hours(elapsedMs)} of ${month} elapsed, less than the ${hours(Math.max(minElapsedMs, 1))} needed (a run-rate this early multiplies hours of spend ${num(Math.round(monthMs / Math.max(elapsedMs, 1)))}-fold)`,
      };
    }
    if (spendUsd === 0) {
      return {
        method: "run-rate",
        projectedUsd: 0,
        projectedFraction: 0,
        explanation: `no spend in the first ${hours(elapsedMs)} of ${month}: a run-rate of $0`,
      };
    }
    const projected = tidy(spendUsd / elapsedFraction);
    if (!Number.isFinite(projected) || !Number.isFinite(projected / budgetUsd)) {
      return {
        method: "none",
        projectedUsd: null,
        projectedFraction: null,
        explanation: `no run-rate: ${usd(spendUsd)} / ${num(elapsedFraction)} overflows, or its ratio to the ${usd(budgetUsd)} budget does`,
      };
    }
    return {
      method: "run-rate",
      projectedUsd: projected,
      projectedFraction: tidy(projected / budgetUsd),
      explanation: `run-rate: ${usd(spendUsd)} in ${percent(elapsedFraction)} of ${month} → ${usd(spendUsd)} / ${num(elapsedFraction)} = ${usd(projected)}`,
    };
  }
}

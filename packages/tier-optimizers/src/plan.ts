/**
 * The vocabulary every planner's result shares (docs/conventions.md, "Plans and reports"): the cost
 * before and after for one `period`, and the savings between them.
 */

/**
 * What one `costBeforeUsd` / `costAfterUsd` covers:
 * - `"month"`: a month (730 hours, AWS's) — `rightsizeLambda`, `recommendInstances`,
 *   `planCompliantDeployment`;
 * - `"window"`: the window the cluster's cost covers (`sizeTenantQuota`'s `cluster.costUsd`, or
 *   `hourlyPriceUsd × hours`), the same window as the usage samples;
 * - `"run"`: one execution of the workflow (`optimizeWorkflow`).
 */
export type PlanPeriod = "month" | "window" | "run";

/**
 * Before minus after, for the plan's `period` (negative: the plan costs more).
 */
export interface PlanSavings {
  /** `costBeforeUsd − costAfterUsd`, US dollars. */
  readonly usd: number;
  /** `usd` as a percentage of `costBeforeUsd`; null when `costBeforeUsd` is 0. */
  readonly percent: number | null;
  /**
   * The smallest saving over the forecasts' interval paths, US dollars; only where forecast
   * intervals are involved (`optimizeWorkflow`).
   */
  readonly lowUsd?: number;
  /** The largest saving over the forecasts' interval paths, US dollars; only with `lowUsd`. */
  readonly highUsd?: number;
}

/** Rounds away floating-point dust (1e-9 relative) so that figures read as computed by hand. */
const tidy = (x: number): number => (x === 0 ? 0 : Number(x.toPrecision(12)));

/** `{ usd, percent }` from a cost before and after (percent null when before is 0). */
export function planSavings(costBeforeUsd: number, costAfterUsd: number): PlanSavings {
  const usd = tidy(costBeforeUsd - costAfterUsd);
  return {
    usd,
    percent: costBeforeUsd === 0 ? null : tidy((100 * (costBeforeUsd - costAfterUsd)) / costBeforeUsd),
  };
}

import type { LinearProgram, LinearProgramConstraint, LinearProgramVariable } from "../lp/model.js";
import { type PurchaseMixOptions, resolvePurchaseMix } from "./optimize-purchase-mix.js";

/**
 * Seed 001's purchase-mix LP (see {@link optimizePurchaseMix}) as a {@link LinearProgram}, for
 * {@link solveLinearProgram}: to check the closed form against a solver, or to add constraints the
 * closed form does not know (spot capacity per pool, regional limits, …) and solve the result.
 *
 * Ids, for tenant `id`:
 * - variables `onDemand:<id>`, `spot:<id>`, `reserved:<id>` (CPU-hours, >= 0);
 * - constraints `demand:<id>` (the three sum to `cpuHours`), `spotCap:<id>` for a high-SLA tenant
 *   (spot <= `spotCapForHighSla × cpuHours`, a row as in the seed), `reservedCapacity` and `budget`
 *   when those options are given.
 *
 * The objective is the total cost in US dollars, minimised. Validates the options as
 * {@link optimizePurchaseMix} does (same errors), but does not check the budget: an LP whose budget is
 * too small solves as `"infeasible"`.
 *
 * @example
 * ```ts
 * const model = purchaseMixLinearProgram({ tenants, prices, reservedCapacity: 300 });
 * const pool = tenants.map((tenant) => `spot:${tenant.id}`);
 * const result = await solveLinearProgram({
 *   ...model,
 *   constraints: [
 *     ...(model.constraints ?? []),
 *     { id: "spotPool", terms: Object.fromEntries(pool.map((id) => [id, 1])), relation: "<=", rhs: 800 },
 *   ],
 * });
 * ```
 */
export function purchaseMixLinearProgram(options: PurchaseMixOptions): LinearProgram {
  const { tenants, hours, high, prices, cap, capacity, budget } = resolvePurchaseMix(options);
  const variables: LinearProgramVariable[] = [];
  const objective: Record<string, number> = Object.create(null);
  const demand: LinearProgramConstraint[] = [];
  const spotCaps: LinearProgramConstraint[] = [];
  const reservedTerms: Record<string, number> = Object.create(null);
  for (let index = 0; index < tenants.length; index++) {
    const id = tenants[index]!.id;
    const onDemand = `onDemand:${id}`;
    const spot = `spot:${id}`;
    const reserved = `reserved:${id}`;
    variables.push({ id: onDemand }, { id: spot }, { id: reserved });
    objective[onDemand] = prices.onDemand;
    objective[spot] = prices.spot;
    objective[reserved] = prices.reserved;
    reservedTerms[reserved] = 1;
    demand.push({
      id: `demand:${id}`,
      terms: { [onDemand]: 1, [spot]: 1, [reserved]: 1 },
      relation: "=",
      rhs: hours[index]!,
    });
    if (high[index] === 1) {
      spotCaps.push({ id: `spotCap:${id}`, terms: { [spot]: 1 }, relation: "<=", rhs: cap * hours[index]! });
    }
  }
  const constraints = [...demand, ...spotCaps];
  if (Number.isFinite(capacity)) {
    constraints.push({ id: "reservedCapacity", terms: reservedTerms, relation: "<=", rhs: capacity });
  }
  if (budget !== undefined) constraints.push({ id: "budget", terms: objective, relation: "<=", rhs: budget });
  return { objective: { direction: "minimize", terms: objective }, variables, constraints };
}

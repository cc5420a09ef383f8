import { EnisError } from "@enis/core";
import type { Highs, ModelData } from "highs";
import { type CompiledProgram, compileLinearProgram, type LinearProgram } from "./model.js";

/** The optimum of a {@link LinearProgram}. */
export interface LinearProgramOptimum {
  /** `"optimal"`: `values` is an optimal solution. */
  readonly status: "optimal";
  /** The objective at `values`: `Σ objective.terms[id] × values[id]`. */
  readonly objective: number;
  /**
   * Value of every declared variable, by id (a null-prototype object), within its bounds (a value
   * the solver returns a rounding error outside a bound is set to the bound).
   */
  readonly values: Readonly<Record<string, number>>;
  /** Left-hand side of every constraint at `values` (`Σ terms[id] × values[id]`), by constraint id. */
  readonly activities: Readonly<Record<string, number>>;
  /**
   * Shadow price of every constraint, by id: how much the objective changes per unit increase of
   * the constraint's `rhs` (HiGHS's row dual). Non-zero only for a constraint at its limit. At a
   * degenerate optimum several sets of shadow prices are valid; this is HiGHS's.
   */
  readonly shadowPrices: Readonly<Record<string, number>>;
  /**
   * Ids of the `<=` and `>=` constraints whose limit the solution reaches (their activity equals
   * their `rhs`: no slack left), in the model's order. Equality constraints always do and are not
   * listed.
   */
  readonly binding: readonly string[];
}

/** A {@link LinearProgram} with no optimum. */
export interface LinearProgramNoOptimum {
  /**
   * `"infeasible"`: no values satisfy every bound and constraint. `"unbounded"`: feasible values
   * exist, and the objective improves without limit along them.
   */
  readonly status: "infeasible" | "unbounded";
  /** No objective: `null`. */
  readonly objective: null;
  /** No solution: `null`. */
  readonly values: null;
  /** No solution: `null`. */
  readonly activities: null;
  /** No solution: `null`. */
  readonly shadowPrices: null;
  /** Nothing binds: empty. */
  readonly binding: readonly string[];
}

/** What {@link solveLinearProgram} returns: an optimum, or why there is none (as data, not thrown). */
export type LinearProgramResult = LinearProgramOptimum | LinearProgramNoOptimum;

/** A loaded LP solver: {@link LinearProgramSolver.solve} runs synchronously. */
export interface LinearProgramSolver {
  /**
   * Solves `model` (see {@link solveLinearProgram}), synchronously. Throws `EnisError`
   * `INVALID_OPTIONS` or `DUPLICATE_ID` for a malformed model.
   */
  solve(model: LinearProgram): LinearProgramResult;
}

/**
 * HiGHS (`highs` on npm: HiGHS compiled to WebAssembly), loaded once per process. The loader
 * compiles the module asynchronously; every solve after it is synchronous.
 */
let loading: Promise<Highs> | undefined;

function loadHighs(): Promise<Highs> {
  loading ??= import("highs").then(
    (module) => module.default(),
    (error: unknown) => {
      loading = undefined;
      throw new EnisError("INTERNAL", "the highs package (HiGHS in WebAssembly) could not be loaded", {
        cause: error,
      });
    },
  );
  return loading;
}

/**
 * Loads the LP solver (HiGHS compiled to WebAssembly; the module is compiled once per process, about
 * 50 ms) and returns an object whose `solve` is synchronous. Use it to solve many models, or from
 * synchronous code once loaded; {@link solveLinearProgram} is the one-call form.
 *
 * @example
 * ```ts
 * const solver = await createLinearProgramSolver();
 * const result = solver.solve({
 *   objective: { direction: "maximize", terms: { chairs: 30, tables: 50 } },
 *   variables: [{ id: "chairs" }, { id: "tables" }],
 *   constraints: [
 *     { id: "carpentry", terms: { chairs: 1, tables: 2 }, relation: "<=", rhs: 40 },
 *     { id: "finishing", terms: { chairs: 2, tables: 1 }, relation: "<=", rhs: 50 },
 *   ],
 * });
 * // result.status: "optimal", result.objective: 1100, result.values: { chairs: 20, tables: 10 }
 * ```
 */
export async function createLinearProgramSolver(): Promise<LinearProgramSolver> {
  const highs = await loadHighs();
  return { solve: (model) => solveWithHighs(highs, compileLinearProgram(model)) };
}

/**
 * Solves a linear program: continuous variables within bounds, linear `<=` / `>=` / `=`
 * constraints, a linear objective to minimise or maximise. For the user's own constraints on a
 * purchase (spot capacity per pool, regional limits, …): {@link purchaseMixLinearProgram} writes
 * the seed's purchase-mix LP in this form, to extend.
 *
 * The solver is HiGHS (the `highs` package: HiGHS 1.15 compiled to WebAssembly, the solver behind
 * scipy's `linprog(method="highs")`, which the seed used), chosen by measurement against
 * `javascript-lp-solver` (see `benchmarks/cost-model/purchase-mix.bench.ts`). The model goes to it
 * as sparse arrays (no LP text), each row and the objective scaled by a power of two (exactly) to a
 * largest coefficient near 1, so that HiGHS's limits do not bite (it drops matrix coefficients below
 * 1e-9 and takes reduced costs below 1e-7 as 0: a $1e-9 price difference would be a tie); a row whose
 * coefficients span more than 1e9 is refused rather than silently cut. `objective`, `activities` and
 * `binding` are computed from the solution in the model's own units. The optimum is exact to
 * HiGHS's tolerances (1e-7 on the scaled rows and costs).
 *
 * Returns the outcome as data: `{ status: "optimal", objective, values, activities, shadowPrices,
 * binding }`, or `{ status: "infeasible" | "unbounded" }`. Rejects with `EnisError`
 * `INVALID_OPTIONS` (the field and value named: an undeclared variable, a NaN coefficient, an upper
 * bound below the lower, an unknown key, …) or `DUPLICATE_ID`. The first call loads the solver;
 * {@link createLinearProgramSolver} gives a synchronous `solve`.
 *
 * @example
 * ```ts
 * const result = await solveLinearProgram({
 *   objective: { direction: "minimize", terms: { onDemand: 0.05, spot: 0.015 } },
 *   variables: [{ id: "onDemand" }, { id: "spot", upper: 40 }],
 *   constraints: [{ id: "demand", terms: { onDemand: 1, spot: 1 }, relation: "=", rhs: 100 }],
 * });
 * // result.objective: 3.6 (60 on-demand + 40 spot); result.shadowPrices.demand: 0.05
 * ```
 */
export async function solveLinearProgram(model: LinearProgram): Promise<LinearProgramResult> {
  // Validated before the solver loads: a malformed model is reported without waiting for it.
  const compiled = compileLinearProgram(model);
  return solveWithHighs(await loadHighs(), compiled);
}

function solveWithHighs(highs: Highs, program: CompiledProgram): LinearProgramResult {
  if (program.variableIds.length === 0) return withoutVariables(program);
  const data = modelData(highs, program, program.scaledCost);
  const status = runLp(highs, data);
  const codes = highs.constants.modelStatus;
  if (status.modelStatus === codes.optimal) return optimum(program, status);
  if (status.modelStatus === codes.infeasible) return noOptimum("infeasible");
  if (status.modelStatus === codes.unbounded) return noOptimum("unbounded");
  if (status.modelStatus === codes.unboundedOrInfeasible) {
    // Presolve can prove "no optimum" without telling which: the model without its objective
    // is feasible exactly when the original is unbounded.
    const feasibility = runLp(highs, modelData(highs, program, new Float64Array(program.cost.length)));
    if (feasibility.modelStatus === codes.optimal) return noOptimum("unbounded");
    if (feasibility.modelStatus === codes.infeasible) return noOptimum("infeasible");
  }
  throw new EnisError("INTERNAL", `HiGHS ended with model status ${status.modelStatus}, not an LP outcome`);
}

type LpOutput = NonNullable<ReturnType<Highs["raw"]["lpCall"]>["value"]>;

function runLp(highs: Highs, data: ModelData): LpOutput {
  const result = highs.raw.lpCall(data);
  if (result.status === -1) throw new EnisError("INTERNAL", "HiGHS refused the compiled linear program");
  return result.value;
}

function modelData(highs: Highs, program: CompiledProgram, cost: Float64Array): ModelData {
  const rows = program.constraintIds.length;
  const rowLower = new Float64Array(rows);
  const rowUpper = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const right = program.rhs[i]! * program.rowScale[i]!;
    const relation = program.relations[i];
    rowLower[i] = relation === "<=" ? Number.NEGATIVE_INFINITY : right;
    rowUpper[i] = relation === ">=" ? Number.POSITIVE_INFINITY : right;
  }
  const columns = program.variableIds.length;
  return {
    numCols: columns,
    numRows: rows,
    sense: program.maximize
      ? highs.constants.objectiveSense.maximize
      : highs.constants.objectiveSense.minimize,
    colCost: cost,
    colLower: program.lower,
    colUpper: program.upper,
    rowLower,
    rowUpper,
    matrix: {
      format: "csr",
      numRows: rows,
      numCols: columns,
      starts: program.rowStarts,
      indices: program.columnIndices,
      values: program.values,
    },
  };
}

function optimum(program: CompiledProgram, output: LpOutput): LinearProgramOptimum {
  const { colValue, rowDual } = output.solution;
  const rowStatus = output.basis.rowStatus;
  const columns = program.variableIds.length;
  const solution = new Float64Array(columns);
  const values: Record<string, number> = Object.create(null);
  let objective = 0;
  let compensation = 0;
  for (let j = 0; j < columns; j++) {
    const value = Math.min(program.upper[j]!, Math.max(program.lower[j]!, colValue[j]!)) + 0;
    solution[j] = value;
    values[program.variableIds[j]!] = value;
    // Neumaier summation: the objective of thousands of terms to the last bit or two.
    const term = program.cost[j]! * value;
    const sum = objective + term;
    compensation += Math.abs(objective) >= Math.abs(term) ? objective - sum + term : term - sum + objective;
    objective = sum;
  }
  const activities: Record<string, number> = Object.create(null);
  const shadowPrices: Record<string, number> = Object.create(null);
  const binding: string[] = [];
  const rows = program.constraintIds.length;
  for (let i = 0; i < rows; i++) {
    let activity = 0;
    let magnitude = 0;
    for (let k = program.rowStarts[i]!; k < program.rowStarts[i + 1]!; k++) {
      const term = program.givenValues[k]! * solution[program.columnIndices[k]!]!;
      activity += term;
      magnitude += Math.abs(term);
    }
    const id = program.constraintIds[i]!;
    activities[id] = activity + 0;
    shadowPrices[id] = (rowDual[i]! * program.rowScale[i]!) / program.objectiveScale + 0;
    if (program.relations[i] === "=") continue;
    const right = program.rhs[i]!;
    // A row HiGHS left nonbasic sits at its bound; a basic one can too (a degenerate vertex).
    const atLimit =
      rowStatus[i] !== 1 || Math.abs(activity - right) <= 1e-9 * Math.max(Math.abs(right), magnitude);
    if (atLimit) binding.push(id);
  }
  return {
    status: "optimal",
    objective: objective + compensation + 0,
    values,
    activities,
    shadowPrices,
    binding,
  };
}

/** A model without variables: every constraint reads `0 relation rhs`, and the objective is 0. */
function withoutVariables(program: CompiledProgram): LinearProgramResult {
  const activities: Record<string, number> = Object.create(null);
  const shadowPrices: Record<string, number> = Object.create(null);
  const binding: string[] = [];
  for (let i = 0; i < program.constraintIds.length; i++) {
    const right = program.rhs[i]!;
    const relation = program.relations[i];
    if (
      (relation === "<=" && right < 0) ||
      (relation === ">=" && right > 0) ||
      (relation === "=" && right !== 0)
    ) {
      return noOptimum("infeasible");
    }
    const id = program.constraintIds[i]!;
    activities[id] = 0;
    shadowPrices[id] = 0;
    if (relation !== "=" && right === 0) binding.push(id);
  }
  return { status: "optimal", objective: 0, values: Object.create(null), activities, shadowPrices, binding };
}

function noOptimum(status: "infeasible" | "unbounded"): LinearProgramNoOptimum {
  return { status, objective: null, values: null, activities: null, shadowPrices: null, binding: [] };
}

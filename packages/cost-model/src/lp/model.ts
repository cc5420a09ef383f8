import { EnisError } from "@enis/core";
import { describeValue, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";

/** How a constraint compares its left-hand side (the sum of its terms) with its right-hand side. */
export type LinearProgramRelation = "<=" | ">=" | "=";

/** One decision variable of a {@link LinearProgram}, with its bounds. */
export interface LinearProgramVariable {
  /** Unique id of the variable (any non-empty string); the key of its value in the result. */
  readonly id: string;
  /**
   * Lower bound: a finite number, or `-Infinity` for a variable with no lower bound.
   * @default 0
   */
  readonly lower?: number;
  /**
   * Upper bound: a finite number >= `lower`, or `Infinity` for none.
   * @default Infinity
   */
  readonly upper?: number;
}

/** One linear constraint: `Σ terms[id] × value(id)` `relation` `rhs`. */
export interface LinearProgramConstraint {
  /** Unique id of the constraint (any non-empty string), named in `binding` and `shadowPrices`. */
  readonly id: string;
  /**
   * Coefficient of each variable in the constraint, by variable id; every id must be a declared
   * variable, every coefficient a finite number. A variable left out has coefficient 0.
   */
  readonly terms: Readonly<Record<string, number>>;
  /** `"<="`, `">="` or `"="`. */
  readonly relation: LinearProgramRelation;
  /** Right-hand side, a finite number. */
  readonly rhs: number;
}

/** The objective: a linear function of the variables to minimise or maximise. */
export interface LinearProgramObjective {
  /** `"minimize"` or `"maximize"`. */
  readonly direction: "minimize" | "maximize";
  /**
   * Coefficient of each variable, by variable id (a cost per unit when minimising); every id must be
   * a declared variable, every coefficient a finite number. A variable left out has coefficient 0.
   */
  readonly terms: Readonly<Record<string, number>>;
}

/**
 * A linear program: continuous variables with bounds, linear constraints, a linear objective.
 * Plain data (JSON-serialisable but for infinite bounds), validated by {@link solveLinearProgram}.
 *
 * @example
 * ```ts
 * const model: LinearProgram = {
 *   objective: { direction: "minimize", terms: { onDemand: 0.05, spot: 0.015 } },
 *   variables: [{ id: "onDemand" }, { id: "spot", upper: 40 }],
 *   constraints: [{ id: "demand", terms: { onDemand: 1, spot: 1 }, relation: "=", rhs: 100 }],
 * };
 * ```
 */
export interface LinearProgram {
  /** What to minimise or maximise. */
  readonly objective: LinearProgramObjective;
  /** The variables, ids unique. */
  readonly variables: readonly LinearProgramVariable[];
  /**
   * The constraints, ids unique.
   * @default []
   */
  readonly constraints?: readonly LinearProgramConstraint[];
}

/**
 * HiGHS reads a bound or right-hand side of magnitude >= 1e20 as infinite (its `infinite_bound`
 * option): a finite 1e21 would silently become "no bound". Such values are refused instead.
 */
const infiniteBound = 1e20;
/**
 * HiGHS drops matrix coefficients of magnitude <= 1e-9 (`small_matrix_value`: a row `1e-10 x >=
 * 5e-10` is solved as `0 >= 5e-10`, measured here as "optimal" with x = 0), refuses those >= 1e15
 * (`large_matrix_value`), and treats reduced costs below 1e-7 as zero (a $1e-9 difference in price
 * is a tie to it). So each row, and the objective, is scaled by a power of two (exactly: only the
 * exponents change) to bring its largest coefficient near 1; a coefficient that is then still
 * outside HiGHS's limits is more than 1e9 times smaller than the largest of its row, and is refused.
 */
const smallCoefficient = 1e-9;
const largeCoefficient = 1e15;
/** Coefficients are 0 or of magnitude in [1e-300, 1e300], so that the scale factors stay finite. */
const tinyCoefficient = 1e-300;
const hugeCoefficient = 1e300;

/** The power of two that brings `largest` (> 0, within the coefficient range) to [0.71, 1.42]. */
function scaleFor(largest: number): number {
  return largest === 0 ? 1 : 2 ** -Math.round(Math.log2(largest));
}

/** Throws unless `coefficient` is a finite number, 0 or of magnitude in [1e-300, 1e300]. */
function checkCoefficient(coefficient: unknown, field: string): asserts coefficient is number {
  if (typeof coefficient !== "number" || !Number.isFinite(coefficient)) {
    throw invalidField(field, coefficient, "a finite number");
  }
  const magnitude = Math.abs(coefficient);
  if (magnitude !== 0 && (magnitude < tinyCoefficient || magnitude > hugeCoefficient)) {
    throw invalidField(field, coefficient, "0 or a number of magnitude between 1e-300 and 1e300");
  }
}

const bound = z.union([z.number(), z.literal(Number.NEGATIVE_INFINITY), z.literal(Number.POSITIVE_INFINITY)]);
const terms = z.custom<Record<string, number>>(
  (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value),
  "an object of coefficients by variable id",
);
// `terms` records are checked by hand after the parse: zod's record parser measured 9 µs per
// record here (26 ms for the 3,001 rows of a 3,000-tenant purchase mix, as long as HiGHS's solve).
const modelSchema = z.strictObject({
  objective: z.strictObject({ direction: z.enum(["minimize", "maximize"]), terms }),
  variables: z.array(
    z.strictObject({ id: z.string().min(1), lower: bound.optional(), upper: bound.optional() }),
  ),
  constraints: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        terms,
        relation: z.enum(["<=", ">=", "="]),
        rhs: z.number(),
      }),
    )
    .optional(),
});

/**
 * A validated {@link LinearProgram} in the arrays a solver takes: variables by index, rows in
 * compressed sparse row form, each row scaled by a power of two (`rowScale`).
 *
 * @internal
 */
export interface CompiledProgram {
  readonly maximize: boolean;
  readonly variableIds: readonly string[];
  readonly constraintIds: readonly string[];
  readonly relations: readonly LinearProgramRelation[];
  /** Objective coefficient of each variable (unscaled). */
  readonly cost: Float64Array;
  /** `cost` × `objectiveScale`, what the solver is given. */
  readonly scaledCost: Float64Array;
  /** The power of two the objective was multiplied by. */
  readonly objectiveScale: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Right-hand side of each row, unscaled. */
  readonly rhs: Float64Array;
  /** The factor (a power of two) each row and its right-hand side were multiplied by. */
  readonly rowScale: Float64Array;
  readonly rowStarts: Int32Array;
  readonly columnIndices: Int32Array;
  /** Row coefficients after scaling. */
  readonly values: Float64Array;
  /** Row coefficients as given (for activities and the binding check). */
  readonly givenValues: Float64Array;
}

/**
 * Validates `model` and compiles it. Throws `EnisError` `INVALID_OPTIONS` (the field and value
 * named) or `DUPLICATE_ID`.
 *
 * @internal
 */
export function compileLinearProgram(model: LinearProgram): CompiledProgram {
  const parsed = parseOptions(modelSchema, model, "model");
  const variables = parsed.variables;
  const constraints = parsed.constraints ?? [];
  const count = variables.length;
  const indexOf = new Map<string, number>();
  const variableIds: string[] = new Array(count);
  const lower = new Float64Array(count);
  const upper = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const variable = variables[j]!;
    if (indexOf.has(variable.id)) throw duplicate(`model.variables[${j}].id`, variable.id);
    indexOf.set(variable.id, j);
    variableIds[j] = variable.id;
    const low = variable.lower ?? 0;
    const high = variable.upper ?? Number.POSITIVE_INFINITY;
    if (low === Number.POSITIVE_INFINITY || (Number.isFinite(low) && Math.abs(low) >= infiniteBound)) {
      throw invalidField(
        `model.variables[${j}].lower`,
        low,
        "a finite number of magnitude below 1e20, or -Infinity",
      );
    }
    if (high === Number.NEGATIVE_INFINITY || (Number.isFinite(high) && Math.abs(high) >= infiniteBound)) {
      throw invalidField(
        `model.variables[${j}].upper`,
        high,
        "a finite number of magnitude below 1e20, or Infinity",
      );
    }
    if (high < low) throw invalidField(`model.variables[${j}].upper`, high, `at least lower (${low})`);
    lower[j] = low;
    upper[j] = high;
  }

  const cost = new Float64Array(count);
  const objectiveTerms = parsed.objective.terms;
  let largestCost = 0;
  for (const id of Object.keys(objectiveTerms)) {
    const j = variableIndex(indexOf, id, "model.objective.terms");
    const coefficient = objectiveTerms[id];
    checkCoefficient(coefficient, termField("model.objective.terms", id));
    cost[j] = coefficient;
    largestCost = Math.max(largestCost, Math.abs(coefficient));
  }
  const objectiveScale = scaleFor(largestCost);
  const scaledCost = new Float64Array(count);
  for (let j = 0; j < count; j++) scaledCost[j] = cost[j]! * objectiveScale;

  const rows = constraints.length;
  const constraintIds: string[] = new Array(rows);
  const relations: LinearProgramRelation[] = new Array(rows);
  const rhs = new Float64Array(rows);
  const rowScale = new Float64Array(rows);
  const rowStarts = new Int32Array(rows + 1);
  const seenConstraints = new Set<string>();
  const columns: number[] = [];
  const given: number[] = [];
  for (let i = 0; i < rows; i++) {
    const constraint = constraints[i]!;
    const field = `model.constraints[${i}]`;
    if (seenConstraints.has(constraint.id)) throw duplicate(`${field}.id`, constraint.id);
    seenConstraints.add(constraint.id);
    constraintIds[i] = constraint.id;
    relations[i] = constraint.relation;
    rowStarts[i] = columns.length;
    let largest = 0;
    const rowTerms = constraint.terms;
    for (const id of Object.keys(rowTerms)) {
      const j = variableIndex(indexOf, id, `${field}.terms`);
      const coefficient = rowTerms[id];
      checkCoefficient(coefficient, termField(`${field}.terms`, id));
      if (coefficient === 0) continue;
      columns.push(j);
      given.push(coefficient);
      largest = Math.max(largest, Math.abs(coefficient));
    }
    // A power of two scales exactly: the scaled row is the given row, bit for bit, up to exponent.
    const scale = scaleFor(largest);
    rowScale[i] = scale;
    for (let k = rowStarts[i]!; k < columns.length; k++) {
      const scaled = Math.abs(given[k]! * scale);
      if (scaled <= smallCoefficient || scaled >= largeCoefficient) {
        throw invalidField(
          termField(`${field}.terms`, variableIds[columns[k]!]!),
          given[k],
          `within a factor of 1e9 of the row's largest coefficient (${describeValue(largest)}), the range HiGHS keeps`,
        );
      }
    }
    const right = constraint.rhs;
    if (Math.abs(right * scale) >= infiniteBound) {
      throw invalidField(
        `${field}.rhs`,
        right,
        largest === 0
          ? "a number of magnitude below 1e20"
          : `a number of magnitude below 1e20 × the row's largest coefficient (${describeValue(largest)})`,
      );
    }
    rhs[i] = right;
  }
  rowStarts[rows] = columns.length;
  const givenValues = Float64Array.from(given);
  const values = new Float64Array(givenValues.length);
  for (let i = 0; i < rows; i++) {
    for (let k = rowStarts[i]!; k < rowStarts[i + 1]!; k++) values[k] = givenValues[k]! * rowScale[i]!;
  }
  return {
    maximize: parsed.objective.direction === "maximize",
    variableIds,
    constraintIds,
    relations,
    cost,
    scaledCost,
    objectiveScale,
    lower,
    upper,
    rhs,
    rowScale,
    rowStarts,
    columnIndices: Int32Array.from(columns),
    values,
    givenValues,
  };
}

function variableIndex(indexOf: ReadonlyMap<string, number>, id: string, field: string): number {
  const j = indexOf.get(id);
  if (j === undefined)
    throw invalidField(field, id, "keyed by the ids of declared variables (model.variables)");
  return j;
}

function termField(field: string, id: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(id) ? `${field}.${id}` : `${field}[${JSON.stringify(id)}]`;
}

function duplicate(field: string, id: string): EnisError {
  return new EnisError("DUPLICATE_ID", `${field} must be unique, got ${JSON.stringify(id)} twice`, { field });
}

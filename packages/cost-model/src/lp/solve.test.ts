import {
  createLinearProgramSolver,
  type LinearProgram,
  type LinearProgramConstraint,
  type LinearProgramSolver,
  solveLinearProgram,
} from "@enis/cost-model";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { catchEnisError, codeOf } from "../../../../test-support/enis-error.js";

let solver: LinearProgramSolver;
beforeAll(async () => {
  solver = await createLinearProgramSolver();
});

const workshop: LinearProgram = {
  objective: { direction: "maximize", terms: { chairs: 30, tables: 50 } },
  variables: [{ id: "chairs" }, { id: "tables" }],
  constraints: [
    { id: "carpentry", terms: { chairs: 1, tables: 2 }, relation: "<=", rhs: 40 },
    { id: "finishing", terms: { chairs: 2, tables: 1 }, relation: "<=", rhs: 50 },
  ],
};

describe("solveLinearProgram: outcomes", () => {
  it("finds the optimum, its activities, shadow prices and binding constraints", async () => {
    const result = await solveLinearProgram(workshop);
    expect(result.status).toBe("optimal");
    if (result.status !== "optimal") return;
    expect(result.objective).toBeCloseTo(1100, 9);
    expect(result.values["chairs"]).toBeCloseTo(20, 9);
    expect(result.values["tables"]).toBeCloseTo(10, 9);
    expect(result.activities["carpentry"]).toBeCloseTo(40, 9);
    // Dual prices of the two rows: 30 = y1 + 2·y2 and 50 = 2·y1 + y2.
    expect(result.shadowPrices["carpentry"]).toBeCloseTo(70 / 3, 9);
    expect(result.shadowPrices["finishing"]).toBeCloseTo(10 / 3, 9);
    expect(result.binding).toEqual(["carpentry", "finishing"]);
  });

  it("gives shadow prices as the change of the objective per unit of rhs, in both directions and for >=", () => {
    const minimise: LinearProgram = {
      objective: { direction: "minimize", terms: { x: 1, y: 2 } },
      variables: [{ id: "x" }, { id: "y" }],
      constraints: [
        { id: "atLeast", terms: { x: 1, y: 1 }, relation: ">=", rhs: 3 },
        { id: "slack", terms: { x: 1 }, relation: "<=", rhs: 10 },
      ],
    };
    const result = solver.solve(minimise);
    expect(result).toMatchObject({ status: "optimal", objective: 3, binding: ["atLeast"] });
    expect(result.shadowPrices?.["atLeast"]).toBeCloseTo(1, 12);
    expect(result.shadowPrices?.["slack"]).toBe(0);
    const bumped = solver.solve({
      ...minimise,
      constraints: minimise.constraints!.map((c) => (c.id === "atLeast" ? { ...c, rhs: 4 } : c)),
    });
    expect(bumped.objective).toBeCloseTo(4, 12);
    const maximise = solver.solve({
      ...minimise,
      objective: { direction: "maximize", terms: { x: -1, y: -2 } },
    });
    expect(maximise.objective).toBeCloseTo(-3, 12);
    expect(maximise.shadowPrices?.["atLeast"]).toBeCloseTo(-1, 12);
  });

  it("reports infeasible and unbounded models as data", async () => {
    expect(
      await solveLinearProgram({
        objective: { direction: "minimize", terms: { x: 1 } },
        variables: [{ id: "x", upper: 2 }],
        constraints: [{ id: "need", terms: { x: 1 }, relation: ">=", rhs: 3 }],
      }),
    ).toEqual({
      status: "infeasible",
      objective: null,
      values: null,
      activities: null,
      shadowPrices: null,
      binding: [],
    });
    expect(
      solver.solve({
        objective: { direction: "maximize", terms: { x: 1, y: 1 } },
        variables: [{ id: "x" }, { id: "y" }],
        constraints: [{ id: "floor", terms: { x: 1, y: 1 }, relation: ">=", rhs: 3 }],
      }).status,
    ).toBe("unbounded");
    // Infeasible and with an unbounded direction: infeasible (no values exist to improve).
    expect(
      solver.solve({
        objective: { direction: "minimize", terms: { x: -1 } },
        variables: [{ id: "x", lower: Number.NEGATIVE_INFINITY }, { id: "y" }],
        constraints: [{ id: "impossible", terms: { y: 1 }, relation: "<=", rhs: -1 }],
      }).status,
    ).toBe("infeasible");
  });

  it("honours free variables, negative bounds and equalities (equalities are never listed as binding)", () => {
    const result = solver.solve({
      objective: { direction: "minimize", terms: { balance: 1 } },
      variables: [
        { id: "balance", lower: Number.NEGATIVE_INFINITY },
        { id: "income", lower: -5, upper: 5 },
      ],
      constraints: [{ id: "ledger", terms: { balance: 1, income: -1 }, relation: "=", rhs: 0 }],
    });
    expect(result).toMatchObject({ status: "optimal", objective: -5, values: { balance: -5, income: -5 } });
    expect(result.binding).toEqual([]);
  });

  it("solves rows with coefficients HiGHS alone would drop (below 1e-9), by scaling them", () => {
    // Unscaled, HiGHS reads 1e-10·x >= 5e-10 as 0 >= 5e-10 and answers x = 0.
    const result = solver.solve({
      objective: { direction: "minimize", terms: { x: 1 } },
      variables: [{ id: "x" }],
      constraints: [{ id: "tiny", terms: { x: 1e-10 }, relation: ">=", rhs: 5e-10 }],
    });
    expect(result.values?.["x"]).toBeCloseTo(5, 9);
    expect(result.shadowPrices?.["tiny"]).toBeCloseTo(1e10, 0);
    // Prices a millionth of a dollar apart are not a tie (HiGHS's dual tolerance is 1e-7).
    const cheap = solver.solve({
      objective: { direction: "minimize", terms: { a: 2e-9, b: 1e-9 } },
      variables: [{ id: "a" }, { id: "b" }],
      constraints: [{ id: "demand", terms: { a: 1, b: 1 }, relation: "=", rhs: 1 }],
    });
    expect(cheap.values).toEqual({ a: 0, b: 1 });
  });

  it("solves a model without variables", () => {
    expect(
      solver.solve({
        objective: { direction: "minimize", terms: {} },
        variables: [],
        constraints: [{ id: "trivial", terms: {}, relation: "<=", rhs: 0 }],
      }),
    ).toMatchObject({ status: "optimal", objective: 0, binding: ["trivial"] });
    expect(
      solver.solve({
        objective: { direction: "minimize", terms: {} },
        variables: [],
        constraints: [{ id: "impossible", terms: {}, relation: ">=", rhs: 1 }],
      }).status,
    ).toBe("infeasible");
  });

  it("is feasible and at least as good as any feasible point found by sampling, on random small LPs", () => {
    const variableIds = ["a", "b", "c"];
    const coefficient = fc.oneof(
      fc.constant(0),
      fc.integer({ min: -9, max: 9 }),
      fc.integer({ min: -50_000, max: 50_000 }).map((n) => n / 10_000),
    );
    const rowArbitrary = fc.record({
      coefficients: fc.array(coefficient, { minLength: 3, maxLength: 3 }),
      relation: fc.constantFrom("<=" as const, ">=" as const, "=" as const),
      rhs: fc.double({ min: -10, max: 10, noNaN: true }),
      // Rows at very different scales, which the power-of-two scaling must not disturb.
      scale: fc.constantFrom(1, 1e-6, 1e6),
    });
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { minLength: 0, maxLength: 4 }),
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        fc.array(fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }), {
          minLength: 40,
          maxLength: 40,
        }),
        (rows, costs, maximize, samples) => {
          const constraints: LinearProgramConstraint[] = rows.map((row, i) => ({
            id: `row${i}`,
            terms: Object.fromEntries(variableIds.map((id, j) => [id, row.coefficients[j]! * row.scale])),
            relation: row.relation,
            rhs: row.rhs * row.scale,
          }));
          const model: LinearProgram = {
            objective: {
              direction: maximize ? "maximize" : "minimize",
              terms: Object.fromEntries(variableIds.map((id, j) => [id, costs[j]!])),
            },
            // A box, so that every model is bounded.
            variables: variableIds.map((id) => ({ id, lower: 0, upper: 10 })),
            constraints,
          };
          const result = solver.solve(model);
          const violation = (point: readonly number[], row: (typeof rows)[number]) => {
            const lhs = row.coefficients.reduce((sum, a, j) => sum + a * point[j]!, 0);
            const gap =
              row.relation === "<="
                ? lhs - row.rhs
                : row.relation === ">="
                  ? row.rhs - lhs
                  : Math.abs(lhs - row.rhs);
            return Math.max(0, gap);
          };
          const objectiveAt = (point: readonly number[]) =>
            point.reduce((sum, x, j) => sum + costs[j]! * x, 0);
          if (result.status !== "optimal") {
            if (result.status === "unbounded") throw new Error("a boxed model cannot be unbounded");
            // No sampled point may satisfy every row (equalities are never hit by sampling).
            for (const point of samples) {
              expect(rows.some((row) => row.relation === "=" || violation(point, row) > 1e-9)).toBe(true);
            }
            return;
          }
          const point = variableIds.map((id) => result.values[id]!);
          for (const x of point) expect(x >= 0 && x <= 10).toBe(true);
          for (const row of rows) expect(violation(point, row)).toBeLessThan(1e-6);
          expect(result.objective).toBeCloseTo(objectiveAt(point), 9);
          for (const sample of samples) {
            if (rows.some((row) => row.relation === "=" || violation(sample, row) > 0)) continue;
            const value = objectiveAt(sample);
            if (maximize) expect(result.objective).toBeGreaterThanOrEqual(value - 1e-6);
            else expect(result.objective).toBeLessThanOrEqual(value + 1e-6);
          }
          // A row listed as binding has no slack; one with slack is not listed.
          for (const [i, row] of rows.entries()) {
            if (row.relation === "=") continue;
            const lhs = row.coefficients.reduce((sum, a, j) => sum + a * point[j]!, 0);
            if (Math.abs(lhs - row.rhs) > 1e-6) expect(result.binding).not.toContain(`row${i}`);
            if (result.binding.includes(`row${i}`)) expect(Math.abs(lhs - row.rhs)).toBeLessThan(1e-6);
          }
        },
      ),
      { seed: 21, numRuns: 300 },
    );
  });

  it("solves the same model again to the same answer (the solver loads once)", async () => {
    const again = await createLinearProgramSolver();
    expect(again.solve(workshop)).toEqual(solver.solve(workshop));
    expect(await solveLinearProgram(workshop)).toEqual(solver.solve(workshop));
  });
});

describe("solveLinearProgram: bad models", () => {
  const withConstraint = (constraint: unknown): LinearProgram =>
    ({ ...workshop, constraints: [constraint] }) as unknown as LinearProgram;
  const cases: Array<[string, unknown, string, string]> = [
    ["not an object", null, "INVALID_OPTIONS", "model"],
    [
      "unknown direction",
      { ...workshop, objective: { direction: "min", terms: {} } },
      "INVALID_OPTIONS",
      "model.objective.direction",
    ],
    [
      "undeclared objective variable",
      { ...workshop, objective: { direction: "minimize", terms: { sofas: 1 } } },
      "INVALID_OPTIONS",
      "model.objective.terms",
    ],
    [
      "NaN objective coefficient",
      { ...workshop, objective: { direction: "minimize", terms: { chairs: Number.NaN } } },
      "INVALID_OPTIONS",
      "model.objective.terms.chairs",
    ],
    [
      "infinite objective coefficient",
      { ...workshop, objective: { direction: "minimize", terms: { chairs: Infinity } } },
      "INVALID_OPTIONS",
      "model.objective.terms.chairs",
    ],
    [
      "duplicate variable",
      { ...workshop, variables: [{ id: "chairs" }, { id: "tables" }, { id: "chairs" }] },
      "DUPLICATE_ID",
      "model.variables[2].id",
    ],
    [
      "empty variable id",
      { ...workshop, variables: [{ id: "" }] },
      "INVALID_OPTIONS",
      "model.variables[0].id",
    ],
    [
      "upper below lower",
      { ...workshop, variables: [{ id: "chairs", lower: 5, upper: 1 }, { id: "tables" }] },
      "INVALID_OPTIONS",
      "model.variables[0].upper",
    ],
    [
      "NaN bound",
      { ...workshop, variables: [{ id: "chairs", lower: Number.NaN }, { id: "tables" }] },
      "INVALID_OPTIONS",
      "model.variables[0].lower",
    ],
    [
      "lower of +Infinity",
      { ...workshop, variables: [{ id: "chairs", lower: Infinity }, { id: "tables" }] },
      "INVALID_OPTIONS",
      "model.variables[0].lower",
    ],
    [
      "bound HiGHS reads as infinite",
      { ...workshop, variables: [{ id: "chairs", upper: 1e21 }, { id: "tables" }] },
      "INVALID_OPTIONS",
      "model.variables[0].upper",
    ],
    [
      "unknown variable key",
      { ...workshop, variables: [{ id: "chairs", max: 3 }, { id: "tables" }] },
      "INVALID_OPTIONS",
      "model.variables[0].max",
    ],
    [
      "undeclared constraint variable",
      withConstraint({ id: "c", terms: { sofas: 1 }, relation: "<=", rhs: 1 }),
      "INVALID_OPTIONS",
      "model.constraints[0].terms",
    ],
    [
      "NaN coefficient",
      withConstraint({ id: "c", terms: { chairs: Number.NaN }, relation: "<=", rhs: 1 }),
      "INVALID_OPTIONS",
      "model.constraints[0].terms.chairs",
    ],
    [
      "coefficient as a string",
      withConstraint({ id: "c", terms: { chairs: "1" }, relation: "<=", rhs: 1 }),
      "INVALID_OPTIONS",
      "model.constraints[0].terms.chairs",
    ],
    [
      "row spanning more than 1e9",
      withConstraint({ id: "c", terms: { chairs: 1, tables: 1e-10 }, relation: "<=", rhs: 1 }),
      "INVALID_OPTIONS",
      "model.constraints[0].terms.tables",
    ],
    [
      "subnormal coefficient",
      withConstraint({ id: "c", terms: { chairs: 1e-310 }, relation: "<=", rhs: 1 }),
      "INVALID_OPTIONS",
      "model.constraints[0].terms.chairs",
    ],
    [
      "rhs NaN",
      withConstraint({ id: "c", terms: { chairs: 1 }, relation: "<=", rhs: Number.NaN }),
      "INVALID_OPTIONS",
      "model.constraints[0].rhs",
    ],
    [
      "rhs infinite",
      withConstraint({ id: "c", terms: { chairs: 1 }, relation: "<=", rhs: Infinity }),
      "INVALID_OPTIONS",
      "model.constraints[0].rhs",
    ],
    [
      "rhs HiGHS reads as infinite",
      withConstraint({ id: "c", terms: { chairs: 1 }, relation: "<=", rhs: 1e21 }),
      "INVALID_OPTIONS",
      "model.constraints[0].rhs",
    ],
    [
      "unknown relation",
      withConstraint({ id: "c", terms: { chairs: 1 }, relation: "<", rhs: 1 }),
      "INVALID_OPTIONS",
      "model.constraints[0].relation",
    ],
    [
      "terms as an array",
      withConstraint({ id: "c", terms: [1, 2], relation: "<=", rhs: 1 }),
      "INVALID_OPTIONS",
      "model.constraints[0].terms",
    ],
    [
      "duplicate constraint",
      { ...workshop, constraints: [workshop.constraints![0], workshop.constraints![0]] },
      "DUPLICATE_ID",
      "model.constraints[1].id",
    ],
    ["unknown model key", { ...workshop, integers: ["chairs"] }, "INVALID_OPTIONS", "model.integers"],
  ];
  it.each(cases)("%s", async (_name, model, code, field) => {
    expect(codeOf(() => solver.solve(model as LinearProgram))).toEqual([code, field]);
    const rejection = await solveLinearProgram(model as LinearProgram).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(rejection).toMatchObject({ code, field });
  });

  it("words messages as `<field> must be <expectation>, got <value>`", () => {
    expect(
      catchEnisError(() =>
        solver.solve(withConstraint({ id: "c", terms: { sofas: 1 }, relation: "<=", rhs: 1 })),
      ).message,
    ).toBe(
      'model.constraints[0].terms must be keyed by the ids of declared variables (model.variables), got "sofas"',
    );
    expect(
      catchEnisError(() =>
        solver.solve({ ...workshop, variables: [{ id: "chairs", lower: 5, upper: 1 }, { id: "tables" }] }),
      ).message,
    ).toBe("model.variables[0].upper must be at least lower (5), got 1");
  });
});

import { type LinearProgramConstraint, solveLinearProgram } from "@enis/cost-model";
import type { OptimizeWorkflowOptions } from "../types.js";
import { startAllowed, stepCost } from "./brute-force.js";

const hourMs = 3_600_000;

/**
 * The cumulative time-indexed LP of the workflow: z_j,t = [S_j ≤ t] in [0, 1], z_j,t ≤ z_j,t+1,
 * z_k,t ≤ z_j,t−lag for each dependency, z constant across hours where a start is not allowed, and
 * the objective Σ_t cost_j(t) (z_j,t − z_j,t−1), the cost of a start the cheaper purchase. Its
 * constraint matrix makes the relaxation integral; HiGHS solves it. Written from the options alone
 * (with the brute-force oracle's pricing), not from the code under test.
 */
export async function lpMinimum(
  options: OptimizeWorkflowOptions,
): Promise<{ objective: number; values: number[] }> {
  const steps = options.steps;
  const index = new Map(steps.map((step, i) => [step.id, i]));
  const spotOk = (i: number) => steps[i]!.interruptible === true && options.allowSpot !== false;
  const allowed = steps.map((_, i) =>
    Array.from({ length: options.horizonHours }, (_, t) => t).filter((t) => startAllowed(options, i, t)),
  );
  const variables: { id: string; lower?: number; upper?: number }[] = [];
  const objective: Record<string, number> = {};
  const constraints: LinearProgramConstraint[] = [];
  const z = (i: number, t: number) => `z${i}_${t}`;
  const first = allowed.map((starts) => starts[0] ?? 0);
  const last = allowed.map((starts) => starts.at(-1) ?? -1);
  steps.forEach((_, i) => {
    if (allowed[i]!.length === 0) throw new Error("no allowed start");
    const cost = (t: number) =>
      Math.min(
        stepCost(options, i, t, "on-demand"),
        spotOk(i) ? stepCost(options, i, t, "spot") : Number.POSITIVE_INFINITY,
      );
    for (let t = first[i]!; t <= last[i]!; t++) {
      variables.push(t === last[i] ? { id: z(i, t), lower: 1, upper: 1 } : { id: z(i, t), upper: 1 });
      if (t > first[i]!)
        constraints.push({
          id: `chain${i}_${t}`,
          terms: { [z(i, t - 1)]: 1, [z(i, t)]: -1 },
          relation: "<=",
          rhs: 0,
        });
      const isAllowed = allowed[i]!.includes(t);
      if (!isAllowed) {
        // No start at t: z_t = z_(t−1).
        constraints.push({
          id: `gap${i}_${t}`,
          terms: { [z(i, t)]: 1, ...(t > first[i]! ? { [z(i, t - 1)]: -1 } : {}) },
          relation: "=",
          rhs: 0,
        });
        continue;
      }
      // Σ_t cost_t (z_t − z_(t−1)).
      const c = cost(t);
      objective[z(i, t)] = (objective[z(i, t)] ?? 0) + c;
      if (t > first[i]!) objective[z(i, t - 1)] = (objective[z(i, t - 1)] ?? 0) - c;
    }
  });
  steps.forEach((step, k) => {
    for (const dependency of step.dependsOn ?? []) {
      const j = index.get(dependency)!;
      const lag = Math.ceil(steps[j]!.durationMs / hourMs);
      // S_k ≥ S_j + lag  ⇔  z_k,t ≤ z_j,t−lag for every t.
      for (let t = first[k]!; t <= last[k]!; t++) {
        const u = t - lag;
        const terms: Record<string, number> = { [z(k, t)]: 1 };
        if (u >= last[j]!) continue; // z_j,u = 1
        if (u >= first[j]!) terms[z(j, u)] = -1;
        constraints.push({ id: `prec${j}_${k}_${t}`, terms, relation: "<=", rhs: 0 });
      }
    }
  });
  const result = await solveLinearProgram({
    objective: { direction: "minimize", terms: objective },
    variables,
    constraints,
  });
  if (result.status !== "optimal") throw new Error(`LP ${result.status}`);
  return { objective: result.objective, values: Object.values(result.values) };
}

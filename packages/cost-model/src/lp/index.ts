export type {
  LinearProgram,
  LinearProgramConstraint,
  LinearProgramObjective,
  LinearProgramRelation,
  LinearProgramVariable,
} from "./model.js";
export {
  createLinearProgramSolver,
  type LinearProgramNoOptimum,
  type LinearProgramOptimum,
  type LinearProgramResult,
  type LinearProgramSolver,
  solveLinearProgram,
} from "./solve.js";

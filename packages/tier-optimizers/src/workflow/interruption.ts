import type { SpotInterruptionBand } from "@enis/cost-model";

/** Hours in the month over which Spot Instance Advisor's interruption frequency is stated (AWS's 730-hour month). */
export const hoursPerMonth = 730;

/**
 * Default monthly interruption probability by band: the upper end of each closed band (so the
 * re-run cost is not understated), and 0.30 for the open band `">20%"` (an assumption: the advisor
 * gives no upper end).
 */
export const defaultMonthlyInterruptionProbability: Readonly<Record<SpotInterruptionBand, number>> =
  Object.freeze({
    "<5%": 0.05,
    "5-10%": 0.1,
    "10-15%": 0.15,
    "15-20%": 0.2,
    ">20%": 0.3,
  });

/** The interruption model of one instance of a step: see {@link interruptionModel}. */
export interface InterruptionFigures {
  readonly hourlyRate: number;
  readonly probabilityPerInstance: number;
  readonly expectedExtraHours: number;
  readonly costFactor: number;
}

/**
 * Interruptions as a Poisson process of rate λ = −ln(1 − p) / 730 per instance-hour (p the monthly
 * probability), each losing the work since the last checkpoint, the instance replaced at once.
 * A segment of `c` hours of work between checkpoints then takes (e^(λc) − 1) / λ hours in
 * expectation (the classic restart result: the expected time to see a gap of length c between
 * arrivals), so `workHours` split into segments of `checkpointHours` (the last one shorter) takes
 * their sum. The cost factor is that expected time over `workHours` (1 when it is 0).
 *
 * @internal
 */
export function interruptionModel(
  monthlyProbability: number,
  workHours: number,
  checkpointHours: number | null,
): InterruptionFigures {
  const rate = -Math.log1p(-monthlyProbability) / hoursPerMonth;
  if (workHours === 0 || rate === 0) {
    return { hourlyRate: rate, probabilityPerInstance: 0, expectedExtraHours: 0, costFactor: 1 };
  }
  const segment = checkpointHours === null ? workHours : Math.min(checkpointHours, workHours);
  const whole = Math.floor(workHours / segment);
  const rest = workHours - whole * segment;
  // expm1 keeps the small-λ case exact: (e^(λc) − 1) / λ → c.
  const expected = (whole * Math.expm1(rate * segment) + Math.expm1(rate * rest)) / rate;
  return {
    hourlyRate: rate,
    probabilityPerInstance: -Math.expm1(-rate * workHours),
    expectedExtraHours: Math.max(0, expected - workHours),
    costFactor: Math.max(1, expected / workHours),
  };
}

/*
 * TEST ORACLE — not part of the package's API (index.ts does not export it; only tests import it).
 *
 * AWS Lambda Power Tuning's statistics and strategy selection, transcribed line by line from
 * github.com/alexcasalboni/aws-lambda-power-tuning at commit
 * 262ecc2d6cf99401e02a25ce7e81b2ad4880f10f (2026-04-13; Apache-2.0, as this repository):
 *
 * - lambda/utils.js      `computePrice`, `computeAverageDuration`
 * - lambda/executor.js   `computeStatistics` (the statistics of one power value) and the clamp of
 *                        `discardTopBottom` in `extractDiscardTopBottomValue`
 * - lambda/analyzer.js   `getBalancedWeight`, `findOptimalConfiguration`'s strategy dispatch,
 *                        `extractStatistics`, `findCheapest`, `findFastest`, `findBalanced`
 *
 * Only what a transcription into TypeScript needs was changed, each marked "ORACLE:": types; the
 * AWS-side inputs (`baseCost` comes from the `baseCosts` environment variable, `minRAM` from the
 * `minRAM` one, 128; the durations from the REPORT lines of the invocations' logs) become
 * arguments; the `console.log` calls are dropped; each statistic carries the `index` of its input,
 * so that a test can tell which of two measurements at one memory size (x86_64 and arm64) won.
 * `parseInt(x, 10)` of a number is kept as written: it parses the number's decimal text, so it
 * truncates toward zero — and reads `5e-7` as 5 (see the test of that quirk).
 */

/** ORACLE: the input of `computeStatistics` that executor.js reads from the invocations' logs. */
export interface PowerTuningInvocations {
  /** ORACLE: `parseLogAndExtractDurations`: Duration + Init Duration + Restore Duration, per invocation. */
  readonly totalDurations: readonly number[];
  /** ORACLE: `parseLogAndExtractBilledDurations`: Billed Duration (+ Billed Restore Duration), per invocation. */
  readonly billedDurations: readonly number[];
}

/** ORACLE: the object `computeStatistics` returns (executor.js), plus the input's index. */
export interface PowerTuningStats {
  readonly averagePrice: number;
  readonly averageDuration: number;
  readonly totalCost: number;
  readonly value: number;
  readonly index: number;
}

/** ORACLE: an element of analyzer.js's `extractStatistics`, plus the input's index. */
export interface PowerTuningStat {
  power: number;
  cost: number;
  duration: number;
  totalCost: number;
  index: number;
}

// utils.js
/**
 * Compute average price, given average duration.
 */
export const computePrice = (minCost: number, minRAM: number, value: number, duration: number): number => {
  // it's just proportional to ms (ceiled) and memory value
  return Math.ceil(duration) * minCost * (value / minRAM);
};

// utils.js
/**
 * Compute total cost
 */
export const computeTotalCost = (
  minCost: number,
  minRAM: number,
  value: number,
  durations: readonly number[],
): number => {
  // biome-ignore lint/complexity/useOptionalChain: transcribed as Power Tuning writes it
  if (!durations || !durations.length) {
    return 0;
  }

  // compute corresponding cost for each duration
  const costs = durations.map((duration) => computePrice(minCost, minRAM, value, duration));

  // sum all together
  return costs.reduce((a, b) => a + b, 0);
};

// utils.js
/**
 * Compute average duration
 */
export const computeAverageDuration = (durations: number[], discardTopBottom: number): number => {
  // biome-ignore lint/complexity/useOptionalChain: transcribed as Power Tuning writes it
  if (!durations || !durations.length) {
    return 0;
  }

  // a percentage of durations will be discarded (trimmed mean)
  // ORACLE: parseInt takes a string in TypeScript's types; JavaScript converts the number with String().
  const toBeDiscarded = Number.parseInt(String(durations.length * discardTopBottom), 10);

  if (discardTopBottom > 0 && toBeDiscarded === 0) {
    // not an error, but worth logging
    // this happens when you have less than 5 invocations
    // (only happens if dryrun or in tests)
    // ORACLE: console.log('not enough results to discard') dropped.
  }

  const newN = durations.length - 2 * toBeDiscarded;

  // compute trimmed mean (discard a percentage of low/high values)
  const averageDuration =
    durations
      .sort((a, b) => a - b) // sort numerically
      .slice(toBeDiscarded, toBeDiscarded > 0 ? -toBeDiscarded : durations.length) // discard first/last values
      .reduce((a, b) => a + b, 0) / // sum all together
    newN;
  return averageDuration;
};

// executor.js, extractDiscardTopBottomValue (without the onlyColdStarts branch, which sets 0)
export const extractDiscardTopBottomValue = (event: { discardTopBottom?: number }): number => {
  // extract discardTopBottom used to trim values from average duration
  let discardTopBottom = event.discardTopBottom;
  if (typeof discardTopBottom === "undefined") {
    // default value for discardTopBottom
    discardTopBottom = 0.2;
  }
  // discardTopBottom must be between 0 and 0.4
  return Math.min(Math.max(discardTopBottom, 0.0), 0.4);
};

// executor.js
// ORACLE: `results` (the invocations' logs) becomes the durations already extracted from them;
// `index` is passed through.
export const computeStatistics = (
  baseCost: number,
  minRAM: number,
  results: PowerTuningInvocations,
  value: number,
  discardTopBottom: number,
  index: number,
): PowerTuningStats => {
  // use results (which include logs) to compute average duration ...
  const totalDurations = [...results.totalDurations];
  const averageDuration = computeAverageDuration(totalDurations, discardTopBottom);

  // ... and overall cost statistics
  const billedDurations = [...results.billedDurations];
  const averageBilledDuration = computeAverageDuration(billedDurations, discardTopBottom);
  const averagePrice = computePrice(baseCost, minRAM, value, averageBilledDuration);
  // .. and total cost (exact $)
  const totalCost = computeTotalCost(baseCost, minRAM, value, billedDurations);

  const stats = {
    averagePrice,
    averageDuration,
    totalCost,
    value,
    index,
  };

  return stats;
};

// analyzer.js
const defaultStrategy = "cost";
const defaultBalancedWeight = 0.5;

/** ORACLE: the fields of the analyzer's event that strategy selection reads. */
export interface PowerTuningAnalyzerEvent {
  readonly stats: readonly PowerTuningStats[];
  readonly strategy?: "cost" | "speed" | "balanced";
  readonly balancedWeight?: number;
}

// analyzer.js
const getStrategy = (event: PowerTuningAnalyzerEvent): "cost" | "speed" | "balanced" => {
  // extract strategy name or fallback to default (cost)
  return event.strategy || defaultStrategy;
};

// analyzer.js
const getBalancedWeight = (event: PowerTuningAnalyzerEvent): number => {
  // extract weight used by balanced strategy or fallback to default (0.5)
  let weight = event.balancedWeight;
  if (typeof weight === "undefined") {
    weight = defaultBalancedWeight;
  }
  // weight must be between 0 and 1
  return Math.min(Math.max(weight, 0.0), 1.0);
};

// analyzer.js
const extractStatistics = (event: PowerTuningAnalyzerEvent): PowerTuningStat[] => {
  // generate a list of objects with only the relevant data/stats
  return (
    event.stats
      // handle empty results from executor
      // biome-ignore lint/complexity/useOptionalChain: transcribed as Power Tuning writes it
      .filter((stat) => stat && stat.averageDuration)
      .map((stat) => ({
        power: stat.value,
        cost: stat.averagePrice,
        duration: stat.averageDuration,
        totalCost: stat.totalCost,
        index: stat.index, // ORACLE: carried through
      }))
  );
};

// analyzer.js
const findCheapest = (stats: PowerTuningStat[]): PowerTuningStat | undefined => {
  // sort by cost
  stats.sort((p1, p2) => {
    if (p1.cost === p2.cost) {
      // return fastest if same cost
      return p1.duration - p2.duration;
    }
    return p1.cost - p2.cost;
  });

  // just return the first one
  return stats[0];
};

// analyzer.js
const findFastest = (stats: PowerTuningStat[]): PowerTuningStat | undefined => {
  // sort by duration/speed
  stats.sort((p1, p2) => {
    if (p1.duration === p2.duration) {
      // return cheapest if same speed
      return p1.cost - p2.cost;
    }
    return p1.duration - p2.duration;
  });

  // just return the first one
  return stats[0];
};

// analyzer.js
const findBalanced = (stats: PowerTuningStat[], weight: number): PowerTuningStat | undefined => {
  // choose a balanced configuration, weight is a number between 0 and 1 that express trade-off
  // between cost and time (0 = min time, 1 = min cost)

  // compute max cost and max duration
  const maxCost = Math.max(...stats.map((x) => x["cost"]));
  const maxDuration = Math.max(...stats.map((x) => x["duration"]));

  // formula for balanced value of a configuration ( value is minimized )
  // ORACLE: the formatter added the parentheses; JavaScript evaluates the original in this order.
  const getValue = (x: PowerTuningStat) =>
    (weight * x["cost"]) / maxCost + ((1 - weight) * x["duration"]) / maxDuration;

  // sort stats by value
  stats.sort((x, y) => getValue(x) - getValue(y));

  // just return the first one
  return stats[0];
};

// analyzer.js
const optimizationStrategies = {
  cost: () => findCheapest,
  speed: () => findFastest,
  balanced: () => findBalanced,
};

// analyzer.js, findOptimalConfiguration without the state machine's own cost and visualisation URL
export const findOptimalConfiguration = (event: PowerTuningAnalyzerEvent): PowerTuningStat | undefined => {
  const stats = extractStatistics(event);
  const strategy = getStrategy(event);
  const balancedWeight = getBalancedWeight(event);
  const optimizationFunction = optimizationStrategies[strategy]();
  const optimal = optimizationFunction(stats, balancedWeight);
  return optimal;
};

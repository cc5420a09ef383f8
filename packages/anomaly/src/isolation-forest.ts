import { createRandom } from "@enis/core";
import { type FeatureMatrixData, invalidField, parseOptions, readFeatureMatrix } from "@enis/core/validate";
import { z } from "zod";

/**
 * A feature matrix, one row per observation: an array of rows (every row the same length), or a
 * row-major `Float64Array` with its column count (`values.length` a multiple of `columns`).
 */
export type FeatureMatrix =
  | readonly (readonly number[])[]
  | { readonly values: Float64Array; readonly columns: number };

/** Options of {@link createIsolationForest}. */
export interface IsolationForestOptions {
  /**
   * Number of isolation trees, an integer >= 1 (scikit-learn's `n_estimators`).
   * @default 100
   */
  readonly trees?: number;
  /**
   * Rows drawn without replacement for each tree (ψ in Liu, Ting and Zhou; scikit-learn's
   * `max_samples`), an integer >= 2. When the training set is smaller, every tree takes all its rows.
   * @default 256
   */
  readonly sampleSize?: number;
  /**
   * Deepest a tree grows (the root is depth 0), an integer >= 1.
   * @default ceil(log2 ψ), ψ the sample size actually used (the paper's height limit)
   */
  readonly maxDepth?: number;
  /**
   * Seed of the generator (`createRandom` of `@enis/core`) that draws the samples, features and
   * split values: the same seed and data give the same scores on every machine.
   * @default 0
   */
  readonly seed?: number;
  /**
   * Expected share of anomalies in the training data, in (0, 0.5]. When set, `predict` flags the
   * rows scoring above the (1 − contamination) quantile of the training scores; when not, the rows
   * scoring above 0.5 (the paper's rule: scores well above 0.5 are anomalies).
   */
  readonly contamination?: number;
}

/** The resolved options of an {@link IsolationForest} (defaults filled in). */
export interface ResolvedIsolationForestOptions {
  /** Number of trees. */
  readonly trees: number;
  /** Requested rows per tree (ψ). */
  readonly sampleSize: number;
  /** Requested depth limit; `undefined` for ceil(log2 ψ). */
  readonly maxDepth: number | undefined;
  /** Seed of the generator. */
  readonly seed: number;
  /** Expected share of anomalies; `undefined` for the fixed 0.5 threshold. */
  readonly contamination: number | undefined;
}

/**
 * The plain-data form of a fitted forest ({@link FittedIsolationForest.toJSON}), restored by
 * {@link isolationForestFromJSON}. Nodes of all trees share flat arrays; the two children of an
 * internal node are stored side by side (`left[i]` and `left[i] + 1`).
 */
export interface IsolationForestJSON {
  /** Format tag. */
  readonly format: "enis-isolation-forest";
  /** Format version. */
  readonly version: 1;
  /** Number of feature columns. */
  readonly columns: number;
  /** Rows each tree was grown on (ψ); scores are normalised by c(ψ). */
  readonly sampleSize: number;
  /** Depth limit the trees were grown with. */
  readonly maxDepth: number;
  /** Threshold above which `predict` flags a row. */
  readonly threshold: number;
  /** Expected share of anomalies the threshold came from; `null` for the fixed 0.5 threshold. */
  readonly contamination: number | null;
  /** Node offset of each tree's root. */
  readonly roots: readonly number[];
  /** Per node, the feature it splits on, or -1 for an external node. */
  readonly feature: readonly number[];
  /**
   * Per node: for an internal node the split value (rows with `x[feature] < value` go left); for
   * an external node its path length, depth + c(size).
   */
  readonly value: readonly number[];
  /** Per node, the index of its left child (the right child is the next node); -1 for an external node. */
  readonly left: readonly number[];
}

/** An Isolation Forest fitted by {@link IsolationForest.fit}. Immutable. */
export interface FittedIsolationForest {
  /** Number of trees. */
  readonly trees: number;
  /** Number of feature columns; `score` and `predict` take rows of this length. */
  readonly columns: number;
  /** Rows each tree was grown on (ψ = min(sampleSize, training rows)). */
  readonly sampleSize: number;
  /** Depth limit the trees were grown with. */
  readonly maxDepth: number;
  /** Score above which `predict` flags a row: the contamination quantile of the training scores, or 0.5. */
  readonly threshold: number;
  /** Total number of nodes over all trees. */
  readonly nodeCount: number;
  /**
   * Anomaly score of each row, 2^(−E[h(x)] / c(ψ)), in (0, 1]: higher is more anomalous; near 0.5
   * everywhere means no distinct anomalies.
   * @throws EnisError `INVALID_OPTIONS` naming the first bad row or cell.
   */
  score(rows: FeatureMatrix): number[];
  /** Per row, whether its score is above {@link FittedIsolationForest.threshold}. */
  predict(rows: FeatureMatrix): boolean[];
  /** The forest as plain data, for `JSON.stringify` and {@link isolationForestFromJSON}. */
  toJSON(): IsolationForestJSON;
}

/** An unfitted Isolation Forest with resolved options; {@link IsolationForest.fit} may be called many times. */
export interface IsolationForest {
  /** The resolved options, frozen. */
  readonly options: ResolvedIsolationForestOptions;
  /**
   * Grows the trees on `rows` (at least 2 rows of finite numbers).
   * @throws EnisError `INVALID_OPTIONS` naming the first bad row or cell.
   */
  fit(rows: FeatureMatrix): FittedIsolationForest;
}

const optionsSchema = z
  .object({
    trees: z.number().int().min(1).max(100_000).default(100),
    sampleSize: z
      .number()
      .int()
      .min(2)
      .max(2 ** 30)
      .default(256),
    maxDepth: z.number().int().min(1).max(1_000).optional(),
    seed: z.number().int().refine(Number.isSafeInteger, "a safe integer").default(0),
    contamination: z.number().gt(0).max(0.5).optional(),
  })
  .strict();

/**
 * Average path length of an unsuccessful search in a binary search tree of `n` nodes,
 * c(n) = 2·H(n − 1) − 2(n − 1)/n with H the harmonic number (exact sum, no logarithm), c(0) = c(1) = 0.
 * Isolation Forest adds it at external nodes that still hold `n` rows and divides by c(ψ).
 *
 * @example
 * ```ts
 * averagePathLength(2); // 1
 * averagePathLength(256); // 10.2487 (H(255) = 6.1204)
 * ```
 */
export function averagePathLength(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw invalidField("n", n, "an integer >= 0");
  if (n <= 1) return 0;
  let harmonic = 0;
  for (let i = 1; i < n; i++) harmonic += 1 / i;
  return 2 * harmonic - (2 * (n - 1)) / n;
}

/** c(0 … n) by one running harmonic sum (the same additions as {@link averagePathLength}). */
function pathLengthTable(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  let harmonic = 0;
  for (let m = 2; m <= n; m++) {
    harmonic += 1 / (m - 1);
    table[m] = 2 * harmonic - (2 * (m - 1)) / m;
  }
  return table;
}

/**
 * Creates an Isolation Forest (Liu, Ting and Zhou 2008): each tree isolates a random subsample of
 * ψ rows by splitting on a random feature at a value drawn uniformly between the node's minimum and
 * maximum, down to a height limit; a row's score comes from its mean path length over the trees.
 * Anomalies, few and different, are isolated near the root.
 *
 * @example
 * ```ts
 * const forest = createIsolationForest({ seed: 7, contamination: 0.05 }).fit(rows);
 * forest.score([[0, 0], [9, 9]]); // higher for the row far from the training data
 * forest.predict([[9, 9]]); // [true] when its score is above forest.threshold
 * const restored = isolationForestFromJSON(JSON.parse(JSON.stringify(forest)));
 * ```
 */
export function createIsolationForest(options: IsolationForestOptions = {}): IsolationForest {
  const parsed = parseOptions(optionsSchema, options, "options");
  const resolved: ResolvedIsolationForestOptions = Object.freeze({
    trees: parsed.trees,
    sampleSize: parsed.sampleSize,
    maxDepth: parsed.maxDepth,
    seed: parsed.seed,
    contamination: parsed.contamination,
  });
  return Object.freeze({
    options: resolved,
    fit: (rows: FeatureMatrix) => fitForest(resolved, rows),
  });
}

interface Nodes {
  readonly columns: number;
  readonly sampleSize: number;
  readonly maxDepth: number;
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly value: Float64Array;
  readonly left: Int32Array;
}

function fitForest(options: ResolvedIsolationForestOptions, input: FeatureMatrix): FittedIsolationForest {
  const matrix = readFeatureMatrix(input, "rows");
  const { values, rows: n, columns } = matrix;
  if (n < 2) throw invalidField("rows.length", n, "at least 2 rows");
  const psi = Math.min(options.sampleSize, n);
  const maxDepth = options.maxDepth ?? Math.ceil(Math.log2(psi));
  const c = pathLengthTable(psi);
  const random = createRandom(options.seed);

  // Both children of a split are non-empty, so a tree of ψ rows has at most 2ψ − 1 nodes.
  const capacity = options.trees * (2 * psi - 1);
  const feature = new Int32Array(capacity);
  const value = new Float64Array(capacity);
  const left = new Int32Array(capacity);
  let count = 0;

  const roots = new Int32Array(options.trees);
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  const sample = new Int32Array(psi);
  const order = new Int32Array(columns);
  for (let j = 0; j < columns; j++) order[j] = j;

  const grow = (node: number, lo: number, hi: number, depth: number): void => {
    const size = hi - lo;
    if (size <= 1 || depth >= maxDepth) {
      feature[node] = -1;
      value[node] = depth + c[size]!;
      left[node] = -1;
      return;
    }
    // A random feature among those not constant in the node (drawn without replacement).
    let chosen = -1;
    let min = 0;
    let max = 0;
    for (let k = 0; k < columns; k++) {
      const swap = k + random.nextInt(columns - k);
      const f = order[swap]!;
      order[swap] = order[k]!;
      order[k] = f;
      min = Infinity;
      max = -Infinity;
      for (let i = lo; i < hi; i++) {
        const x = values[sample[i]! * columns + f]!;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (max > min) {
        chosen = f;
        break;
      }
    }
    if (chosen < 0) {
      feature[node] = -1;
      value[node] = depth + c[size]!;
      left[node] = -1;
      return;
    }
    let split = min + random.next() * (max - min);
    if (split <= min) split = max; // keeps both sides non-empty (next() returned 0)
    // Partition: rows below the split first.
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      if (values[sample[i]! * columns + chosen]! < split) i++;
      else {
        const t = sample[i]!;
        sample[i] = sample[j]!;
        sample[j] = t;
        j--;
      }
    }
    const child = count;
    count += 2;
    feature[node] = chosen;
    value[node] = split;
    left[node] = child;
    grow(child, lo, i, depth + 1);
    grow(child + 1, i, hi, depth + 1);
  };

  for (let t = 0; t < options.trees; t++) {
    // ψ rows without replacement: a partial Fisher–Yates shuffle of the row indices.
    for (let k = 0; k < psi; k++) {
      const swap = k + random.nextInt(n - k);
      const r = pool[swap]!;
      pool[swap] = pool[k]!;
      pool[k] = r;
      sample[k] = r;
    }
    const root = count++;
    roots[t] = root;
    grow(root, 0, psi, 0);
  }

  const nodes: Nodes = {
    columns,
    sampleSize: psi,
    maxDepth,
    roots,
    feature: feature.slice(0, count),
    value: value.slice(0, count),
    left: left.slice(0, count),
  };
  let threshold = 0.5;
  if (options.contamination !== undefined) {
    const scores = scoreMatrix(nodes, matrix).sort();
    threshold = quantile(scores, 1 - options.contamination);
  }
  return buildFitted(nodes, threshold, options.contamination ?? null);
}

/** The q-quantile of sorted values, linear between order statistics (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

function scoreMatrix(nodes: Nodes, matrix: FeatureMatrixData): Float64Array {
  const { roots, feature, value, left, columns } = nodes;
  const { values, rows } = matrix;
  const trees = roots.length;
  const scale = -1 / (trees * averagePathLength(nodes.sampleSize));
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * columns;
    let total = 0;
    for (let t = 0; t < trees; t++) {
      let node = roots[t]!;
      let f = feature[node]!;
      while (f >= 0) {
        node = values[base + f]! < value[node]! ? left[node]! : left[node]! + 1;
        f = feature[node]!;
      }
      total += value[node]!;
    }
    out[r] = 2 ** (total * scale);
  }
  return out;
}

function buildFitted(nodes: Nodes, threshold: number, contamination: number | null): FittedIsolationForest {
  const { columns } = nodes;
  const score = (rows: FeatureMatrix): number[] =>
    Array.from(scoreMatrix(nodes, readFeatureMatrix(rows, "rows", columns)));
  return Object.freeze({
    trees: nodes.roots.length,
    columns,
    sampleSize: nodes.sampleSize,
    maxDepth: nodes.maxDepth,
    threshold,
    nodeCount: nodes.feature.length,
    score,
    predict: (rows: FeatureMatrix): boolean[] => score(rows).map((s) => s > threshold),
    toJSON: (): IsolationForestJSON => ({
      format: "enis-isolation-forest",
      version: 1,
      columns,
      sampleSize: nodes.sampleSize,
      maxDepth: nodes.maxDepth,
      threshold,
      contamination,
      roots: Array.from(nodes.roots),
      feature: Array.from(nodes.feature),
      value: Array.from(nodes.value),
      left: Array.from(nodes.left),
    }),
  });
}

/**
 * Restores a fitted forest from {@link FittedIsolationForest.toJSON}'s output (parsed JSON). The
 * restored forest scores and predicts exactly as the original.
 * @throws EnisError `INVALID_OPTIONS` when `json` is not a well-formed forest.
 */
export function isolationForestFromJSON(json: IsolationForestJSON): FittedIsolationForest {
  const bad = (field: string, got: unknown, expectation: string): never => {
    throw invalidField(`json${field ? `.${field}` : ""}`, got, expectation);
  };
  if (typeof json !== "object" || json === null) bad("", json, "an object");
  if (json.format !== "enis-isolation-forest" || json.version !== 1) {
    bad("format", json.format, '"enis-isolation-forest" version 1');
  }
  const { columns, sampleSize, maxDepth, threshold, contamination } = json;
  if (!Number.isInteger(columns) || columns < 1) bad("columns", columns, "an integer >= 1");
  if (!Number.isInteger(sampleSize) || sampleSize < 2) bad("sampleSize", sampleSize, "an integer >= 2");
  if (!Number.isInteger(maxDepth) || maxDepth < 1) bad("maxDepth", maxDepth, "an integer >= 1");
  if (typeof threshold !== "number" || !(threshold > 0 && threshold <= 1)) {
    bad("threshold", threshold, "a number in (0, 1]");
  }
  if (
    contamination !== null &&
    !(typeof contamination === "number" && contamination > 0 && contamination <= 0.5)
  ) {
    bad("contamination", contamination, "null or a number in (0, 0.5]");
  }
  const size = Array.isArray(json.feature) ? json.feature.length : -1;
  for (const key of ["feature", "value", "left"] as const) {
    if (!Array.isArray(json[key]) || json[key].length !== size || size < 1) {
      bad(key, json[key], `an array of ${size < 1 ? "at least 1" : size} numbers`);
    }
  }
  for (let i = 0; i < size; i++) {
    const f = json.feature[i];
    if (!Number.isInteger(f) || (f as number) < -1 || (f as number) >= columns) {
      bad(`feature[${i}]`, f, `an integer in [-1, ${columns - 1}]`);
    }
    const v = json.value[i];
    if (typeof v !== "number" || !Number.isFinite(v) || (f === -1 && v < 0)) {
      bad(`value[${i}]`, v, f === -1 ? "a finite number >= 0" : "a finite number");
    }
    const child = json.left[i] as number;
    // Children come after their parent: no cycle, every walk ends.
    const ok = f === -1 ? child === -1 : Number.isInteger(child) && child > i && child + 1 < size;
    if (!ok) bad(`left[${i}]`, child, f === -1 ? "-1 (an external node)" : `an index in (${i}, ${size - 2}]`);
  }
  if (!Array.isArray(json.roots) || json.roots.length === 0) bad("roots", json.roots, "a non-empty array");
  json.roots.forEach((root, t) => {
    if (!Number.isInteger(root) || root < 0 || root >= size)
      bad(`roots[${t}]`, root, `an index in [0, ${size - 1}]`);
  });
  return buildFitted(
    {
      columns,
      sampleSize,
      maxDepth,
      roots: Int32Array.from(json.roots),
      feature: Int32Array.from(json.feature),
      value: Float64Array.from(json.value),
      left: Int32Array.from(json.left),
    },
    threshold,
    contamination,
  );
}

/**
 * `IsolationForest.fromJSON(json)`: the same as {@link isolationForestFromJSON}, under the name a
 * class-style API would give it.
 */
export const IsolationForest: { readonly fromJSON: (json: IsolationForestJSON) => FittedIsolationForest } =
  Object.freeze({ fromJSON: isolationForestFromJSON });

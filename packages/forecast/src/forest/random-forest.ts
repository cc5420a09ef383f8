import { createRandom, EnisError } from "@enis/core";
import {
  describeValue,
  type FeatureMatrixData,
  invalidField,
  parseOptions,
  readFeatureMatrix,
} from "@enis/core/validate";
import { z } from "zod";

/**
 * A feature matrix, one row per observation: an array of rows (every row the same length), or a
 * row-major `Float64Array` with its column count (`values.length` a multiple of `columns`).
 */
export type FeatureMatrix =
  | readonly (readonly number[])[]
  | { readonly values: Float64Array; readonly columns: number };

/** Options of {@link createRandomForest}. */
export interface RandomForestOptions {
  /**
   * Number of trees, an integer >= 1 (scikit-learn's `n_estimators`).
   * @default 100
   */
  readonly trees?: number;
  /**
   * Deepest a tree may grow (the root is depth 0), an integer >= 1.
   * @default unlimited: nodes split until they are pure or hold fewer than 2 × `minSamplesLeaf` rows
   */
  readonly maxDepth?: number;
  /**
   * Fewest distinct training rows in a leaf, an integer >= 1 (scikit-learn's `min_samples_leaf`).
   * @default 1
   */
  readonly minSamplesLeaf?: number;
  /**
   * Fraction of the features tried at each split, in (0, 1]: `max(1, floor(maxFeatures × columns))`
   * features drawn without replacement (scikit-learn's float `max_features`).
   * @default 1 (every feature, scikit-learn's default for regression)
   */
  readonly maxFeatures?: number;
  /**
   * Whether each tree sees a bootstrap sample (rows drawn with replacement) rather than the rows
   * themselves.
   * @default true
   */
  readonly bootstrap?: boolean;
  /**
   * Rows drawn per tree, as a fraction in (0, 1] of the training rows (scikit-learn's float
   * `max_samples`): with replacement when `bootstrap`, without otherwise.
   * @default 1
   */
  readonly sampleFraction?: number;
  /**
   * Seed of the generator (`createRandom` of `@enis/core`) that draws the samples and features: the
   * same seed and data give the same forest, and the same predictions, on every machine.
   * @default 0
   */
  readonly seed?: number;
}

/** Out-of-bag estimates of a fitted forest: each training row predicted by the trees that did not see it. */
export interface OutOfBag {
  /** Per training row, the mean of the trees that did not draw it; `null` when every tree drew it. */
  readonly predictions: readonly (number | null)[];
  /** Per training row, how many trees did not draw it. */
  readonly treeCounts: readonly number[];
  /** R² of the out-of-bag predictions over the rows that have one; `null` when fewer than 2 do or the targets are constant there. */
  readonly r2: number | null;
}

/** The plain-data form of a fitted forest ({@link FittedRandomForest.toJSON}), restored by {@link randomForestFromJSON}. */
export interface RandomForestJSON {
  /** Format tag. */
  readonly format: "enis-random-forest";
  /** Format version. */
  readonly version: 1;
  /** Number of feature columns. */
  readonly columns: number;
  /** Node offset of each tree's root in the node arrays. */
  readonly roots: readonly number[];
  /** Per node, the feature it splits on, or -1 for a leaf. */
  readonly feature: readonly number[];
  /** Per node, the split threshold (rows with `x[feature] <= threshold` go left); the leaf's value for a leaf. */
  readonly threshold: readonly number[];
  /** Per node, the index of its left child; -1 for a leaf. */
  readonly left: readonly number[];
  /** Per node, the index of its right child; -1 for a leaf. */
  readonly right: readonly number[];
  /** Normalised mean decrease in impurity per feature (sums to 1, or all 0 when no tree split). */
  readonly featureImportances: readonly number[];
}

/** A random forest fitted by {@link RandomForestRegressor.fit}. Immutable. */
export interface FittedRandomForest {
  /** Number of trees. */
  readonly trees: number;
  /** Number of feature columns it was fitted on; `predict` takes rows of this length. */
  readonly columns: number;
  /** Total number of nodes over all trees. */
  readonly nodeCount: number;
  /**
   * Mean decrease in impurity per feature (scikit-learn's `feature_importances_`): each split's
   * weighted variance reduction summed by feature within a tree and normalised, averaged over
   * trees and normalised again. Sums to 1 (all 0 when no tree split).
   */
  readonly featureImportances: readonly number[];
  /** Out-of-bag estimates; `undefined` when the forest was fitted without bootstrap or restored from JSON. */
  readonly outOfBag: OutOfBag | undefined;
  /** The mean of the trees' predictions for each row. */
  predict(rows: FeatureMatrix): Float64Array;
  /**
   * Every tree's prediction for each row, tree-major: element `tree × rows + row` (the spread of
   * these is one measure of the forest's uncertainty).
   */
  predictEach(rows: FeatureMatrix): Float64Array;
  /** The forest as plain data, for `JSON.stringify` and {@link randomForestFromJSON}. */
  toJSON(): RandomForestJSON;
}

/** An unfitted random forest regressor with resolved options; {@link RandomForestRegressor.fit} may be called many times. */
export interface RandomForestRegressor {
  /** The resolved options (defaults filled in), frozen. */
  readonly options: Readonly<
    Required<Omit<RandomForestOptions, "maxDepth">> & { maxDepth: number | undefined }
  >;
  /**
   * Fits the forest. `rows` and `targets` must be finite, with one target per row.
   * @throws EnisError `INVALID_OPTIONS` naming the first bad row, cell or target.
   */
  fit(rows: FeatureMatrix, targets: ArrayLike<number>): FittedRandomForest;
}

const optionsSchema = z
  .object({
    trees: z.number().int().min(1).max(100_000).default(100),
    maxDepth: z.number().int().min(1).max(1_000).optional(),
    minSamplesLeaf: z.number().int().min(1).default(1),
    maxFeatures: z.number().gt(0).max(1).default(1),
    bootstrap: z.boolean().default(true),
    sampleFraction: z.number().gt(0).max(1).default(1),
    seed: z.number().int().refine(Number.isSafeInteger, "a safe integer").default(0),
  })
  .strict();

/**
 * Creates a random forest regressor (Breiman 2001): bagged CART trees grown by variance reduction,
 * with scikit-learn `RandomForestRegressor`'s defaults (100 trees, all features at each split,
 * bootstrap samples of n rows, leaves of at least 1 row, no depth limit). Every split exact CART
 * considers is considered, on rows kept in each feature's order from one sort per fit (see the
 * package documentation).
 *
 * @example
 * ```ts
 * const forest = createRandomForest({ trees: 100, seed: 7 }).fit(
 *   [[0, 1], [1, 0], [2, 1], [3, 0]],
 *   [1, 2, 3, 4],
 * );
 * forest.predict([[1.5, 1], [2.5, 0]]); // Float64Array [1.96, 3.29]
 * ```
 */
export function createRandomForest(options: RandomForestOptions = {}): RandomForestRegressor {
  const parsed = parseOptions(optionsSchema, options, "options");
  const resolved = Object.freeze({ ...parsed, maxDepth: parsed.maxDepth });
  return Object.freeze({
    options: resolved,
    fit: (rows: FeatureMatrix, targets: ArrayLike<number>) => fitForest(resolved, rows, targets),
  });
}

function readTargets(input: unknown, rowCount: number): Float64Array {
  const isArrayLike =
    Array.isArray(input) ||
    (ArrayBuffer.isView(input) &&
      !(input instanceof DataView) &&
      typeof (input as unknown as ArrayLike<number>).length === "number");
  if (!isArrayLike) throw invalidField("targets", input, "an array of finite numbers");
  const list = input as ArrayLike<unknown>;
  if (list.length !== rowCount) {
    throw new EnisError(
      "INVALID_OPTIONS",
      `targets.length must be ${rowCount} (one target per row), got ${describeValue(list.length)}`,
      { field: "targets.length" },
    );
  }
  const targets = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const y = list[i];
    if (typeof y !== "number" || !Number.isFinite(y))
      throw invalidField(`targets[${i}]`, y, "a finite number");
    targets[i] = y;
  }
  return targets;
}

/**
 * Each feature's distinct training values, each row's rank among them, and the rows in ascending
 * order of each feature: computed once per fit, so that no node ever sorts.
 */
interface Ranked {
  /** Column-major rank of every row's value: `rank[feature × rows + row]`. */
  readonly rank: Int32Array;
  /** The distinct values of each feature, ascending, from `valueOffset[feature]`. */
  readonly distinct: Float64Array;
  readonly valueOffset: Int32Array;
  /** Column-major row indices in ascending order of each feature: `order[feature × rows + k]`. */
  readonly order: Int32Array;
}

function rankFeatures(matrix: FeatureMatrixData): Ranked {
  const { values, rows, columns } = matrix;
  const rank = new Int32Array(rows * columns);
  const order = new Int32Array(rows * columns);
  const valueOffset = new Int32Array(columns + 1);
  const distinctParts: Float64Array[] = [];
  const keys = new Float64Array(rows);
  const rowsByValue: number[] = new Array(rows);
  for (let f = 0; f < columns; f++) {
    for (let r = 0; r < rows; r++) {
      keys[r] = values[r * columns + f]!;
      rowsByValue[r] = r;
    }
    // Ties by row index: the order, and so every fit, is the same on every engine.
    rowsByValue.sort((a, b) => keys[a]! - keys[b]! || a - b);
    const distinct = new Float64Array(rows);
    let count = 0;
    for (let k = 0; k < rows; k++) {
      const r = rowsByValue[k]!;
      const x = keys[r]!;
      if (count === 0 || distinct[count - 1] !== x) distinct[count++] = x;
      rank[f * rows + r] = count - 1;
      order[f * rows + k] = r;
    }
    distinctParts.push(distinct.subarray(0, count));
    valueOffset[f + 1] = valueOffset[f]! + count;
  }
  const distinct = new Float64Array(valueOffset[columns]!);
  distinctParts.forEach((part, f) => {
    distinct.set(part, valueOffset[f]!);
  });
  return { rank, distinct, valueOffset, order };
}

/** Growable flat node arrays shared by every tree of a forest. */
class NodeStore {
  feature = new Int32Array(1024);
  threshold = new Float64Array(1024);
  left = new Int32Array(1024);
  right = new Int32Array(1024);
  size = 0;

  add(): number {
    if (this.size === this.feature.length) {
      const capacity = this.size * 2;
      const grow = <T extends Int32Array | Float64Array>(old: T, fresh: T): T => {
        fresh.set(old);
        return fresh;
      };
      this.feature = grow(this.feature, new Int32Array(capacity));
      this.threshold = grow(this.threshold, new Float64Array(capacity));
      this.left = grow(this.left, new Int32Array(capacity));
      this.right = grow(this.right, new Int32Array(capacity));
    }
    const node = this.size++;
    this.feature[node] = -1;
    this.left[node] = -1;
    this.right[node] = -1;
    return node;
  }
}

type Resolved = RandomForestRegressor["options"];

function fitForest(
  options: Resolved,
  rowsInput: FeatureMatrix,
  targetsInput: ArrayLike<number>,
): FittedRandomForest {
  const matrix = readFeatureMatrix(rowsInput, "rows");
  const targets = readTargets(targetsInput, matrix.rows);
  const n = matrix.rows;
  // Grown on centred targets: on raw ones the proxy S²/W loses a small variation on a large level
  // to rounding (targets 1e9 and 1e9 + 0.5: scikit-learn 1.9.1 grows one-node trees).
  let targetMean = 0;
  for (let i = 0; i < n; i++) targetMean += targets[i]!;
  targetMean /= n;
  const centred = new Float64Array(n);
  for (let i = 0; i < n; i++) centred[i] = targets[i]! - targetMean;
  const columns = matrix.columns;
  const { rank, distinct, valueOffset, order } = rankFeatures(matrix);
  const random = createRandom(options.seed);
  const store = new NodeStore();
  const roots: number[] = [];
  const mtry = Math.max(1, Math.floor(options.maxFeatures * columns));
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const minLeaf = options.minSamplesLeaf;
  const draws = Math.max(1, Math.round(options.sampleFraction * n));

  const weights = new Float64Array(n);
  // The tree's rows in ascending order of each feature, node by node: a node owns positions
  // [start, end) of every feature's segment, and a split partitions each segment stably.
  const sorted = new Int32Array(n * columns);
  const scratch = new Int32Array(n);
  const goesLeft = new Uint8Array(n);
  const featureOrder = new Int32Array(columns);
  const importances = new Float64Array(columns);
  const treeImportances = new Float64Array(columns);
  const oobSum = new Float64Array(n);
  const oobCount = new Int32Array(n);
  const permutation = new Int32Array(n);

  // Stack of pending nodes: node id, position range, depth.
  let stackNode = new Int32Array(256);
  let stackStart = new Int32Array(256);
  let stackEnd = new Int32Array(256);
  let stackDepth = new Int32Array(256);

  for (let tree = 0; tree < options.trees; tree++) {
    weights.fill(0);
    if (options.bootstrap) {
      for (let d = 0; d < draws; d++) weights[random.nextInt(n)]! += 1;
    } else if (draws === n) weights.fill(1);
    else {
      for (let i = 0; i < n; i++) permutation[i] = i;
      for (let d = 0; d < draws; d++) {
        const j = d + random.nextInt(n - d);
        const t = permutation[d]!;
        permutation[d] = permutation[j]!;
        permutation[j] = t;
        weights[permutation[d]!] = 1;
      }
    }
    let count = 0;
    for (let f = 0; f < columns; f++) {
      const base = f * n;
      count = 0;
      for (let k = 0; k < n; k++) {
        const i = order[base + k]!;
        if (weights[i]! > 0) sorted[base + count++] = i;
      }
    }
    treeImportances.fill(0);

    const root = store.add();
    roots.push(root);
    stackNode[0] = root;
    stackStart[0] = 0;
    stackEnd[0] = count;
    stackDepth[0] = 0;
    let top = 1;
    while (top > 0) {
      top--;
      const node = stackNode[top]!;
      const start = stackStart[top]!;
      const end = stackEnd[top]!;
      const depth = stackDepth[top]!;
      let sumW = 0;
      let sumS = 0;
      let sumQ = 0;
      let sumTargets = 0;
      for (let k = start; k < end; k++) {
        const i = sorted[k]!;
        const w = weights[i]!;
        const y = centred[i]!;
        sumW += w;
        sumS += w * y;
        sumQ += w * y * y;
        sumTargets += w * targets[i]!;
      }
      // The leaf value from the targets themselves: a one-row leaf is that row's target exactly.
      const leafValue = sumTargets / sumW;
      const mean = sumS / sumW;
      const rowsHere = end - start;
      const impurity = sumQ / sumW - mean * mean;
      // scikit-learn stops at impurity <= machine epsilon; a relative bound keeps that meaning at any scale.
      const pure = impurity <= 1e-14 * mean * mean || impurity <= 0;
      if (depth >= maxDepth || rowsHere < 2 * minLeaf || rowsHere < 2 || pure) {
        store.threshold[node] = leafValue;
        continue;
      }

      for (let f = 0; f < columns; f++) featureOrder[f] = f;
      let bestFeature = -1;
      let bestPosition = -1;
      let bestProxy = Number.NEGATIVE_INFINITY;
      let bestThreshold = 0;
      let visited = 0;
      for (let v = 0; v < columns; v++) {
        if (visited >= mtry && bestFeature >= 0) break;
        // Fisher-Yates step: the next feature in a random order, as scikit-learn visits them even
        // when it tries all: among equally good splits (on the trend or on the weekday, in a node
        // of two days) the first visited wins, and the choice decides where new rows go.
        const j = v + random.nextInt(columns - v);
        const f = featureOrder[j]!;
        featureOrder[j] = featureOrder[v]!;
        featureOrder[v] = f;
        const base = f * n;
        if (rank[base + sorted[base + start]!] === rank[base + sorted[base + end - 1]!]) continue; // constant here: not counted as tried
        visited++;
        const offset = valueOffset[f]!;
        let leftW = 0;
        let leftS = 0;
        let leftC = 0;
        let i = sorted[base + start]!;
        let r = rank[base + i]!;
        for (let k = start; k < end - 1; k++) {
          const w = weights[i]!;
          leftW += w;
          leftS += w * centred[i]!;
          leftC++;
          const nextI = sorted[base + k + 1]!;
          const nextR = rank[base + nextI]!;
          if (nextR !== r && leftC >= minLeaf) {
            if (rowsHere - leftC < minLeaf) break;
            const rightW = sumW - leftW;
            const rightS = sumS - leftS;
            const proxy = (leftS * leftS) / leftW + (rightS * rightS) / rightW;
            if (proxy > bestProxy) {
              bestProxy = proxy;
              bestFeature = f;
              bestPosition = k + 1;
              const below = distinct[offset + r]!;
              const above = distinct[offset + nextR]!;
              bestThreshold = below / 2 + above / 2;
              // The midpoint of two adjacent doubles can round to the larger one (scikit-learn guards too).
              if (bestThreshold >= above || !Number.isFinite(bestThreshold)) bestThreshold = below;
            }
          }
          i = nextI;
          r = nextR;
        }
      }
      if (bestFeature < 0) {
        store.threshold[node] = leafValue;
        continue;
      }
      // The best feature's segment is already split at bestPosition; the others follow, stably.
      const bestBase = bestFeature * n;
      for (let k = start; k < end; k++) goesLeft[sorted[bestBase + k]!] = k < bestPosition ? 1 : 0;
      for (let f = 0; f < columns; f++) {
        if (f === bestFeature) continue;
        const base = f * n;
        let left = base + start;
        let right = 0;
        for (let k = base + start; k < base + end; k++) {
          const i = sorted[k]!;
          if (goesLeft[i] === 1) sorted[left++] = i;
          else scratch[right++] = i;
        }
        sorted.set(scratch.subarray(0, right), left);
      }
      const decrease = bestProxy - (sumS * sumS) / sumW;
      treeImportances[bestFeature]! += Math.max(decrease, 0);

      const leftNode = store.add();
      const rightNode = store.add();
      store.feature[node] = bestFeature;
      store.threshold[node] = bestThreshold;
      store.left[node] = leftNode;
      store.right[node] = rightNode;
      if (top + 2 > stackNode.length) {
        const grow = (old: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
          const fresh = new Int32Array(old.length * 2);
          fresh.set(old);
          return fresh;
        };
        stackNode = grow(stackNode);
        stackStart = grow(stackStart);
        stackEnd = grow(stackEnd);
        stackDepth = grow(stackDepth);
      }
      stackNode[top] = rightNode;
      stackStart[top] = bestPosition;
      stackEnd[top] = end;
      stackDepth[top] = depth + 1;
      top++;
      stackNode[top] = leftNode;
      stackStart[top] = start;
      stackEnd[top] = bestPosition;
      stackDepth[top] = depth + 1;
      top++;
    }

    let treeTotal = 0;
    for (let f = 0; f < columns; f++) treeTotal += treeImportances[f]!;
    if (treeTotal > 0) for (let f = 0; f < columns; f++) importances[f]! += treeImportances[f]! / treeTotal;

    if (options.bootstrap) {
      for (let i = 0; i < n; i++) {
        if (weights[i] !== 0) continue;
        oobSum[i]! += predictOne(store, root, matrix.values, i * columns);
        oobCount[i]! += 1;
      }
    }
  }

  let total = 0;
  for (let f = 0; f < columns; f++) total += importances[f]!;
  const featureImportances = Array.from(importances, (value) => (total > 0 ? value / total : 0));
  const outOfBag = options.bootstrap ? summariseOutOfBag(oobSum, oobCount, targets) : undefined;
  return buildFitted(
    {
      columns,
      roots: Int32Array.from(roots),
      feature: store.feature.slice(0, store.size),
      threshold: store.threshold.slice(0, store.size),
      left: store.left.slice(0, store.size),
      right: store.right.slice(0, store.size),
    },
    featureImportances,
    outOfBag,
  );
}

function predictOne(
  store: { feature: Int32Array; threshold: Float64Array; left: Int32Array; right: Int32Array },
  root: number,
  values: Float64Array,
  rowOffset: number,
): number {
  let node = root;
  let f = store.feature[node]!;
  while (f >= 0) {
    node = values[rowOffset + f]! <= store.threshold[node]! ? store.left[node]! : store.right[node]!;
    f = store.feature[node]!;
  }
  return store.threshold[node]!;
}

function summariseOutOfBag(sum: Float64Array, count: Int32Array, targets: Float64Array): OutOfBag {
  const predictions: (number | null)[] = new Array(targets.length);
  let rows = 0;
  let targetSum = 0;
  for (let i = 0; i < targets.length; i++) {
    if (count[i]! > 0) {
      predictions[i] = sum[i]! / count[i]!;
      rows++;
      targetSum += targets[i]!;
    } else predictions[i] = null;
  }
  let r2: number | null = null;
  if (rows >= 2) {
    const mean = targetSum / rows;
    let residual = 0;
    let spread = 0;
    for (let i = 0; i < targets.length; i++) {
      const p = predictions[i];
      if (p === null || p === undefined) continue;
      residual += (targets[i]! - p) ** 2;
      spread += (targets[i]! - mean) ** 2;
    }
    r2 = spread > 0 ? 1 - residual / spread : null;
  }
  return Object.freeze({
    predictions: Object.freeze(predictions),
    treeCounts: Object.freeze(Array.from(count)),
    r2,
  });
}

interface Nodes {
  readonly columns: number;
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
}

function buildFitted(
  nodes: Nodes,
  featureImportances: readonly number[],
  outOfBag: OutOfBag | undefined,
): FittedRandomForest {
  const { columns, roots } = nodes;
  const trees = roots.length;
  const importances = Object.freeze([...featureImportances]);
  return Object.freeze({
    trees,
    columns,
    nodeCount: nodes.feature.length,
    featureImportances: importances,
    outOfBag,
    predict(rows: FeatureMatrix): Float64Array {
      const matrix = readFeatureMatrix(rows, "rows", columns);
      const out = new Float64Array(matrix.rows);
      for (let r = 0; r < matrix.rows; r++) {
        let sum = 0;
        const offset = r * columns;
        for (let t = 0; t < trees; t++) sum += predictOne(nodes, roots[t]!, matrix.values, offset);
        out[r] = sum / trees;
      }
      return out;
    },
    predictEach(rows: FeatureMatrix): Float64Array {
      const matrix = readFeatureMatrix(rows, "rows", columns);
      const out = new Float64Array(matrix.rows * trees);
      for (let t = 0; t < trees; t++) {
        for (let r = 0; r < matrix.rows; r++) {
          out[t * matrix.rows + r] = predictOne(nodes, roots[t]!, matrix.values, r * columns);
        }
      }
      return out;
    },
    toJSON(): RandomForestJSON {
      return {
        format: "enis-random-forest",
        version: 1,
        columns,
        roots: Array.from(roots),
        feature: Array.from(nodes.feature),
        threshold: Array.from(nodes.threshold),
        left: Array.from(nodes.left),
        right: Array.from(nodes.right),
        featureImportances: [...importances],
      };
    },
  });
}

/**
 * Restores a forest from {@link FittedRandomForest.toJSON}'s output (parsed JSON). The restored
 * forest predicts exactly as the original; it has no out-of-bag estimates.
 * @throws EnisError `INVALID_OPTIONS` when `json` is not a well-formed forest.
 */
export function randomForestFromJSON(json: RandomForestJSON): FittedRandomForest {
  const bad = (field: string, value: unknown, expectation: string): never => {
    throw invalidField(`json.${field}`, value, expectation);
  };
  if (typeof json !== "object" || json === null) bad("", json, "an object");
  if (json.format !== "enis-random-forest" || json.version !== 1) {
    bad("format", json.format, '"enis-random-forest" version 1');
  }
  const { columns } = json;
  if (!Number.isInteger(columns) || columns < 1) bad("columns", columns, "an integer >= 1");
  const size = Array.isArray(json.feature) ? json.feature.length : -1;
  for (const key of ["feature", "threshold", "left", "right"] as const) {
    if (!Array.isArray(json[key]) || json[key].length !== size || size < 1) {
      bad(key, json[key], `an array of ${size < 1 ? "at least 1" : size} numbers`);
    }
  }
  const isIndex = (value: unknown, limit: number): boolean =>
    Number.isInteger(value) && (value as number) >= -1 && (value as number) < limit;
  for (let i = 0; i < size; i++) {
    const f = json.feature[i];
    if (!isIndex(f, columns)) bad(`feature[${i}]`, f, `an integer in [-1, ${columns - 1}]`);
    if (!Number.isFinite(json.threshold[i])) bad(`threshold[${i}]`, json.threshold[i], "a finite number");
    const leaf = f === -1;
    for (const key of ["left", "right"] as const) {
      const child = json[key][i];
      // Children come after their parent: no cycle, every traversal ends.
      const ok = leaf ? child === -1 : isIndex(child, size) && (child as number) > i;
      if (!ok) bad(`${key}[${i}]`, child, leaf ? "-1 (a leaf)" : `an index in (${i}, ${size - 1}]`);
    }
  }
  if (!Array.isArray(json.roots) || json.roots.length === 0) bad("roots", json.roots, "a non-empty array");
  json.roots.forEach((root, t) => {
    if (!Number.isInteger(root) || root < 0 || root >= size)
      bad(`roots[${t}]`, root, `an index in [0, ${size - 1}]`);
  });
  const importances = json.featureImportances;
  if (
    !Array.isArray(importances) ||
    importances.length !== columns ||
    !importances.every((value) => Number.isFinite(value) && value >= 0)
  ) {
    bad("featureImportances", importances, `an array of ${columns} finite numbers >= 0`);
  }
  return buildFitted(
    {
      columns,
      roots: Int32Array.from(json.roots),
      feature: Int32Array.from(json.feature),
      threshold: Float64Array.from(json.threshold),
      left: Int32Array.from(json.left),
      right: Int32Array.from(json.right),
    },
    importances,
    undefined,
  );
}

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EnisError } from "@enis/core";

/*
 * The Numenta Anomaly Benchmark (Lavin & Ahmad, "Evaluating Real-time Anomaly Detection
 * Algorithms – the Numenta Anomaly Benchmark", IEEE ICMLA 2015), realAWSCloudwatch subset, read
 * from ../shared/data/nab-aws beside the repository (never copied into it), and a port of NAB's
 * scorer (github.com/numenta/NAB, MIT, commit ea702d7 of Dec 2024):
 *
 * - nab/sweeper.py `calcSweepScore`: the per-row sweep score (scaled sigmoid of the position in
 *   a window, or of the distance after the previous window), the probationary rows;
 * - nab/sweeper.py `calcScoreByThreshold` / `scoreDataSet`: the score of one threshold (a window
 *   counts its best, i.e. earliest, detection, else -fnWeight; false positives add up);
 * - nab/optimizer.py `optimizeThreshold`: the sweep over every distinct score value of the corpus;
 * - nab/runner.py `normalize`: 100 * (S - S_null) / (S_perfect - S_null), S_null the null
 *   detector's score (no detection at its threshold), S_perfect = tpWeight * number of windows;
 * - nab/util.py `getProbationPeriod`: min(floor(0.15 * rows), 0.15 * 5000) unscored rows.
 *
 * Over a subset (the 17 AWS files) S, S_null and S_perfect are the sums over its files only; that
 * is how the published subset figures (Numenta HTM 73.4, windowed Gaussian 31.2) are derived.
 */

/** The folder of the NAB AWS files, relative to the repository root (`../shared/data/nab-aws`). */
export const nabAwsDir = new URL("../../../shared/data/nab-aws/", import.meta.url);

/** One labelled anomaly window: both ends are timestamps of rows of its series, inclusive. */
export interface NabWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/** One NAB data file: its rows (timestamps in order; NAB's files repeat a few) and its labelled windows. */
export interface NabSeries {
  /** The file name, e.g. `"ec2_cpu_utilization_24ae8d.csv"`. */
  readonly name: string;
  /** Row timestamps, ms since the epoch (NAB's naive timestamps read as UTC). */
  readonly timestampsMs: readonly number[];
  /** Row values. */
  readonly values: readonly number[];
  /** Labelled windows, in time order, not overlapping (labels/combined_windows.json). */
  readonly windows: readonly NabWindow[];
}

/** A NAB cost matrix (config/profiles.json `CostMatrix`; `tnWeight` is unused by NAB's scorer). */
export interface NabProfile {
  readonly tpWeight: number;
  readonly fnWeight: number;
  readonly fpWeight: number;
}

/** NAB's standard profile: TP 1, FN 1, FP 0.11. */
export const standardProfile: NabProfile = Object.freeze({ tpWeight: 1, fnWeight: 1, fpWeight: 0.11 });

/** A detector's per-row anomaly scores for one series, aligned with its rows. */
export interface NabFileScores {
  readonly series: NabSeries;
  /** One score in [0, 1] per row of `series`. */
  readonly scores: ArrayLike<number>;
}

/**
 * A detector under test: given a whole series, its anomaly score for every row, in [0, 1], each
 * computed from that row and the rows before it only (NAB's detectors are online). The first
 * {@link nabProbationLength} rows are not scored; NAB detectors may learn from them.
 */
export type Detector = (series: NabSeries) => ArrayLike<number>;

/** The detectors whose per-row scores on the AWS files are published (published-detector-scores/). */
export type PublishedDetector = "numenta" | "windowedGaussian";

/**
 * The AWS-subset standard scores derived from NAB's published per-file results (the data
 * README), for comparison with a new detector.
 */
export const publishedAwsStandardScores: Readonly<Record<string, number>> = Object.freeze({
  "Numenta HTM": 73.4,
  contextOSE: 71.5,
  ARTime: 69.5,
  "KNN-CAD": 60.7,
  "Random Cut Forest": 57.6,
  "Twitter ADVec": 38.5,
  "Windowed Gaussian": 31.2,
  random: 16.4,
});

/** Options of the scorer and the optimizer. */
export interface NabScoringOptions {
  /** Share of each file's first rows left unscored, NAB's `probationaryPercent`; default 0.15. */
  readonly probationPercent?: number;
}

/** The score of one file at one threshold. */
export interface NabFileResult {
  readonly name: string;
  /** NAB's raw score of the file (the `Score` column of NAB's `<detector>_<profile>_scores.csv`). */
  readonly score: number;
  /** The null detector's score of the file: -fnWeight for each window with a scored row. */
  readonly nullScore: number;
  /** tpWeight for each labelled window of the file. */
  readonly perfectScore: number;
  /** NAB's counts of scored rows: detections inside / outside windows, misses, quiet rows. */
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  /** Windows with a detection. */
  readonly windowsDetected: number;
  /** Windows with a scored row (the ones that can cost fnWeight). */
  readonly windowsScored: number;
}

/** The score of a set of files (the AWS subset) at one threshold. */
export interface NabResult {
  readonly threshold: number;
  readonly files: readonly NabFileResult[];
  /** Sum of the files' raw scores. */
  readonly rawScore: number;
  readonly nullScore: number;
  readonly perfectScore: number;
  /** 100 * (rawScore - nullScore) / (perfectScore - nullScore). */
  readonly normalizedScore: number;
}

/** The optimizer's answer: the threshold with the best raw score over the files, and that score. */
export interface NabOptimum {
  /** A distinct score value of the files (detections are scores ≥ it), or 1.1 for "none". */
  readonly threshold: number;
  readonly rawScore: number;
  readonly nullScore: number;
  readonly perfectScore: number;
  readonly normalizedScore: number;
}

// ---------------------------------------------------------------------------------------------
// Reading the data

/** True when ../shared/data/nab-aws is present beside the repository. */
export function nabAwsAvailable(): boolean {
  return existsSync(new URL("labels/combined_windows.json", nabAwsDir));
}

const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * Parses NAB's naive timestamp (`2014-02-14 14:30:00` or `2014-02-26 13:45:00.000000`) as UTC
 * whole milliseconds. Throws INVALID_DATA naming `where` when it is malformed or not whole ms.
 */
export function parseNabTimestamp(text: string, where: string): number {
  const match = timestampPattern.exec(text.trim());
  const fraction = (match?.[7] ?? "").padEnd(6, "0");
  const ms = match
    ? Date.UTC(
        +match[1]!,
        +match[2]! - 1,
        +match[3]!,
        +match[4]!,
        +match[5]!,
        +match[6]!,
        +fraction.slice(0, 3),
      )
    : Number.NaN;
  if (!Number.isFinite(ms) || fraction.slice(3) !== "000")
    throw new EnisError("INVALID_DATA", `${where}: not a NAB timestamp in whole ms: ${JSON.stringify(text)}`);
  return ms;
}

/** Reads a two-column NAB CSV (`timestamp,<column>`), checking the header and every cell. */
function readTwoColumnCsv(url: URL, column: string): { timestampsMs: number[]; values: number[] } {
  const path = fileURLToPath(url);
  const lines = readFileSync(path, "utf8").split(/\r?\n/);
  if (lines[0]?.trim() !== `timestamp,${column}`)
    throw new EnisError(
      "INVALID_DATA",
      `${path}: header is ${JSON.stringify(lines[0])}, not timestamp,${column}`,
    );
  const timestampsMs: number[] = [];
  const values: number[] = [];
  for (let line = 1; line < lines.length; line++) {
    const text = lines[line]!;
    if (text.trim() === "") continue;
    const cells = text.split(",");
    const value = Number(cells[1]);
    if (cells.length !== 2 || cells[1]!.trim() === "" || !Number.isFinite(value))
      throw new EnisError(
        "INVALID_DATA",
        `${path}:${line + 1}: ${column} is not a number: ${JSON.stringify(text)}`,
      );
    timestampsMs.push(parseNabTimestamp(cells[0]!, `${path}:${line + 1}`));
    values.push(value);
  }
  return { timestampsMs, values };
}

let cachedAws: readonly NabSeries[] | undefined;

/**
 * The 17 realAWSCloudwatch series of NAB, sorted by file name, with their labelled windows.
 * Read once and cached (the same objects on every call). Throws FILE_UNREADABLE when
 * ../shared/data/nab-aws is absent, INVALID_DATA when a file or a window is malformed.
 */
export function loadNabAws(): readonly NabSeries[] {
  if (cachedAws) return cachedAws;
  if (!nabAwsAvailable())
    throw new EnisError("FILE_UNREADABLE", `NAB data folder is absent: ${fileURLToPath(nabAwsDir)}`);
  const windowsByFile = JSON.parse(
    readFileSync(new URL("labels/combined_windows.json", nabAwsDir), "utf8"),
  ) as Record<string, [string, string][]>;
  const names = readdirSync(new URL("realAWSCloudwatch/", nabAwsDir))
    .filter((name) => name.endsWith(".csv"))
    .sort();
  cachedAws = Object.freeze(
    names.map((name) => {
      const key = `realAWSCloudwatch/${name}`;
      const limits = windowsByFile[key];
      if (!Array.isArray(limits))
        throw new EnisError("INVALID_DATA", `labels/combined_windows.json has no entry ${key}`);
      const { timestampsMs, values } = readTwoColumnCsv(new URL(key, nabAwsDir), "value");
      const windows = limits.map(([start, end], k) => ({
        startMs: parseNabTimestamp(start, `${key} window ${k} start`),
        endMs: parseNabTimestamp(end, `${key} window ${k} end`),
      }));
      const series: NabSeries = { name, timestampsMs, values, windows };
      prepare(series, 0.15); // validates the windows against the rows now, not at the first score
      return series;
    }),
  );
  return cachedAws;
}

/**
 * The per-row anomaly scores NAB publishes for `detector` on the AWS files
 * (published-detector-scores/<detector>/<file>.csv), aligned with `series`' rows (timestamps are
 * checked). `series` defaults to {@link loadNabAws}.
 */
export function loadPublishedScores(
  detector: PublishedDetector,
  series: readonly NabSeries[] = loadNabAws(),
): NabFileScores[] {
  return series.map((one) => {
    const url = new URL(`published-detector-scores/${detector}/${one.name}`, nabAwsDir);
    const { timestampsMs, values } = readTwoColumnCsv(url, "anomaly_score");
    const misaligned =
      timestampsMs.length !== one.timestampsMs.length ||
      timestampsMs.findIndex((t, i) => t !== one.timestampsMs[i]) !== -1;
    if (misaligned)
      throw new EnisError("INVALID_DATA", `${detector}/${one.name}: its rows are not the data file's rows`);
    return { series: one, scores: values };
  });
}

/** NAB's published threshold of `detector` for `profileName` (config/thresholds.json, whole corpus). */
export function loadPublishedThreshold(detector: string, profileName = "standard"): number {
  const all = JSON.parse(readFileSync(new URL("config/thresholds.json", nabAwsDir), "utf8")) as Record<
    string,
    Record<string, { threshold: number }>
  >;
  const threshold = all[detector]?.[profileName]?.threshold;
  if (typeof threshold !== "number")
    throw new EnisError("INVALID_OPTIONS", `config/thresholds.json has no ${detector}/${profileName}`, {
      field: "detector",
    });
  return threshold;
}

/** NAB's profiles by name (config/profiles.json): `standard`, `reward_low_FP_rate`, `reward_low_FN_rate`. */
export function loadNabProfiles(): Record<string, NabProfile> {
  const all = JSON.parse(readFileSync(new URL("config/profiles.json", nabAwsDir), "utf8")) as Record<
    string,
    { CostMatrix: NabProfile }
  >;
  return Object.fromEntries(
    Object.entries(all).map(([name, { CostMatrix: m }]) => [
      name,
      { tpWeight: m.tpWeight, fnWeight: m.fnWeight, fpWeight: m.fpWeight },
    ]),
  );
}

/**
 * Runs `detector` on every series (default: the 17 AWS series) and checks its output: one
 * finite score in [0, 1] per row, else INVALID_DATA naming the series and the row.
 */
export function runDetector(
  detector: Detector,
  series: readonly NabSeries[] = loadNabAws(),
): NabFileScores[] {
  return series.map((one) => {
    const scores = detector(one);
    checkScores({ series: one, scores }, "detector output");
    return { series: one, scores };
  });
}

// ---------------------------------------------------------------------------------------------
// NAB's scoring

/** nab/sweeper.py `sigmoid`. */
function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * nab/sweeper.py `scaledSigmoid`: 2 * sigmoid(-5 * position) - 1, and -1 beyond position 3.
 * Position -1 is a window's first row (0.98661), 0 just past its last row, > 0 after it.
 */
export function scaledSigmoid(relativePositionInWindow: number): number {
  if (relativePositionInWindow > 3.0) return -1.0; // FP well behind window
  return 2 * sigmoid(-5 * relativePositionInWindow) - 1.0;
}

/**
 * nab/util.py `getProbationPeriod` (also sweeper.py `_getProbationaryLength`): the number of
 * first rows of a file left unscored, min(floor(probationPercent * rows), probationPercent * 5000)
 * (at most 750 rows at 15%). Rows with index ≥ this are scored.
 */
export function nabProbationLength(rows: number, probationPercent = 0.15): number {
  return Math.min(Math.floor(probationPercent * rows), probationPercent * 5000);
}

/** What sweeper.py's `calcSweepScore` fixes for a file whatever its scores: row by row. */
interface Prepared {
  readonly rows: number;
  /** The first scored row: ceil of {@link nabProbationLength} (rows with index ≥ it are scored). */
  readonly firstScored: number;
  /** The window (index into series.windows) holding each row, -1 outside windows. */
  readonly rowWindow: Int32Array;
  /**
   * The unweighted sweep score of each row: scaledSigmoid of its position in its window, or of
   * its distance past the previous window (-1 before any window).
   */
  readonly unweighted: Float64Array;
  /** Per window: has it a scored row (past the probation)? Only those cost fnWeight. */
  readonly windowScored: Uint8Array;
  readonly windowsScored: number;
}

const maxTP = scaledSigmoid(-1.0);
const preparedCache = new WeakMap<NabSeries, Map<number, Prepared>>();

/**
 * The per-row part of nab/sweeper.py `calcSweepScore`, once per series and probation. NAB's
 * labeler (nab/labeler.py `getWindows`, `validateLabels`) refuses windows whose ends are not row
 * timestamps, and overlapping windows; so does this (INVALID_DATA).
 */
function prepare(series: NabSeries, probationPercent: number): Prepared {
  let byProbation = preparedCache.get(series);
  const cached = byProbation?.get(probationPercent);
  if (cached) return cached;
  const { timestampsMs: ts, windows, name } = series;
  const rows = ts.length;
  // Python's `timestamps.index(t)`: the FIRST row with timestamp t. NAB's files may repeat a
  // timestamp (ec2_disk_write_bytes_1ef3de and ec2_network_in_5abac7 repeat 2014-03-09 03:00).
  const firstIndex = new Map<number, number>();
  for (let i = 0; i < rows; i++) if (!firstIndex.has(ts[i]!)) firstIndex.set(ts[i]!, i);
  windows.forEach((window, k) => {
    if (!firstIndex.has(window.startMs) || !firstIndex.has(window.endMs))
      throw new EnisError(
        "INVALID_DATA",
        `${name}: window ${k} (${window.startMs}..${window.endMs}) does not start and end on row timestamps`,
      );
    if (window.endMs < window.startMs || (k > 0 && window.startMs < windows[k - 1]!.endMs))
      throw new EnisError(
        "INVALID_DATA",
        `${name}: window ${k} is reversed or overlaps the window before it`,
      );
  });
  const firstScored = Math.ceil(nabProbationLength(rows, probationPercent));

  // sweeper.py calcSweepScore, transcribed: the same state machine over the rows.
  const rowWindow = new Int32Array(rows).fill(-1);
  const unweighted = new Float64Array(rows);
  const windowScored = new Uint8Array(windows.length);
  let nextWindow = 0; // windowLimits[0] is windows[nextWindow] (NAB pops from a copy)
  let curWindow = -1; // curWindowLimits, -1 for None
  let curWindowWidth = 0;
  let curWindowRightIndex = 0;
  let prevWindowWidth: number | undefined;
  let prevWindowRightIndex: number | undefined;
  for (let i = 0; i < rows; i++) {
    const curTime = ts[i]!;
    // "If not in a window, check if we've just entered one"
    if (nextWindow < windows.length && curTime === windows[nextWindow]!.startMs) {
      curWindow = nextWindow++;
      curWindowRightIndex = firstIndex.get(windows[curWindow]!.endMs)!;
      curWindowWidth = curWindowRightIndex - firstIndex.get(windows[curWindow]!.startMs)! + 1;
    }
    if (curWindow >= 0) {
      // "If in a window, score as if true positive"
      const positionInWindow = -(curWindowRightIndex - i + 1) / curWindowWidth;
      unweighted[i] = scaledSigmoid(positionInWindow);
      rowWindow[i] = curWindow;
      if (i >= firstScored) windowScored[curWindow] = 1;
    } else if (prevWindowRightIndex === undefined || prevWindowWidth === undefined) {
      // "No preceding window, so return score as is we were just really far away from the nearest window."
      unweighted[i] = -1.0;
    } else {
      // After a one-row window this divides by zero: NAB raises ZeroDivisionError; here the
      // position is Infinity, so the score -1 (scaledSigmoid beyond 3).
      const positionPastWindow = Math.abs(prevWindowRightIndex - i) / (prevWindowWidth - 1);
      unweighted[i] = scaledSigmoid(positionPastWindow);
    }
    // "If at right-edge of window, exit window."
    if (curWindow >= 0 && curTime === windows[curWindow]!.endMs) {
      prevWindowRightIndex = i;
      prevWindowWidth = curWindowWidth;
      curWindow = -1;
    }
  }
  let windowsScored = 0;
  for (const scored of windowScored) windowsScored += scored;
  const prepared: Prepared = { rows, firstScored, rowWindow, unweighted, windowScored, windowsScored };
  if (!byProbation) {
    byProbation = new Map();
    preparedCache.set(series, byProbation);
  }
  byProbation.set(probationPercent, prepared);
  return prepared;
}

function checkProfile(profile: NabProfile): void {
  for (const field of ["tpWeight", "fnWeight", "fpWeight"] as const) {
    const value = profile[field];
    const ok =
      typeof value === "number" && Number.isFinite(value) && (field === "tpWeight" ? value > 0 : value >= 0);
    if (!ok)
      throw new EnisError(
        "INVALID_OPTIONS",
        `profile.${field} must be a finite number ${field === "tpWeight" ? "> 0" : "≥ 0"}, got ${String(value)}`,
        { field: `profile.${field}` },
      );
  }
}

function checkProbation(options: NabScoringOptions): number {
  const p = options.probationPercent ?? 0.15;
  if (typeof p !== "number" || !(p >= 0 && p <= 1))
    throw new EnisError("INVALID_OPTIONS", `probationPercent must be in [0, 1], got ${String(p)}`, {
      field: "probationPercent",
    });
  return p;
}

function checkScores(file: NabFileScores, what: string): void {
  const { scores, series } = file;
  if (scores.length !== series.timestampsMs.length)
    throw new EnisError(
      "INVALID_DATA",
      `${what} for ${series.name}: ${scores.length} scores for ${series.timestampsMs.length} rows`,
      { field: "scores" },
    );
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!(s >= 0 && s <= 1))
      throw new EnisError(
        "INVALID_DATA",
        `${what} for ${series.name}: score of row ${i} is ${s}, not in [0, 1]`,
        {
          field: `scores[${i}]`,
        },
      );
  }
}

/** nab/runner.py `normalize`: 100 * (raw - null) / (perfect - null); INVALID_DATA without windows. */
export function normalizeNabScore(rawScore: number, nullScore: number, perfectScore: number): number {
  if (!(perfectScore > nullScore))
    throw new EnisError(
      "INVALID_DATA",
      `cannot normalise a NAB score without labelled windows (perfect ${perfectScore}, null ${nullScore})`,
    );
  return (100 * (rawScore - nullScore)) / (perfectScore - nullScore);
}

/**
 * Scores `files` at `threshold` as NAB's `scoreCorpus` / sweeper.py `scoreDataSet` do: a row is
 * a detection when its score is ≥ `threshold` (NAB's threshold lookup in `scoreDataSet`, and
 * util.py `convertAnomalyScoresToDetections`); probationary rows are ignored; each window counts
 * max(-fnWeight, the best weighted sweep score of its detections) — the earliest detection, as
 * the scaled sigmoid falls along the window — and each detection outside windows adds
 * fpWeight × its (negative) sweep score. The raw total, null and perfect totals are sums over
 * `files`, and the normalised score is computed from them (nab/runner.py `normalize`).
 *
 * One pass over the rows per call (the per-row sweep scores are cached per series), so a
 * threshold sweep can call it many times; {@link optimizeThreshold} sweeps every distinct value
 * at once. Raw scores equal NAB's up to float summation order (≈1e-15).
 *
 * Throws INVALID_OPTIONS for a non-finite threshold or a bad profile, INVALID_DATA for scores
 * that do not match their series' rows or leave [0, 1], or when `files` hold no window at all.
 */
export function scoreNab(
  files: readonly NabFileScores[],
  threshold: number,
  profile: NabProfile = standardProfile,
  options: NabScoringOptions = {},
): NabResult {
  if (typeof threshold !== "number" || Number.isNaN(threshold))
    throw new EnisError("INVALID_OPTIONS", `threshold must be a number, got ${String(threshold)}`, {
      field: "threshold",
    });
  checkProfile(profile);
  const probationPercent = checkProbation(options);
  const { tpWeight, fnWeight, fpWeight } = profile;
  const results: NabFileResult[] = [];
  let rawScore = 0;
  let nullScore = 0;
  let perfectScore = 0;
  for (const file of files) {
    checkScores(file, "scores");
    const p = prepare(file.series, probationPercent);
    const { scores } = file;
    const windowCount = file.series.windows.length;
    // sweeper.py _prepareScoreByThresholdParts: every scored window starts at -fnWeight.
    const parts = new Float64Array(windowCount).fill(-fnWeight);
    const detected = new Uint8Array(windowCount);
    let fpPart = 0;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (let i = p.firstScored; i < p.rows; i++) {
      const isDetection = scores[i]! >= threshold;
      const k = p.rowWindow[i]!;
      if (k >= 0) {
        if (isDetection) {
          tp++;
          detected[k] = 1;
          const weighted = (p.unweighted[i]! * tpWeight) / maxTP;
          if (weighted > parts[k]!) parts[k] = weighted;
        } else fn++;
      } else if (isDetection) {
        fp++;
        fpPart += p.unweighted[i]! * fpWeight;
      } else tn++;
    }
    let score = fpPart;
    let windowsDetected = 0;
    for (let k = 0; k < windowCount; k++)
      if (p.windowScored[k]) {
        score += parts[k]!;
        windowsDetected += detected[k]!;
      }
    const fileNull = p.windowsScored === 0 ? 0 : -fnWeight * p.windowsScored;
    const filePerfect = tpWeight * windowCount;
    results.push({
      name: file.series.name,
      score,
      nullScore: fileNull,
      perfectScore: filePerfect,
      tp,
      fp,
      fn,
      tn,
      windowsDetected,
      windowsScored: p.windowsScored,
    });
    rawScore += score;
    nullScore += fileNull;
    perfectScore += filePerfect;
  }
  const normalizedScore = normalizeNabScore(rawScore, nullScore, perfectScore);
  return { threshold, files: results, rawScore, nullScore, perfectScore, normalizedScore };
}

/**
 * NAB's threshold optimizer (nab/optimizer.py `optimizeThreshold` over sweeper.py
 * `calcScoreByThreshold`, NAB ≥ 1.0 since PR #328 of Jan 2019): the scored rows of all `files`
 * are sorted by anomaly score, highest first (stable), and the raw score is evaluated at 1.1
 * (no detection) and at every distinct score value (detections: scores ≥ it); the best raw
 * score wins, the highest threshold among exact ties (NAB's stable sort). O(rows log rows).
 *
 * NAB's published thresholds (config/thresholds.json, e.g. 0.5421876907348634 for Numenta HTM)
 * came from the earlier `twiddle` hill-climb (0.5 ± steps of 0.1 · 2^k: 0.5421876907348634 is
 * 0.5 + 0.1 · (27/64 + 2^-19)) over the whole 58-file corpus, so they are not score values of
 * these files and this sweep over a subset does not return them. On the AWS subset the sweep
 * finds 0.547289439756 for Numenta HTM (the same raw score as the published threshold, 73.42)
 * and 1.0 for windowed Gaussian (31.24); twiddle, being local, gets stuck at 23.1 for the latter.
 */
export function optimizeThreshold(
  files: readonly NabFileScores[],
  profile: NabProfile = standardProfile,
  options: NabScoringOptions = {},
): NabOptimum {
  checkProfile(profile);
  const probationPercent = checkProbation(options);
  const { tpWeight, fnWeight, fpWeight } = profile;
  let total = 0;
  let nullScore = 0;
  let perfectScore = 0;
  const prepared = files.map((file) => {
    checkScores(file, "scores");
    const p = prepare(file.series, probationPercent);
    total += p.rows - p.firstScored;
    nullScore += -fnWeight * p.windowsScored;
    perfectScore += tpWeight * file.series.windows.length;
    return p;
  });
  // calcSweepScore for every file, concatenated (prepAnomalyListForScoring drops probation rows).
  const anomaly = new Float64Array(total);
  const sweep = new Float64Array(total);
  const windowId = new Int32Array(total); // global window id, -1 outside windows
  let row = 0;
  let windowBase = 0;
  files.forEach((file, f) => {
    const p = prepared[f]!;
    for (let i = p.firstScored; i < p.rows; i++, row++) {
      const k = p.rowWindow[i]!;
      anomaly[row] = file.scores[i]!;
      windowId[row] = k >= 0 ? windowBase + k : -1;
      sweep[row] = k >= 0 ? (p.unweighted[i]! * tpWeight) / maxTP : p.unweighted[i]! * fpWeight;
    }
    windowBase += file.series.windows.length;
  });
  const order = Uint32Array.from({ length: total }, (_, i) => i);
  order.sort((a, b) => anomaly[b]! - anomaly[a]! || a - b);

  // _prepareScoreByThresholdParts: "fp" first, then windows in order of first appearance.
  const parts = new Float64Array(windowBase).fill(-fnWeight);
  const partOrder: number[] = [];
  const seen = new Uint8Array(windowBase);
  for (const r of order) {
    const w = windowId[r]!;
    if (w >= 0 && !seen[w]) {
      seen[w] = 1;
      partOrder.push(w);
    }
  }
  let fpPart = 0;
  const currentScore = (): number => {
    let s = fpPart;
    for (const w of partOrder) s += parts[w]!;
    return s;
  };
  let curThreshold = 1.1;
  let bestThreshold = curThreshold;
  let bestScore = Number.NEGATIVE_INFINITY;
  const record = (): void => {
    const s = currentScore();
    if (s > bestScore) {
      bestScore = s;
      bestThreshold = curThreshold;
    }
  };
  for (const r of order) {
    if (anomaly[r] !== curThreshold) {
      record();
      curThreshold = anomaly[r]!;
    }
    const w = windowId[r]!;
    if (w < 0) fpPart += sweep[r]!;
    else if (sweep[r]! > parts[w]!) parts[w] = sweep[r]!;
  }
  record(); // "Make sure to save the score for the last threshold"
  return {
    threshold: bestThreshold,
    rawScore: bestScore,
    nullScore,
    perfectScore,
    normalizedScore: normalizeNabScore(bestScore, nullScore, perfectScore),
  };
}

import type { Algorithm, RateLimitSpec } from "../algorithms/index.js";
import type { EntryMemo } from "../store.js";
import { dimensionKey, subjectUnder } from "./keys.js";
import type { DimensionLimit, GaugeDimension, LevelLimits, QuotaLevel, RateDimension } from "./types.js";

/*
 * Check plans, built on a subject's first check and kept: the store key and limit of each
 * dimension at each organisation, team and user. Building keys is string concatenation, and a
 * fresh key is hashed again by every Map it is looked up in (measured: ~200 ns per key, half of a
 * 3-level check); a kept key keeps its hash. The plans sit in a tree org → team → user walked by
 * the caller's ids, so a team's and an organisation's plans are shared by their users (and stay
 * in cache). At most `maxNodes` nodes are kept: past it the tree starts over, as on a limit change.
 */

/** What a decision needs of one limit of a check: where it sits, and what it measures against. */
export interface LimitMeta {
  readonly level: QuotaLevel;
  readonly dimension: string;
  readonly limit: DimensionLimit;
  /** The hard limit, scaled by the check's rate. */
  readonly hard: number;
  /** What a warning's usage is measured against (a bucket's burst, else the hard limit). */
  readonly capacity: number;
}

/**
 * One dimension's limit at one subject, as an unthrottled check (`rate` 1) uses it: its key, its
 * spec, and what a decision needs of it (it is the check's {@link LimitMeta}, one object where a
 * separate meta per subject was one more read out of cache per level of a check on 10k users).
 * Also the memo of the memory store's entry for its key ({@link EntryMemo}: the one field that
 * changes), so a check on the memory store finds the key's state without a lookup by key.
 */
export interface PlannedLimit extends LimitMeta, EntryMemo {
  readonly key: string;
  /** The spec of a rate dimension's unthrottled check. */
  readonly spec: RateLimitSpec | undefined;
}

/** A subject of the plan tree. */
export interface PlanNode {
  readonly level: QuotaLevel;
  /** The store subject: `acme:quota:org`, `acme:quota:team:data`, `acme:quota:team:data:user:alice`. */
  readonly subject: string;
  /** By dimension index: the plan, null when this level does not limit it, undefined until needed. */
  readonly planned: (PlannedLimit | null | undefined)[];
  children: Map<string, PlanNode> | undefined;
}

/** The plan tree of one quota manager. */
export interface PlanCache {
  /** The node of `id` under `parent` (an organisation's without one), made if missing. */
  node(parent: PlanNode | undefined, id: string, level: QuotaLevel): PlanNode;
  /** The plan of dimension `index` at `node`, null when the node's level does not limit it. */
  planned(node: PlanNode, index: number): PlannedLimit | null;
  /** Forgets every plan (limits changed), or does so when the tree is full. */
  forget(): void;
  /** Starts over if the tree holds `maxNodes` nodes. */
  trim(): void;
}

/** Creates the plan tree of a quota manager. */
export function createPlanCache(settings: {
  readonly dimensions: Readonly<Record<string, RateDimension | GaugeDimension>>;
  readonly dimensionNames: readonly string[];
  readonly prefix: string;
  readonly maxNodes: number;
  readonly limitsOf: (subject: string, level: QuotaLevel) => LevelLimits;
}): PlanCache {
  const { dimensions, dimensionNames, prefix, maxNodes, limitsOf } = settings;
  let roots = new Map<string, PlanNode>();
  let nodes = 0;
  const forget = (): void => {
    roots = new Map();
    nodes = 0;
  };
  return {
    forget,
    trim() {
      if (nodes >= maxNodes) forget();
    },
    node(parent, id, level) {
      let map = roots;
      if (parent !== undefined) {
        if (parent.children === undefined) parent.children = new Map();
        map = parent.children;
      }
      let node = map.get(id);
      if (node === undefined) {
        node = {
          level,
          subject: subjectUnder(prefix, parent?.subject, level, id),
          planned: new Array(dimensionNames.length).fill(undefined),
          children: undefined,
        };
        map.set(id, node);
        nodes++;
      }
      return node;
    },
    planned(node, index) {
      const known = node.planned[index];
      if (known !== undefined) return known;
      const dimension = dimensionNames[index]!;
      const spec = dimensions[dimension]!;
      const levelLimits = limitsOf(node.subject, node.level);
      const limit = Object.hasOwn(levelLimits, dimension) ? levelLimits[dimension] : undefined;
      if (limit === undefined) {
        node.planned[index] = null;
        return null;
      }
      let meta: LimitMeta;
      let rateSpec: RateLimitSpec | undefined;
      if (spec.kind === "rate") {
        const terms = rateTerms(spec, limit, 1, node.level, dimension);
        rateSpec = terms.spec;
        meta = terms.meta;
      } else {
        meta = { level: node.level, dimension, limit, hard: limit.hard, capacity: limit.hard };
      }
      // Not frozen: `entry` is the store's to set (see PlannedLimit). The fields a check reads
      // first come first.
      const planned: PlannedLimit = {
        key: dimensionKey(node.subject, dimension),
        spec: rateSpec,
        limit,
        entry: undefined,
        hard: meta.hard,
        capacity: meta.capacity,
        level: meta.level,
        dimension,
      };
      node.planned[index] = planned;
      return planned;
    },
  };
}

/**
 * Unthrottled checks reuse one frozen spec per limit object (limits are frozen when parsed), so
 * the store checks each spec once instead of on every request.
 */
const unthrottledSpecs = new WeakMap<DimensionLimit, RateLimitSpec>();

function specOf(
  limit: DimensionLimit,
  rate: number,
  algorithm: Algorithm,
  limitUnits: number,
  windowMs: number,
  burst: number,
): RateLimitSpec {
  if (rate !== 1) return { algorithm, limit: limitUnits, windowMs, burst };
  let cached = unthrottledSpecs.get(limit);
  if (
    cached === undefined ||
    cached.algorithm !== algorithm ||
    cached.limit !== limitUnits ||
    cached.windowMs !== windowMs ||
    cached.burst !== burst
  ) {
    cached = Object.freeze({ algorithm, limit: limitUnits, windowMs, burst });
    unthrottledSpecs.set(limit, cached);
  }
  return cached;
}

/**
 * A rate limit scaled by `rate`: its store spec (limit and burst at least 1) and its meta (the
 * scaled hard limit, and the capacity a warning's usage is measured against).
 */
export function rateTerms(
  spec: RateDimension,
  limit: DimensionLimit,
  rate: number,
  level: QuotaLevel,
  dimension: string,
): { spec: RateLimitSpec; meta: LimitMeta } {
  const hard = Math.floor(limit.hard * rate);
  const algorithm = spec.algorithm ?? "gcra";
  const bucket = algorithm === "gcra" || algorithm === "token-bucket";
  const burst = bucket ? Math.max(1, Math.floor((limit.burst ?? limit.hard) * rate)) : Math.max(1, hard);
  return {
    spec: specOf(limit, rate, algorithm, Math.max(1, hard), spec.windowMs, burst),
    meta: { level, dimension, limit, hard, capacity: bucket ? burst : Math.max(1, hard) },
  };
}

import { createRandom, type Random, type TierId } from "@enis/core";

/** The tier mix of the benchmarks and the demo: 70 / 20 / 7 / 2 / 1 % (zero … compliance). */
export const tierMix: ReadonlyArray<readonly [TierId, number]> = [
  ["zero", 0.7],
  ["shared", 0.2],
  ["lite", 0.07],
  ["enterprise", 0.02],
  ["compliance", 0.01],
];

/** Assigns tiers to `count` tenants in the exact proportions of {@link tierMix}, shuffled by `random`. */
export function assignTiers(count: number, random: Random): TierId[] {
  const tiers: TierId[] = [];
  for (const [tier, share] of tierMix) for (let i = 0; i < Math.round(count * share); i++) tiers.push(tier);
  while (tiers.length < count) tiers.push("zero");
  tiers.length = count;
  for (let i = tiers.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [tiers[i], tiers[j]] = [tiers[j]!, tiers[i]!];
  }
  return tiers;
}

/**
 * Draws `draws` indices in [0, n) from a Zipf distribution with exponent `s` (rank 0 the most
 * frequent), by inverse transform on the cumulative weights. Ranks are mapped to indices through
 * a seeded permutation so popularity is independent of tier.
 */
export function zipfSequence(n: number, draws: number, s: number, seed: number): Int32Array {
  const random = createRandom(seed);
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += 1 / (rank + 1) ** s;
    cumulative[rank] = total;
  }
  const permutation = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const t = permutation[i]!;
    permutation[i] = permutation[j]!;
    permutation[j] = t;
  }
  const out = new Int32Array(draws);
  for (let d = 0; d < draws; d++) {
    const target = random.next() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    out[d] = permutation[lo]!;
  }
  return out;
}

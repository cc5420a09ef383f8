import { invalidField } from "./errors.js";

/**
 * A seeded pseudo-random generator. Sequences depend only on the seed: `nextUint32`, `next` and
 * `nextInt` replay across runs, machines and Node versions, because every step is 32-bit integer
 * arithmetic (`Math.imul`, shifts) and an exact division. `nextGaussian` draws its uniforms the
 * same way but transforms them with `Math.log` and `Math.cos`, which JavaScript engines may round
 * differently in the last bit.
 */
export interface Random {
  /** The next 32-bit unsigned integer. */
  nextUint32(): number;
  /** The next float in [0, 1), with 53 random bits. */
  next(): number;
  /** An integer uniform in [0, maxExclusive); `maxExclusive` is an integer in [1, 2^32]. */
  nextInt(maxExclusive: number): number;
  /** A standard normal variate (Box–Muller). */
  nextGaussian(): number;
  /** The generator's internal state, to resume a sequence with {@link createRandom}`({ state })`. */
  state(): readonly [number, number, number, number];
}

/** Seed for {@link createRandom}: an integer seed, or a state from {@link Random.state}. */
export type RandomSeed = number | { readonly state: readonly [number, number, number, number] };

/**
 * Creates a seeded generator: xoshiro128** (Blackman & Vigna 2018), its 128-bit state filled from
 * the seed with SplitMix32 so that nearby seeds give unrelated sequences.
 *
 * @example
 * ```ts
 * const random = createRandom(42);
 * random.next(); // the same value on every machine
 * ```
 */
export function createRandom(seed: RandomSeed): Random {
  let a: number;
  let b: number;
  let c: number;
  let d: number;
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed)) throw invalidField("seed", seed, "a safe integer");
    // SplitMix32 over the low and high 32 bits of the seed.
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x9e3779b9);
    const splitmix = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    a = splitmix();
    b = splitmix();
    c = splitmix();
    d = splitmix();
  } else {
    const state = seed?.state;
    // Indexed, not `every`: `every` skips the holes of a sparse array, which then read as 0.
    let valid = Array.isArray(state) && state.length === 4;
    for (let index = 0; valid && index < 4; index++) {
      const v: unknown = (state as readonly unknown[])[index];
      valid = Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32;
    }
    if (!valid) throw invalidField("seed.state", state, "four 32-bit unsigned integers");
    [a, b, c, d] = state as [number, number, number, number];
  }
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point of xoshiro

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const random: Random = {
    nextUint32,
    next: () => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992,
    nextInt(maxExclusive: number) {
      if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > 2 ** 32) {
        throw invalidField("maxExclusive", maxExclusive, "an integer in [1, 2^32]");
      }
      // Rejection sampling removes the modulo bias.
      const limit = 2 ** 32 - (2 ** 32 % maxExclusive);
      let value = nextUint32();
      while (value >= limit) value = nextUint32();
      return value % maxExclusive;
    },
    nextGaussian() {
      // Box-Muller, one value per pair of uniforms: keeping the pair's second value for the next
      // call would be state that state() does not capture, and a resumed generator would diverge.
      let u = 0;
      while (u === 0) u = random.next();
      const v = random.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0] as const,
  };
  return random;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

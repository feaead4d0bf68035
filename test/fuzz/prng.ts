// A small seeded PRNG (mulberry32) so that every fuzz run is reproducible from its seed.

export interface Prng {
  /** Next unsigned 32-bit integer. */
  next(): number;
  /** Integer in [0, n). */
  below(n: number): number;
  /** True with probability 1/n. */
  oneIn(n: number): boolean;
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    next,
    below: (n) => (n <= 1 ? 0 : next() % n),
    oneIn: (n) => next() % n === 0,
  };
}

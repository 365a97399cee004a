/**
 * The seeded generator behind `shuffle`: mulberry32, a 32-bit state advanced by the Weyl constant
 * 0x6d2b79f5 and mixed by two multiply-xorshift rounds. Each draw is a 32-bit integer; a float in
 * [0, 1) is that integer divided by 2^32. It is small, fast and reproducible across platforms,
 * which is all a host-side shuffle needs (it is not a cryptographic generator).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of iteration `k` of a shuffle seeded with `seed`: the seed itself for the first pass,
 * then a mix of both, so each pass has its own order yet the sequence of orders is fixed by `seed`.
 */
export function iterationSeed(seed: number, k: number): number {
  if (k === 0) return seed >>> 0;
  let h = (seed ^ Math.imul(k, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

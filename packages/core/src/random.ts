import { tfc } from './engine';
import type { DataType, Tensor } from './tensor';

// 32-bit mixer (splitmix-style) so consecutive integer seeds give unrelated streams.
function mix32(a: number): number {
  a = (a + 0x9e3779b9) | 0;
  let t = a ^ (a >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  t ^= t >>> 15;
  return t >>> 0;
}

/**
 * A stateful source of seeds (keras.random.SeedGenerator): each `next()` returns a new seed, and the
 * sequence is fixed by the initial seed.
 */
export class SeedGenerator {
  readonly initialSeed: number;
  private state: number;

  constructor(seed?: number | null) {
    this.initialSeed = seed ?? Math.floor(Math.random() * 2 ** 31);
    this.state = this.initialSeed >>> 0;
  }

  next(): number {
    this.state = (this.state + 1) >>> 0;
    return mix32(this.state ^ mix32(this.initialSeed)) % 2 ** 31;
  }

  /** A float in [0, 1) from the stream (for host-side shuffles). */
  nextFloat(): number {
    return this.next() / 2 ** 31;
  }

  getConfig(): { seed: number } {
    return { seed: this.initialSeed };
  }
}

let globalGenerator: SeedGenerator | null = null;

/** `keras.utils.set_random_seed`: makes every unseeded random draw reproducible. */
export function setRandomSeed(seed: number): void {
  globalGenerator = new SeedGenerator(seed);
}

/** The generator used when a random op gets no seed. */
export function globalSeedGenerator(): SeedGenerator {
  globalGenerator ??= new SeedGenerator();
  return globalGenerator;
}

export type Seed = number | SeedGenerator | null | undefined;

/** Draws a concrete integer seed from an int, a generator or the global generator. */
export function drawSeed(seed: Seed): number {
  if (typeof seed === 'number') return seed;
  return (seed ?? globalSeedGenerator()).next();
}

export interface RandomOptions {
  dtype?: DataType;
  seed?: Seed;
}

export function normal(shape: number[], mean = 0, stddev = 1, options: RandomOptions = {}): Tensor {
  return tfc.randomNormal(shape, mean, stddev, (options.dtype ?? 'float32') as 'float32', drawSeed(options.seed));
}

export function uniform(shape: number[], minval = 0, maxval = 1, options: RandomOptions = {}): Tensor {
  return tfc.randomUniform(shape, minval, maxval, options.dtype ?? 'float32', drawSeed(options.seed));
}

/** Normal values redrawn when more than two standard deviations from the mean. */
export function truncatedNormal(shape: number[], mean = 0, stddev = 1, options: RandomOptions = {}): Tensor {
  return tfc.truncatedNormal(shape, mean, stddev, (options.dtype ?? 'float32') as 'float32', drawSeed(options.seed));
}

/**
 * Inverted dropout (keras.random.dropout): zeroes each entry with probability `rate` and scales the
 * rest by 1/(1-rate). `noiseShape` broadcasts the mask.
 */
export function dropout(x: Tensor, rate: number, noiseShape?: number[] | null, seed?: Seed): Tensor {
  return tfc.tidy(() => {
    if (rate <= 0) return tfc.clone(x);
    const shape = noiseShape ?? x.shape;
    const keep = tfc.greaterEqual(tfc.randomUniform(shape, 0, 1, 'float32', drawSeed(seed)), rate);
    return tfc.div(tfc.mul(x, tfc.cast(keep, x.dtype)), 1 - rate);
  });
}

/** A permutation of 0..n-1 from the generator (Fisher-Yates on the host). */
export function permutation(n: number, seed?: Seed): Int32Array {
  const gen = seed instanceof SeedGenerator ? seed : new SeedGenerator(drawSeed(seed));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(gen.nextFloat() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

import {
  type Config,
  type DataType,
  type SerializedObject,
  SeedGenerator,
  type Tensor,
  ValueError,
  drawSeed,
  random,
  registerClass,
  registerIdentifier,
} from '@strata/core';
import { positional } from '../utils/args';
import { Initializer } from './initializer';

/** A seed as Keras takes it: an int, a `SeedGenerator`, its serialized dict, or none. */
export type InitializerSeed = number | SeedGenerator | SerializedObject | null | undefined;

function seedFromArg(seed: InitializerSeed): number | SeedGenerator | null {
  if (seed == null) return null;
  if (typeof seed === 'number' || seed instanceof SeedGenerator) return seed;
  if (typeof seed === 'object' && (seed as SerializedObject).class_name === 'SeedGenerator') {
    const s = ((seed as SerializedObject).config as { seed?: number | null } | undefined)?.seed;
    return new SeedGenerator(s ?? null);
  }
  throw new ValueError(
    `\`seed\` argument should be an instance of \`SeedGenerator\` or an integer. Received: seed=${JSON.stringify(seed)}`,
  );
}

/**
 * Base of the random initializers (Keras `RandomInitializer`). An integer seed, or no seed, gives
 * the same values on every call, as in Keras: without a seed, one is drawn from the global
 * SeedGenerator when the initializer is made (so `setRandomSeed` makes it reproducible). A
 * `SeedGenerator` seed gives new values on each call.
 */
export abstract class RandomInitializer extends Initializer {
  /** The seed as given (what `getConfig` reports). */
  protected readonly initSeed: number | SeedGenerator | null;
  /** The seed in use: the given one or the drawn default. */
  readonly seed: number | SeedGenerator;

  constructor(seed?: InitializerSeed) {
    super();
    this.initSeed = seedFromArg(seed);
    this.seed = this.initSeed ?? drawSeed(null);
  }

  /** The integer seed of the next draw. */
  protected nextSeed(): number {
    return drawSeed(this.seed);
  }

  protected seedConfig(): number | SerializedObject | null {
    const s = this.initSeed;
    if (s instanceof SeedGenerator) {
      return { module: 'keras.random', class_name: 'SeedGenerator', config: { seed: s.initialSeed }, registered_name: null };
    }
    return s;
  }

  override getConfig(): Config {
    return { seed: this.seedConfig() };
  }
}

export interface RandomNormalArgs {
  mean?: number;
  stddev?: number;
  seed?: InitializerSeed;
}

/** Normal distribution, `mean=0.0`, `stddev=0.05` (`keras.initializers.RandomNormal`). */
export class RandomNormal extends RandomInitializer {
  readonly mean: number;
  readonly stddev: number;

  constructor(mean?: number, stddev?: number, seed?: InitializerSeed);
  constructor(args: RandomNormalArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomNormalArgs>(['mean', 'stddev', 'seed'], args);
    super(a.seed);
    this.mean = a.mean ?? 0.0;
    this.stddev = a.stddev ?? 0.05;
  }

  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return random.normal(shape, this.mean, this.stddev, { dtype, seed: this.nextSeed() });
  }

  override getConfig(): Config {
    return { ...super.getConfig(), mean: this.mean, stddev: this.stddev };
  }
}

/**
 * Normal distribution with values beyond two standard deviations redrawn, `mean=0.0`,
 * `stddev=0.05` (`keras.initializers.TruncatedNormal`).
 */
export class TruncatedNormal extends RandomInitializer {
  readonly mean: number;
  readonly stddev: number;

  constructor(mean?: number, stddev?: number, seed?: InitializerSeed);
  constructor(args: RandomNormalArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomNormalArgs>(['mean', 'stddev', 'seed'], args);
    super(a.seed);
    this.mean = a.mean ?? 0.0;
    this.stddev = a.stddev ?? 0.05;
  }

  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return random.truncatedNormal(shape, this.mean, this.stddev, { dtype, seed: this.nextSeed() });
  }

  override getConfig(): Config {
    return { ...super.getConfig(), mean: this.mean, stddev: this.stddev };
  }
}

export interface RandomUniformArgs {
  minval?: number;
  maxval?: number;
  seed?: InitializerSeed;
}

/** Uniform distribution on `[minval, maxval)`, defaults -0.05 and 0.05 (`keras.initializers.RandomUniform`). */
export class RandomUniform extends RandomInitializer {
  readonly minval: number;
  readonly maxval: number;

  constructor(minval?: number, maxval?: number, seed?: InitializerSeed);
  constructor(args: RandomUniformArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomUniformArgs>(['minval', 'maxval', 'seed'], args);
    super(a.seed);
    this.minval = a.minval ?? -0.05;
    this.maxval = a.maxval ?? 0.05;
  }

  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return random.uniform(shape, this.minval, this.maxval, { dtype, seed: this.nextSeed() });
  }

  override getConfig(): Config {
    return { ...super.getConfig(), minval: this.minval, maxval: this.maxval };
  }
}

const MODULE = 'keras.initializers';
registerClass('initializer', RandomNormal, { module: MODULE, className: 'RandomNormal' });
registerClass('initializer', TruncatedNormal, { module: MODULE, className: 'TruncatedNormal' });
registerClass('initializer', RandomUniform, { module: MODULE, className: 'RandomUniform' });
registerIdentifier('initializer', ['random_normal', 'normal'], () => new RandomNormal());
registerIdentifier('initializer', ['truncated_normal'], () => new TruncatedNormal());
registerIdentifier('initializer', ['random_uniform', 'uniform'], () => new RandomUniform());

import { type Config, type DataType, type Tensor, ValueError, random, registerClass, registerIdentifier } from '@strata/core';
import { positional } from '../utils/args';
import { type InitializerSeed, RandomInitializer } from './random';

/**
 * Keras `compute_fans`: `(fan_in, fan_out)` of a weight shape. Rank 0: (1, 1); rank 1: (n, n);
 * rank 2: (rows, cols); higher ranks are convolution kernels `(..., in, out)` whose receptive field
 * `prod(shape[:-2])` multiplies both.
 *
 * With `inputAxes`/`outputAxes` (Keras 3.15's `input_axes`/`output_axes`, for kernels like
 * EinsumDense's), the fans are the products of the sizes of those axes, times the product of the
 * axes in neither list; an omitted list means "every other axis".
 */
export function computeFans(shape: readonly number[], inputAxes?: number[] | null, outputAxes?: number[] | null): [number, number] {
  const rank = shape.length;
  if (inputAxes == null && outputAxes == null) {
    if (rank < 1) return [1, 1];
    if (rank === 1) return [shape[0]!, shape[0]!];
    if (rank === 2) return [shape[0]!, shape[1]!];
    let receptive = 1;
    for (const d of shape.slice(0, -2)) receptive *= d;
    return [shape[rank - 2]! * receptive, shape[rank - 1]! * receptive];
  }
  const norm = (axes: number[]) =>
    axes.map((a) => {
      const b = a < 0 ? rank + a : a;
      if (b < 0 || b >= rank) throw new ValueError(`Axis ${a} is out of range for a weight of rank ${rank}.`);
      return b;
    });
  const all = [...Array(rank).keys()];
  let ins = inputAxes != null ? norm(inputAxes) : null;
  let outs = outputAxes != null ? norm(outputAxes) : null;
  if (ins == null) ins = all.filter((a) => !outs!.includes(a));
  if (outs == null) outs = all.filter((a) => !ins!.includes(a));
  const prod = (axes: number[]) => axes.reduce((p, a) => p * shape[a]!, 1);
  const receptive = prod(all.filter((a) => !ins!.includes(a) && !outs!.includes(a)));
  return [prod(ins) * receptive, prod(outs) * receptive];
}

export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
export type Distribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

export interface VarianceScalingArgs {
  scale?: number;
  mode?: FanMode;
  /** `'truncated_normal'` (also `'normal'`), `'untruncated_normal'` or `'uniform'`. */
  distribution?: Distribution | 'normal';
  seed?: InitializerSeed;
  inputAxes?: number[] | null;
  outputAxes?: number[] | null;
}

/** Stddev of a unit normal truncated to [-2, 2]; dividing by it restores the requested stddev. */
const TRUNCATION_CORRECTION = 0.87962566103423978;

/**
 * `keras.initializers.VarianceScaling(scale=1.0, mode='fan_in', distribution='truncated_normal')`:
 * `n` = fan_in, fan_out or their mean; normal draws have stddev `sqrt(scale / n)` (after
 * truncation), uniform draws lie in `±sqrt(3 * scale / n)`.
 */
export class VarianceScaling extends RandomInitializer {
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: Distribution;
  readonly inputAxes: number[] | null;
  readonly outputAxes: number[] | null;

  constructor(scale?: number, mode?: FanMode, distribution?: VarianceScalingArgs['distribution'], seed?: InitializerSeed);
  constructor(args: VarianceScalingArgs);
  constructor(...args: unknown[]) {
    const a = positional<VarianceScalingArgs>(['scale', 'mode', 'distribution', 'seed'], args);
    super(a.seed);
    const scale = a.scale ?? 1.0;
    if (!(scale > 0)) throw new ValueError(`Argument \`scale\` must be positive float. Received: scale=${scale}`);
    const mode = a.mode ?? 'fan_in';
    if (!['fan_in', 'fan_out', 'fan_avg'].includes(mode)) {
      throw new ValueError(`Invalid \`mode\` argument: ${mode}. Please use one of fan_in, fan_out, fan_avg`);
    }
    let distribution = (a.distribution ?? 'truncated_normal').toLowerCase();
    if (distribution === 'normal') distribution = 'truncated_normal';
    if (!['uniform', 'truncated_normal', 'untruncated_normal'].includes(distribution)) {
      throw new ValueError(
        `Invalid \`distribution\` argument: ${distribution}. Please use one of uniform, truncated_normal, untruncated_normal`,
      );
    }
    this.scale = scale;
    this.mode = mode;
    this.distribution = distribution as Distribution;
    this.inputAxes = a.inputAxes ?? null;
    this.outputAxes = a.outputAxes ?? null;
  }

  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    const [fanIn, fanOut] = computeFans(shape, this.inputAxes, this.outputAxes);
    let scale = this.scale;
    if (this.mode === 'fan_in') scale /= Math.max(1, fanIn);
    else if (this.mode === 'fan_out') scale /= Math.max(1, fanOut);
    else scale /= Math.max(1, (fanIn + fanOut) / 2);
    const seed = this.nextSeed();
    if (this.distribution === 'truncated_normal') {
      return random.truncatedNormal(shape, 0, Math.sqrt(scale) / TRUNCATION_CORRECTION, { dtype, seed });
    }
    if (this.distribution === 'untruncated_normal') {
      return random.normal(shape, 0, Math.sqrt(scale), { dtype, seed });
    }
    const limit = Math.sqrt(3 * scale);
    return random.uniform(shape, -limit, limit, { dtype, seed });
  }

  protected axesConfig(): Config {
    return { input_axes: this.inputAxes, output_axes: this.outputAxes };
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      scale: this.scale,
      mode: this.mode,
      distribution: this.distribution,
      ...this.axesConfig(),
    };
  }
}

export interface SeedArgs {
  seed?: InitializerSeed;
  inputAxes?: number[] | null;
  outputAxes?: number[] | null;
}

/** Base of the VarianceScaling presets; their config is only `{seed, input_axes, output_axes}` (Keras 3.15). */
export abstract class VarianceScalingPreset extends VarianceScaling {
  constructor(preset: { scale: number; mode: FanMode; distribution: Distribution }, seed?: InitializerSeed | SeedArgs) {
    const a = positional<SeedArgs>(['seed'], [seed]);
    super({ ...preset, seed: a.seed, inputAxes: a.inputAxes, outputAxes: a.outputAxes });
  }
  override getConfig(): Config {
    return { seed: this.seedConfig(), ...this.axesConfig() };
  }
}

/** Uniform in `±sqrt(6 / (fan_in + fan_out))` (Xavier uniform). */
export class GlorotUniform extends VarianceScalingPreset {
  constructor(seed?: InitializerSeed | SeedArgs) {
    super({ scale: 1.0, mode: 'fan_avg', distribution: 'uniform' }, seed);
  }
}
/** Truncated normal, stddev `sqrt(2 / (fan_in + fan_out))` (Xavier normal). */
export class GlorotNormal extends VarianceScalingPreset {
  constructor(seed?: InitializerSeed | SeedArgs) {
    super({ scale: 1.0, mode: 'fan_avg', distribution: 'truncated_normal' }, seed);
  }
}
/** Uniform in `±sqrt(6 / fan_in)`. */
export class HeUniform extends VarianceScalingPreset {
  constructor(seed?: InitializerSeed | SeedArgs) {
    super({ scale: 2.0, mode: 'fan_in', distribution: 'uniform' }, seed);
  }
}
/** Truncated normal, stddev `sqrt(2 / fan_in)`. */
export class HeNormal extends VarianceScalingPreset {
  constructor(seed?: InitializerSeed | SeedArgs) {
    super({ scale: 2.0, mode: 'fan_in', distribution: 'truncated_normal' }, seed);
  }
}
/** Uniform in `±sqrt(3 / fan_in)`. */
export class LecunUniform extends VarianceScalingPreset {
  constructor(seed?: InitializerSeed | SeedArgs) {
    super({ scale: 1.0, mode: 'fan_in', distribution: 'uniform' }, seed);
  }
}
/** Truncated normal, stddev `sqrt(1 / fan_in)`. */
export class LecunNormal extends VarianceScalingPreset {
  constructor(seed?: InitializerSeed | SeedArgs) {
    super({ scale: 1.0, mode: 'fan_in', distribution: 'truncated_normal' }, seed);
  }
}

const MODULE = 'keras.initializers';
const presets = { GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal };
registerClass('initializer', VarianceScaling, { module: MODULE, className: 'VarianceScaling' });
registerIdentifier('initializer', ['variance_scaling'], () => new VarianceScaling());
for (const [className, cls] of Object.entries(presets)) {
  registerClass('initializer', cls, { module: MODULE, className });
  registerIdentifier('initializer', [className], () => new (cls as new () => VarianceScaling)());
}

import { type Config, drawSeed, ops, random, registerClass, SeedGenerator, type Shape, type Tensor, tidy, ValueError } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the additive noise (>= 0). */
  stddev?: number;
  seed?: number | null;
}

/** `keras.layers.GaussianNoise`: in training, adds zero-mean Gaussian noise of `stddev`; identity at inference. */
export class GaussianNoise extends Layer {
  static override className = 'GaussianNoise';
  readonly stddev: number;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator;

  constructor(stddev: number, options?: Omit<GaussianNoiseArgs, 'stddev'>);
  constructor(args: GaussianNoiseArgs);
  constructor(...args: unknown[]) {
    const a = positional<GaussianNoiseArgs>(['stddev', 'seed'], args);
    super(a);
    if (typeof a.stddev !== 'number' || !(a.stddev >= 0)) {
      throw new ValueError(`Invalid value received for argument \`stddev\`. Expected a float value >= 0. Received: stddev=${String(a.stddev)}`);
    }
    this.stddev = a.stddev;
    this.seed = a.seed ?? null;
    this.seedGenerator = new SeedGenerator(this.seed ?? drawSeed(null));
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    if (!args.training || this.stddev === 0) return x;
    return tidy(() => ops.add(x, random.normal(x.shape, 0, this.stddev, { dtype: x.dtype, seed: this.seedGenerator })));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed };
  }
}
registerClass('layer', GaussianNoise, { module: 'keras.layers', className: 'GaussianNoise' });

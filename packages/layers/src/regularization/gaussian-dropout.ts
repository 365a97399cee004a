import { type Config, SeedGenerator, type Shape, type Tensor, drawSeed, ops, random, registerClass, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { checkRate } from './spatial-dropout';

export interface GaussianDropoutArgs extends LayerArgs {
  /** Drop probability; the noise has stddev `sqrt(rate / (1 - rate))`. */
  rate?: number;
  seed?: number | null;
}

/** `keras.layers.GaussianDropout`: in training, multiplies by 1-centered Gaussian noise; identity at inference. */
export class GaussianDropout extends Layer {
  static override className = 'GaussianDropout';
  readonly rate: number;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator;

  constructor(rate: number, options?: Omit<GaussianDropoutArgs, 'rate'>);
  constructor(args: GaussianDropoutArgs);
  constructor(...args: unknown[]) {
    const a = positional<GaussianDropoutArgs>(['rate', 'seed'], args);
    super(a);
    this.rate = checkRate(a.rate);
    this.seed = a.seed ?? null;
    this.seedGenerator = new SeedGenerator(this.seed ?? drawSeed(null));
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    if (!args.training || !(this.rate > 0 && this.rate < 1)) return x;
    const stddev = Math.sqrt(this.rate / (1 - this.rate));
    return tidy(() => ops.multiply(x, random.normal(x.shape, 1, stddev, { dtype: x.dtype, seed: this.seedGenerator })));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
registerClass('layer', GaussianDropout, { module: 'keras.layers', className: 'GaussianDropout' });

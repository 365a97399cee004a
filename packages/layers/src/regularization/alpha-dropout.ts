import { type Config, type Dim, SeedGenerator, type Shape, type Tensor, ValueError, drawSeed, formatShape, ops, random, registerClass, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { checkRate } from './spatial-dropout';

export interface AlphaDropoutArgs extends LayerArgs {
  rate?: number;
  noiseShape?: Dim[] | null;
  seed?: number | null;
}

const ALPHA = 1.6732632423543772;
const SCALE = 1.0507009873554805;

/**
 * `keras.layers.AlphaDropout`: dropout for SELU networks. In training, dropped entries are set to
 * SELU's negative saturation and an affine map keeps mean and variance; the identity at inference.
 */
export class AlphaDropout extends Layer {
  static override className = 'AlphaDropout';
  readonly rate: number;
  readonly noiseShape: Dim[] | null;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator;

  constructor(rate: number, options?: Omit<AlphaDropoutArgs, 'rate'>);
  constructor(args: AlphaDropoutArgs);
  constructor(...args: unknown[]) {
    const a = positional<AlphaDropoutArgs>(['rate', 'noiseShape', 'seed'], args);
    super(a);
    this.rate = checkRate(a.rate);
    this.noiseShape = a.noiseShape != null ? [...a.noiseShape] : null;
    this.seed = a.seed ?? null;
    this.seedGenerator = new SeedGenerator(this.seed ?? drawSeed(null));
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    if (!args.training || this.rate <= 0) return x;
    if (this.noiseShape != null && this.noiseShape.length !== x.rank) {
      throw new ValueError(`AlphaDropout "${this.name}": noise_shape ${formatShape(this.noiseShape)} must have the rank of the inputs (shape ${formatShape(x.shape)}).`);
    }
    const noise = this.noiseShape == null ? x.shape : this.noiseShape.map((d, i) => d ?? x.shape[i]!);
    return tidy(() => {
      const alphaP = -ALPHA * SCALE;
      const kept = ops.cast(ops.greaterEqual(random.uniform(noise, 0, 1, { seed: this.seedGenerator }), this.rate), x.dtype);
      const a = ((1 - this.rate) * (1 + this.rate * alphaP ** 2)) ** -0.5;
      const b = -a * alphaP * this.rate;
      const y = ops.add(ops.multiply(x, kept), ops.multiply(ops.subtract(1, kept), alphaP));
      return ops.add(ops.multiply(y, a), b);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed, noise_shape: this.noiseShape == null ? null : [...this.noiseShape] };
  }
}
registerClass('layer', AlphaDropout, { module: 'keras.layers', className: 'AlphaDropout' });

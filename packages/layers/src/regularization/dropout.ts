import { type Config, type Dim, SeedGenerator, drawSeed, type Shape, type Tensor, ValueError, formatShape, ops, random, registerClass } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';

export interface DropoutArgs extends LayerArgs {
  /** Fraction of the inputs to drop, in [0, 1]. */
  rate?: number;
  /** Shape of the binary mask, broadcast over the inputs; `null` entries take the input's size. */
  noiseShape?: Dim[] | null;
  seed?: number | null;
}

/**
 * `keras.layers.Dropout`: during training, zeroes each input with probability `rate` and scales the
 * rest by `1 / (1 - rate)`; at inference it is the identity.
 */
export class Dropout extends Layer {
  static override className = 'Dropout';

  readonly rate: number;
  readonly noiseShape: Dim[] | null;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator | null;

  constructor(rate: number, options?: Omit<DropoutArgs, 'rate'>);
  constructor(args: DropoutArgs);
  constructor(...args: unknown[]) {
    const a = positional<DropoutArgs>(['rate', 'noiseShape', 'seed'], args);
    super(a);
    const rate = a.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw new ValueError(`Invalid value received for argument \`rate\`. Expected a float value between 0 and 1. Received: rate=${String(rate)}`);
    }
    this.rate = rate;
    this.noiseShape = a.noiseShape != null ? [...a.noiseShape] : null;
    this.seed = a.seed ?? null;
    // Without a seed, one is drawn from the global generator, so setRandomSeed makes masks reproducible.
    this.seedGenerator = rate > 0 ? new SeedGenerator(this.seed ?? drawSeed(null)) : null;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    if (!args.training || this.rate === 0) return x;
    if (this.rate === 1) return ops.zerosLike(x);
    return random.dropout(x, this.rate, this.resolvedNoiseShape(x), this.seedGenerator);
  }

  private resolvedNoiseShape(x: Tensor): number[] | null {
    if (this.noiseShape == null) return null;
    if (this.noiseShape.length !== x.rank) {
      throw new ValueError(
        `Dropout "${this.name}": noise_shape ${formatShape(this.noiseShape)} must have the rank of the inputs (shape ${formatShape(x.shape)}).`,
      );
    }
    return this.noiseShape.map((d, i) => d ?? x.shape[i]!);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed, noise_shape: this.noiseShape };
  }
}
registerClass('layer', Dropout, { module: 'keras.layers', className: 'Dropout' });

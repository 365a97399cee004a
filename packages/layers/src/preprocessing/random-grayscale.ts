import { type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { applyMask, checkRgb, rgbToGrayscale } from './image-color-utils';
import { type RandomImageArgs, RandomImageLayer } from './random-image';

export interface RandomGrayscaleArgs extends RandomImageArgs {
  /** Probability in [0, 1] of converting each image to grayscale (default 0.5). */
  factor?: number;
}

/**
 * `keras.layers.RandomGrayscale`: during training, replaces each image with probability `factor`
 * by its grayscale version (`rgb_to_grayscale`, repeated over the 3 channels).
 */
export class RandomGrayscale extends RandomImageLayer {
  static override className = 'RandomGrayscale';

  readonly factor: number;

  constructor(factor?: number, seed?: number | null, options?: Omit<RandomGrayscaleArgs, 'factor' | 'seed'>);
  constructor(args: RandomGrayscaleArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomGrayscaleArgs>(['factor', 'seed'], args);
    super(a);
    const factor = a.factor ?? 0.5;
    if (typeof factor !== 'number' || !(factor >= 0 && factor <= 1)) {
      throw new ValueError(`RandomGrayscale: \`factor\` should be between 0 and 1. Received: factor=${JSON.stringify(a.factor)}`);
    }
    this.factor = factor;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const label = `RandomGrayscale "${this.name}"`;
    if (!args.training) {
      checkRgb(label, x, this.dataFormat);
      return x;
    }
    return tidy(() => {
      const gray = ops.broadcastTo(rgbToGrayscale(label, x, this.dataFormat), x.shape as number[]);
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      return ops.where(applyMask(x, this.factor, this.factor, this.seedGenerator), gray, xf);
    });
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor };
  }
}
registerClass('layer', RandomGrayscale, { module: 'keras.layers', className: 'RandomGrayscale' });

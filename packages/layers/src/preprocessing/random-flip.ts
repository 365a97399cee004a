import { type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { imageAxes, toFloat } from './image-utils';
import { type RandomImageArgs, RandomImageLayer } from './random-image';

export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';

export interface RandomFlipArgs extends RandomImageArgs {
  mode?: FlipMode;
}

/**
 * `keras.layers.RandomFlip`: during training, flips each image with probability 0.5 (one draw
 * `U[0, 1) <= 0.5` per image, shared by both directions as in Keras, so in
 * "horizontal_and_vertical" mode an image is flipped both ways or not at all). Float32 output;
 * at inference the values are unchanged.
 */
export class RandomFlip extends RandomImageLayer {
  static override className = 'RandomFlip';

  readonly mode: FlipMode;

  constructor(mode?: FlipMode, seed?: number | null, options?: Omit<RandomFlipArgs, 'mode' | 'seed'>);
  constructor(args: RandomFlipArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomFlipArgs>(['mode', 'seed'], args);
    super(a);
    const mode = a.mode ?? 'horizontal_and_vertical';
    if (mode !== 'horizontal' && mode !== 'vertical' && mode !== 'horizontal_and_vertical') {
      throw new ValueError(`RandomFlip layer ${this.name} received an unknown mode argument ${String(a.mode)}`);
    }
    this.mode = mode;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const [hAxis, wAxis] = imageAxes(`RandomFlip "${this.name}"`, x.shape, this.dataFormat);
    if (!args.training) return toFloat(x);
    return tidy(() => {
      let y = toFloat(x);
      const flips = ops.lessEqual(this.perImageUniform(x, 0, 1), 0.5);
      if (this.mode !== 'vertical') y = ops.where(flips, ops.flip(y, wAxis), y);
      if (this.mode !== 'horizontal') y = ops.where(flips, ops.flip(y, hAxis), y);
      return y;
    });
  }

  override getConfig() {
    return { ...super.getConfig(), mode: this.mode };
  }
}
registerClass('layer', RandomFlip, { module: 'keras.layers', className: 'RandomFlip' });

import { type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { imageAxes } from './image-utils';
import { type RandomImageArgs, RandomImageLayer } from './random-image';

export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';

export interface RandomFlipArgs extends RandomImageArgs {
  mode?: FlipMode;
}

/**
 * `keras.layers.RandomFlip`: during training, flips each image left-right and/or up-down with
 * probability 0.5 (independent draws per direction); the identity at inference.
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
    if (!args.training) return x;
    return tidy(() => {
      let y = x;
      if (this.mode !== 'vertical') {
        y = ops.where(ops.lessEqual(this.perImageUniform(x, 0, 1), 0.5), ops.flip(y, wAxis), y);
      }
      if (this.mode !== 'horizontal') {
        y = ops.where(ops.lessEqual(this.perImageUniform(x, 0, 1), 0.5), ops.flip(y, hAxis), y);
      }
      return y;
    });
  }

  override getConfig() {
    return { ...super.getConfig(), mode: this.mode };
  }
}
registerClass('layer', RandomFlip, { module: 'keras.layers', className: 'RandomFlip' });

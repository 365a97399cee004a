import { type Tensor, ValueError, ops, random, registerClass, tensor, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { betaDraws, mixInputs } from './image-mix-utils';
import { toFloat } from './image-utils';
import { type RandomImageArgs, RandomImageLayer } from './random-image';

export interface MixUpArgs extends RandomImageArgs {
  /** The Beta(alpha, alpha) concentration of the mixing weight (default 0.2). */
  alpha?: number;
}

/**
 * `keras.layers.MixUp`: during training, mixes each image with a random partner from the batch,
 * `w x + (1 - w) x[perm]`, `w ~ Beta(alpha, alpha)` per sample; labels (given as `[images, labels]`
 * rather than Keras' dict) are mixed with the same weights. The identity at inference.
 */
export class MixUp extends RandomImageLayer {
  static override className = 'MixUp';

  readonly alpha: number;

  constructor(alpha?: number, seed?: number | null, options?: Omit<MixUpArgs, 'alpha' | 'seed'>);
  constructor(args: MixUpArgs);
  constructor(...args: unknown[]) {
    const a = positional<MixUpArgs>(['alpha', 'seed'], args);
    super(a);
    const alpha = a.alpha ?? 0.2;
    if (typeof alpha !== 'number' || !(alpha > 0)) {
      throw new ValueError(`MixUp: \`alpha\` must be a positive number. Received: alpha=${JSON.stringify(a.alpha)}`);
    }
    this.alpha = alpha;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): LayerOutput {
    const { images, labels } = mixInputs(`MixUp "${this.name}"`, inputs);
    if (!args.training) return inputs;
    // One image (rank 3) is mixed with itself in Keras, which leaves it as it is (as float32).
    if (images.rank === 3) return labels == null ? toFloat(images) : [toFloat(images), labels];
    const n = images.shape[0]!;
    const perm = tensor(random.permutation(n, this.seedGenerator), [n], 'int32');
    const w = betaDraws(this.seedGenerator, n, this.alpha, this.alpha);
    const mix = (t: Tensor) =>
      tidy(() => {
        const tf = t.dtype === 'float32' ? t : ops.cast(t, 'float32');
        const wt = tensor(w, [n, ...t.shape.slice(1).map(() => 1)]);
        return ops.add(ops.multiply(wt, tf), ops.multiply(ops.subtract(1, wt), ops.take(tf, perm, 0)));
      });
    const out = labels == null ? mix(images) : [mix(images), mix(labels)];
    perm.dispose();
    return out;
  }

  override getConfig() {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
registerClass('layer', MixUp, { module: 'keras.layers', className: 'MixUp' });

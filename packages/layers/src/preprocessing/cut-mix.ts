import { ValueError, ops, random, registerClass, tensor, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { betaDraws, mixInputs } from './image-mix-utils';
import { imageAxes } from './image-utils';
import { type RandomImageArgs, RandomImageLayer } from './random-image';

export interface CutMixArgs extends RandomImageArgs {
  /** The Beta(factor, factor) concentration of the kept-area fraction (default 1). */
  factor?: number;
}

/**
 * `keras.layers.CutMix`: during training, pastes into each image a box of a random partner image
 * from the batch: `lambda ~ Beta(factor, factor)`, box side `sqrt(1 - lambda)` times the image size
 * (truncated), centred uniformly, clipped to the image. Labels (given as `[images, labels]` rather
 * than Keras' dict) are mixed by the kept-area fraction. The identity at inference.
 */
export class CutMix extends RandomImageLayer {
  static override className = 'CutMix';

  readonly factor: number;

  constructor(factor?: number, seed?: number | null, options?: Omit<CutMixArgs, 'factor' | 'seed'>);
  constructor(args: CutMixArgs);
  constructor(...args: unknown[]) {
    const a = positional<CutMixArgs>(['factor', 'seed'], args);
    super(a);
    const factor = a.factor ?? 1;
    if (typeof factor !== 'number' || !(factor > 0)) {
      throw new ValueError(`CutMix: \`factor\` must be a positive number. Received: factor=${JSON.stringify(a.factor)}`);
    }
    this.factor = factor;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): LayerOutput {
    const label = `CutMix "${this.name}"`;
    const { images, labels } = mixInputs(label, inputs);
    const [hAxis, wAxis] = imageAxes(label, images.shape, this.dataFormat);
    if (!args.training) return inputs;
    const n = images.shape[0]!;
    const h = images.shape[hAxis]!;
    const w = images.shape[wAxis]!;
    const perm = random.permutation(n, this.seedGenerator);
    const lam = betaDraws(this.seedGenerator, n, this.factor, this.factor);
    const mask = new Float32Array(n * h * w);
    const kept = new Float32Array(n);
    for (let b = 0; b < n; b++) {
      const ratio = Math.sqrt(1 - lam[b]!);
      const ch = Math.trunc(ratio * h);
      const cw = Math.trunc(ratio * w);
      const cy = Math.trunc(this.seedGenerator.nextFloat() * h);
      const cx = Math.trunc(this.seedGenerator.nextFloat() * w);
      const y0 = Math.min(Math.max(cy - Math.trunc(ch / 2), 0), h);
      const y1 = Math.min(Math.max(cy + Math.trunc(ch / 2), 0), h);
      const x0 = Math.min(Math.max(cx - Math.trunc(cw / 2), 0), w);
      const x1 = Math.min(Math.max(cx + Math.trunc(cw / 2), 0), w);
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[(b * h + y) * w + x] = 1;
      kept[b] = 1 - ((y1 - y0) * (x1 - x0)) / (h * w);
    }
    const maskShape = this.dataFormat === 'channels_last' ? [n, h, w, 1] : [n, 1, h, w];
    const outImages = tidy(() => {
      const xf = images.dtype === 'float32' ? images : ops.cast(images, 'float32');
      const idx = tensor(perm, [n], 'int32');
      return ops.where(ops.greater(tensor(mask, maskShape), 0.5), ops.take(xf, idx, 0), xf);
    });
    if (labels == null) return outImages;
    const outLabels = tidy(() => {
      const lf = labels.dtype === 'float32' ? labels : ops.cast(labels, 'float32');
      const k = tensor(kept, [n, ...labels.shape.slice(1).map(() => 1)]);
      return ops.add(ops.multiply(k, lf), ops.multiply(ops.subtract(1, k), ops.take(lf, tensor(perm, [n], 'int32'), 0)));
    });
    return [outImages, outLabels];
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor };
  }
}
registerClass('layer', CutMix, { module: 'keras.layers', className: 'CutMix' });

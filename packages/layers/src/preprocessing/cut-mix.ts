import { ops, random, registerClass, tensor, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { betaDraws, mixInputs } from './image-mix-utils';
import { imageAxes, toFloat } from './image-utils';
import { type RandomImageArgs, RandomImageLayer, kerasFactor } from './random-image';

export interface CutMixArgs extends RandomImageArgs {
  /**
   * Keras `_set_factor` with bounds [0, 1] (default 1): `f` means `[0, f]`, a pair is sorted. The
   * Beta concentration is drawn once per batch from `U[lower, upper) + 1e-6`.
   */
  factor?: number | [number, number];
}

/**
 * `keras.layers.CutMix`: during training, pastes into each image a box of a random partner image
 * from the batch, as Keras does: `alpha ~ U[factor) + 1e-6` per batch, `lambda ~ Beta(alpha, alpha)`
 * per image, box sides `sqrt(1 - lambda)` times the width and height (not rounded), box start
 * `U[0, 1) * (size - side)`, and pixel (y, x) is pasted when `x0 <= x < x1` and `y0 <= y < y1`.
 * Labels (given as `[images, labels]` rather than Keras' dict) are mixed by the kept fraction
 * `1 - (x1 - x0)(y1 - y0) / (W H)` of the continuous box. Float32 images out; at inference the
 * images are only cast and the labels returned as they are.
 */
export class CutMix extends RandomImageLayer {
  static override className = 'CutMix';

  /** The `(lower, upper)` pair of Keras' `_set_factor` (also what `getConfig` stores). */
  readonly factor: [number, number];

  constructor(factor?: number | [number, number], seed?: number | null, options?: Omit<CutMixArgs, 'factor' | 'seed'>);
  constructor(args: CutMixArgs);
  constructor(...args: unknown[]) {
    const a = positional<CutMixArgs>(['factor', 'seed'], args);
    super(a);
    this.factor = kerasFactor('CutMix', 'factor', a.factor ?? 1, [0, 1]);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): LayerOutput {
    const label = `CutMix "${this.name}"`;
    const { images, labels } = mixInputs(label, inputs);
    const [hAxis, wAxis] = imageAxes(label, images.shape, this.dataFormat);
    // At inference, and for one image (rank 3, no transformation in Keras), images are only cast.
    if (!args.training || images.rank === 3) return labels == null ? toFloat(images) : [toFloat(images), labels];
    const n = images.shape[0]!;
    const h = images.shape[hAxis]!;
    const w = images.shape[wAxis]!;
    const gen = this.seedGenerator;
    const f32 = Math.fround;
    // Keras' draw order: the concentration, the mixing weights, the x starts, the y starts, the permutation.
    const [lo, hi] = this.factor;
    const alpha = f32(f32(lo + (hi - lo) * gen.nextFloat()) + 1e-6);
    const lam = betaDraws(gen, n, alpha, alpha);
    const ratio = Array.from(lam, (l) => f32(Math.sqrt(f32(1 - l))));
    const bounds = (size: number): [number, number][] =>
      ratio.map((r) => {
        const side = f32(r * size);
        const start = f32(f32(gen.nextFloat()) * f32(size - side));
        return [start, f32(start + side)];
      });
    const xb = bounds(w);
    const yb = bounds(h);
    const perm = random.permutation(n, gen);
    const mask = new Float32Array(n * h * w);
    const kept = new Float32Array(n);
    for (let b = 0; b < n; b++) {
      const [x0, x1] = xb[b]!;
      const [y0, y1] = yb[b]!;
      for (let y = 0; y < h; y++) {
        if (!(y >= y0 && y < y1)) continue;
        for (let x = 0; x < w; x++) if (x >= x0 && x < x1) mask[(b * h + y) * w + x] = 1;
      }
      kept[b] = 1 - ((x1 - x0) * (y1 - y0)) / (w * h);
    }
    const maskShape = this.dataFormat === 'channels_last' ? [n, h, w, 1] : [n, 1, h, w];
    const outImages = tidy(() => {
      const xf = toFloat(images);
      return ops.where(ops.greater(tensor(mask, maskShape), 0.5), ops.take(xf, tensor(perm, [n], 'int32'), 0), xf);
    });
    if (labels == null) return outImages;
    const outLabels = tidy(() => {
      const lf = toFloat(labels);
      const k = tensor(kept, [n, ...labels.shape.slice(1).map(() => 1)]);
      return ops.add(ops.multiply(k, lf), ops.multiply(ops.subtract(1, k), ops.take(lf, tensor(perm, [n], 'int32'), 0)));
    });
    return [outImages, outLabels];
  }

  override getConfig() {
    return { ...super.getConfig(), factor: [...this.factor] };
  }
}
registerClass('layer', CutMix, { module: 'keras.layers', className: 'CutMix' });

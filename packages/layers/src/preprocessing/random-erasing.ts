import { type Tensor, ops, random, registerClass, tensor, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { imageAxes } from './image-utils';
import { type RandomImageArgs, RandomImageLayer, kerasFactor, checkValueRange } from './random-image';

export interface RandomErasingArgs extends RandomImageArgs {
  /** `f` (probability range [-f, f], as RandomInvert) or `[low, high]` in [0, 1]: the erasing probability. */
  factor?: number | [number, number];
  /** `[low, high]` in [0, 1]: the erased fraction of the image area (default [0.02, 0.33]). */
  scale?: number | [number, number];
  /** The fill value; null fills with uniform noise over `value_range`. */
  fillValue?: number | null;
  valueRange?: [number, number];
}

/**
 * `keras.layers.RandomErasing`: during training, each image is erased with probability `p ~ U[factor]`
 * (`U[0, 1) < p`): a box covering a fraction `s ~ U[scale]` of the area (sides `trunc(sqrt(s) * H)`,
 * `trunc(sqrt(s) * W)`), placed uniformly, is set to `fill_value` (or, when null, uniform noise over
 * `value_range`), across all channels.
 */
export class RandomErasing extends RandomImageLayer {
  static override className = 'RandomErasing';

  readonly factor: number | [number, number];
  readonly probRange: [number, number];
  readonly scale: [number, number];
  readonly fillValue: number | null;
  readonly valueRange: [number, number];

  constructor(factor?: number | [number, number], scale?: number | [number, number], fillValue?: number | null, options?: Omit<RandomErasingArgs, 'factor' | 'scale' | 'fillValue'>);
  constructor(args: RandomErasingArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomErasingArgs>(['factor', 'scale', 'fillValue'], args);
    super(a);
    this.probRange = kerasFactor('RandomErasing', 'factor', a.factor ?? 1, [0, 1]);
    this.factor = [...this.probRange];
    this.scale = kerasFactor('RandomErasing', 'scale', a.scale ?? [0.02, 0.33], [0, 1]);
    this.fillValue = a.fillValue ?? null;
    this.valueRange = checkValueRange('RandomErasing', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const [hAxis, wAxis] = imageAxes(`RandomErasing "${this.name}"`, x.shape, this.dataFormat);
    if (!args.training) return x;
    const n = x.rank === 4 ? x.shape[0]! : 1;
    const h = x.shape[hAxis]!;
    const w = x.shape[wAxis]!;
    const g = this.seedGenerator;
    const mask = new Float32Array(n * h * w);
    for (let b = 0; b < n; b++) {
      const p = this.probRange[0] + (this.probRange[1] - this.probRange[0]) * g.nextFloat();
      const s = this.scale[0] + (this.scale[1] - this.scale[0]) * g.nextFloat();
      const by = g.nextFloat();
      const bx = g.nextFloat();
      if (!(g.nextFloat() < p)) continue;
      const eh = Math.trunc(Math.sqrt(s) * h);
      const ew = Math.trunc(Math.sqrt(s) * w);
      const y0 = Math.trunc(by * (h - eh + 1));
      const x0 = Math.trunc(bx * (w - ew + 1));
      for (let y = y0; y < y0 + eh; y++) for (let xx = x0; xx < x0 + ew; xx++) mask[(b * h + y) * w + xx] = 1;
    }
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const spatial = this.dataFormat === 'channels_last' ? [h, w, 1] : [1, h, w];
      const m = tensor(mask, x.rank === 4 ? [n, ...spatial] : spatial);
      const fill = this.fillValue ?? random.uniform([...x.shape] as number[], this.valueRange[0], this.valueRange[1], { seed: g });
      return ops.where(ops.greater(m, 0.5), fill, xf);
    });
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      factor: this.factor,
      scale: [...this.scale],
      fill_value: this.fillValue,
      value_range: [...this.valueRange],
    };
  }
}
registerClass('layer', RandomErasing, { module: 'keras.layers', className: 'RandomErasing' });

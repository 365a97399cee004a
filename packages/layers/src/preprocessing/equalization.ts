import { type Config, type Shape, type Tensor, ValueError, registerClass, tensor, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, normalizeDataFormat, positional } from '../utils/args';
import { channelAxis } from './image-color-utils';
import { sortedValueRange } from './image-utils';

export interface EqualizationArgs extends LayerArgs {
  valueRange?: [number, number];
  /** Histogram bins (default 256). */
  bins?: number;
  dataFormat?: DataFormat | null;
}

const f32 = Math.fround;

/** Python's `round` / `np.round`: halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * `keras.layers.Equalization`: histogram equalization of each channel during training. As Keras,
 * one histogram per channel over the whole batch: values are mapped onto [0, 255], binned by
 * `int((v * (bins - 1)) / 255)` (clipped to [0, bins - 1]), and replaced by
 * `round((cdf[b] - cdf_min) * 255 / (cdf[-1] - cdf_min))` (a zero denominator counts as 1), then
 * mapped back to `value_range`; a channel whose values fall in a single bin is kept. The identity
 * at inference. Computed in float32 on the host, so not differentiable.
 */
export class Equalization extends Layer {
  static override className = 'Equalization';

  readonly valueRange: [number, number];
  readonly bins: number;
  readonly dataFormat: DataFormat;

  constructor(valueRange?: [number, number], bins?: number, options?: Omit<EqualizationArgs, 'valueRange' | 'bins'>);
  constructor(args: EqualizationArgs);
  constructor(...args: unknown[]) {
    const a = positional<EqualizationArgs>(['valueRange', 'bins'], args);
    super(a);
    this.valueRange = sortedValueRange('Equalization', a.valueRange);
    const bins = a.bins ?? 256;
    if (!Number.isInteger(bins) || bins < 1) {
      throw new ValueError(`Equalization: \`bins\` must be a positive integer. Received: bins=${String(a.bins)}`);
    }
    this.bins = bins;
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const cAxis = channelAxis(`Equalization "${this.name}"`, x, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const src = x.dataSync();
      const out = new Float32Array(src.length);
      const shape = x.shape as number[];
      const [lo, hi] = this.valueRange;
      // Keras' `_scale_values` onto [0, 255] runs in float32; the way back runs on the float64
      // lookup table (integer cdf / integer, as in the TensorFlow and NumPy backends).
      const toScale = f32(255 / (hi - lo));
      const toOffset = f32(0 - lo * (255 / (hi - lo)));
      const backScale = (hi - lo) / 255;
      const bins = this.bins;
      const channels = shape[cAxis]!;
      const outer = shape.slice(0, cAxis).reduce((p, d) => p * d, 1);
      const inner = shape.slice(cAxis + 1).reduce((p, d) => p * d, 1);
      const count = outer * inner;
      for (let c = 0; c < channels; c++) {
        // Every value of channel c, across the batch.
        const index = (k: number): number => (Math.floor(k / inner) * channels + c) * inner + (k % inner);
        const v = new Float32Array(count);
        const hist = new Float64Array(bins);
        for (let k = 0; k < count; k++) {
          v[k] = f32(f32(src[index(k)]! * toScale) + toOffset);
          const b = Math.trunc(f32(f32(v[k]! * (bins - 1)) / 255));
          hist[Math.min(Math.max(b, 0), bins - 1)]! += 1;
        }
        let nonzero = 0;
        for (let b = 0; b < bins; b++) if (hist[b]! > 0) nonzero++;
        let lut: Float64Array | null = null;
        if (nonzero > 1) {
          const cdf = new Float64Array(bins);
          let acc = 0;
          let cdfMin = -1;
          for (let b = 0; b < bins; b++) {
            acc += hist[b]!;
            cdf[b] = acc;
            if (cdfMin < 0 && acc > 0) cdfMin = acc;
          }
          const denom = acc - cdfMin === 0 ? 1 : acc - cdfMin;
          lut = cdf.map((cv) => Math.min(Math.max(roundHalfEven(((cv - cdfMin) * 255) / denom), 0), 255));
        }
        for (let k = 0; k < count; k++) {
          let e = v[k]!;
          if (lut != null) {
            const scaled = f32(f32(v[k]! / 255) * (bins - 1));
            e = lut[Math.trunc(Math.min(Math.max(scaled, 0), bins - 1))]!;
          }
          out[index(k)] = f32(e * backScale + lo);
        }
      }
      return tensor(out, shape);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), value_range: [...this.valueRange], bins: this.bins, data_format: this.dataFormat };
  }
}
registerClass('layer', Equalization, { module: 'keras.layers', className: 'Equalization' });

import { type Config, type Shape, type Tensor, ValueError, registerClass, tensor, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, normalizeDataFormat, positional } from '../utils/args';
import { channelAxis } from './image-color-utils';
import { checkValueRange } from './random-image';

export interface EqualizationArgs extends LayerArgs {
  valueRange?: [number, number];
  /** Histogram bins (default 256). */
  bins?: number;
  dataFormat?: DataFormat | null;
}

/**
 * `keras.layers.Equalization`: histogram equalization of every image channel (PIL `ImageOps.equalize`
 * on the [0, 255] scale): values are truncated to integers, binned (`floor(v * bins / 256)`), and
 * mapped through `lut[i] = (step // 2 + sum(hist[:i])) // step`, `step = (n - hist[last]) // 255`;
 * channels with one distinct bin or `step == 0` are kept. Applied in training and inference alike;
 * computed on the host, so not differentiable.
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
    this.valueRange = checkValueRange('Equalization', a.valueRange);
    const bins = a.bins ?? 256;
    if (!Number.isInteger(bins) || bins < 1 || bins > 256) {
      throw new ValueError(`Equalization: \`bins\` must be an integer in [1, 256]. Received: bins=${String(a.bins)}`);
    }
    this.bins = bins;
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.built = true;
  }

  override call(inputs: LayerOutput, _args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const cAxis = channelAxis(`Equalization "${this.name}"`, x, this.dataFormat);
    return tidy(() => {
      const src = x.dataSync();
      const out = new Float32Array(src.length);
      const shape = x.shape as number[];
      const [lo, hi] = this.valueRange;
      const scale = 255 / (hi - lo);
      const inner = shape.slice(cAxis + 1).reduce((p, d) => p * d, 1);
      const channels = shape[cAxis]!;
      // channels_last: each (image, channel) group is strided by `channels`; channels_first: contiguous.
      const perImage = x.rank === 4 ? shape[0]! : 1;
      const groupLen = src.length / (perImage * channels);
      const bins = this.bins;
      for (let n = 0; n < perImage; n++) {
        for (let c = 0; c < channels; c++) {
          const index = (k: number): number => {
            if (this.dataFormat === 'channels_last') return (n * groupLen + k) * channels + c;
            return (n * channels + c) * inner + k;
          };
          const hist = new Float64Array(bins);
          const binOf = new Int32Array(groupLen);
          for (let k = 0; k < groupLen; k++) {
            const v = Math.trunc(Math.min(Math.max((src[index(k)]! - lo) * scale, 0), 255));
            const b = Math.min(Math.floor((v * bins) / 256), bins - 1);
            binOf[k] = b;
            hist[b]! += 1;
          }
          let last = -1;
          let nonzero = 0;
          for (let b = 0; b < bins; b++) {
            if (hist[b]! > 0) {
              nonzero++;
              last = b;
            }
          }
          const step = Math.floor((groupLen - (last >= 0 ? hist[last]! : 0)) / 255);
          if (nonzero <= 1 || step === 0) {
            for (let k = 0; k < groupLen; k++) out[index(k)] = src[index(k)]!;
            continue;
          }
          const lut = new Float64Array(bins);
          let acc = Math.floor(step / 2);
          for (let b = 0; b < bins; b++) {
            lut[b] = Math.min(Math.floor(acc / step), 255);
            acc += hist[b]!;
          }
          for (let k = 0; k < groupLen; k++) out[index(k)] = lut[binOf[k]!]! / scale + lo;
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

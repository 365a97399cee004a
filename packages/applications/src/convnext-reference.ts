// Test-only reference for convnext*.test.ts (no test in this file): Keras' convnext.py restated
// as plain data, independent of convnext.ts.

import type { Row } from './testing/architecture-checks';

/** A layer of the list: name, class, weight shapes (output shapes are not tracked here). */
export type RefLayer = Omit<Row, 'out'>;

/** Keras' MODEL_CONFIGS: [depths, projection dims]. */
export const CONFIGS: Record<string, [number[], number[]]> = {
  tiny: [
    [3, 3, 9, 3],
    [96, 192, 384, 768],
  ],
  small: [
    [3, 3, 27, 3],
    [96, 192, 384, 768],
  ],
  base: [
    [3, 3, 27, 3],
    [128, 256, 512, 1024],
  ],
  large: [
    [3, 3, 27, 3],
    [192, 384, 768, 1536],
  ],
  xlarge: [
    [3, 3, 27, 3],
    [256, 512, 1024, 2048],
  ],
};

/** Keras' published totals (model.summary of ConvNeXtTiny..XLarge with top). */
export const PUBLISHED: Record<string, number> = { tiny: 28589128, small: 50223688, base: 88591464, large: 197767336, xlarge: 350196968 };

export function convnextReference(variant: string, o: { includeTop?: boolean; classes?: number; preprocessing?: boolean; pooling?: 'avg' | 'max' | null } = {}): RefLayer[] {
  const [depths, dims] = CONFIGS[variant]!;
  const n = `convnext_${variant}`;
  const classes = o.classes ?? 1000;
  const out: RefLayer[] = [{ name: 'input_layer', className: 'InputLayer', shapes: [] }];
  if (o.preprocessing ?? true) out.push({ name: `${n}_prestem_normalization`, className: 'Normalization', shapes: [] });
  // Sequential blocks hold their layers' weights in order (stem: conv then norm; downsampling: norm then conv).
  out.push({ name: `${n}_stem`, className: 'Sequential', shapes: [[4, 4, 3, dims[0]!], [dims[0]!], [dims[0]!], [dims[0]!]] });
  for (let i = 0; i < 4; i++) {
    const d = dims[i]!;
    if (i > 0) {
      const p = dims[i - 1]!;
      out.push({ name: `${n}_downsampling_block_${i - 1}`, className: 'Sequential', shapes: [[p], [p], [2, 2, p, d], [d]] });
    }
    for (let j = 0; j < depths[i]!; j++) {
      const b = `${n}_stage_${i}_block_${j}`;
      out.push({ name: `${b}_depthwise_conv`, className: 'Conv2D', shapes: [[7, 7, 1, d], [d]] });
      out.push({ name: `${b}_layernorm`, className: 'LayerNormalization', shapes: [[d], [d]] });
      out.push({ name: `${b}_pointwise_conv_1`, className: 'Dense', shapes: [[d, 4 * d], [4 * d]] });
      out.push({ name: `${b}_gelu`, className: 'Activation', shapes: [] });
      out.push({ name: `${b}_pointwise_conv_2`, className: 'Dense', shapes: [[4 * d, d], [d]] });
      out.push({ name: `${b}_layer_scale`, className: 'LayerScale', shapes: [[d]] });
      out.push({ name: `${b}_identity`, className: 'Activation', shapes: [] });
    }
  }
  const last = dims[3]!;
  if (o.includeTop ?? true) {
    out.push({ name: `${n}_head_gap`, className: 'GlobalAveragePooling2D', shapes: [] });
    out.push({ name: `${n}_head_layernorm`, className: 'LayerNormalization', shapes: [[last], [last]] });
    out.push({ name: `${n}_head_dense`, className: 'Dense', shapes: [[last, classes], [classes]] });
  } else {
    if (o.pooling === 'avg') out.push({ name: 'global_average_pooling2d', className: 'GlobalAveragePooling2D', shapes: [] });
    if (o.pooling === 'max') out.push({ name: 'global_max_pooling2d', className: 'GlobalMaxPooling2D', shapes: [] });
    out.push({ name: 'layer_normalization', className: 'LayerNormalization', shapes: [[last], [last]] });
  }
  return out;
}


// Test-only reference for efficientnet*.test.ts (no test in this file): Keras' efficientnet.py
// restated as plain data, independent of efficientnet.ts.

import type { Model } from '@strata/models';
import { expect } from 'vitest';
import { type Row, expectArchitecture, paramCounts } from './testing/architecture-checks';

// Keras' DEFAULT_BLOCKS_ARGS as [kernel, repeats, filters in, filters out, expand ratio, stride];
// every stage has se_ratio 0.25 and id_skip.
export const B0_STAGES: [number, number, number, number, number, number][] = [
  [3, 1, 32, 16, 1, 1],
  [3, 2, 16, 24, 6, 2],
  [5, 2, 24, 40, 6, 2],
  [3, 3, 40, 80, 6, 2],
  [5, 3, 80, 112, 6, 1],
  [5, 4, 112, 192, 6, 2],
  [3, 1, 192, 320, 6, 1],
];

/** Keras' EfficientNetB0..B7 (width, depth, default size, dropout), from the B0..B7 functions. */
export const VARIANTS: Record<string, [number, number, number, number]> = {
  b0: [1.0, 1.0, 224, 0.2],
  b1: [1.0, 1.1, 240, 0.2],
  b2: [1.1, 1.2, 260, 0.3],
  b3: [1.2, 1.4, 300, 0.3],
  b4: [1.4, 1.8, 380, 0.4],
  b5: [1.6, 2.2, 456, 0.4],
  b6: [1.8, 2.6, 528, 0.5],
  b7: [2.0, 3.1, 600, 0.5],
};

/** round_filters restated: width-scaled, nearest multiple of 8 (at least 8), never 10% below. */
export function filtersOf(f: number, width: number): number {
  const v = f * width;
  const r = Math.max(8, 8 * Math.floor(Math.floor(v + 4) / 8));
  return r < 0.9 * v ? r + 8 : r;
}

export interface EffRefOptions {
  includeTop?: boolean;
  classes?: number;
  size?: number | null;
  imagenet?: boolean;
  pooling?: 'avg' | 'max' | null;
}

/** Keras' `model.layers` of EfficientNet-`variant` (fresh session): names, classes, output shapes, weight shapes. */
export function efficientnetReference(variant: string, o: EffRefOptions = {}): Row[] {
  const [width, depth, defaultSize, dropout] = VARIANTS[variant]!;
  const classes = o.classes ?? 1000;
  let h: number | null = o.size === undefined ? defaultSize : o.size;
  const sh = (c: number) => [null, h, h, c];
  const bnW = (c: number) => [[c], [c], [c], [c]];
  const out: Row[] = [
    { name: 'input_layer', className: 'InputLayer', out: sh(3), shapes: [] },
    { name: 'rescaling', className: 'Rescaling', out: sh(3), shapes: [] },
    { name: 'normalization', className: 'Normalization', out: sh(3), shapes: [[3], [3], []] },
  ];
  if (o.imagenet) out.push({ name: 'rescaling_1', className: 'Rescaling', out: sh(3), shapes: [] });
  const stride2 = (k: number, c: number, name: string) => {
    // correct_pad then a 'valid' stride-2 convolution.
    const padded = h == null ? null : h + 2 * Math.floor(k / 2) - (h % 2 === 0 ? 1 : 0);
    out.push({ name, className: 'ZeroPadding2D', out: [null, padded, padded, c], shapes: [] });
    h = padded == null ? null : Math.floor((padded - k) / 2) + 1;
  };
  const stem = filtersOf(32, width);
  stride2(3, 3, 'stem_conv_pad');
  out.push({ name: 'stem_conv', className: 'Conv2D', out: sh(stem), shapes: [[3, 3, 3, stem]] });
  out.push({ name: 'stem_bn', className: 'BatchNormalization', out: sh(stem), shapes: bnW(stem) });
  out.push({ name: 'stem_activation', className: 'Activation', out: sh(stem), shapes: [] });
  let b = 0;
  B0_STAGES.forEach(([k, repeats, fin0, fout0, e, s0], i) => {
    const n = Math.ceil(depth * repeats);
    const fout = filtersOf(fout0, width);
    for (let j = 0; j < n; j++, b++) {
      const p = `block${i + 1}${'abcdefghijklmnopqrstuvwxyz'[j]}_`;
      const fin = j === 0 ? filtersOf(fin0, width) : fout;
      const s = j === 0 ? s0 : 1;
      const mid = fin * e;
      if (e !== 1) {
        out.push({ name: `${p}expand_conv`, className: 'Conv2D', out: sh(mid), shapes: [[1, 1, fin, mid]] });
        out.push({ name: `${p}expand_bn`, className: 'BatchNormalization', out: sh(mid), shapes: bnW(mid) });
        out.push({ name: `${p}expand_activation`, className: 'Activation', out: sh(mid), shapes: [] });
      }
      if (s === 2) stride2(k, mid, `${p}dwconv_pad`);
      out.push({ name: `${p}dwconv`, className: 'DepthwiseConv2D', out: sh(mid), shapes: [[k, k, mid, 1]] });
      out.push({ name: `${p}bn`, className: 'BatchNormalization', out: sh(mid), shapes: bnW(mid) });
      out.push({ name: `${p}activation`, className: 'Activation', out: sh(mid), shapes: [] });
      const r = Math.max(1, Math.floor(fin * 0.25));
      out.push({ name: `${p}se_squeeze`, className: 'GlobalAveragePooling2D', out: [null, mid], shapes: [] });
      out.push({ name: `${p}se_reshape`, className: 'Reshape', out: [null, 1, 1, mid], shapes: [] });
      out.push({ name: `${p}se_reduce`, className: 'Conv2D', out: [null, 1, 1, r], shapes: [[1, 1, mid, r], [r]] });
      out.push({ name: `${p}se_expand`, className: 'Conv2D', out: [null, 1, 1, mid], shapes: [[1, 1, r, mid], [mid]] });
      out.push({ name: `${p}se_excite`, className: 'Multiply', out: sh(mid), shapes: [] });
      out.push({ name: `${p}project_conv`, className: 'Conv2D', out: sh(fout), shapes: [[1, 1, mid, fout]] });
      out.push({ name: `${p}project_bn`, className: 'BatchNormalization', out: sh(fout), shapes: bnW(fout) });
      if (s === 1 && fin === fout) {
        // drop_connect_rate * b / blocks is 0 only for the very first block, which never has a skip.
        if (b > 0) out.push({ name: `${p}drop`, className: 'Dropout', out: sh(fout), shapes: [] });
        out.push({ name: `${p}add`, className: 'Add', out: sh(fout), shapes: [] });
      }
    }
  });
  const top = filtersOf(1280, width);
  const last = filtersOf(320, width);
  out.push({ name: 'top_conv', className: 'Conv2D', out: sh(top), shapes: [[1, 1, last, top]] });
  out.push({ name: 'top_bn', className: 'BatchNormalization', out: sh(top), shapes: bnW(top) });
  out.push({ name: 'top_activation', className: 'Activation', out: sh(top), shapes: [] });
  if (o.includeTop ?? true) {
    out.push({ name: 'avg_pool', className: 'GlobalAveragePooling2D', out: [null, top], shapes: [] });
    if (dropout > 0) out.push({ name: 'top_dropout', className: 'Dropout', out: [null, top], shapes: [] });
    out.push({ name: 'predictions', className: 'Dense', out: [null, classes], shapes: [[top, classes], [classes]] });
  } else if (o.pooling === 'avg') {
    out.push({ name: 'avg_pool', className: 'GlobalAveragePooling2D', out: [null, top], shapes: [] });
  } else if (o.pooling === 'max') {
    out.push({ name: 'max_pool', className: 'GlobalMaxPooling2D', out: [null, top], shapes: [] });
  }
  return out;
}

/** Keras' published totals (model.summary of keras.applications.EfficientNetB0..B7 with top). */
export const PUBLISHED: Record<string, number> = {
  b0: 5330571,
  b1: 7856239,
  b2: 9177569,
  b3: 12320535,
  b4: 19466823,
  b5: 30562527,
  b6: 43265143,
  b7: 66658687,
};

/**
 * `model` is EfficientNet-`variant` with its default top, named `name`: every layer as the
 * reference, Keras' published total, and the headless count is that total less the head
 * (avg_pool / top_dropout / predictions).
 */
export function expectEfficientNetVariant(model: Model, variant: string, name: string): void {
  const ref = efficientnetReference(variant);
  expectArchitecture(model, { name, rows: ref, params: PUBLISHED[variant]!, nonTrainable: paramCounts(ref).nonTrainable });
  const head = ref.slice(-3);
  expect(head.map((l) => l.name)).toEqual(['avg_pool', 'top_dropout', 'predictions']);
  expect(paramCounts(efficientnetReference(variant, { includeTop: false })).total).toBe(PUBLISHED[variant]! - paramCounts(head).total);
  expect(model.outputs[0]!.shape).toEqual([null, 1000]);
}

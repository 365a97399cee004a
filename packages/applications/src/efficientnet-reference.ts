// Test-only reference for efficientnet*.test.ts (no test in this file): Keras' efficientnet.py
// restated as plain data, independent of efficientnet.ts.

export interface RefLayer {
  name: string;
  className: string;
  shape: (number | null)[];
  weights: number[][];
}

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
export function efficientnetReference(variant: string, o: EffRefOptions = {}): RefLayer[] {
  const [width, depth, defaultSize, dropout] = VARIANTS[variant]!;
  const classes = o.classes ?? 1000;
  let h: number | null = o.size === undefined ? defaultSize : o.size;
  const sh = (c: number) => [null, h, h, c];
  const bnW = (c: number) => [[c], [c], [c], [c]];
  const out: RefLayer[] = [
    { name: 'input_layer', className: 'InputLayer', shape: sh(3), weights: [] },
    { name: 'rescaling', className: 'Rescaling', shape: sh(3), weights: [] },
    { name: 'normalization', className: 'Normalization', shape: sh(3), weights: [[3], [3], []] },
  ];
  if (o.imagenet) out.push({ name: 'rescaling_1', className: 'Rescaling', shape: sh(3), weights: [] });
  const stride2 = (k: number, c: number, name: string) => {
    // correct_pad then a 'valid' stride-2 convolution.
    const padded = h == null ? null : h + 2 * Math.floor(k / 2) - (h % 2 === 0 ? 1 : 0);
    out.push({ name, className: 'ZeroPadding2D', shape: [null, padded, padded, c], weights: [] });
    h = padded == null ? null : Math.floor((padded - k) / 2) + 1;
  };
  const stem = filtersOf(32, width);
  stride2(3, 3, 'stem_conv_pad');
  out.push({ name: 'stem_conv', className: 'Conv2D', shape: sh(stem), weights: [[3, 3, 3, stem]] });
  out.push({ name: 'stem_bn', className: 'BatchNormalization', shape: sh(stem), weights: bnW(stem) });
  out.push({ name: 'stem_activation', className: 'Activation', shape: sh(stem), weights: [] });
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
        out.push({ name: `${p}expand_conv`, className: 'Conv2D', shape: sh(mid), weights: [[1, 1, fin, mid]] });
        out.push({ name: `${p}expand_bn`, className: 'BatchNormalization', shape: sh(mid), weights: bnW(mid) });
        out.push({ name: `${p}expand_activation`, className: 'Activation', shape: sh(mid), weights: [] });
      }
      if (s === 2) stride2(k, mid, `${p}dwconv_pad`);
      out.push({ name: `${p}dwconv`, className: 'DepthwiseConv2D', shape: sh(mid), weights: [[k, k, mid, 1]] });
      out.push({ name: `${p}bn`, className: 'BatchNormalization', shape: sh(mid), weights: bnW(mid) });
      out.push({ name: `${p}activation`, className: 'Activation', shape: sh(mid), weights: [] });
      const r = Math.max(1, Math.floor(fin * 0.25));
      out.push({ name: `${p}se_squeeze`, className: 'GlobalAveragePooling2D', shape: [null, mid], weights: [] });
      out.push({ name: `${p}se_reshape`, className: 'Reshape', shape: [null, 1, 1, mid], weights: [] });
      out.push({ name: `${p}se_reduce`, className: 'Conv2D', shape: [null, 1, 1, r], weights: [[1, 1, mid, r], [r]] });
      out.push({ name: `${p}se_expand`, className: 'Conv2D', shape: [null, 1, 1, mid], weights: [[1, 1, r, mid], [mid]] });
      out.push({ name: `${p}se_excite`, className: 'Multiply', shape: sh(mid), weights: [] });
      out.push({ name: `${p}project_conv`, className: 'Conv2D', shape: sh(fout), weights: [[1, 1, mid, fout]] });
      out.push({ name: `${p}project_bn`, className: 'BatchNormalization', shape: sh(fout), weights: bnW(fout) });
      if (s === 1 && fin === fout) {
        // drop_connect_rate * b / blocks is 0 only for the very first block, which never has a skip.
        if (b > 0) out.push({ name: `${p}drop`, className: 'Dropout', shape: sh(fout), weights: [] });
        out.push({ name: `${p}add`, className: 'Add', shape: sh(fout), weights: [] });
      }
    }
  });
  const top = filtersOf(1280, width);
  const last = filtersOf(320, width);
  out.push({ name: 'top_conv', className: 'Conv2D', shape: sh(top), weights: [[1, 1, last, top]] });
  out.push({ name: 'top_bn', className: 'BatchNormalization', shape: sh(top), weights: bnW(top) });
  out.push({ name: 'top_activation', className: 'Activation', shape: sh(top), weights: [] });
  if (o.includeTop ?? true) {
    out.push({ name: 'avg_pool', className: 'GlobalAveragePooling2D', shape: [null, top], weights: [] });
    if (dropout > 0) out.push({ name: 'top_dropout', className: 'Dropout', shape: [null, top], weights: [] });
    out.push({ name: 'predictions', className: 'Dense', shape: [null, classes], weights: [[top, classes], [classes]] });
  } else if (o.pooling === 'avg') {
    out.push({ name: 'avg_pool', className: 'GlobalAveragePooling2D', shape: [null, top], weights: [] });
  } else if (o.pooling === 'max') {
    out.push({ name: 'max_pool', className: 'GlobalMaxPooling2D', shape: [null, top], weights: [] });
  }
  return out;
}

export function countOf(layers: RefLayer[]): { total: number; nonTrainable: number } {
  let total = 0;
  let nonTrainable = 0;
  for (const l of layers) {
    const sizes = l.weights.map((s) => s.reduce((a, b) => a * b, 1));
    total += sizes.reduce((a, b) => a + b, 0);
    if (l.className === 'BatchNormalization') nonTrainable += sizes[2]! + sizes[3]!;
    if (l.className === 'Normalization') nonTrainable += sizes.reduce((a, b) => a + b, 0);
  }
  return { total, nonTrainable };
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

import * as tfc from '@tensorflow/tfjs-core';

type Padding = 'valid' | 'same' | number | tfc.backend_util.ExplicitPadding;

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: Padding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const pair = (v: [number, number] | number): [number, number] => (typeof v === 'number' ? [v, v] : v);

/**
 * Filter gradient of an NHWC conv2d written as a forward convolution: the batch axis becomes the
 * channel axis being reduced and the forward strides become dilations. Backends run their (fast)
 * forward conv kernel, and backends without a `Conv2DBackpropFilter` kernel (wasm) can train.
 */
export function conv2dFilterGrad(
  x: tfc.Tensor4D,
  dy: tfc.Tensor4D,
  filterShape: [number, number, number, number],
  attrs: Conv2DAttrs,
): tfc.Tensor4D {
  return tfc.tidy(() => {
    const [kh, kw] = filterShape;
    const strides = pair(attrs.strides);
    const dilations = pair(attrs.dilations);
    const info = tfc.backend_util.computeConv2DInfo(
      x.shape,
      filterShape,
      strides,
      dilations,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const { top, bottom, left, right } = info.padInfo;
    // [B, H, W, Ci] -> [Ci, H, W, B]; dy [B, Ho, Wo, Co] -> [Ho, Wo, B, Co]
    const xt = tfc.transpose(x, [3, 1, 2, 0]);
    const dyt = tfc.transpose(dy, [1, 2, 0, 3]);
    const padding: tfc.backend_util.ExplicitPadding = [
      [0, 0],
      [top, Math.max(bottom, 0)],
      [left, Math.max(right, 0)],
      [0, 0],
    ];
    // Output spatial extent before cropping is >= the kernel's; the surplus rows belong to
    // positions that the forward pass never reached.
    let out = tfc.conv2d(xt, dyt, dilations, padding, 'NHWC', strides) as tfc.Tensor4D; // [Ci, kh', kw', Co]
    if (out.shape[1] !== kh || out.shape[2] !== kw) {
      out = tfc.slice(out, [0, 0, 0, 0], [-1, kh, kw, -1]);
    }
    return tfc.transpose(out, [1, 2, 0, 3]);
  });
}

/** Inserts `d - 1` zeros between filter taps so a dilated conv becomes a plain one. */
function dilateFilter(filter: tfc.Tensor4D, [dh, dw]: [number, number]): tfc.Tensor4D {
  if (dh === 1 && dw === 1) return filter;
  const [kh, kw, ci, co] = filter.shape;
  const spread = tfc.pad(tfc.reshape(filter, [kh, 1, kw, 1, ci, co]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const full = tfc.reshape(spread, [kh * dh, kw * dw, ci, co]);
  return tfc.slice(full, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]) as tfc.Tensor4D;
}

export const conv2dGradConfig: tfc.GradConfig = {
  kernelName: tfc.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x4D, filter] = saved as [tfc.Tensor4D, tfc.Tensor4D];
    const a = attrs as unknown as Conv2DAttrs;
    if (a.dataFormat !== 'NHWC') {
      throw new Error(`conv2d gradient supports NHWC only, got dataFormat ${a.dataFormat}`);
    }
    const strides = pair(a.strides);
    return {
      x: () =>
        tfc.conv2dTranspose(
          dy as tfc.Tensor4D,
          dilateFilter(filter, pair(a.dilations)),
          x4D.shape,
          strides,
          a.pad as 'valid' | 'same' | number | tfc.backend_util.ExplicitPadding,
          a.dimRoundingMode,
        ),
      filter: () =>
        conv2dFilterGrad(x4D, dy as tfc.Tensor4D, filter.shape as [number, number, number, number], a),
    };
  },
};

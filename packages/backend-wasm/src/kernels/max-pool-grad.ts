import { type Tensor, ops, tensor, tidy } from '@strata/core';
import { type KernelArgs, type KernelConfig, runKernel } from '../tfjs';
import { type Pad, convGeometry, named, pair } from './util';

/** Stands in for -infinity on padded positions (finite, so no inf - inf anywhere). */
const LOWEST = -3.4e38;

/**
 * `MaxPoolGrad` on wasm. Replaces tfjs-backend-wasm 4.22's own kernel, which loses the gradient of
 * every window whose maximum is negative (its running maximum starts at 0).
 *
 * The K = kh*kw window taps are gathered as K strided slices of the (-inf padded) input, `argMax`
 * picks the winning tap of each window (the first one on ties, in row-major tap order, as tfjs' cpu
 * kernel does), and the output gradient, one-hot spread over the taps, is sent back to the input
 * positions: by a reshape when the windows do not overlap (strides == pool size), otherwise by a
 * transposed depthwise convolution whose filter is the tap one-hot pattern.
 */
export function maxPoolGrad(args: KernelArgs): Tensor {
  const [dy, input] = named(args, 'MaxPoolGrad', ['dy', 'input']);
  const a = args.attrs ?? {};
  const [kh, kw] = pair(a.filterSize as number | number[]);
  const strides = pair(a.strides as number | number[]);
  const [b, h, w, c] = input!.shape as [number, number, number, number];
  const { outShape, pad } = convGeometry([h, w], [kh, kw], strides, [1, 1], a.pad as Pad, a.dimRoundingMode as undefined);
  const [ho, wo] = outShape;
  const k = kh * kw;
  return tidy(() => {
    const xp = ops.pad(
      input!,
      [
        [0, 0],
        [pad.top, Math.max(pad.bottom, 0)],
        [pad.left, Math.max(pad.right, 0)],
        [0, 0],
      ],
      'constant',
      LOWEST,
    );
    const tiles = strides[0] === kh && strides[1] === kw;
    let windows: Tensor; // [B, Ho, Wo, C, K]: the K taps of every window
    if (tiles) {
      // Windows tile the padded input without overlap (the usual pooling): one reshape/transpose.
      const cropped = ops.slice(xp, [0, 0, 0, 0], [b, ho * kh, wo * kw, c]);
      windows = ops.reshape(ops.transpose(ops.reshape(cropped, [b, ho, kh, wo, kw, c]), [0, 1, 3, 5, 2, 4]), [b, ho, wo, c, k]);
    } else {
      const taps: Tensor[] = [];
      for (let p = 0; p < kh; p++) {
        for (let q = 0; q < kw; q++) {
          taps.push(
            ops.stridedSlice(xp, [0, p, q, 0], [b, p + (ho - 1) * strides[0] + 1, q + (wo - 1) * strides[1] + 1, c], [1, strides[0], strides[1], 1]),
          );
        }
      }
      windows = ops.stack(taps, 4);
    }
    const winner = ops.argmax(windows, 4); // [B, Ho, Wo, C]
    const routed = ops.multiply(ops.cast(ops.oneHot(winner, k), 'float32'), ops.expandDims(dy!, 4));
    if (tiles) {
      // The routed gradient already is the input gradient, up to the inverse reshape and the padding crop.
      const tiled = ops.reshape(ops.transpose(ops.reshape(routed, [b, ho, wo, c, kh, kw]), [0, 1, 4, 2, 5, 3]), [b, ho * kh, wo * kw, c]);
      const rows = Math.min(h, ho * kh - pad.top);
      const cols = Math.min(w, wo * kw - pad.left);
      const inside = ops.slice(tiled, [0, pad.top, pad.left, 0], [b, rows, cols, c]);
      return rows === h && cols === w
        ? inside
        : ops.pad(inside, [
            [0, 0],
            [0, h - rows],
            [0, w - cols],
            [0, 0],
          ]);
    }
    const pattern = new Float32Array(k * c * k);
    for (let t = 0; t < k; t++) for (let ch = 0; ch < c; ch++) pattern[(t * c + ch) * k + t] = 1;
    return runKernel(
      'DepthwiseConv2dNativeBackpropInput',
      { dy: ops.reshape(routed, [b, ho, wo, c * k]), filter: tensor(pattern, [kh, kw, c, k]) },
      { strides, dilations: [1, 1], pad: a.pad, dimRoundingMode: a.dimRoundingMode, inputShape: [b, h, w, c] },
    );
  });
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};

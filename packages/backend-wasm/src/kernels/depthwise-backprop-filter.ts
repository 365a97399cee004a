import { type Tensor, ops, tidy } from '@strata/core';
import type { KernelArgs, KernelConfig } from '../tfjs';
import { type Pad, assertNHWC, convGeometry, named, pair } from './util';

/**
 * `DepthwiseConv2dNativeBackpropFilter` on wasm, as one forward depthwise convolution.
 *
 * `dW[p, q, c, m] = sum_{b,i,j} x[b, i*s + p*d - top, j*s + q*d - left, c] * dy[b, i, j, c*M + m]`
 * is, for every (b, c) pair, a correlation of the padded input image with the output-gradient image
 * (strides and dilations swap roles). Putting (b, c) on the channel axis of a batch-1 image makes it
 * a depthwise conv with channel multiplier M; the batch is summed afterwards.
 */
export function depthwiseConv2dNativeBackpropFilter(args: KernelArgs): Tensor {
  const [x, dy] = named(args, 'DepthwiseConv2dNativeBackpropFilter', ['x', 'dy']);
  const a = args.attrs ?? {};
  assertNHWC('DepthwiseConv2dNativeBackpropFilter', a.dataFormat);
  const [kh, kw, c, m] = a.filterShape as [number, number, number, number];
  const strides = pair(a.strides as number | number[]);
  const dilations = pair(a.dilations as number | number[] | undefined);
  const [b, h, w] = x!.shape as [number, number, number, number];
  const [, ho, wo] = dy!.shape as [number, number, number, number];
  const { pad } = convGeometry([h, w], [kh, kw], strides, dilations, a.pad as Pad, a.dimRoundingMode as undefined);
  return tidy(() => {
    const xp = ops.pad(x!, [
      [0, 0],
      [pad.top, Math.max(pad.bottom, 0)],
      [pad.left, Math.max(pad.right, 0)],
      [0, 0],
    ]);
    const [, hp, wp] = xp.shape as [number, number, number, number];
    // [B, Hp, Wp, C] -> [1, Hp, Wp, B*C];  dy [B, Ho, Wo, C*M] -> [Ho, Wo, B*C, M]
    const image = ops.reshape(ops.transpose(xp, [1, 2, 0, 3]), [1, hp, wp, b * c]);
    const taps = ops.reshape(ops.transpose(dy!, [1, 2, 0, 3]), [ho, wo, b * c, m]);
    // One of strides/dilations is 1 (tfjs' depthwise conv requires it), so the swap is allowed.
    const full = ops.depthwiseConv(image, taps, dilations, 'valid', strides); // [1, kh', kw', B*C*M]
    const [, fh, fw] = full.shape as [number, number, number, number];
    const perPair = ops.reshape(full, [fh, fw, b, c, m]);
    // Rows past kh belong to window offsets the forward conv never used.
    const cropped = fh !== kh || fw !== kw ? ops.slice(perPair, [0, 0, 0, 0, 0], [kh, kw, b, c, m]) : perPair;
    return ops.sum(cropped, 2);
  });
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
};

import { type Tensor, ops, tidy } from '@strata/core';
import type { KernelArgs, KernelConfig } from '../tfjs';
import { type Pad, assertNHWC, convGeometry, named, pair } from './util';

/**
 * `DepthwiseConv2dNativeBackpropInput` on wasm: the transposed depthwise convolution written as a
 * forward one. The output gradient is spread out by the strides (zeros between rows/columns),
 * padded by `(k - 1) * d - pad` in front, and correlated with the spatially flipped filter; each of
 * the C*M gradient channels uses its own filter tap, and the M multiplier channels of an input
 * channel are summed.
 */
export function depthwiseConv2dNativeBackpropInput(args: KernelArgs): Tensor {
  const [dy, filter] = named(args, 'DepthwiseConv2dNativeBackpropInput', ['dy', 'filter']);
  const a = args.attrs ?? {};
  assertNHWC('DepthwiseConv2dNativeBackpropInput', a.dataFormat);
  const inputShape = a.inputShape as [number, number, number, number];
  const [b, h, w, c] = inputShape;
  const [kh, kw, , m] = filter!.shape as [number, number, number, number];
  const [sh, sw] = pair(a.strides as number | number[]);
  const [dh, dw] = pair(a.dilations as number | number[] | undefined);
  const [, ho, wo] = dy!.shape as [number, number, number, number];
  const { pad } = convGeometry([h, w], [kh, kw], [sh, sw], [dh, dw], a.pad as Pad, a.dimRoundingMode as undefined);
  return tidy(() => {
    let g = dy!;
    if (sh > 1 || sw > 1) {
      const spread = ops.pad(ops.reshape(g, [b, ho, 1, wo, 1, c * m]), [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ]);
      g = ops.slice(ops.reshape(spread, [b, ho * sh, wo * sw, c * m]), [0, 0, 0, 0], [b, (ho - 1) * sh + 1, (wo - 1) * sw + 1, c * m]);
    }
    // Rows of the padded gradient: `front` zeros, the spread gradient, then zeros up to H + (kh-1)*dh.
    const front = [(kh - 1) * dh - pad.top, (kw - 1) * dw - pad.left];
    const total = [h + (kh - 1) * dh, w + (kw - 1) * dw];
    const back = [total[0]! - front[0]! - g.shape[1]!, total[1]! - front[1]! - g.shape[2]!];
    g = ops.pad(g, [
      [0, 0],
      [Math.max(front[0]!, 0), Math.max(back[0]!, 0)],
      [Math.max(front[1]!, 0), Math.max(back[1]!, 0)],
      [0, 0],
    ]);
    if (front.some((v) => v < 0) || back.some((v) => v < 0)) {
      // Explicit paddings larger than the kernel: drop gradient rows that fell on padding only.
      g = ops.slice(g, [0, Math.max(-front[0]!, 0), Math.max(-front[1]!, 0), 0], [b, total[0]!, total[1]!, c * m]);
    }
    const flipped = ops.reshape(ops.flip(filter!, [0, 1]), [kh, kw, c * m, 1]);
    const perTap = ops.depthwiseConv(g, flipped, 1, 'valid', [dh, dw]); // [B, H, W, C*M]
    return m === 1 ? perTap : ops.sum(ops.reshape(perTap, [b, h, w, c, m]), 4);
  });
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput,
};

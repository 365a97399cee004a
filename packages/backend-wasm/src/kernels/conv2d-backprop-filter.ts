import { type Tensor, conv2dFilterGrad, ops, tidy } from '@strata/core';
import type { KernelArgs, KernelConfig } from '../tfjs';
import { type Pad, named, pair } from './util';

/**
 * `Conv2DBackpropFilter` on wasm: the filter gradient of a conv2d computed as one forward Conv2D
 * (over the batch-transposed input, with the forward strides as dilations; see @strata/core's
 * `conv2dFilterGrad`), so it runs on XNNPACK's convolution instead of a scalar loop.
 */
export function conv2dBackpropFilter(args: KernelArgs): Tensor {
  const [x, dy] = named(args, 'Conv2DBackpropFilter', ['x', 'dy']);
  const a = args.attrs ?? {};
  const filterShape = a.filterShape as [number, number, number, number];
  const nchw = a.dataFormat === 'NCHW';
  return tidy(() => {
    // NCHW tensors (and explicit paddings) are moved to NHWC; the filter layout is HWIO either way.
    const xh = nchw ? ops.transpose(x!, [0, 2, 3, 1]) : x!;
    const dyh = nchw ? ops.transpose(dy!, [0, 2, 3, 1]) : dy!;
    let pad = a.pad as Pad;
    if (nchw && Array.isArray(pad)) pad = [pad[0], pad[2], pad[3], pad[1]];
    return conv2dFilterGrad(xh as never, dyh as never, filterShape, {
      strides: pair(a.strides as number | number[]),
      pad,
      dataFormat: 'NHWC',
      // tfjs' Conv2DBackpropFilter has no dilations attribute: the op only exists for dilation 1.
      dilations: [1, 1],
      dimRoundingMode: a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    });
  });
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};

import { type Tensor, ValueError, ops, tidy } from '@strata/core';
import { type KernelArgs, type KernelConfig, runKernel } from '../tfjs';
import { named } from './util';

/**
 * `UnsortedSegmentSum` on wasm (the gradient of Gather, i.e. of Embedding): one ScatterNd, which
 * adds the rows of `x` that share a segment id. Ids outside [0, numSegments) contribute nothing (as
 * in TensorFlow); they are sent to an extra row that is cut off, so the scatter never writes out of
 * bounds.
 */
export function unsortedSegmentSum(args: KernelArgs): Tensor {
  const [x, segmentIds] = named(args, 'UnsortedSegmentSum', ['x', 'segmentIds']);
  const numSegments = Number(args.attrs?.numSegments);
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new ValueError(`UnsortedSegmentSum (wasm): numSegments must be a non-negative integer, got ${String(args.attrs?.numSegments)}.`);
  }
  const ids = segmentIds!;
  const lead = x!.shape.slice(0, ids.rank);
  if (ids.rank === 0 || lead.length !== ids.rank || lead.some((d, i) => d !== ids.shape[i])) {
    throw new ValueError(
      `UnsortedSegmentSum (wasm): segmentIds of shape [${ids.shape}] must match the leading axes of x of shape [${x!.shape}].`,
    );
  }
  const rest = x!.shape.slice(ids.rank);
  return tidy(() => {
    const n = ids.size;
    const flatIds = ops.reshape(ops.cast(ids, 'int32'), [n]);
    const inRange = ops.logicalAnd(ops.greaterEqual(flatIds, 0), ops.less(flatIds, numSegments));
    const target = ops.reshape(ops.where(inRange, flatIds, numSegments), [n, 1]);
    const updates = ops.reshape(x!, [n, ...rest]);
    const summed = runKernel('ScatterNd', { indices: target, updates }, { shape: [numSegments + 1, ...rest] });
    return ops.slice(summed, [0, ...rest.map(() => 0)], [numSegments, ...rest]);
  });
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};

import { type Tensor, ValueError, ops, tensor, tidy } from '@strata/core';
import { type KernelArgs, type KernelConfig, runKernel } from '../tfjs';
import { named } from './util';

const LOWEST = -3.4e38;

const triple = (v: number | number[]): [number, number, number] =>
  typeof v === 'number' ? [v, v, v] : [v[0]!, v[1] ?? v[0]!, v[2] ?? v[0]!];

/** Output length and front padding of one axis ('same' as TensorFlow: the odd cell at the end). */
function axis(pad: string, n: number, k: number, s: number): { out: number; before: number; after: number } {
  if (pad === 'same') {
    const out = Math.ceil(n / s);
    const total = Math.max(0, (out - 1) * s + k - n);
    return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
  }
  return { out: Math.ceil((n - k + 1) / s), before: 0, after: 0 };
}

/**
 * `MaxPool3DGrad` on wasm. Replaces tfjs-backend-wasm 4.22's kernel, which routes the gradient of
 * windows with a negative maximum to the wrong cell. The winning tap of each window comes from
 * `argMax` over the K = kd*kh*kw strided tap slices (first tap on ties, as tfjs' cpu kernel), and the
 * output gradient is added into the winners' cells by one ScatterNd. (tfjs-backend-wasm's
 * Conv3DBackpropInputV2, the other way to route it, gives wrong results too.)
 */
export function maxPool3DGrad(args: KernelArgs): Tensor {
  const [dy, input] = named(args, 'MaxPool3DGrad', ['dy', 'input']);
  const a = args.attrs ?? {};
  if (a.dataFormat != null && a.dataFormat !== 'NDHWC') {
    throw new ValueError(`MaxPool3DGrad (wasm) supports dataFormat 'NDHWC' only, got '${String(a.dataFormat)}'.`);
  }
  const pad = String(a.pad);
  if (pad !== 'same' && pad !== 'valid') throw new ValueError(`MaxPool3DGrad (wasm) supports pad 'same' or 'valid', got '${pad}'.`);
  const ks = triple(a.filterSize as number | number[]);
  const ss = triple(a.strides as number | number[]);
  const [b, d, h, w, c] = input!.shape as [number, number, number, number, number];
  const geo = [d, h, w].map((n, i) => axis(pad, n, ks[i]!, ss[i]!));
  const outs = geo.map((g) => g.out);
  const k = ks[0] * ks[1] * ks[2];
  return tidy(() => {
    const xp = ops.pad(input!, [[0, 0], ...geo.map((g): [number, number] => [g.before, g.after]), [0, 0]], 'constant', LOWEST);
    const taps: Tensor[] = [];
    for (let p = 0; p < ks[0]; p++)
      for (let q = 0; q < ks[1]; q++)
        for (let r = 0; r < ks[2]; r++) {
          const start = [p, q, r];
          taps.push(
            ops.stridedSlice(
              xp,
              [0, ...start, 0],
              [b, ...start.map((s0, i) => s0 + (outs[i]! - 1) * ss[i]! + 1), c],
              [1, ...ss, 1],
            ),
          );
        }
    const winner = ops.argmax(ops.stack(taps, 5), 5); // [B, Do, Ho, Wo, C], int32 tap number
    // Flat input index of each window's winning cell: the window origin plus the winning tap's offset.
    const strideOf = [h * w * c, w * c, c];
    const tapOffset = new Int32Array(k);
    for (let t = 0; t < k; t++) {
      const p = Math.floor(t / (ks[1] * ks[2]));
      const q = Math.floor(t / ks[2]) % ks[1];
      const r = t % ks[2];
      tapOffset[t] = p * strideOf[0]! + q * strideOf[1]! + r * strideOf[2]!;
    }
    const along = (n: number, step: number, start: number, at: number) => {
      const shape = [1, 1, 1, 1, 1];
      shape[at] = n;
      return tensor(Int32Array.from({ length: n }, (_, i) => start + i * step), shape, 'int32');
    };
    let origin = along(b, d * h * w * c, 0, 0);
    geo.forEach((g, i) => {
      origin = ops.add(origin, along(g.out, ss[i]! * strideOf[i]!, -g.before * strideOf[i]!, i + 1));
    });
    origin = ops.add(origin, along(c, 1, 0, 4));
    const flat = ops.add(origin, ops.take(tensor(tapOffset, [k], 'int32'), winner));
    const n = dy!.size;
    // ScatterNd adds the gradients of windows that share a winning cell.
    const dx = runKernel('ScatterNd', { indices: ops.reshape(flat, [n, 1]), updates: ops.reshape(dy!, [n]) }, { shape: [b * d * h * w * c] });
    return ops.reshape(dx, [b, d, h, w, c]);
  });
}

export const maxPool3DGradConfig: KernelConfig = {
  kernelName: 'MaxPool3DGrad',
  backendName: 'wasm',
  kernelFunc: maxPool3DGrad,
};

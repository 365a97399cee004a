// Per-kernel ms, stock vs fast, on the shapes of the 28x28 CNN's training step (median of N).
// node bench/kernels.mjs [N] [kernel name prefix], after `pnpm build`.
import * as tf from '@tensorflow/tfjs-core';
import '@strata/core';
import { useFastKernels, useStockKernels } from '../dist/index.js';
await tf.setBackend('cpu');
const N = Number(process.argv[2] ?? 5);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const r = (s) => tf.randomUniform(s, -1, 1, 'float32', 3);
const x2 = r([128, 13, 13, 32]);
const w2 = r([3, 3, 32, 64]);
const dy2 = r([128, 11, 11, 64]);
const xt = r([32, 13, 13, 128]);
const dyt = r([11, 11, 128, 64]);
const p1 = r([128, 26, 26, 32]);
const py = tf.maxPool(p1, 2, 2, 'valid');
const pdy = r(py.shape);
const d1 = r([128, 1600]);
const d2 = r([1600, 128]);
const d3 = r([128, 128]);
const cases = {
  'BatchMatMul [128,1600]x[1600,128]': () => tf.matMul(d1, d2),
  'BatchMatMul [128,1600]^T x [128,128] (weight gradient)': () => tf.matMul(d1, d3, true, false),
  'BatchMatMul [128,128] x [1600,128]^T (input gradient)': () => tf.matMul(d3, d2, false, true),
  'Conv2D [128,13,13,32]*[3,3,32,64]': () => tf.conv2d(x2, w2, 1, 'valid'),
  'Conv2D filter-grad form [32,13,13,128]*[11,11,128,64] dil 2': () => tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', 1),
  'Conv2DBackpropInput dy [128,11,11,64]': () => tf.conv2dTranspose(dy2, w2, [128, 13, 13, 32], 1, 'valid'),
  'MaxPoolGrad [128,26,26,32] 2x2': () => tf.engine().runKernel('MaxPoolGrad', { dy: pdy, input: p1, output: py }, { filterSize: 2, strides: 2, pad: 'valid' }),
  'Sum [128,26,26,32] over [0,1,2] (bias gradient)': () => tf.sum(p1, [0, 1, 2]),
  'Transpose [128,26,26,32] -> [26,26,128,32]': () => tf.transpose(p1, [1, 2, 0, 3]),
  'Transpose [128,26,26,32] -> [32,26,26,128]': () => tf.transpose(p1, [3, 1, 2, 0]),
};
const only = process.argv[3];
for (const [name, f] of Object.entries(cases)) {
  if (only != null && !name.startsWith(only)) continue;
  const t = { stock: [], fast: [] };
  for (let i = 0; i < N; i++) {
    for (const mode of ['stock', 'fast']) {
      (mode === 'stock' ? useStockKernels : useFastKernels)();
      const s = performance.now();
      const y = f();
      y.dataSync();
      t[mode].push(performance.now() - s);
      y.dispose();
    }
  }
  useFastKernels();
  const s = median(t.stock);
  const q = median(t.fast);
  console.log(`${name}: stock ${s.toFixed(1)} ms, fast ${q.toFixed(1)} ms, ${(s / q).toFixed(1)}x`);
}

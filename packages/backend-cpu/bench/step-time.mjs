// ms per training step (trainOnBatch) of the two CNNs with the stock cpu kernels and with
// @strata/backend-cpu's, in the same process, alternating, medians of N. Run after `pnpm build`:
//   node bench/step-time.mjs [N]
import * as tf from '@tensorflow/tfjs-core';
import * as core from '@strata/core';
import * as L from '@strata/layers';
import * as M from '@strata/models';
import { useFastKernels, useStockKernels } from '../dist/index.js';

const N = Number(process.argv[2] ?? 5);
await core.setBackend('cpu');

const demoCnn = () =>
  new M.Sequential([
    M.Input({ shape: [8, 8, 1] }),
    new L.Conv2D(16, 3, { activation: 'relu', padding: 'same' }),
    new L.MaxPooling2D(2),
    new L.Conv2D(32, 3, { activation: 'relu', padding: 'same' }),
    new L.Flatten(),
    new L.Dense(64, { activation: 'relu' }),
    new L.Dense(10, { activation: 'softmax' }),
  ]);
const benchCnn = () =>
  new M.Sequential([
    M.Input({ shape: [28, 28, 1] }),
    new L.Conv2D(32, 3, { activation: 'relu', padding: 'valid' }),
    new L.MaxPooling2D(2),
    new L.Conv2D(64, 3, { activation: 'relu', padding: 'valid' }),
    new L.MaxPooling2D(2),
    new L.Flatten(),
    new L.Dense(128, { activation: 'relu' }),
    new L.Dense(10, { activation: 'softmax' }),
  ]);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

for (const [name, build, size, batch] of [
  ['demo-node CNN 8x8x1 (conv16-pool-conv32-dense64-dense10), batch 32', demoCnn, 8, 32],
  ['bench CNN 28x28x1 (conv32-pool-conv64-pool-dense128-dense10), batch 128', benchCnn, 28, 128],
]) {
  const model = build();
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
  const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10).toFloat();
  const times = { stock: [], fast: [] };
  for (const mode of ['stock', 'fast']) {
    (mode === 'stock' ? useStockKernels : useFastKernels)();
    await model.trainOnBatch(x, y); // warm-up
  }
  const before = tf.memory().numTensors;
  for (let i = 0; i < N; i++) {
    for (const mode of ['stock', 'fast']) {
      (mode === 'stock' ? useStockKernels : useFastKernels)();
      const t = performance.now();
      await model.trainOnBatch(x, y);
      times[mode].push(performance.now() - t);
    }
  }
  useFastKernels();
  const s = median(times.stock);
  const f = median(times.fast);
  console.log(`${name}: stock ${s.toFixed(1)} ms/step, fast ${f.toFixed(1)} ms/step, speedup ${(s / f).toFixed(2)}x (median of ${N}; tensors leaked: ${tf.memory().numTensors - before})`);
}

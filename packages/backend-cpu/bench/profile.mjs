// Per-kernel profile of one training step of the two CNNs on cpu: stock kernels, or with
// @strata/backend-cpu's when run with --fast (after `pnpm build`). node bench/profile.mjs [demo|bench|both] [--fast]
import * as tf from '@tensorflow/tfjs-core';
import * as core from '@strata/core';
import * as L from '@strata/layers';
import * as M from '@strata/models';

console.log('one tfjs-core engine:', tf.engine() === globalThis._tfengine);
await core.setBackend('cpu');
if (process.argv.includes('--fast')) await import('../dist/index.js');

function demoCnn() {
  return new M.Sequential([
    M.Input({ shape: [8, 8, 1] }),
    new L.Conv2D(16, 3, { activation: 'relu', padding: 'same' }),
    new L.MaxPooling2D(2),
    new L.Conv2D(32, 3, { activation: 'relu', padding: 'same' }),
    new L.Flatten(),
    new L.Dense(64, { activation: 'relu' }),
    new L.Dense(10, { activation: 'softmax' }),
  ]);
}
function benchCnn() {
  return new M.Sequential([
    M.Input({ shape: [28, 28, 1] }),
    new L.Conv2D(32, 3, { activation: 'relu', padding: 'valid' }),
    new L.MaxPooling2D(2),
    new L.Conv2D(64, 3, { activation: 'relu', padding: 'valid' }),
    new L.MaxPooling2D(2),
    new L.Flatten(),
    new L.Dense(128, { activation: 'relu' }),
    new L.Dense(10, { activation: 'softmax' }),
  ]);
}
const which = process.argv.find((a) => ['demo', 'bench', 'both'].includes(a)) ?? 'both';
for (const [name, build, size, batch] of [['demo', demoCnn, 8, 32], ['bench', benchCnn, 28, 128]]) {
  if (which !== 'both' && which !== name) continue;
  const model = build();
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
  const x = tf.randomUniform([batch, size, size, 1]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10).toFloat();
  await model.trainOnBatch(x, y);
  const prof = await tf.profile(async () => { await model.trainOnBatch(x, y); });
  const agg = new Map();
  for (const k of prof.kernels) {
    const a = agg.get(k.name) ?? { ms: 0, n: 0 };
    a.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0; a.n++;
    agg.set(k.name, a);
  }
  const total = [...agg.values()].reduce((s, a) => s + a.ms, 0);
  console.log(`\n${name}: total kernel ms ${total.toFixed(1)}`);
  for (const [k, a] of [...agg].sort((p, q) => q[1].ms - p[1].ms).slice(0, 14)) console.log(k.padEnd(28), a.ms.toFixed(2).padStart(9), a.n);
  for (const k of prof.kernels.filter((k) => k.kernelTimeMs > 2)) console.log('  ', k.name, k.kernelTimeMs.toFixed(1), JSON.stringify(k.inputShapes));
}

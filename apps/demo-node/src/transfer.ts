// Transfer learning as in Keras' guide: a MobileNetV2 base, frozen, with a new head; then the last
// layers of the base are unfrozen and fine-tuned with a small learning rate.
//
//   pnpm demo:transfer                         # random base weights (the demo says so)
//   pnpm demo:transfer -- --weights base.h5    # a Keras MobileNetV2 (alpha 0.35, no top) weights file

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as keras from 'strata';
import { loadDigits, stratifiedSplit } from './digits';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const weightsAt = args.indexOf('--weights');
const weights = weightsAt >= 0 ? args[weightsAt + 1] ?? null : null;

const { images, labels } = loadDigits(join(here, '..', 'data', 'digits.csv.gz'));
const { train, test } = stratifiedSplit(labels, 0.2);
keras.setRandomSeed(3);

// The 8x8 digits become 32x32 RGB images (MobileNetV2's smallest input) in [-1, 1], its
// preprocessing range.
const SIZE = 32;
function toImages(idx: number[]): keras.Tensor {
  return keras.tidy(() => {
    const grey = keras.ops.reshape(keras.tensor(idx.map((i) => images[i]!.map((v) => (v / 16) * 255))), [-1, 8, 8, 1]);
    const big = new keras.layers.Resizing(SIZE, SIZE, 'bilinear').apply(grey) as keras.Tensor;
    return keras.applications.preprocessInput(keras.ops.concatenate([big, big, big], -1), { mode: 'tf' });
  });
}
const xTrain = toImages(train);
const xTest = toImages(test);
const yTrain = keras.utils.toCategorical(train.map((i) => labels[i]!), 10);
const yTest = keras.utils.toCategorical(test.map((i) => labels[i]!), 10);

const base = await keras.applications.MobileNetV2({ inputShape: [SIZE, SIZE, 3], alpha: 0.35, includeTop: false, weights });
console.log(
  weights != null
    ? `MobileNetV2 base: weights from ${weights}`
    : 'MobileNetV2 base: RANDOM weights (no --weights file given). A frozen random base passes on almost no signal ' +
        '(its BatchNormalization layers run in inference mode), so expect near-chance accuracy: this run shows the ' +
        'workflow; pass a Keras MobileNetV2 alpha 0.35 no-top weights file to see transfer.',
);
base.trainable = false;
const model = new keras.Sequential(
  [keras.Input({ shape: [SIZE, SIZE, 3] }), base, new keras.layers.GlobalAveragePooling2D(), new keras.layers.Dropout(0.2), new keras.layers.Dense(10, { activation: 'softmax' })],
  { name: 'digits_transfer' },
);
model.compile({ optimizer: new keras.optimizers.Adam(1e-3), loss: 'categorical_crossentropy', metrics: ['accuracy'] });
model.summary();

console.log('\n== head only (base frozen) ==');
await model.fit(xTrain, yTrain, { epochs: 2, batchSize: 32, validationSplit: 0.1, seed: 1 });

console.log('\n== fine-tuning the last 4 layers of the base ==');
for (const layer of base.layers.slice(-4)) layer.trainable = true;
model.compile({ optimizer: new keras.optimizers.Adam(1e-5), loss: 'categorical_crossentropy', metrics: ['accuracy'] });
const trainable = model.trainableWeights.length;
console.log(`${trainable} trainable weight tensors after unfreezing`);
await model.fit(xTrain, yTrain, { epochs: 1, batchSize: 32, validationSplit: 0.1, seed: 2 });

const scores = await model.evaluate(xTest, yTest, { verbose: 0 });
console.log(`\ntest accuracy: ${scores.accuracy!.toFixed(4)} (loss ${scores.loss!.toFixed(4)})`);

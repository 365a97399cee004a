import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as keras from 'strata';
import { loadDigits, stratifiedSplit } from './digits';

const here = dirname(fileURLToPath(import.meta.url));
const { images, labels } = loadDigits(join(here, '..', 'data', 'digits.csv.gz'));
const { train, test } = stratifiedSplit(labels, 0.2);
console.log(`digits: ${images.length} images, ${train.length} train / ${test.length} test (stratified 80/20)`);

const pixels = (idx: number[]) => idx.map((i) => images[i]!.map((v) => v / 16));
const oneHot = (idx: number[]) => keras.utils.toCategorical(idx.map((i) => labels[i]!), 10);
const xTrain = keras.tensor(pixels(train));
const xTest = keras.tensor(pixels(test));
const yTrain = oneHot(train);
const yTest = oneHot(test);

keras.setRandomSeed(7);
const checkpoints = mkdtempSync(join(tmpdir(), 'strata-demo-'));

async function run(name: string, model: keras.Model, x: keras.Tensor, xt: keras.Tensor, epochs: number): Promise<number> {
  console.log(`\n== ${name} ==`);
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
  const { EarlyStopping, ModelCheckpoint, ReduceLROnPlateau } = keras.callbacks;
  const history = await model.fit(x, yTrain, {
    epochs,
    batchSize: 32,
    validationSplit: 0.1,
    seed: 1,
    callbacks: [
      new EarlyStopping({ monitor: 'val_loss', patience: 6, restoreBestWeights: true }),
      new ModelCheckpoint(join(checkpoints, `${name.toLowerCase()}-best.weights.h5`), { monitor: 'val_loss', saveBestOnly: true, saveWeightsOnly: true }),
      new ReduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 3, minLr: 1e-4, verbose: 1 }),
    ],
  });
  const ran = (history.history['loss'] as number[]).length;
  console.log(`${name}: ${ran} of ${epochs} epochs; best weights checkpointed to ${readdirSync(checkpoints).filter((f) => f.startsWith(name.toLowerCase())).join(', ')}`);
  model.summary();
  const scores = await model.evaluate(xt, yTest, { verbose: 0 });
  console.log(`${name} test accuracy: ${scores.accuracy!.toFixed(4)} (loss ${scores.loss!.toFixed(4)})`);
  return scores.accuracy!;
}

const mlp = new keras.Sequential(
  [
    keras.Input({ shape: [64] }),
    new keras.layers.Dense(64, { activation: 'relu' }),
    new keras.layers.Dropout(0.1),
    new keras.layers.Dense(10, { activation: 'softmax' }),
  ],
  { name: 'mlp' },
);

const cnn = new keras.Sequential(
  [
    keras.Input({ shape: [8, 8, 1] }),
    new keras.layers.Conv2D(16, 3, { activation: 'relu', padding: 'same' }),
    new keras.layers.MaxPooling2D(2),
    new keras.layers.Conv2D(32, 3, { activation: 'relu', padding: 'same' }),
    new keras.layers.Flatten(),
    new keras.layers.Dense(64, { activation: 'relu' }),
    new keras.layers.Dense(10, { activation: 'softmax' }),
  ],
  { name: 'cnn' },
);

const mlpAccuracy = await run('MLP', mlp, xTrain, xTest, 40);
const xTrainImg = keras.ops.reshape(xTrain, [-1, 8, 8, 1]);
const xTestImg = keras.ops.reshape(xTest, [-1, 8, 8, 1]);
const cnnAccuracy = await run('CNN', cnn, xTrainImg, xTestImg, 15);

rmSync(checkpoints, { recursive: true, force: true });
const worst = Math.min(mlpAccuracy, cnnAccuracy);
if (worst < 0.95) {
  console.error(`accuracy ${worst.toFixed(4)} is below 0.95`);
  process.exit(1);
}
console.log(`\nboth models reach >= 0.95 test accuracy (MLP ${mlpAccuracy.toFixed(4)}, CNN ${cnnAccuracy.toFixed(4)})`);

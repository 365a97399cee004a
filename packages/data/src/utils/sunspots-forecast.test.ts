import { fileURLToPath } from 'node:url';
import { type Tensor, memory, setRandomSeed } from '@strata/core';
import { Dense, Input, LSTM } from '@strata/layers';
import { Sequential } from '@strata/models';
import { describe, expect, it } from 'vitest';
import { makeCsvDataset } from '../sources/make-csv-dataset';
import { timeseriesDatasetFromArray } from './timeseries-dataset-from-array';

const SUNSPOTS = fileURLToPath(new URL('../testdata/sunspots.csv', import.meta.url));

describe('forecasting example: monthly sunspots', () => {
  it('an LSTM on timeseriesDatasetFromArray windows beats the last-value forecast on the held-back tail', async () => {
    setRandomSeed(1234);
    // Read the series with the streaming CSV reader (quoted header "year","month","sunspots").
    const [batch] = await makeCsvDataset(SUNSPOTS, { batchSize: 4096, numEpochs: 1, shuffle: false, selectColumns: ['sunspots'] }).toArray();
    const col = (batch as Record<string, Tensor>).sunspots!;
    const series = Array.from(col.dataSync());
    col.dispose();
    expect(series.length).toBe(3177);
    expect(series.slice(0, 3)).toEqual([58, Math.fround(62.6), 70]);

    const L = 18;
    const nTrain = 2700;
    const mean = series.slice(0, nTrain).reduce((a, b) => a + b, 0) / nTrain;
    const std = Math.sqrt(series.slice(0, nTrain).reduce((a, b) => a + (b - mean) ** 2, 0) / nTrain);
    const z = series.map((v) => [(v - mean) / std]);

    // Window i = z[i .. i+L-1], target z[i+L] (Keras' example 2): inputs z[:-L], targets z[L:].
    // Training windows end before nTrain; test windows predict every value from nTrain on.
    const train = timeseriesDatasetFromArray(z.slice(0, nTrain - L), z.slice(L, nTrain), L, { batchSize: 64, shuffle: true, seed: 3 });
    const testInputs = z.slice(nTrain - L, -1);
    const testTargets = series.slice(nTrain);
    const test = timeseriesDatasetFromArray(testInputs, null, L, { batchSize: 512 });

    const model = new Sequential([Input({ shape: [L, 1] }), new LSTM(12), new Dense(1)]);
    model.compile({ optimizer: { module: 'keras.optimizers', class_name: 'Adam', config: { learning_rate: 0.01 }, registered_name: null }, loss: 'mse' });
    await model.fit(train, { epochs: 4, verbose: 0 });
    // Once the optimizer state exists, another epoch and the predictions leave no tensors behind.
    const before = memory().numTensors;
    await model.fit(train, { epochs: 1, verbose: 0 });
    expect(memory().numTensors).toBe(before);

    const preds: number[] = [];
    for await (const x of test) {
      const y = model.predict(x as Tensor) as Tensor;
      preds.push(...Array.from(y.dataSync()).map((v) => v * std + mean));
      y.dispose();
      (x as Tensor).dispose();
    }
    expect(preds.length).toBe(testTargets.length);
    // (MAE is printed so a run shows the margin.)
    const mae = preds.reduce((a, p, i) => a + Math.abs(p - testTargets[i]!), 0) / preds.length;
    // Naive forecast: next month = this month.
    const naive = testTargets.reduce((a, t, i) => a + Math.abs(t - series[nTrain + i - 1]!), 0) / testTargets.length;
    console.log(`sunspots tail: LSTM MAE ${mae.toFixed(2)} vs last-value MAE ${naive.toFixed(2)}`);
    expect(naive).toBeGreaterThan(5);
    expect(mae).toBeLessThan(naive);
    expect(memory().numTensors).toBe(before);
  }, 120_000);
});

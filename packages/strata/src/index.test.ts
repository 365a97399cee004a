import { describe, expect, it } from 'vitest';
import * as keras from './index';

describe('umbrella', () => {
  it('toCategorical makes one-hot rows like keras.utils.to_categorical', () => {
    const t = keras.utils.toCategorical([2, 0, 1], 4);
    expect(t.shape).toEqual([3, 4]);
    expect(Array.from(t.dataSync())).toEqual([0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
    const col = keras.utils.toCategorical(keras.tensor([[1], [0]]));
    expect(col.shape).toEqual([2, 2]);
    expect(() => keras.utils.toCategorical([3], 2)).toThrow(/out of range/);
  });

  it('exposes the Keras namespaces', () => {
    expect(typeof keras.layers.Dense).toBe('function');
    expect(typeof keras.optimizers.Adam).toBe('function');
    expect(typeof keras.losses.CategoricalCrossentropy).toBe('function');
    expect(typeof keras.metrics.CategoricalAccuracy).toBe('function');
    expect(typeof keras.callbacks.EarlyStopping).toBe('function');
    expect(typeof keras.activations.relu).toBe('function');
    expect(typeof keras.applications.MobileNetV2).toBe('function');
    expect(typeof keras.data.Dataset.fromTensorSlices).toBe('function');
    expect(keras.getBackend()).toBe('cpu');
  });

  it('runs the API.md quick example end to end', async () => {
    const model = new keras.Sequential([
      keras.Input({ shape: [4] }),
      new keras.layers.Dense(10, { activation: 'relu' }),
      new keras.layers.Dense(3, { activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const x = keras.random.normal([16, 4], 0, 1, { seed: 1 });
    const y = keras.utils.toCategorical(Array.from({ length: 16 }, (_, i) => i % 3), 3);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
    const scores = await model.evaluate(x, y, { verbose: 0 });
    expect(Object.keys(scores).sort()).toEqual(['accuracy', 'loss']);
    const probs = model.predict(x) as keras.Tensor;
    expect(probs.shape).toEqual([16, 3]);
    probs.dispose();
    x.dispose();
    y.dispose();
    expect(scores.loss).toBeGreaterThan(0);
    expect(scores.accuracy).toBeGreaterThanOrEqual(0);
    expect(scores.accuracy).toBeLessThanOrEqual(1);
  });

  it('saves and loads a .keras file and trains from a Dataset, as in API.md', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'strata-umbrella-'));
    try {
      const model = new keras.Sequential([keras.Input({ shape: [4] }), new keras.layers.Dense(3, { activation: 'softmax' })]);
      model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
      const x = keras.random.normal([32, 4], 0, 1, { seed: 2 });
      const y = keras.utils.toCategorical(Array.from({ length: 32 }, (_, i) => i % 3), 3);
      const ds = keras.data.Dataset.fromTensorSlices([x, y]).shuffle(1000, { seed: 1 }).batch(8);
      const history = await model.fit(ds, { epochs: 2, verbose: 0 });
      expect(history.history.loss).toHaveLength(2);
      await model.save(join(dir, 'model.keras'));
      const again = await keras.models.loadModel(join(dir, 'model.keras'));
      const a = model.predict(x) as keras.Tensor;
      const b = again.predict(x) as keras.Tensor;
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      for (const t of [a, b, x, y]) t.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});


// model.fit on a Dataset in Chromium: the weights after two shuffled epochs equal plain float64
// minibatch SGD over the same batches (the Node run, fit.test.ts, checks the same reference).
import { type Tensor, memory, ops, tensor } from '@strata/core';
import { clearSession } from '@strata/layers';
import { expectAllClose } from '@strata/test-utils/browser';
import { beforeEach, describe, expect, it } from 'vitest';
import { Dataset } from './dataset/dataset';
import { makeCsvDataset } from './sources/make-csv-dataset';
import { csvX } from './testing/generated';
import { N, X, Y, model, referenceSgd } from './testing/sgd-reference';

describe('model.fit(Dataset) in the browser', () => {
  beforeEach(() => clearSession());

  it('fromTensorSlices([x, y]).shuffle(100, {seed: 1}).batch(8): weights equal float64 SGD over the shuffled batches', async () => {
    const x = tensor(X);
    const y = tensor(Y);
    const ds = Dataset.fromTensorSlices([x, y]).shuffle(100, { seed: 1 }).batch(8);
    const m = model();
    const history = await m.fit(ds, { epochs: 2, verbose: 0 });
    expect(history.params.steps).toBe(3);
    // Each epoch is a new pass with a new order; the same shuffle over indices gives both orders.
    const order = Dataset.range(N).shuffle(100, { seed: 1 });
    const e1 = (await order.toArrayValues()) as number[];
    const e2 = (await order.toArrayValues()) as number[];
    expect([...e1].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(e1).not.toEqual(e2);
    const cut = (o: number[]) => [o.slice(0, 8), o.slice(8, 16), o.slice(16)];
    const ref = referenceSgd([...cut(e1), ...cut(e2)]);
    const [kernel, bias] = m.getWeights() as Tensor[];
    expectAllClose(kernel!, [[ref.w[0]!], [ref.w[1]!]], { atol: 1e-5 });
    expectAllClose(bias!, [ref.b], { atol: 1e-5 });
    // Order matters: the unshuffled batches give other weights.
    const plain = referenceSgd([...cut([...Array(N).keys()]), ...cut([...Array(N).keys()])]);
    expect(Math.abs(plain.w[0]! - ref.w[0]!) + Math.abs(plain.b - ref.b)).toBeGreaterThan(1e-4);
    // The same run again in the page gives bit-identical weights.
    clearSession();
    const m2 = model();
    await m2.fit(Dataset.fromTensorSlices([x, y]).shuffle(100, { seed: 1 }).batch(8), { epochs: 2, verbose: 0 });
    const [k2, b2] = m2.getWeights() as Tensor[];
    expect([...k2!.dataSync(), ...b2!.dataSync()]).toEqual([...kernel!.dataSync(), ...bias!.dataSync()]);
    for (const t of [kernel, bias, k2, b2, x, y]) t!.dispose();
  });

  it('an epoch leaves no tensor behind (with cache and prefetch)', async () => {
    const x = tensor(X);
    const y = tensor(Y);
    const ds = Dataset.fromTensorSlices([x, y]).cache().shuffle(20, { seed: 2 }).batch(6).prefetch(2);
    const m = model();
    await m.fit(ds, { epochs: 1, verbose: 0 });
    const before = memory().numTensors;
    const history = await m.fit(ds, { epochs: 2, verbose: 0 });
    expect(history.params.steps).toBe(4);
    expect(memory().numTensors).toBe(before);
    x.dispose();
    y.dispose();
  });

  it('fits on makeCsvDataset streamed over http, re-fetched each epoch: float64 SGD over the rows in file order', async () => {
    const rows = 40;
    const csv = makeCsvDataset(`${location.origin}/__data/data.csv?n=${rows}&chunk=13`, {
      batchSize: 8,
      labelName: 'label',
      selectColumns: ['x', 'label'],
      numEpochs: 1,
      shuffle: false,
    });
    const ds = csv.map((el) => {
      const [f, label] = el as [Record<string, Tensor>, Tensor];
      return [ops.reshape(ops.divide(f.x!, 1000), [-1, 1]), ops.cast(ops.reshape(label, [-1, 1]), 'float32')] as [Tensor, Tensor];
    });
    const m = model(1);
    await m.fit(ds, { epochs: 1, verbose: 0 });
    const before = memory().numTensors;
    await m.fit(ds, { epochs: 1, verbose: 0 });
    expect(memory().numTensors).toBe(before);
    // Reference: 2 epochs x 5 batches of 8 rows, x = float32(csvX(i)) / 1000 (float32 division), y = i % 3.
    let w = 0;
    let b = 0;
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let start = 0; start < rows; start += 8) {
        let gw = 0;
        let gb = 0;
        for (let i = start; i < start + 8; i++) {
          const x = Math.fround(Math.fround(csvX(i)) / 1000);
          const err = x * w + b - (i % 3);
          gw += (2 * err * x) / 8;
          gb += (2 * err) / 8;
        }
        w -= 0.01 * gw;
        b -= 0.01 * gb;
      }
    }
    const [kernel, bias] = m.getWeights() as Tensor[];
    expectAllClose(kernel!, [[w]], { atol: 1e-5 });
    expectAllClose(bias!, [b], { atol: 1e-5 });
    expect(Math.abs(b)).toBeGreaterThan(0.01);
    kernel!.dispose();
    bias!.dispose();
  });
});

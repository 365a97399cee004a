// Integration with @strata/models (a dev dependency only): a Dataset plugs straight into
// `model.fit`, which re-iterates it each epoch, reads its cardinality and disposes each batch.
import { type Tensor, memory, tensor } from '@strata/core';
import { clearSession } from '@strata/layers';
import { expectAllClose } from '@strata/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { Dataset } from './dataset/dataset';
import { N, X, Y, model, referenceSgd } from './testing/sgd-reference';

describe('model.fit(Dataset)', () => {
  beforeEach(() => clearSession());

  it('trains a Dense model on fromTensorSlices([x, y]).shuffle(100, {seed: 1}).batch(8), reshuffling each epoch', async () => {
    const x = tensor(X);
    const y = tensor(Y);
    const ds = Dataset.fromTensorSlices([x, y]).shuffle(100, { seed: 1 }).batch(8);
    expect(ds.cardinality).toBe(3);
    const m = model();
    const history = await m.fit(ds, { epochs: 2, verbose: 0 });
    expect(history.params.steps).toBe(3);
    expect(history.history.loss!.length).toBe(2);
    expect(history.history.loss![1]!).toBeLessThan(history.history.loss![0]!);

    // The same shuffle over indices gives each epoch's order (epoch 2 is a new pass: a new order).
    const order = Dataset.range(N).shuffle(100, { seed: 1 });
    const e1 = (await order.toArrayValues()) as number[];
    const e2 = (await order.toArrayValues()) as number[];
    expect(e1).not.toEqual(e2);
    const cut = (o: number[]) => [o.slice(0, 8), o.slice(8, 16), o.slice(16)];
    const ref = referenceSgd([...cut(e1), ...cut(e2)]);
    const [kernel, bias] = m.getWeights() as Tensor[];
    expectAllClose(kernel!, [[ref.w[0]!], [ref.w[1]!]], { atol: 1e-5 });
    expectAllClose(bias!, [ref.b], { atol: 1e-5 });
    x.dispose();
    y.dispose();
  });

  it('leaves no tensors behind across epochs, and works with prefetch, cache and dict-free tuples', async () => {
    const x = tensor(X);
    const y = tensor(Y);
    const ds = Dataset.fromTensorSlices([x, y]).cache().shuffle(20, { seed: 2 }).batch(6).prefetch(2);
    const m = model();
    await m.fit(ds, { epochs: 1, verbose: 0 });
    const before = memory().numTensors;
    const history = await m.fit(ds, { epochs: 3, verbose: 0 });
    expect(memory().numTensors).toBe(before);
    expect(history.params.steps).toBe(4);
    const evalBefore = memory().numTensors;
    await m.evaluate(ds, { verbose: 0 });
    expect(memory().numTensors).toBe(evalBefore);
    x.dispose();
    y.dispose();
  });

  it('an infinite dataset needs stepsPerEpoch (cardinality -2 reaches fit)', async () => {
    const x = tensor(X);
    const y = tensor(Y);
    const ds = Dataset.fromTensorSlices([x, y]).batch(5).repeat();
    const m = model();
    await expect(m.fit(ds, { epochs: 1, verbose: 0 })).rejects.toThrow(/infinite/);
    const before = memory().numTensors;
    const history = await m.fit(ds, { epochs: 2, stepsPerEpoch: 3, verbose: 0 });
    expect(history.params.steps).toBe(3);
    // One epoch builds the optimizer's state; count from a second call.
    const after = memory().numTensors;
    await m.fit(ds, { epochs: 2, stepsPerEpoch: 3, verbose: 0 });
    expect(memory().numTensors).toBe(after);
    expect(after).toBeGreaterThanOrEqual(before);
    x.dispose();
    y.dispose();
  });
});

// Integration with @strata/models (a dev dependency only): a Dataset plugs straight into
// `model.fit`, which re-iterates it each epoch, reads its cardinality and disposes each batch.
import { type Tensor, memory, tensor } from '@strata/core';
import { Dense, Input, clearSession } from '@strata/layers';
import { Sequential } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { Dataset } from './dataset/dataset';

const N = 20;
const X = Array.from({ length: N }, (_, i) => [Math.sin(i), Math.cos(0.7 * i)]);
const Y = X.map(([a, b]) => [3 * a! - 2 * b! + 1]);

function model() {
  const m = new Sequential([Input({ shape: [2] }), new Dense(1, { kernelInitializer: 'zeros', biasInitializer: 'zeros' })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

/** Plain float64 minibatch SGD (lr 0.01, Keras' default) on MSE for y = x w + b, over the given batches. */
function referenceSgd(batches: number[][]): { w: number[]; b: number } {
  const lr = 0.01;
  const w = [0, 0];
  let b = 0;
  for (const idx of batches) {
    const gw = [0, 0];
    let gb = 0;
    for (const i of idx) {
      const err = X[i]![0]! * w[0]! + X[i]![1]! * w[1]! + b - Y[i]![0]!;
      gw[0]! += (2 * err * X[i]![0]!) / idx.length;
      gw[1]! += (2 * err * X[i]![1]!) / idx.length;
      gb += (2 * err) / idx.length;
    }
    w[0]! -= lr * gw[0]!;
    w[1]! -= lr * gw[1]!;
    b -= lr * gb;
  }
  return { w, b };
}

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

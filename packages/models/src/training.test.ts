import { Callback, EarlyStopping, LearningRateScheduler } from '@strata/callbacks';
import { type Tensor, memory, ops, random, setRandomSeed, tensor, tidy } from '@strata/core';
import { Concatenate, Dense, Dropout, Input, Layer, clearSession } from '@strata/layers';
import { categoricalCrossentropy, meanSquaredError } from '@strata/losses';
import { SGD } from '@strata/optimizers';
import { expectAllClose } from '@strata/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { Model } from './model';
import { Sequential } from './sequential';

/** Three Gaussian blobs in 4-D: separable, deterministic. */
function blobs(n: number, seed = 3): { x: Tensor; y: Tensor; labels: number[] } {
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const x = tidy(() => {
    const noise = random.normal([n, 4], 0, 0.3, { seed });
    const centers = tensor(labels.map((c) => [c === 0 ? 2 : -1, c === 1 ? 2 : -1, c === 2 ? 2 : -1, 0]));
    return ops.add(noise, centers);
  });
  const y = ops.oneHot(labels, 3);
  return { x, y, labels };
}

function mlp(): Sequential {
  return new Sequential([Input({ shape: [4] }), new Dense(8, { activation: 'relu' }), new Dense(3, { activation: 'softmax' })]);
}

describe('Sequential and Model construction', () => {
  beforeEach(() => clearSession());

  it('names layers like Keras and builds with or without an input shape', () => {
    const a = new Sequential();
    a.add(new Dense(4, { inputShape: [3] }));
    a.add(new Dense(2));
    expect(a.layers.map((l) => l.name)).toEqual(['dense', 'dense_1']);
    expect(a.built).toBe(true);
    expect(a.outputs[0]!.shape).toEqual([null, 2]);

    const lazy = new Sequential([new Dense(5), new Dense(1)]);
    expect(lazy.built).toBe(false);
    const y = lazy.apply(tensor([[1, 2, 3]]));
    expect(y.shape).toEqual([1, 1]);
    expect(lazy.built).toBe(true);
    expect(lazy.countParams()).toBe(3 * 5 + 5 + 5 + 1);
  });

  it('rejects an input of the wrong shape naming the layer and both shapes', () => {
    const model = mlp();
    expect(() => model.predict(tensor([[1, 2, 3]]))).toThrow(/dense.*\(None, 4\).*\(1, 3\)/s);
  });

  it('subclassed models find their layers and train', async () => {
    class TwoLayer extends Model {
      hidden = new Dense(8, { activation: 'tanh' });
      out = new Dense(1);
      override call(x: Tensor | Tensor[]): Tensor {
        return this.out.apply(this.hidden.apply(x as Tensor));
      }
    }
    // Seeded initial weights: the outcome must not depend on which tests ran before.
    setRandomSeed(1);
    const model = new TwoLayer();
    const x = random.uniform([32, 2], -1, 1, { seed: 5 });
    const y = tidy(() => ops.sum(x, 1, true));
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
    const history = await model.fit(x, y, { epochs: 20, batchSize: 8, verbose: 0, seed: 1 });
    expect(model.layers.map((l) => l.name)).toEqual(['dense', 'dense_1']);
    expect(model.weights).toHaveLength(4);
    const loss = history.history.loss!;
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! * 0.2);
  });

  it('nests models as layers and shares layers between calls', () => {
    const inner = new Sequential([Input({ shape: [3] }), new Dense(2, { name: 'inner_dense' })], { name: 'inner' });
    const shared = new Dense(3, { name: 'shared' });
    const a = Input({ shape: [3] });
    const b = Input({ shape: [3] });
    const merged = new Concatenate().apply([inner.apply(shared.apply(a)), inner.apply(shared.apply(b))]);
    const model = new Model({ inputs: [a, b], outputs: merged as never });
    // shared (3*3+3) + inner (3*2+2), each counted once.
    expect(model.countParams()).toBe(12 + 8);
    const x1 = tensor([[1, 0, 0]]);
    const x2 = tensor([[0, 1, 0]]);
    const out = model.predict([x1, x2]) as Tensor;
    const direct = ops.concatenate([inner.apply(shared.apply(x1)), inner.apply(shared.apply(x2))], 1);
    expectAllClose(out, direct);
  });

  it('setWeights/getWeights round trip and check counts and shapes', () => {
    const model = mlp();
    const w = model.getWeights();
    const other = mlp();
    other.setWeights(w);
    const x = tensor([[1, 2, 3, 4]]);
    expectAllClose(other.predict(x) as Tensor, model.predict(x) as Tensor);
    expect(() => other.setWeights(w.slice(1))).toThrow(/expects 4 weight/);
    expect(() => other.setWeights([tensor([[1]]), ...w.slice(1)])).toThrow(/\(4, 8\).*\(1, 1\)/);
  });
});

describe('compile / fit / evaluate / predict', () => {
  beforeEach(() => {
    clearSession();
    setRandomSeed(11);
  });

  it('fits blobs to high accuracy and returns a History', async () => {
    const { x, y } = blobs(90);
    const model = mlp();
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 40, batchSize: 16, verbose: 0, validationSplit: 0.2, seed: 2 });
    expect(history.epoch).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.history.accuracy!.at(-1)).toBeGreaterThan(0.9);
    // validationSplit holds out the last 20% (18 samples), evaluated with the final weights.
    const xv = ops.slice(x, [72, 0], [18, 4]);
    const yv = ops.slice(y, [72, 0], [18, 3]);
    const scores = await model.evaluate(xv, yv, { verbose: 0 });
    expect(scores.loss).toBeCloseTo(history.history.val_loss!.at(-1)!, 5);
    expect(scores.accuracy).toBeCloseTo(history.history.val_accuracy!.at(-1)!, 5);
  });

  it('leaves numTensors unchanged across fit, evaluate and predict', async () => {
    const { x, y } = blobs(30);
    const model = mlp();
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    // The first fit creates optimizer slots and metric state on purpose.
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const before = memory().numTensors;
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, validationData: [x, y] });
    expect(memory().numTensors).toBe(before);
    await model.fit(x.arraySync() as number[][], y.arraySync() as number[][], { epochs: 1, batchSize: 8, verbose: 0 });
    expect(memory().numTensors).toBe(before);
    await model.evaluate(x, y, { verbose: 0, batchSize: 7 });
    expect(memory().numTensors).toBe(before);
    const p = model.predict(x, { batchSize: 7 }) as Tensor;
    expect(memory().numTensors).toBe(before + 1);
    p.dispose();
    await model.trainOnBatch(x, y);
    await model.testOnBatch(x, y);
    expect(memory().numTensors).toBe(before);
  });

  it('predicts the same in batches, in one go and with predictOnBatch', () => {
    const { x } = blobs(23);
    const model = mlp();
    const whole = model.predict(x, { batchSize: 100 }) as Tensor;
    expectAllClose(model.predict(x, { batchSize: 5 }) as Tensor, whole, { atol: 1e-6 });
    expectAllClose(model.predictOnBatch(x) as Tensor, whole, { atol: 1e-6 });
  });

  it('visits samples in order with shuffle: false and reproducibly with a seed', async () => {
    const { x, y } = blobs(12);
    const seen: number[][] = [];
    class FirstColumn extends Layer {
      override call(t: Tensor | Tensor[]): Tensor {
        seen.push(Array.from(ops.slice(t as Tensor, [0, 0], [-1, 1]).dataSync()));
        return t as Tensor;
      }
    }
    const model = new Sequential([Input({ shape: [4] }), new FirstColumn(), new Dense(3, { activation: 'softmax' })]);
    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    const column = Array.from(ops.slice(x, [0, 0], [-1, 1]).dataSync());
    seen.length = 0;
    await model.fit(x, y, { epochs: 1, batchSize: 5, shuffle: false, verbose: 0 });
    expect(seen.flat()).toEqual(column);
    seen.length = 0;
    await model.fit(x, y, { epochs: 1, batchSize: 12, seed: 3, verbose: 0 });
    const first = seen.flat();
    expect(first).not.toEqual(column);
    expect([...first].sort()).toEqual([...column].sort());
    seen.length = 0;
    await model.fit(x, y, { epochs: 1, batchSize: 12, seed: 3, verbose: 0 });
    expect(seen.flat()).toEqual(first);
  });

  it('weights the loss by sampleWeight and classWeight like Keras', async () => {
    const { x, y, labels } = blobs(12);
    const model = mlp();
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'categorical_crossentropy' });
    const perSample = Array.from(categoricalCrossentropy(y, model.predict(x) as Tensor).dataSync());
    const sw = labels.map((_, i) => (i % 2 === 0 ? 1 : 0.25));
    const weighted = perSample.reduce((s, l, i) => s + l * sw[i]!, 0) / perSample.length;
    const scores = await model.evaluate(x, y, { sampleWeight: sw, verbose: 0, batchSize: 12 });
    expect(scores.loss).toBeCloseTo(weighted, 5);
    const classWeight = { 0: 1, 1: 3, 2: 0.5 };
    const cw = perSample.reduce((s, l, i) => s + l * classWeight[labels[i] as 0 | 1 | 2], 0) / perSample.length;
    const logs = await model.trainOnBatch(x, y, { classWeight });
    expect(logs.loss).toBeCloseTo(cw, 5);
  });

  it('adds regularization losses to the training loss', async () => {
    const x = tensor([[1, 2]]);
    const y = tensor([[0.5]]);
    const model = new Sequential([Input({ shape: [2] }), new Dense(1, { kernelRegularizer: 'l2', kernelInitializer: 'ones' })]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'mse' });
    const logs = await model.testOnBatch(x, y);
    // mse (3 - 0.5)^2 + 0.01 * (1 + 1)
    expect(logs.loss).toBeCloseTo(6.25 + 0.02, 5);
  });

  it('compiles per-output losses, loss weights and metrics', async () => {
    const a = Input({ shape: [4], name: 'features' });
    const h = new Dense(6, { activation: 'relu' }).apply(a);
    const cls = new Dense(3, { activation: 'softmax', name: 'cls' }).apply(h);
    const reg = new Dense(1, { name: 'reg' }).apply(h);
    const model = new Model({ inputs: a, outputs: [cls, reg] });
    model.compile({
      optimizer: new SGD({ learningRate: 0 }),
      loss: { cls: 'categorical_crossentropy', reg: 'mse' },
      lossWeights: { cls: 1, reg: 0.5 },
      metrics: { cls: ['accuracy'], reg: ['mae'] },
    });
    const { x, y, labels } = blobs(9);
    const target = tensor(labels.map((c) => [c]));
    const logs = await model.testOnBatch(x, { cls: y, reg: target });
    expect(Object.keys(logs).sort()).toEqual(['cls_accuracy', 'cls_loss', 'loss', 'reg_loss', 'reg_mae']);
    const [pc, pr] = model.predict(x) as Tensor[];
    const lc = ops.mean(categoricalCrossentropy(y, pc!)).dataSync()[0]!;
    const lr = ops.mean(meanSquaredError(target, pr!)).dataSync()[0]!;
    expect(logs.cls_loss).toBeCloseTo(lc, 5);
    expect(logs.reg_loss).toBeCloseTo(lr, 5);
    expect(logs.loss).toBeCloseTo(lc + 0.5 * lr, 5);
  });

  it('honours initialEpoch, callbacks and stopTraining', async () => {
    const { x, y } = blobs(30);
    const model = mlp();
    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    const seen: string[] = [];
    class Recorder extends Callback {
      override async onEpochBegin(epoch: number) {
        seen.push(`begin ${epoch}`);
      }
      override async onTrainBatchEnd(batch: number, logs?: Record<string, number>) {
        if (batch === 0) seen.push(`batch loss ${typeof logs?.loss}`);
      }
    }
    const history = await model.fit(x, y, { epochs: 3, initialEpoch: 1, batchSize: 10, verbose: 0, callbacks: [new Recorder()] });
    expect(history.epoch).toEqual([1, 2]);
    expect(seen).toEqual(['begin 1', 'batch loss number', 'begin 2', 'batch loss number']);

    const lrs: number[] = [];
    const sched = new LearningRateScheduler((epoch: number) => 0.1 / (epoch + 1));
    class LrSpy extends Callback {
      override async onEpochEnd() {
        lrs.push(model.optimizer!.learningRate as number);
      }
    }
    await model.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0, callbacks: [sched, new LrSpy()] });
    expect(lrs.map((v) => Number(v.toFixed(6)))).toEqual([0.1, 0.05, 0.033333]);

    // A monitor that never improves: EarlyStopping(patience=1) stops after epoch 1.
    const early = new EarlyStopping({ monitor: 'loss', patience: 1, mode: 'max', minDelta: 1e9 });
    const h2 = await model.fit(x, y, { epochs: 10, batchSize: 10, verbose: 0, callbacks: [early] });
    expect(h2.epoch.length).toBeLessThan(10);
    expect(model.stopTraining).toBe(true);
  });

  it('freezes layers with trainable = false', async () => {
    const { x, y } = blobs(12);
    const model = mlp();
    const frozen = model.layers[0]!;
    frozen.trainable = false;
    const before = frozen.getWeights();
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    frozen.getWeights().forEach((w, i) => {
      expectAllClose(w, before[i]!, { atol: 0, rtol: 0 });
    });
    expect(model.trainableWeights).toHaveLength(2);
    expect(model.nonTrainableWeights).toHaveLength(2);
    const text = model.summary({ printFn: () => {} });
    expect(text).toContain(' Non-trainable params: 40 (160.00 B)');
  });

  it('passes training=true to Dropout only while fitting', async () => {
    class Probe extends Layer {
      calls: boolean[] = [];
      override call(x: Tensor | Tensor[], args: { training?: boolean } = {}): Tensor {
        this.calls.push(args.training === true);
        return x as Tensor;
      }
    }
    const probe = new Probe();
    const model = new Sequential([Input({ shape: [4] }), new Dropout(0.5), probe, new Dense(3)]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    probe.calls = [];
    const { x, y } = blobs(4);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    model.predict(x);
    expect(probe.calls).toEqual([true, false]);
  });

  it('explains misuse clearly', async () => {
    const model = mlp();
    await expect(model.fit(tensor([[1, 2, 3, 4]]), tensor([[1, 0, 0]]))).rejects.toThrow(/must be compiled/);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(model.fit(tensor([[1, 2, 3, 4]]), tensor([[1, 0, 0], [0, 1, 0]]), { verbose: 0 })).rejects.toThrow(/1 samples.*2/);
  });
});

describe('Model.dispose', () => {
  it('frees the weights, the optimizer state and the loss and metric state', async () => {
    const before = memory().numTensors;
    const model = new Sequential([Input({ shape: [3] }), new Dense(4, { activation: 'relu' }), new Dense(2, { activation: 'softmax' })]);
    model.compile({ optimizer: new SGD({ learningRate: 0.1, momentum: 0.9 }), loss: 'categorical_crossentropy', metrics: ['accuracy', 'auc'] });
    const x = tensor([[1, 2, 3], [0, 1, 0], [2, 0, 1], [1, 1, 1]]);
    const y = tensor([[1, 0], [0, 1], [1, 0], [0, 1]]);
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0 });
    await model.evaluate(x, y, { verbose: 0 });
    x.dispose();
    y.dispose();
    // Weights (4), SGD's iterations, learning rate and momenta, and the metric and loss trackers.
    expect(memory().numTensors - before).toBeGreaterThan(8);
    model.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe('fromConfig that fails part-way', () => {
  it('leaves no layer weights behind (Sequential and Functional)', () => {
    const seq = new Sequential([Input({ shape: [3] }), new Dense(4), new Dense(2)]);
    const goodSeq = seq.getConfig();
    const func = new Model({ inputs: seq.inputs[0]!, outputs: seq.outputs[0]! });
    const goodFunc = func.getConfig();
    seq.dispose();
    const before = memory().numTensors;
    // The last layer's config is corrupt: the layers before it were already built.
    const badSeq = structuredClone(goodSeq) as { layers: { config: Record<string, unknown> }[] };
    badSeq.layers[badSeq.layers.length - 1]!.config.units = 'two';
    expect(() => Sequential.fromConfig(badSeq as never)).toThrow();
    expect(memory().numTensors).toBe(before);
    const badFunc = structuredClone(goodFunc) as { layers: { config: Record<string, unknown> }[] };
    badFunc.layers[badFunc.layers.length - 1]!.config.units = 'two';
    expect(() => Model.fromConfig(badFunc as never)).toThrow();
    expect(memory().numTensors).toBe(before);
  });
});

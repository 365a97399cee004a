import { type Tensor, memory, tensor } from '@strata/core';
import { Dense, Input, clearSession } from '@strata/layers';
import { SGD } from '@strata/optimizers';
import { beforeEach, describe, expect, it } from 'vitest';
import { Model } from './model';
import type { DatasetBatch } from './training/dataset';

const N = 9;
const X = Array.from({ length: N }, (_, i) => [Math.sin(i + 1), Math.cos(0.7 * i), ((i * 7) % 5) / 4 - 0.5, 0.1 * i]);
const LABELS = [0, 1, 2, 1, 1, 0, 2, 2, 0];
const YC: number[][] = LABELS.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
const YR = X.map(([a, b]) => [a! + 0.5 * b!]);
const SW = [1, 0.5, 2, 0, 1.5, 1, 0.25, 3, 1];

/** features -> hidden -> { cls: softmax(3), reg: linear(1) }. */
function twoOutputs(): Model {
  const a = Input({ shape: [4], name: 'features' });
  const h = new Dense(5, { activation: 'tanh' }).apply(a);
  const cls = new Dense(3, { activation: 'softmax', name: 'cls' }).apply(h);
  const reg = new Dense(1, { name: 'reg' }).apply(h);
  return new Model({ inputs: a, outputs: [cls, reg] as never });
}

/** Float64 references from the predictions (plain JS). */
function reference(pc: number[][], pr: number[][], idx: number[], sw: number[] | null) {
  const EPS = 1e-7;
  const w = (i: number) => (sw == null ? 1 : sw[i]!);
  const cce = (i: number) => -YC[i]!.reduce((s, y, k) => s + y * Math.log(Math.min(Math.max(pc[i]![k]!, EPS), 1 - EPS)), 0);
  const se = (i: number) => (pr[i]![0]! - YR[i]![0]!) ** 2;
  const ae = (i: number) => Math.abs(pr[i]![0]! - YR[i]![0]!);
  const argmax = (r: number[]) => r.indexOf(Math.max(...r));
  const n = idx.length;
  // Keras' sum_over_batch_size: sum(loss * weight) / samples; batch means weighted by batch size.
  const clsLoss = idx.reduce((s, i) => s + cce(i) * w(i), 0) / n;
  const regLoss = idx.reduce((s, i) => s + se(i) * w(i), 0) / n;
  const acc = idx.reduce((s, i) => s + (argmax(pc[i]!) === LABELS[i] ? 1 : 0), 0) / n;
  const mae = idx.reduce((s, i) => s + ae(i), 0) / n;
  const wsum = idx.reduce((s, i) => s + w(i), 0);
  const weightedMae = idx.reduce((s, i) => s + ae(i) * w(i), 0) / wsum;
  const weightedAcc = idx.reduce((s, i) => s + (argmax(pc[i]!) === LABELS[i] ? w(i) : 0), 0) / wsum;
  return { clsLoss, regLoss, loss: clsLoss + 0.5 * regLoss, acc, mae, weightedMae, weightedAcc };
}

function dataset(idx: number[][], withWeights: boolean) {
  return {
    cardinality: idx.length,
    *[Symbol.iterator]() {
      for (const b of idx) {
        const x = tensor(b.map((i) => X[i]!));
        const y = { cls: tensor(b.map((i) => YC[i]!)), reg: tensor(b.map((i) => YR[i]!)) };
        yield (withWeights ? [x, y, tensor(b.map((i) => SW[i]!))] : [x, y]) as DatasetBatch;
      }
    },
  };
}

describe('multi-output logs named like Keras 3', () => {
  beforeEach(() => clearSession());

  it('dict losses, metrics, weightedMetrics and lossWeights with sample weights, checked in float64', async () => {
    const model = twoOutputs();
    model.compile({
      optimizer: new SGD({ learningRate: 0 }),
      loss: { cls: 'categorical_crossentropy', reg: 'mse' },
      lossWeights: { cls: 1, reg: 0.5 },
      metrics: { cls: ['accuracy'], reg: ['mae'] },
      weightedMetrics: { cls: ['accuracy'], reg: ['mae'] },
    });
    const [pcT, prT] = model.predict(tensor(X)) as Tensor[];
    const pc = pcT!.arraySync() as number[][];
    const pr = prT!.arraySync() as number[][];
    pcT!.dispose();
    prT!.dispose();

    const train = [[0, 1, 2, 3], [4, 5, 6, 7], [8]];
    const val = [[5, 6, 7, 8], [0, 1]];
    const h = await model.fit(dataset(train, true), { epochs: 1, verbose: 0, validationData: dataset(val, true) });
    expect(Object.keys(h.history).sort()).toEqual(
      [
        'loss',
        'cls_loss',
        'reg_loss',
        'cls_accuracy',
        'reg_mae',
        'cls_weighted_accuracy',
        'reg_weighted_mae',
      ]
        .flatMap((k) => [k, `val_${k}`])
        .sort(),
    );
    const all = (ids: number[][]) => ids.flat();
    for (const [prefix, idx] of [['', all(train)], ['val_', all(val)]] as const) {
      const r = reference(pc, pr, idx, SW);
      const got = (k: string) => h.history[prefix + k]![0]!;
      expect(got('loss')).toBeCloseTo(r.loss, 5);
      // Per-output losses are tracked unweighted by lossWeights, as Keras does.
      expect(got('cls_loss')).toBeCloseTo(r.clsLoss, 5);
      expect(got('reg_loss')).toBeCloseTo(r.regLoss, 5);
      // `metrics` ignore sample weights; `weightedMetrics` use them.
      expect(got('cls_accuracy')).toBeCloseTo(r.acc, 6);
      expect(got('reg_mae')).toBeCloseTo(r.mae, 5);
      expect(got('cls_weighted_accuracy')).toBeCloseTo(r.weightedAcc, 6);
      expect(got('reg_weighted_mae')).toBeCloseTo(r.weightedMae, 5);
    }
    // The same numbers from arrays, with a list of per-output metric entries.
    const before = memory().numTensors;
    const logs = await model.evaluate(tensor(X), [tensor(YC), tensor(YR)], { sampleWeight: SW, batchSize: 4, verbose: 0 });
    expect(memory().numTensors).toBe(before + 3);
    const r = reference(pc, pr, X.map((_, i) => i), SW);
    expect(logs.loss).toBeCloseTo(r.loss, 5);
    expect(logs.reg_weighted_mae).toBeCloseTo(r.weightedMae, 5);
    expect(logs.cls_accuracy).toBeCloseTo(r.acc, 6);
  });

  it('a metrics list has one entry per output; repeated names get _1; one loss means no <output>_loss', async () => {
    const model = twoOutputs();
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: ['categorical_crossentropy', 'mse'], metrics: [['accuracy', 'mae'], 'mae'] });
    const logs = await model.testOnBatch(tensor(X), [tensor(YC), tensor(YR)]);
    expect(Object.keys(logs).sort()).toEqual(['cls_accuracy', 'cls_loss', 'cls_mae', 'loss', 'reg_loss', 'reg_mae']);

    const dup = twoOutputs();
    dup.compile({ optimizer: new SGD({ learningRate: 0 }), loss: ['categorical_crossentropy', 'mse'], metrics: [['mae', 'mae'], []], weightedMetrics: [['mae', 'mae'], []] });
    const dl = await dup.testOnBatch(tensor(X), [tensor(YC), tensor(YR)]);
    expect(Object.keys(dl).sort()).toEqual(['cls_loss', 'cls_mae', 'cls_mae_1', 'cls_weighted_mae', 'cls_weighted_mae_1', 'loss', 'reg_loss']);
    expect(dl.cls_mae_1).toBeCloseTo(dl.cls_mae!, 7);

    // A loss on one output only: Keras adds per-output loss trackers only for more than one loss.
    const one = twoOutputs();
    one.compile({ optimizer: new SGD({ learningRate: 0 }), loss: { reg: 'mse' }, metrics: { cls: ['accuracy'] } });
    const ol = await one.testOnBatch(tensor(X), { cls: tensor(YC), reg: tensor(YR) });
    expect(Object.keys(ol).sort()).toEqual(['cls_accuracy', 'loss']);
    const [, prT] = one.predict(tensor(X)) as Tensor[];
    const pr = prT!.arraySync() as number[][];
    expect(ol.loss).toBeCloseTo(pr.reduce((s, p, i) => s + (p[0]! - YR[i]![0]!) ** 2, 0) / N, 5);
  });

  it('refuses a metrics list whose length is not the number of outputs', async () => {
    const model = twoOutputs();
    model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    await expect(model.testOnBatch(tensor(X), [tensor(YC), tensor(YR)])).rejects.toThrow(
      /`metrics` given as a list needs one entry per output; got 1 entries for 2 outputs \(cls, reg\)/,
    );
    model.compile({ optimizer: 'sgd', loss: 'mse', weightedMetrics: { nope: ['mae'] } });
    await expect(model.testOnBatch(tensor(X), [tensor(YC), tensor(YR)])).rejects.toThrow(/weightedMetrics names unknown output\(s\) nope/);
  });
});

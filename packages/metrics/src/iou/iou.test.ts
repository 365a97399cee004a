import { memory, tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
import type { Metric } from '../metric';
import { deserialize, get, serialize } from '../registry';
import { expectNoLeakNoRead, expectResult } from '../test-helpers';
import { BinaryIoU } from './binary-iou';
import { IoU } from './iou';
import { MeanIoU } from './mean-iou';
import { OneHotIoU } from './one-hot-iou';
import { OneHotMeanIoU } from './one-hot-mean-iou';

const EPS = 1e-7;

/** Float64 confusion matrix (rows labels, columns predictions), ids outside [0, n) dropped. */
function refCm(labels: number[], preds: number[], n: number, w?: number[]): number[][] {
  const cm = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  labels.forEach((l, i) => {
    const p = preds[i]!;
    if (l >= 0 && l < n && p >= 0 && p < n) cm[l]![p]! += w ? w[i]! : 1;
  });
  return cm;
}

/** Float64 reference of Keras' IoU result (epsilons included). */
function refIoU(cm: number[][], targets: number[]): number {
  const n = cm.length;
  const row = (i: number) => cm[i]!.reduce((a, b) => a + b, 0);
  const col = (j: number) => cm.reduce((a, r) => a + r[j]!, 0);
  let sum = 0;
  let valid = 0;
  for (const c of targets) {
    const denom = row(c) + col(c) - cm[c]![c]!;
    if (denom > 1e-9) valid++;
    sum += cm[c]![c]! / (denom + EPS);
  }
  void n;
  return sum / (valid + EPS);
}

const argmax = (row: number[]) => row.indexOf(Math.max(...row));

describe('IoU family', () => {
  it('Keras docstring values', () => {
    const iou = new IoU({ numClasses: 2, targetClassIds: [0] });
    iou.updateState([0, 0, 1, 1], [0, 1, 0, 1]);
    expectResult(iou, 1 / 3);
    iou.resetState();
    iou.updateState([0, 0, 1, 1], [0, 1, 0, 1], [0.3, 0.3, 0.3, 0.1]);
    expectResult(iou, 1 / 3);
    const mean = new MeanIoU({ numClasses: 2 });
    mean.updateState([0, 0, 1, 1], [0, 1, 0, 1]);
    expectResult(mean, 1 / 3);
    mean.resetState();
    mean.updateState([0, 0, 1, 1], [0, 1, 0, 1], [0.3, 0.3, 0.3, 0.1]);
    expectResult(mean, 0.23809525);
    const bin = new BinaryIoU({ targetClassIds: [0, 1], threshold: 0.3 });
    bin.updateState([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7]);
    expectResult(bin, 1 / 3);
    bin.resetState();
    bin.updateState([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], [0.2, 0.3, 0.4, 0.1]);
    expectResult(bin, 0.17361112);
    const yt = [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]];
    const yp = [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]];
    const oh = new OneHotIoU({ numClasses: 3, targetClassIds: [0, 2] });
    oh.updateState(yt, yp, [0.1, 0.2, 0.3, 0.4]);
    expectResult(oh, (0 / (0.3 + 0.6) + 0.1 / (0.7 + 0.1 - 0.1)) / 2, { atol: 1e-6, rtol: 1e-5 });
    const ohm = new OneHotMeanIoU({ numClasses: 3 });
    ohm.updateState(yt, yp, [0.1, 0.2, 0.3, 0.4]);
    expectResult(ohm, 0.1 / 0.7 / 3, { atol: 1e-6, rtol: 1e-5 });
    for (const m of [iou, mean, bin, oh, ohm]) m.dispose();
  });

  it('segmentation maps over several weighted updates, ignore_class, against float64', () => {
    let seed = 3;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const n = 4;
    const iou = new IoU({ numClasses: n, targetClassIds: [1, 3] });
    const mean = new MeanIoU({ numClasses: n, ignoreClass: 255 });
    const all = { l: [] as number[], p: [] as number[], w: [] as number[], keep: [] as number[] };
    for (let b = 0; b < 3; b++) {
      // (2, 3, 3) label / prediction maps with a per-pixel weight map.
      const labels = Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => (rand() < 0.1 ? 255 : Math.floor(rand() * n)))));
      const preds = labels.map((img) => img.map((r) => r.map((l) => (rand() < 0.6 && l < n ? l : Math.floor(rand() * n)))));
      const w = labels.map((img) => img.map((r) => r.map(() => Math.fround(0.5 + rand()))));
      iou.updateState(labels, preds, w);
      mean.updateState(labels, preds, w);
      all.l.push(...labels.flat(2));
      all.p.push(...preds.flat(2));
      all.w.push(...w.flat(2));
    }
    expectResult(iou, refIoU(refCm(all.l, all.p, n, all.w), [1, 3]), { atol: 1e-6, rtol: 1e-5 });
    const kept = all.l.map((l) => (l === 255 ? 0 : 1));
    expectResult(mean, refIoU(refCm(all.l, all.p, n, all.w.map((w, i) => w * kept[i]!)), [0, 1, 2, 3]), { atol: 1e-6, rtol: 1e-5 });
    expect(mean.totalCm.shape).toEqual([n, n]);
    expect(mean.variables.map((v) => v.name)).toEqual(['total_confusion_matrix']);
    iou.dispose();
    mean.dispose();
  });

  it('dense labels/predictions with sparse flags and another axis', () => {
    // Class scores on axis 1 of (batch, classes, width).
    const yt = [[[1, 0], [0, 0], [0, 1]], [[0, 0], [1, 1], [0, 0]]];
    const yp = [[[0.7, 0.1], [0.2, 0.3], [0.1, 0.6]], [[0.3, 0.5], [0.6, 0.2], [0.1, 0.3]]];
    const m = new IoU({ numClasses: 3, targetClassIds: [0, 1, 2], sparseYTrue: false, sparseYPred: false, axis: 1 });
    m.updateState(yt, yp);
    const col = (x: number[][][], b: number, k: number) => argmax(x[b]!.map((r) => r[k]!));
    const labels = [col(yt, 0, 0), col(yt, 0, 1), col(yt, 1, 0), col(yt, 1, 1)];
    const preds = [col(yp, 0, 0), col(yp, 0, 1), col(yp, 1, 0), col(yp, 1, 1)];
    expectResult(m, refIoU(refCm(labels, preds, 3), [0, 1, 2]), { atol: 1e-6, rtol: 1e-5 });
    // Dense one-hot labels with sparse predictions.
    const oh = new OneHotIoU({ numClasses: 3, targetClassIds: [1], sparseYPred: true });
    oh.updateState([[0, 1, 0], [0, 1, 0], [1, 0, 0]], [1, 0, 0]);
    expectResult(oh, 1 / 2);
    m.dispose();
    oh.dispose();
  });

  it('edge cases: empty, unseen target class, all one class', () => {
    const m = new IoU({ numClasses: 3, targetClassIds: [2] });
    expectResult(m, 0);
    m.updateState([0, 1], [0, 1]);
    expectResult(m, 0); // class 2 never seen: no valid entry
    const mean = new MeanIoU({ numClasses: 3 });
    mean.updateState([1, 1, 1], [1, 1, 1]);
    expectResult(mean, 1, { atol: 1e-6, rtol: 1e-6 }); // only class 1 counts
    m.dispose();
    mean.dispose();
  });

  it('config round trip, registration, bad arguments, no leaks', () => {
    const iou = new IoU({ numClasses: 3, targetClassIds: [0, 2], ignoreClass: -1, name: 'iou02' });
    expect(iou.getConfig()).toEqual({
      name: 'iou02',
      dtype: 'float32',
      num_classes: 3,
      target_class_ids: [0, 2],
      ignore_class: -1,
      sparse_y_true: true,
      sparse_y_pred: true,
      axis: -1,
    });
    const mean = new MeanIoU({ numClasses: 4 });
    expect(mean.getConfig()).toEqual({ num_classes: 4, name: 'mean_io_u', dtype: 'float32', ignore_class: null, sparse_y_true: true, sparse_y_pred: true, axis: -1 });
    const bin = new BinaryIoU();
    expect(bin.getConfig()).toEqual({ target_class_ids: [0, 1], threshold: 0.5, name: 'binary_io_u', dtype: 'float32' });
    const oh = new OneHotIoU({ numClasses: 3, targetClassIds: [1] });
    expect(oh.getConfig()).toEqual({ num_classes: 3, target_class_ids: [1], name: 'one_hot_io_u', dtype: 'float32', ignore_class: null, sparse_y_pred: false, axis: -1 });
    const ohm = new OneHotMeanIoU({ numClasses: 2, sparseYPred: true });
    expect(ohm.getConfig()).toEqual({ num_classes: 2, name: 'one_hot_mean_io_u', dtype: 'float32', ignore_class: null, sparse_y_pred: true, axis: -1 });
    const made: Metric[] = [];
    for (const m of [iou, mean, bin, oh, ohm]) {
      const ctor = m.constructor as unknown as { fromConfig(c: unknown): Metric };
      const back = ctor.fromConfig(m.getConfig());
      expect(back).toBeInstanceOf(m.constructor as never);
      expect(back.getConfig()).toEqual(m.getConfig());
      const d = deserialize(serialize(m));
      expect(d.getConfig()).toEqual(m.getConfig());
      made.push(back, d);
    }
    const g = get('binary_io_u');
    expect(g).toBeInstanceOf(BinaryIoU);
    made.push(g);
    expect(() => new IoU({ numClasses: 2, targetClassIds: [0, 2] })).toThrow(/IoU: target class id 2 is out of range, which is \[0, 2\)/);
    expect(() => new IoU({ numClasses: 2, targetClassIds: [] })).toThrow(/IoU.*target_class_ids/);
    expect(() => new MeanIoU({ numClasses: 0 })).toThrow(/MeanIoU.*num_classes.*num_classes=0/);
    expect(() => iou.updateState([0, 1, 2], [0, 1])).toThrow(/IoU: y_true and y_pred.*y_true.shape=\(3,\).*y_pred.shape=\(2,\)/);
    expect(() => iou.updateState([0, 1], [0, 1], [1, 2, 3])).toThrow(/IoU: sample_weight of shape \(3,\)/);

    const yt = tensor([[0, 1], [2, 1]]);
    const yp = tensor([[0, 2], [2, 1]]);
    const sw = tensor([[1, 0.5], [2, 1]]);
    const probs = tensor([0.2, 0.8, 0.6, 0.1]);
    const bl = tensor([0, 1, 1, 0]);
    expectNoLeakNoRead(() => {
      iou.updateState(yt, yp, sw);
      mean.updateState(yt, yp);
      bin.updateState(bl, probs, [1, 2, 3, 4]);
    });
    const before = memory().numTensors;
    for (const m of [iou, mean, bin]) m.result().dispose();
    expect(memory().numTensors).toBe(before);
    for (const t of [yt, yp, sw, probs, bl]) t.dispose();
    for (const m of [iou, mean, bin, oh, ohm, ...made]) m.dispose();
  });
});

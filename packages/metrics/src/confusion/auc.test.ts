import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { deserialize, get, serialize } from '../registry';
import { expectNoLeakNoRead, expectResult, resultOf } from '../test-helpers';
import { AUC } from './auc';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const div = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Keras' AUC thresholds: the ends nudged by epsilon 1e-7. */
function aucThresholds(n: number): number[] {
  return [-1e-7, ...Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1)), 1 + 1e-7];
}

/** Float64 counts of (label, pred > t) with weights. */
function counts(yTrue: number[], yPred: number[], w: number[], thresholds: number[]) {
  const tp: number[] = [];
  const fp: number[] = [];
  const tn: number[] = [];
  const fn: number[] = [];
  for (const t of thresholds) {
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    yTrue.forEach((y, i) => {
      const pos = yPred[i]! > t;
      if (y && pos) a += w[i]!;
      else if (y) d += w[i]!;
      else if (pos) b += w[i]!;
      else c += w[i]!;
    });
    tp.push(a);
    fp.push(b);
    tn.push(c);
    fn.push(d);
  }
  return { tp, fp, tn, fn };
}

/** Float64 AUC by the same Riemann rules as Keras. */
function refAuc(
  yTrue: number[],
  yPred: number[],
  w: number[],
  thresholds: number[],
  curve: 'ROC' | 'PR',
  method: 'interpolation' | 'minoring' | 'majoring',
): number {
  const { tp, fp, tn, fn } = counts(yTrue, yPred, w, thresholds);
  const n = thresholds.length;
  let area = 0;
  if (curve === 'PR' && method === 'interpolation') {
    for (let i = 0; i < n - 1; i++) {
      const p0 = tp[i]! + fp[i]!;
      const p1 = tp[i + 1]! + fp[i + 1]!;
      const dtp = tp[i]! - tp[i + 1]!;
      const slope = div(dtp, Math.max(p0 - p1, 0));
      const intercept = tp[i + 1]! - slope * p1;
      const ratio = p0 > 0 && p1 > 0 ? p0 / p1 : 1;
      area += div(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[i + 1]! + fn[i + 1]!, 0));
    }
    return area;
  }
  const rec = tp.map((v, i) => div(v, v + fn[i]!));
  const x = curve === 'ROC' ? fp.map((v, i) => div(v, v + tn[i]!)) : rec;
  const y = curve === 'ROC' ? rec : tp.map((v, i) => div(v, v + fp[i]!));
  for (let i = 0; i < n - 1; i++) {
    const h = method === 'interpolation' ? (y[i]! + y[i + 1]!) / 2 : method === 'minoring' ? Math.min(y[i]!, y[i + 1]!) : Math.max(y[i]!, y[i + 1]!);
    area += (x[i]! - x[i + 1]!) * h;
  }
  return area;
}

function data(seed: number, size: number) {
  const g = rng(seed);
  const yt = Array.from({ length: size }, () => (g() < 0.45 ? 1 : 0));
  // Informative but noisy scores, float32 exact.
  const yp = yt.map((y) => Math.fround(Math.min(1, Math.max(0, 0.35 * y + 0.65 * g()))));
  const w = Array.from({ length: size }, () => Math.fround(0.2 + g()));
  return { yt, yp, w };
}

describe('AUC', () => {
  it('Keras docstring values (num_thresholds=3)', () => {
    const m = new AUC({ numThresholds: 3 });
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    expectResult(m, 0.75);
    m.resetState();
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1]);
    expectResult(m, 1);
    expectAllClose(m.thresholds, [-1e-7, 0.5, 1 + 1e-7], { atol: 0, rtol: 1e-12 });
    m.dispose();
  });

  it('every curve and summation method matches a float64 Riemann sum, over several weighted updates', () => {
    for (const curve of ['ROC', 'PR'] as const) {
      for (const method of ['interpolation', 'minoring', 'majoring'] as const) {
        const m = new AUC({ numThresholds: 37, curve, summationMethod: method });
        const all = { yt: [] as number[], yp: [] as number[], w: [] as number[] };
        for (let b = 0; b < 3; b++) {
          const d = data(100 + b, 40);
          m.updateState(d.yt, d.yp, d.w);
          all.yt.push(...d.yt);
          all.yp.push(...d.yp);
          all.w.push(...d.w);
        }
        expectResult(m, refAuc(all.yt, all.yp, all.w, aucThresholds(37), curve, method), { atol: 1e-5, rtol: 1e-4 });
        m.dispose();
      }
    }
  });

  it('ROC interpolation equals the exact Mann-Whitney AUC when scores sit inside buckets', () => {
    // Each score in its own bucket midpoint: the trapezoid rule is exact (ties count half).
    const n = 11;
    const g = rng(5);
    const yt = Array.from({ length: 60 }, () => (g() < 0.5 ? 1 : 0));
    const yp = yt.map((y) => Math.fround((Math.floor(Math.min(0.999, 0.3 * y + 0.7 * g()) * (n - 1)) + 0.5) / (n - 1)));
    let pairs = 0;
    let wins = 0;
    for (const [i, a] of yt.entries()) {
      for (const [j, b] of yt.entries()) {
        if (a === 1 && b === 0) {
          pairs++;
          wins += yp[i]! > yp[j]! ? 1 : yp[i] === yp[j] ? 0.5 : 0;
        }
      }
    }
    const m = new AUC({ numThresholds: n });
    m.updateState(yt, yp);
    expectResult(m, wins / pairs, { atol: 1e-6, rtol: 1e-5 });
    m.dispose();
  });

  it('explicit thresholds (sorted, uneven), from_logits, label_weights on flattened data', () => {
    const d = data(9, 30);
    const thresholds = [0.8, 0.1, 0.35, 0.5];
    const m = new AUC({ thresholds });
    expect(m.numThresholds).toBe(6);
    expectAllClose(m.thresholds, [-1e-7, 0.1, 0.35, 0.5, 0.8, 1 + 1e-7], { atol: 0, rtol: 1e-12 });
    m.updateState(d.yt, d.yp, d.w);
    expectResult(m, refAuc(d.yt, d.yp, d.w, m.thresholds, 'ROC', 'interpolation'), { atol: 1e-6, rtol: 1e-5 });
    expect(m.getConfig()['thresholds']).toEqual([0.1, 0.35, 0.5, 0.8]);
    const back = AUC.fromConfig(m.getConfig());
    expect(back.thresholds).toEqual(m.thresholds);
    expect(back.getConfig()).toEqual(m.getConfig());

    // from_logits: a sigmoid first.
    const logits = d.yp.map((p) => Math.fround(6 * (p - 0.5)));
    const lg = new AUC({ fromLogits: true, numThresholds: 25, curve: 'PR' });
    lg.updateState(d.yt, logits);
    const sig = logits.map((z) => 1 / (1 + Math.exp(-z)));
    expectResult(lg, refAuc(d.yt, sig, d.yt.map(() => 1), aucThresholds(25), 'PR', 'interpolation'), { atol: 1e-5, rtol: 1e-4 });

    // label_weights without multi_label weight the flattened entries by their column.
    const lw = new AUC({ numThresholds: 15, labelWeights: [0.2, 1.5] });
    const yt2 = d.yt.slice(0, 20).map((y, i) => [y, d.yt[i + 10]!]);
    const yp2 = d.yp.slice(0, 20).map((p, i) => [p, d.yp[i + 10]!]);
    lw.updateState(yt2, yp2);
    expectResult(lw, refAuc(yt2.flat(), yp2.flat(), yt2.flatMap(() => [0.2, 1.5]), aucThresholds(15), 'ROC', 'interpolation'), { atol: 1e-6, rtol: 1e-5 });
    expect(() => lw.updateState([[1, 0, 1]], [[0.2, 0.3, 0.4]])).toThrow(/AUC: label_weights of shape \(1, 2\).*y_pred of shape \(1, 3\)/);
    for (const x of [m, back, lg, lw]) x.dispose();
  });

  it('multi_label: one AUC per label, averaged (weighted by label_weights)', () => {
    const g = rng(21);
    const rows = 50;
    const yt = Array.from({ length: rows }, () => [0, 1, 2].map(() => (g() < 0.5 ? 1 : 0)));
    const yp = yt.map((row) => row.map((y) => Math.fround(Math.min(1, 0.3 * y + 0.7 * g()))));
    const sw = Array.from({ length: rows }, () => Math.fround(0.5 + g()));
    const th = aucThresholds(30);
    const perLabel = (curve: 'ROC' | 'PR', method: 'interpolation' | 'majoring') =>
      [0, 1, 2].map((j) => refAuc(yt.map((r) => r[j]!), yp.map((r) => r[j]!), sw, th, curve, method));

    const m = new AUC({ numThresholds: 30, multiLabel: true });
    expect(m.variables).toEqual([]);
    expectResult(m, 0);
    m.updateState(yt.slice(0, 20), yp.slice(0, 20), sw.slice(0, 20));
    m.updateState(yt.slice(20), yp.slice(20), sw.slice(20));
    expect(m.truePositives!.shape).toEqual([30, 3]);
    const roc = perLabel('ROC', 'interpolation');
    expectResult(m, (roc[0]! + roc[1]! + roc[2]!) / 3, { atol: 1e-5, rtol: 1e-4 });

    const weights = [1, 0.5, 2];
    const pr = new AUC({ numThresholds: 30, multiLabel: true, numLabels: 3, curve: 'PR', labelWeights: weights });
    expect(pr.variables.map((v) => v.shape)).toEqual([[30, 3], [30, 3], [30, 3], [30, 3]]);
    pr.updateState(yt, yp, sw);
    const prs = perLabel('PR', 'interpolation');
    expectResult(pr, (prs[0]! * 1 + prs[1]! * 0.5 + prs[2]! * 2) / 3.5, { atol: 1e-5, rtol: 1e-4 });

    const maj = new AUC({ numThresholds: 30, multiLabel: true, summationMethod: 'majoring' });
    maj.updateState(yt, yp, sw);
    const mj = perLabel('ROC', 'majoring');
    expectResult(maj, (mj[0]! + mj[1]! + mj[2]!) / 3, { atol: 1e-5, rtol: 1e-4 });

    expect(() => m.updateState([1, 0], [0.3, 0.2])).toThrow(/multi_label=True.*rank 1.*\(2,\)/);
    expect(() => m.updateState([[1, 0]], [[0.3, 0.2]])).toThrow(/AUC: expected y_pred with 3 labels.*\(1, 2\)/);
    m.resetState();
    expectResult(m, 0);
    for (const x of [m, pr, maj]) x.dispose();
  });

  it('edge cases: empty, no positives, all one class, predictions exactly 0 and 1', () => {
    const m = new AUC();
    expectResult(m, 0);
    m.updateState([0, 0, 0], [0.1, 0.5, 0.9]);
    expect(Number.isNaN(resultOf(m))).toBe(false);
    expectResult(m, 0); // recall 0 everywhere
    m.resetState();
    m.updateState([1, 1], [0.2, 0.7]);
    expectResult(m, 0); // fp rate 0 everywhere
    const pr = new AUC({ curve: 'PR' });
    pr.updateState([1, 1], [0.2, 0.7]);
    expectResult(pr, 1);
    // Exact 0 and 1 still fall inside the epsilon-nudged end thresholds: perfect separation.
    const ends = new AUC({ numThresholds: 3 });
    ends.updateState([0, 1], [0, 1]);
    expectResult(ends, 1);
    for (const x of [m, pr, ends]) x.dispose();
  });

  it('config, registration, bad arguments, no leaks', () => {
    const m = new AUC({ numThresholds: 50, curve: 'pr', summationMethod: 'Majoring', name: 'my_auc' });
    expect(m.getConfig()).toEqual({
      name: 'my_auc',
      dtype: 'float32',
      num_thresholds: 50,
      curve: 'PR',
      summation_method: 'majoring',
      multi_label: false,
      num_labels: null,
      label_weights: null,
      from_logits: false,
    });
    const back = AUC.fromConfig(m.getConfig());
    expect(back.getConfig()).toEqual(m.getConfig());
    const g = get('auc');
    expect(g).toBeInstanceOf(AUC);
    expect(g.getConfig()['num_thresholds']).toBe(200);
    expect(g.variables.map((v) => [v.name, v.shape])).toEqual([
      ['true_positives', [200]],
      ['false_positives', [200]],
      ['true_negatives', [200]],
      ['false_negatives', [200]],
    ]);
    const d = deserialize(serialize(m));
    expect(d.getConfig()).toEqual(m.getConfig());
    expect(() => new AUC({ numThresholds: 1 })).toThrow(/AUC.*num_thresholds.*> 1.*num_thresholds=1/);
    expect(() => new AUC({ curve: 'XY' as never })).toThrow(/AUC.*curve.*"XY"/);
    expect(() => new AUC({ summationMethod: 'left' as never })).toThrow(/AUC.*summation method.*"left"/);
    expect(() => new AUC({ thresholds: [0.2, 1.3] })).toThrow(/AUC.*\[0, 1\].*1\.3/);
    expect(() => new AUC({ numLabels: 3 })).toThrow(/num_labels.*multi_label/);
    expect(() => m.updateState([1, 0, 1], [0.2, 0.4])).toThrow(/AUC.*y_true.shape=\(3,\).*y_pred.shape=\(2,\)/);
    const yt = tensor([[1, 0], [0, 1], [1, 1]]);
    const yp = tensor([[0.7, 0.2], [0.4, 0.9], [0.6, 0.3]]);
    const ml = new AUC({ multiLabel: true });
    ml.updateState(yt, yp); // builds the variables
    expectNoLeakNoRead(() => {
      m.updateState(yt, yp, [1, 2, 3]);
      ml.updateState(yt, yp);
      g.updateState(yt, yp);
    });
    const before = memory().numTensors;
    for (const x of [m, ml, g]) x.result().dispose();
    expect(memory().numTensors).toBe(before);
    yt.dispose();
    yp.dispose();
    for (const x of [m, back, g, d, ml]) x.dispose();
  });
});

import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import type { Metric } from '../metric';
import { deserialize, get, serialize } from '../registry';
import { expectNoLeakNoRead, expectResult } from '../test-helpers';
import { F1Score } from './f1-score';
import { FBetaScore } from './f-beta-score';

function valuesOf(m: Metric): number[] {
  const r = m.result();
  const v = Array.from(r.dataSync());
  r.dispose();
  return v;
}

const EPS = 1e-7;

/** Float64 reference of Keras' F-beta (epsilons included), from 0/1 predictions. */
function refFBeta(yt: number[][], pred: number[][], sw: number[] | null, beta: number, average: 'micro' | 'macro' | 'weighted' | null): number[] {
  const c = yt[0]!.length;
  const tp = new Array(c).fill(0);
  const fp = new Array(c).fill(0);
  const fn = new Array(c).fill(0);
  const support = new Array(c).fill(0);
  for (const [i, row] of yt.entries()) {
    for (const [j, y] of row.entries()) {
      const w = sw ? sw[i]! : 1;
      const p = pred[i]![j]!;
      tp[j] += w * p * y;
      fp[j] += w * p * (1 - y);
      fn[j] += w * (1 - p) * y;
      support[j] += w * y;
    }
  }
  const score = (a: number, b: number, d: number) => {
    const precision = a / (a + b + EPS);
    const recall = a / (a + d + EPS);
    return ((1 + beta * beta) * precision * recall) / (beta * beta * precision + recall + EPS);
  };
  if (average === 'micro') {
    const s = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
    return [score(s(tp), s(fp), s(fn))];
  }
  const per = tp.map((a, j) => score(a, fp[j]!, fn[j]!));
  if (average === 'macro') return [per.reduce((x, y) => x + y, 0) / c];
  if (average === 'weighted') {
    const total = support.reduce((x, y) => x + y, 0);
    return [per.reduce((acc, f, j) => acc + (f * support[j]!) / (total + EPS), 0)];
  }
  return per;
}

const yTrue = [
  [1, 1, 1],
  [1, 0, 0],
  [1, 1, 0],
];
const yPred = [
  [0.2, 0.6, 0.7],
  [0.2, 0.6, 0.6],
  [0.6, 0.8, 0.0],
];

describe('FBetaScore / F1Score', () => {
  it('Keras docstring values', () => {
    const fb = new FBetaScore({ beta: 2, threshold: 0.5 });
    fb.updateState(yTrue, yPred);
    expectAllClose(valuesOf(fb), [0.3846154, 0.90909094, 0.8333334], { atol: 1e-6, rtol: 1e-5 });
    const f1 = new F1Score({ threshold: 0.5 });
    f1.updateState(yTrue, yPred);
    expectAllClose(valuesOf(f1), [0.5, 0.8, 0.6666667], { atol: 1e-6, rtol: 1e-5 });
    fb.dispose();
    f1.dispose();
  });

  it('every average, thresholded or argmax, weighted, over several updates, against float64', () => {
    const batches = [
      { yt: yTrue, yp: yPred, sw: [0.5, 2, 1] },
      { yt: [[0, 0, 1], [0, 1, 0]], yp: [[0.1, 0.3, 0.9], [0.8, 0.7, 0.2]], sw: [1.5, 0.25] },
    ];
    for (const average of [null, 'micro', 'macro', 'weighted'] as const) {
      for (const threshold of [0.55, null]) {
        for (const beta of [0.5, 1, 3]) {
          const m = new FBetaScore({ average, threshold, beta });
          const allT: number[][] = [];
          const allP: number[][] = [];
          const allW: number[] = [];
          for (const b of batches) {
            m.updateState(b.yt, b.yp, b.sw);
            allT.push(...b.yt);
            allW.push(...b.sw);
            // 0/1 predictions: above the threshold, or the row maximum (if non-zero).
            allP.push(...b.yp.map((row) => row.map((p) => (threshold == null ? (p >= Math.max(...row) && Math.abs(p) > 1e-9 ? 1 : 0) : p > threshold ? 1 : 0))));
          }
          const expected = refFBeta(allT, allP, allW, beta, average);
          const got = valuesOf(m);
          expect(got.length, `${average} ${threshold} ${beta}`).toBe(expected.length);
          expectAllClose(got, expected, { atol: 1e-6, rtol: 1e-5 });
          m.dispose();
        }
      }
    }
  });

  it('edge cases: all-zero rows with argmax, no positives, empty gives 0 not NaN', () => {
    const m = new F1Score({ average: 'macro' });
    expectResult(m, 0);
    m.updateState([[0, 0], [0, 0]], [[0, 0], [0, 0]]);
    expectResult(m, 0);
    const n = new F1Score();
    // Row [0, 0] predicts nothing (not every class).
    n.updateState([[1, 0], [0, 1]], [[0, 0], [0.2, 0.9]]);
    const v = valuesOf(n);
    expect(v.some(Number.isNaN)).toBe(false);
    expectAllClose(v, refFBeta([[1, 0], [0, 1]], [[0, 0], [0, 1]], null, 1, null), { atol: 1e-6, rtol: 1e-5 });
    m.dispose();
    n.dispose();
  });

  it('config, registration, variables, bad arguments, no leaks', () => {
    const fb = new FBetaScore({ average: 'weighted', beta: 2, threshold: 0.3 });
    expect(fb.getConfig()).toEqual({ name: 'fbeta_score', dtype: 'float32', average: 'weighted', beta: 2, threshold: 0.3 });
    expect(FBetaScore.fromConfig(fb.getConfig()).getConfig()).toEqual(fb.getConfig());
    const f1 = new F1Score({ average: 'micro' });
    expect(f1.getConfig()).toEqual({ name: 'f1_score', dtype: 'float32', average: 'micro', threshold: null });
    const back = F1Score.fromConfig(f1.getConfig());
    expect(back).toBeInstanceOf(F1Score);
    expect(back.getConfig()).toEqual(f1.getConfig());
    expect(deserialize(serialize(fb)).getConfig()).toEqual(fb.getConfig());
    for (const [name, cls] of [['f1_score', F1Score], ['f_beta_score', FBetaScore], ['F1Score', F1Score]] as const) {
      const g = get(name);
      expect(g).toBeInstanceOf(cls);
      g.dispose();
    }
    expect(() => new FBetaScore({ average: 'samples' as never })).toThrow(/FBetaScore.*average.*samples/);
    expect(() => new FBetaScore({ beta: 0 })).toThrow(/FBetaScore.*beta.*> 0.*beta=0/);
    expect(() => new F1Score({ threshold: 1.5 })).toThrow(/F1Score.*0 < threshold <= 1.*threshold=1.5/);
    expect(() => new F1Score().updateState([1, 0], [0.3, 0.8])).toThrow(/F1Score expects 2D inputs.*y_pred.shape=\(2,\).*y_true.shape=\(2,\)/);
    expect(() => fb.updateState([[1, 0, 1]], [[0.2, 0.4]])).toThrow(/FBetaScore.*y_true.shape=\(1, 3\).*y_pred.shape=\(1, 2\)/);

    const yt = tensor(yTrue);
    const yp = tensor(yPred);
    const sw = tensor([1, 2, 3]);
    fb.updateState(yt, yp, sw);
    f1.updateState(yt, yp);
    expect(fb.variables.map((v) => [v.name, v.shape])).toEqual([
      ['true_positives', [3]],
      ['false_positives', [3]],
      ['false_negatives', [3]],
      ['intermediate_weights', [3]],
    ]);
    expect(f1.variables.map((v) => v.shape)).toEqual([[], [], [], []]);
    expect(() => fb.updateState([[1, 0]], [[0.2, 0.4]])).toThrow(/FBetaScore: expected 3 classes.*\(1, 2\)/);
    expectNoLeakNoRead(() => {
      fb.updateState(yt, yp, sw);
      f1.updateState(yt, yp, sw);
    });
    fb.resetState();
    expectResult(fb, 0);
    const before = memory().numTensors;
    f1.result().dispose();
    expect(memory().numTensors).toBe(before);
    for (const t of [yt, yp, sw]) t.dispose();
    for (const m of [fb, f1, back]) m.dispose();
  });
});

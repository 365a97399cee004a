import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import type { Metric } from '../metric';
import { deserialize, get, serialize } from '../registry';
import { expectNoLeakNoRead, expectResult } from '../test-helpers';
import { FalseNegatives } from './false-negatives';
import { FalsePositives } from './false-positives';
import { Precision } from './precision';
import { PrecisionAtRecall } from './precision-at-recall';
import { Recall } from './recall';
import { RecallAtPrecision } from './recall-at-precision';
import { SensitivityAtSpecificity } from './sensitivity-at-specificity';
import { SpecificityAtSensitivity } from './specificity-at-sensitivity';
import { TrueNegatives } from './true-negatives';
import { TruePositives } from './true-positives';

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
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

/** float32-representable values, so the reference sees exactly what the device sees. */
const f32 = (xs: number[]) => xs.map((x) => Math.fround(x));

interface Counts {
  tp: number[];
  fp: number[];
  tn: number[];
  fn: number[];
}

/** Float64 reference: weighted counts of (label, pred > t) at every threshold. */
function refCounts(yTrue: number[], yPred: number[], thresholds: number[], weights?: number[]): Counts {
  const c: Counts = { tp: [], fp: [], tn: [], fn: [] };
  for (const t of thresholds) {
    let tp = 0;
    let fp = 0;
    let tn = 0;
    let fn = 0;
    yTrue.forEach((y, i) => {
      const w = weights ? weights[i]! : 1;
      const pos = yPred[i]! > t;
      if (y !== 0 && pos) tp += w;
      else if (y !== 0) fn += w;
      else if (pos) fp += w;
      else tn += w;
    });
    c.tp.push(tp);
    c.fp.push(fp);
    c.tn.push(tn);
    c.fn.push(fn);
  }
  return c;
}

const div = (a: number, b: number) => (b === 0 ? 0 : a / b);

function valuesOf(m: Metric): number[] {
  const r = m.result();
  const v = Array.from(r.dataSync());
  r.dispose();
  return v;
}

describe('TruePositives / TrueNegatives / FalsePositives / FalseNegatives', () => {
  it('count at the default threshold 0.5 (Keras docstring values)', () => {
    const cases: [Metric, number[], number[], number, number][] = [
      [new TruePositives(), [0, 1, 1, 1], [1, 0, 1, 1], 2, 1],
      [new TrueNegatives(), [0, 1, 0, 0], [1, 1, 0, 0], 2, 1],
      [new FalsePositives(), [0, 1, 0, 0], [0, 0, 1, 1], 2, 1],
      [new FalseNegatives(), [0, 1, 1, 1], [0, 1, 0, 0], 2, 1],
    ];
    for (const [m, yt, yp, plain, weighted] of cases) {
      m.updateState(yt, yp);
      expectResult(m, plain);
      m.resetState();
      m.updateState(yt, yp, [0, 0, 1, 0]);
      expectResult(m, weighted);
      m.dispose();
    }
  });

  it('several thresholds, several updates, sample weights: match a float64 count', () => {
    const r = rng(1);
    const thresholds = [0.15, 0.5, 0.85];
    const ms = { tp: new TruePositives({ thresholds }), fp: new FalsePositives({ thresholds }), tn: new TrueNegatives({ thresholds }), fn: new FalseNegatives({ thresholds }) };
    const allT: number[] = [];
    const allP: number[] = [];
    const allW: number[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const yt = Array.from({ length: 8 }, () => (r() < 0.5 ? 1 : 0));
      const yp = f32(Array.from({ length: 8 }, () => r()));
      const sw = f32(Array.from({ length: 8 }, () => r() * 2));
      for (const m of Object.values(ms)) m.updateState(yt, yp, sw);
      allT.push(...yt);
      allP.push(...yp);
      allW.push(...sw);
    }
    const ref = refCounts(allT, allP, thresholds, allW);
    for (const [k, m] of Object.entries(ms)) {
      expect(m.result().shape).toEqual([3]);
      expectAllClose(valuesOf(m), ref[k as keyof Counts], { atol: 1e-5, rtol: 1e-5 });
      expect(m.variables.map((v) => [v.name, v.shape])).toEqual([['accumulator', [3]]]);
      m.dispose();
    }
  });

  it('evenly spaced thresholds follow Keras bucketing (predictions clipped to [0, 1])', () => {
    // With [0, 0.5, 1] Keras counts by bucket: 1.5 is clipped to 1 and is not above 1.
    const m = new TruePositives({ thresholds: [0, 0.5, 1] });
    m.updateState([1, 1, 1, 1], [0, 0.25, 0.75, 1.5]);
    expectAllClose(valuesOf(m), [3, 2, 0]);
    // Uneven thresholds compare directly: 1.5 > 1.
    const u = new TruePositives({ thresholds: [0, 0.4, 1] });
    u.updateState([1, 1, 1, 1], [0, 0.25, 0.75, 1.5]);
    expectAllClose(valuesOf(u), [3, 2, 1]);
    m.dispose();
    u.dispose();
  });

  it('config, registration, bad thresholds', () => {
    const m = new FalsePositives({ thresholds: [0.3, 0.6], name: 'fp' });
    expect(m.getConfig()).toEqual({ name: 'fp', dtype: 'float32', thresholds: [0.3, 0.6] });
    expect(FalsePositives.fromConfig(m.getConfig()).getConfig()).toEqual(m.getConfig());
    expect(new TruePositives().getConfig()).toEqual({ name: 'true_positives', dtype: 'float32', thresholds: null });
    const pairs: [string, unknown][] = [
      ['true_positives', TruePositives],
      ['true_negatives', TrueNegatives],
      ['false_positives', FalsePositives],
      ['FalseNegatives', FalseNegatives],
    ];
    for (const [name, cls] of pairs) {
      const g = get(name);
      expect(g).toBeInstanceOf(cls as never);
      g.dispose();
    }
    const d = deserialize(serialize(m));
    expect(d).toBeInstanceOf(FalsePositives);
    expect(d.getConfig()).toEqual(m.getConfig());
    expect(() => new TruePositives({ thresholds: [0.5, 1.2] })).toThrow(/TruePositives.*\[0, 1\].*1\.2/);
    expect(() => new FalseNegatives({ thresholds: -0.1 })).toThrow(/FalseNegatives.*\[0, 1\]/);
    expect(() => m.updateState([[1, 0]], [[0.5, 0.2, 0.1]])).toThrow(/FalsePositives.*y_true.shape=\(1, 2\).*y_pred.shape=\(1, 3\)/);
    m.dispose();
    d.dispose();
  });
});

describe('Precision / Recall', () => {
  it('Keras docstring values', () => {
    const p = new Precision();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    expectResult(p, 2 / 3);
    p.resetState();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    expectResult(p, 1);
    const r = new Recall();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    expectResult(r, 2 / 3);
    r.resetState();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    expectResult(r, 1);
    // top_k over ties keeps the first k (Keras: 0 with k=2, 0.5 with k=4).
    const p2 = new Precision({ topK: 2 });
    p2.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    expectResult(p2, 0);
    const p4 = new Precision({ topK: 4 });
    p4.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    expectResult(p4, 0.5);
    for (const m of [p, r, p2, p4]) m.dispose();
  });

  it('empty and one-class edge cases give 0, not NaN', () => {
    const p = new Precision();
    const r = new Recall();
    expectResult(p, 0);
    expectResult(r, 0);
    // No positive label: recall 0; nothing predicted positive: precision 0.
    p.updateState([1, 1], [0.1, 0.2]);
    r.updateState([0, 0], [0.9, 0.1]);
    expectResult(p, 0);
    expectResult(r, 0);
    // All one class and all right: 1.
    p.updateState([1, 1], [0.9, 0.8]);
    expectResult(p, 1);
    p.dispose();
    r.dispose();
  });

  it('multi-threshold, multi-batch, weighted against a float64 reference', () => {
    const g = rng(7);
    const thresholds = [0.2, 0.45, 0.7];
    const p = new Precision({ thresholds });
    const r = new Recall({ thresholds });
    const allT: number[] = [];
    const allP: number[] = [];
    const allW: number[] = [];
    for (let b = 0; b < 4; b++) {
      // (batch, 3) multi-label data with (batch,) weights: each row's weight applies to its 3 entries.
      const rows = 5;
      const yt = Array.from({ length: rows }, () => Array.from({ length: 3 }, () => (g() < 0.4 ? 1 : 0)));
      const yp = Array.from({ length: rows }, () => f32(Array.from({ length: 3 }, () => g())));
      const sw = f32(Array.from({ length: rows }, () => g()));
      p.updateState(yt, yp, sw);
      r.updateState(yt, yp, sw);
      for (const [i, row] of yt.entries()) {
        for (const [j, y] of row.entries()) {
          allT.push(y);
          allP.push(yp[i]![j]!);
          allW.push(sw[i]!);
        }
      }
    }
    const c = refCounts(allT, allP, thresholds, allW);
    expectAllClose(valuesOf(p), c.tp.map((tp, i) => div(tp, tp + c.fp[i]!)), { atol: 1e-6, rtol: 1e-5 });
    expectAllClose(valuesOf(r), c.tp.map((tp, i) => div(tp, tp + c.fn[i]!)), { atol: 1e-6, rtol: 1e-5 });
    p.dispose();
    r.dispose();
  });

  it('top_k and class_id against counting', () => {
    const yt = [
      [0, 1, 1, 0],
      [1, 0, 0, 1],
      [0, 0, 1, 0],
    ];
    const yp = [
      [0.1, 0.6, 0.2, 0.9],
      [0.7, 0.3, 0.4, 0.2],
      [0.5, 0.1, 0.45, 0.05],
    ];
    // top-2 per row: row0 {3, 1}, row1 {0, 2}, row2 {0, 2}; positive when kept (no threshold).
    const kept = yp.map((row) => {
      const order = row.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
      return new Set(order.slice(0, 2).map((o) => o[1]));
    });
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const [i, row] of yt.entries()) {
      for (const [j, y] of row.entries()) {
        const pos = kept[i]!.has(j);
        if (y && pos) tp++;
        else if (pos) fp++;
        else if (y) fn++;
      }
    }
    const p = new Precision({ topK: 2 });
    const r = new Recall({ topK: 2 });
    p.updateState(yt, yp);
    r.updateState(yt, yp);
    expectResult(p, tp / (tp + fp));
    expectResult(r, tp / (tp + fn));
    // top_k with a threshold: kept AND above 0.5.
    const pt = new Precision({ topK: 2, thresholds: 0.5 });
    pt.updateState(yt, yp);
    let tp2 = 0;
    let fp2 = 0;
    for (const [i, row] of yt.entries()) {
      for (const [j, y] of row.entries()) {
        if (!kept[i]!.has(j) || yp[i]![j]! <= 0.5) continue;
        if (y) tp2++;
        else fp2++;
      }
    }
    expectResult(pt, tp2 / (tp2 + fp2));
    // class_id 2 with weights: column 2 only.
    const sw = [1, 2, 3];
    const pc = new Precision({ classId: 2 });
    const rc = new Recall({ classId: 2 });
    pc.updateState(yt, yp, sw);
    rc.updateState(yt, yp, sw);
    const col = refCounts(yt.map((row) => row[2]!), f32(yp.map((row) => row[2]!)), [0.5], sw);
    expectResult(pc, div(col.tp[0]!, col.tp[0]! + col.fp[0]!));
    expectResult(rc, div(col.tp[0]!, col.tp[0]! + col.fn[0]!));
    // class_id 0 with top_k 1: only rows whose top prediction is class 0.
    const pk = new Recall({ classId: 0, topK: 1 });
    pk.updateState(yt, yp);
    expectResult(pk, 1); // row1 (label 1, top is class 0)
    expect(pc.getConfig()).toEqual({ name: 'precision', dtype: 'float32', thresholds: null, top_k: null, class_id: 2 });
    expect(() => pc.updateState([1, 0], [0.3, 0.4])).toThrow(/Precision.*class_id.*\(2,\)/);
    expect(() => new Precision({ classId: 5 }).updateState(yt, yp)).toThrow(/class_id=5.*\(3, 4\)/);
    expect(() => new Recall({ topK: 0 })).toThrow(/Recall.*top_k/);
    for (const m of [p, r, pt, pc, rc, pk]) m.dispose();
  });

  it('config round trip, registration, no leaks', () => {
    const p = new Precision({ thresholds: [0.3, 0.7], classId: 1, name: 'p' });
    expect(Precision.fromConfig(p.getConfig()).getConfig()).toEqual(p.getConfig());
    const r = new Recall({ topK: 3 });
    expect(r.getConfig()).toEqual({ name: 'recall', dtype: 'float32', thresholds: null, top_k: 3, class_id: null });
    expect(Recall.fromConfig(r.getConfig()).getConfig()).toEqual(r.getConfig());
    expect(p.variables.map((v) => [v.name, v.shape])).toEqual([
      ['true_positives', [2]],
      ['false_positives', [2]],
    ]);
    for (const [name, cls] of [['precision', Precision], ['recall', Recall]] as const) {
      const g = get(name);
      expect(g).toBeInstanceOf(cls);
      g.dispose();
    }
    const yt = tensor([[0, 1, 1], [1, 0, 1]]);
    const yp = tensor([[0.2, 0.8, 0.4], [0.9, 0.6, 0.1]]);
    const sw = tensor([1, 3]);
    expectNoLeakNoRead(() => {
      p.updateState(yt, yp, sw);
      r.updateState(yt, yp);
    });
    const before = memory().numTensors;
    p.result().dispose();
    r.result().dispose();
    expect(memory().numTensors).toBe(before);
    for (const t of [yt, yp, sw]) t.dispose();
    p.dispose();
    r.dispose();
  });
});

describe('SensitivityAtSpecificity / SpecificityAtSensitivity / PrecisionAtRecall / RecallAtPrecision', () => {
  it('Keras docstring values', () => {
    const yt = [0, 0, 0, 1, 1];
    const yp = [0, 0.3, 0.8, 0.3, 0.8];
    const cases: [Metric, number, number[], number][] = [
      [new SensitivityAtSpecificity({ specificity: 0.5 }), 0.5, [1, 1, 2, 2, 1], 1 / 3],
      [new SpecificityAtSensitivity({ sensitivity: 0.5 }), 2 / 3, [1, 1, 2, 2, 2], 0.5],
      [new PrecisionAtRecall({ recall: 0.5 }), 0.5, [2, 2, 2, 1, 1], 1 / 3],
    ];
    for (const [m, plain, sw, weighted] of cases) {
      m.updateState(yt, yp);
      expectResult(m, plain);
      m.resetState();
      m.updateState(yt, yp, sw);
      expectResult(m, weighted);
      m.dispose();
    }
    const rp = new RecallAtPrecision({ precision: 0.8 });
    rp.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    expectResult(rp, 0.5);
    rp.resetState();
    rp.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1]);
    expectResult(rp, 1);
    rp.dispose();
  });

  it('match a float64 reference over several weighted updates, with class_id', () => {
    const g = rng(11);
    const n = 21;
    const thresholds = [0, ...Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1)), 1];
    const make = () => [
      new SensitivityAtSpecificity({ specificity: 0.6, numThresholds: n, classId: 1 }),
      new SpecificityAtSensitivity({ sensitivity: 0.7, numThresholds: n, classId: 1 }),
      new PrecisionAtRecall({ recall: 0.4, numThresholds: n, classId: 1 }),
      new RecallAtPrecision({ precision: 0.6, numThresholds: n, classId: 1 }),
    ];
    const ms = make();
    const allT: number[] = [];
    const allP: number[] = [];
    const allW: number[] = [];
    for (let b = 0; b < 3; b++) {
      const yt = Array.from({ length: 10 }, () => [g() < 0.5 ? 1 : 0, g() < 0.5 ? 1 : 0]);
      // Quantized away from the thresholds so rounding cannot matter.
      const yp = yt.map(([, y]) => [g(), Math.fround(Math.min(0.99, Math.max(0.01, (Math.floor((g() * 0.6 + 0.4 * y!) * 40) + 0.5) / 40)))]);
      const sw = f32(Array.from({ length: 10 }, () => 0.5 + g()));
      for (const m of ms) m.updateState(yt, yp, sw);
      for (const [i, row] of yt.entries()) {
        allT.push(row[1]!);
        allP.push(yp[i]![1]!);
        allW.push(sw[i]!);
      }
    }
    const c = refCounts(allT, allP, thresholds, allW);
    const rec = c.tp.map((tp, i) => div(tp, tp + c.fn[i]!));
    const spec = c.tn.map((tn, i) => div(tn, tn + c.fp[i]!));
    const prec = c.tp.map((tp, i) => div(tp, tp + c.fp[i]!));
    const best = (constrained: number[], dependent: number[], v: number) =>
      constrained.reduce((acc, x, i) => (x >= v ? Math.max(acc, dependent[i]!) : acc), 0);
    const expected = [best(spec, rec, 0.6), best(rec, spec, 0.7), best(rec, prec, 0.4), best(prec, rec, 0.6)];
    for (const [i, m] of ms.entries()) expectResult(m, expected[i]!, { atol: 1e-6, rtol: 1e-5 });
    // Unreachable constraint: 0.
    const none = new RecallAtPrecision({ precision: 1, numThresholds: n });
    none.updateState([1, 0], [0.2, 0.9]);
    expectResult(none, 0);
    const fresh = new RecallAtPrecision({ precision: 0.5 });
    expectResult(fresh, 0);
    for (const m of [...ms, none, fresh]) m.dispose();
  });

  it('num_thresholds 1 uses 0.5; config, errors, no leaks', () => {
    const m = new SensitivityAtSpecificity({ specificity: 0.5, numThresholds: 1 });
    expect(m.thresholds).toEqual([0.5]);
    m.updateState([0, 1, 1], [0.2, 0.6, 0.4]);
    expectResult(m, 0.5);
    expect(m.getConfig()).toEqual({ name: 'sensitivity_at_specificity', dtype: 'float32', class_id: null, num_thresholds: 1, specificity: 0.5 });
    const configs = [
      new SpecificityAtSensitivity({ sensitivity: 0.3, numThresholds: 50, classId: 2, name: 's' }),
      new PrecisionAtRecall({ recall: 0.8 }),
      new RecallAtPrecision({ precision: 0.9, numThresholds: 10 }),
    ];
    for (const c of configs) {
      const ctor = c.constructor as unknown as { fromConfig(cfg: unknown): Metric };
      const back = ctor.fromConfig(c.getConfig());
      expect(back.getConfig()).toEqual(c.getConfig());
      back.dispose();
    }
    expect(configs[2]!.getConfig()).toEqual({ name: 'recall_at_precision', dtype: 'float32', class_id: null, num_thresholds: 10, precision: 0.9 });
    expect(configs[0]!.variables.map((v) => [v.name, v.shape])).toEqual([
      ['true_positives', [50]],
      ['false_positives', [50]],
      ['true_negatives', [50]],
      ['false_negatives', [50]],
    ]);
    expect(() => new PrecisionAtRecall({ recall: 1.5 })).toThrow(/PrecisionAtRecall.*`recall`.*\[0, 1\].*recall=1.5/);
    expect(() => new SensitivityAtSpecificity({ specificity: 0.5, numThresholds: 0 })).toThrow(/num_thresholds.*> 0.*num_thresholds=0/);
    const yt = tensor([0, 1, 1, 0]);
    const yp = tensor([0.3, 0.7, 0.2, 0.9]);
    expectNoLeakNoRead(() => {
      for (const c of configs.slice(1)) c.updateState(yt, yp, [1, 2, 1, 2]);
      m.updateState(yt, yp);
    });
    yt.dispose();
    yp.dispose();
    for (const c of [m, ...configs]) c.dispose();
  });
});

import { type Tensor, memory, tensor } from '@strata/core';
import { expectAllClose, gradientError } from '@strata/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { get } from '../registry';
import { BinaryFocalCrossentropy } from './binary-focal-crossentropy';
import { CategoricalFocalCrossentropy } from './categorical-focal-crossentropy';
import { binaryFocalCrossentropy, categoricalFocalCrossentropy, klDivergence, poisson } from './functions';
import { KLDivergence } from './kl-divergence';
import { Poisson } from './poisson';

const EPS = 1e-7;
// the float32 clip bounds the engine actually uses (1 - 1e-7 rounds to 1 - 1.19e-7)
const LO = Math.fround(EPS);
const HI = Math.fround(1 - EPS);
const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

interface BfOpts {
  gamma?: number;
  alpha?: number;
  balance?: boolean;
  logits?: boolean;
  smoothing?: number;
}
// float64 binary focal crossentropy, one value per row
function refBinaryFocal(yt: number[][], yp: number[][], o: BfOpts = {}): number[] {
  const { gamma = 2, alpha = 0.25, balance = false, logits = false, smoothing = 0 } = o;
  return yt.map((row, i) =>
    mean(
      row.map((t0, j) => {
        const t = t0 * (1 - smoothing) + 0.5 * smoothing;
        const p = logits ? sigmoid(yp[i]![j]!) : yp[i]![j]!;
        const pc = clip(p, LO, HI);
        const bce = -(t * Math.log(pc) + (1 - t) * Math.log(1 - pc));
        const pT = t * p + (1 - t) * (1 - p);
        const w = balance ? t * alpha + (1 - t) * (1 - alpha) : 1;
        return w * (1 - pT) ** gamma * bce;
      }),
    ),
  );
}

interface CfOpts {
  gamma?: number;
  alpha?: number | number[];
  logits?: boolean;
  smoothing?: number;
}
function refCategoricalFocal(yt: number[][], yp: number[][], o: CfOpts = {}): number[] {
  const { gamma = 2, alpha = 0.25, logits = false, smoothing = 0 } = o;
  return yt.map((row, i) => {
    let p = yp[i]!;
    if (logits) {
      const m = Math.max(...p);
      const e = p.map((x) => Math.exp(x - m));
      p = e.map((x) => x / sum(e));
    }
    const s = sum(p);
    return sum(
      row.map((t0, j) => {
        const t = t0 * (1 - smoothing) + smoothing / row.length;
        const q = clip(p[j]! / s, LO, HI);
        const a = Array.isArray(alpha) ? alpha[j]! : alpha;
        return a * (1 - q) ** gamma * -t * Math.log(q);
      }),
    );
  });
}

describe('BinaryFocalCrossentropy', () => {
  const YT = [[0, 1, 0, 0]];
  const LOGITS = [[-18.6, 0.51, 2.94, -12.8]];
  const YT2 = [
    [0, 1],
    [0, 0],
  ];
  const LOGITS2 = [
    [-18.6, 0.51],
    [2.94, -12.8],
  ];

  it('Keras docstring numbers (from logits)', () => {
    expectAllClose(new BinaryFocalCrossentropy({ gamma: 2, fromLogits: true }).apply(YT, LOGITS), 0.691, { atol: 1e-3 });
    expectAllClose(new BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 2, fromLogits: true }).apply(YT, LOGITS), 0.51, {
      atol: 1e-2,
    });
    expectAllClose(new BinaryFocalCrossentropy({ gamma: 3, fromLogits: true }).apply(YT2, LOGITS2), 0.647, { atol: 1e-3 });
    expectAllClose(new BinaryFocalCrossentropy({ gamma: 3, fromLogits: true }).apply(YT2, LOGITS2, [0.8, 0.2]), 0.133, { atol: 1e-3 });
    expectAllClose(
      new BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 3, fromLogits: true }).apply(YT2, LOGITS2, [0.8, 0.2]),
      0.097,
      { atol: 1e-3 },
    );
    expectAllClose(new BinaryFocalCrossentropy({ gamma: 4, fromLogits: true, reduction: 'sum' }).apply(YT2, LOGITS2), 1.222, { atol: 1e-3 });
    expectAllClose(new BinaryFocalCrossentropy({ gamma: 5, fromLogits: true, reduction: null }).apply(YT2, LOGITS2), [0.0017, 1.1561], {
      atol: 1e-4,
    });
    expectAllClose(binaryFocalCrossentropy(YT2, [[0.6, 0.4], [0.4, 0.6]], { gamma: 2 }), [0.33, 0.206], { atol: 1e-3 });
  });

  it('matches the float64 reference across options', () => {
    const yt = [
      [1, 0, 1],
      [0, 0, 1],
    ];
    const yp = [
      [0.9, 0.2, 0.35],
      [0.6, 0.05, 0.7],
    ];
    const opts: BfOpts[] = [{}, { gamma: 0 }, { gamma: 1.5, balance: true, alpha: 0.7 }, { smoothing: 0.2 }];
    for (const o of opts) {
      const got = binaryFocalCrossentropy(yt, yp, {
        gamma: o.gamma,
        alpha: o.alpha,
        applyClassBalancing: o.balance,
        labelSmoothing: o.smoothing,
      });
      expectAllClose(got, refBinaryFocal(yt, yp, o), { rtol: 1e-5, atol: 1e-7 });
    }
    const logits = [
      [2, -1, 0.3],
      [-0.5, 4, 1],
    ];
    expectAllClose(binaryFocalCrossentropy(yt, logits, { fromLogits: true, gamma: 3 }), refBinaryFocal(yt, logits, { logits: true, gamma: 3 }), {
      rtol: 1e-5,
    });
    // axis 0: the mean runs over the batch instead
    const got = binaryFocalCrossentropy(yt, yp, { axis: 0 });
    const perElem = refBinaryFocal([[1], [0], [1], [0], [0], [1]], [[0.9], [0.2], [0.35], [0.6], [0.05], [0.7]]);
    expectAllClose(got, [0, 1, 2].map((j) => (perElem[j]! + perElem[3 + j]!) / 2), { rtol: 1e-5 });
  });

  it('probabilities exactly 0 and 1 stay finite', () => {
    const v = binaryFocalCrossentropy([[0, 1, 1, 0]], [[0, 1, 0, 1]]);
    expect(Number.isFinite(v.dataSync()[0]!)).toBe(true);
    expectAllClose(v, refBinaryFocal([[0, 1, 1, 0]], [[0, 1, 0, 1]]), { rtol: 1e-4 });
    v.dispose();
  });

  it('gradient matches finite differences (logits and probabilities)', () => {
    const yt = tensor([
      [1, 0, 1],
      [0, 1, 0],
    ]);
    const logits = tensor([
      [0.3, -0.8, 1.2],
      [-0.4, 0.9, 0.1],
    ]);
    const probs = tensor([
      [0.7, 0.2, 0.45],
      [0.3, 0.6, 0.55],
    ]);
    const l1 = new BinaryFocalCrossentropy({ fromLogits: true, gamma: 2, applyClassBalancing: true });
    const l2 = new BinaryFocalCrossentropy({ gamma: 1.5, labelSmoothing: 0.1 });
    expect(gradientError((x) => l1.apply(yt, x), [logits])).toBeLessThan(2e-2);
    expect(gradientError((x) => l2.apply(yt, x), [probs])).toBeLessThan(2e-2);
    for (const t of [yt, logits, probs]) t.dispose();
  });

  it('config: Keras keys and defaults, round trip, identifier', () => {
    expect(new BinaryFocalCrossentropy().getConfig()).toEqual({
      name: 'binary_focal_crossentropy',
      reduction: 'sum_over_batch_size',
      from_logits: false,
      label_smoothing: 0,
      axis: -1,
      apply_class_balancing: false,
      alpha: 0.25,
      gamma: 2,
    });
    const l = new BinaryFocalCrossentropy({ applyClassBalancing: true, alpha: 0.4, gamma: 3, fromLogits: true, labelSmoothing: 0.1, reduction: 'sum' });
    const back = BinaryFocalCrossentropy.fromConfig(l.getConfig());
    expect(back.getConfig()).toEqual(l.getConfig());
    expect(back.gamma).toBe(3);
    expect(get('binary_focal_crossentropy')).toBeInstanceOf(BinaryFocalCrossentropy);
    expect(get('BinaryFocalCrossentropy')).toBeInstanceOf(BinaryFocalCrossentropy);
  });
});

describe('CategoricalFocalCrossentropy', () => {
  const YT = [
    [0, 1, 0],
    [0, 0, 1],
  ];
  const YP = [
    [0.05, 0.95, 0],
    [0.1, 0.8, 0.1],
  ];

  it('Keras docstring numbers', () => {
    expectAllClose(new CategoricalFocalCrossentropy().apply(YT, YP), 0.23315276, { rtol: 1e-5 });
    expectAllClose(new CategoricalFocalCrossentropy().apply(YT, YP, [0.3, 0.7]), 0.1632, { atol: 1e-4 });
    expectAllClose(new CategoricalFocalCrossentropy({ reduction: 'sum' }).apply(YT, YP), 0.46631, { atol: 1e-5 });
    expectAllClose(new CategoricalFocalCrossentropy({ reduction: null }).apply(YT, YP), [3.2058331e-5, 4.6627346e-1], { rtol: 1e-4 });
    expectAllClose(categoricalFocalCrossentropy(YT, [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]]), [2.63401289e-4, 6.75912094e-1], { rtol: 1e-4 });
  });

  it('matches the float64 reference: unnormalised inputs, logits, per-class alpha, smoothing', () => {
    const yt = [
      [1, 0, 0, 0],
      [0, 0, 1, 0],
    ];
    const yp = [
      [2, 1, 1, 0.5],
      [0.1, 0.3, 0.3, 0.3],
    ];
    const cases: CfOpts[] = [{}, { gamma: 0, alpha: 1 }, { alpha: [0.1, 0.2, 0.3, 0.4], gamma: 1 }, { smoothing: 0.2 }];
    for (const o of cases) {
      const got = categoricalFocalCrossentropy(yt, yp, { alpha: o.alpha, gamma: o.gamma, labelSmoothing: o.smoothing });
      expectAllClose(got, refCategoricalFocal(yt, yp, o), { rtol: 1e-5, atol: 1e-7 });
    }
    const logits = [
      [1, -2, 0.5, 3],
      [0, 0, 2, -1],
    ];
    expectAllClose(categoricalFocalCrossentropy(yt, logits, { fromLogits: true }), refCategoricalFocal(yt, logits, { logits: true }), {
      rtol: 1e-5,
    });
    expect(() => categoricalFocalCrossentropy(yt, yp, { alpha: [0.1, 0.2] })).toThrow(
      /categorical_focal_crossentropy: a list `alpha` needs one weight per class.*alpha of length 2, y_pred.shape=\[2, 4\]/,
    );
  });

  it('probabilities exactly 0 and 1 stay finite; one class warns and gives ~0', () => {
    const v = categoricalFocalCrossentropy([[1, 0], [0, 1]], [[0, 1], [0, 1]]);
    const d = v.dataSync();
    expect(Number.isFinite(d[0]!) && Number.isFinite(d[1]!)).toBe(true);
    expectAllClose(v, refCategoricalFocal([[1, 0], [0, 1]], [[0, 1], [0, 1]]), { rtol: 1e-4 });
    v.dispose();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expectAllClose(categoricalFocalCrossentropy([[1], [1]], [[0.3], [1]]), [0, 0], { atol: 1e-6 });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/categorical_focal_crossentropy.*numClasses > 1/));
    warn.mockRestore();
  });

  it('gradient matches finite differences', () => {
    const yt = tensor(YT);
    const logits = tensor([
      [0.2, 1.1, -0.3],
      [0.5, -0.2, 0.4],
    ]);
    const probs = tensor([
      [0.2, 0.5, 0.3],
      [0.3, 0.3, 0.4],
    ]);
    const l1 = new CategoricalFocalCrossentropy({ fromLogits: true, alpha: [0.2, 0.3, 0.5] });
    const l2 = new CategoricalFocalCrossentropy({ gamma: 3, labelSmoothing: 0.1 });
    expect(gradientError((x) => l1.apply(yt, x), [logits])).toBeLessThan(2e-2);
    expect(gradientError((x) => l2.apply(yt, x), [probs])).toBeLessThan(2e-2);
    for (const t of [yt, logits, probs]) t.dispose();
  });

  it('config round trip (list alpha too) and identifier', () => {
    expect(new CategoricalFocalCrossentropy().getConfig()).toEqual({
      name: 'categorical_focal_crossentropy',
      reduction: 'sum_over_batch_size',
      from_logits: false,
      label_smoothing: 0,
      axis: -1,
      alpha: 0.25,
      gamma: 2,
    });
    const l = new CategoricalFocalCrossentropy({ alpha: [0.2, 0.8], gamma: 1, fromLogits: true });
    const back = CategoricalFocalCrossentropy.fromConfig(JSON.parse(JSON.stringify(l.getConfig())));
    expect(back.getConfig()).toEqual(l.getConfig());
    expect(get('categorical_focal_crossentropy')).toBeInstanceOf(CategoricalFocalCrossentropy);
  });
});

describe('KLDivergence / Poisson', () => {
  const YT = [
    [0.2, 0.3, 0.5],
    [0, 1, 0],
  ];
  const YP = [
    [0.1, 0.6, 0.3],
    [0.25, 0.5, 0.25],
  ];
  const refKl = (yt: number[][], yp: number[][]) =>
    yt.map((r, i) =>
      sum(
        r.map((t0, j) => {
          const t = clip(t0, EPS, 1);
          return t * Math.log(t / clip(yp[i]![j]!, EPS, 1));
        }),
      ),
    );
  const refPoisson = (yt: number[][], yp: number[][]) => yt.map((r, i) => mean(r.map((t, j) => yp[i]![j]! - t * Math.log(yp[i]![j]! + EPS))));

  it('match the float64 references, with sample weights and reductions', () => {
    const kl = refKl(YT, YP);
    expectAllClose(klDivergence(YT, YP), kl, { rtol: 1e-5 });
    expectAllClose(new KLDivergence().apply(YT, YP, [0.5, 2]), (0.5 * kl[0]! + 2 * kl[1]!) / 2, { rtol: 1e-5 });
    expectAllClose(new KLDivergence({ reduction: 'sum' }).apply(YT, YP), kl[0]! + kl[1]!, { rtol: 1e-5 });
    const yCounts = [
      [1, 0, 3],
      [2, 2, 0],
    ];
    const rates = [
      [0.5, 1, 2.5],
      [1.5, 3, 0.2],
    ];
    const p = refPoisson(yCounts, rates);
    expectAllClose(poisson(yCounts, rates), p, { rtol: 1e-5 });
    expectAllClose(new Poisson().apply(yCounts, rates, [1, 3]), (p[0]! + 3 * p[1]!) / 2, { rtol: 1e-5 });
    expectAllClose(new Poisson({ reduction: 'none' }).apply(yCounts, rates), p, { rtol: 1e-5 });
  });

  it('all-zero targets and zero predictions stay finite', () => {
    const a = klDivergence([[0, 0, 0]], [[0, 0.5, 1]]);
    const b = poisson([[0, 2]], [[0, 0]]);
    for (const v of [...a.dataSync(), ...b.dataSync()]) expect(Number.isFinite(v)).toBe(true);
    expectAllClose(a, refKl([[0, 0, 0]], [[0, 0.5, 1]]), { atol: 1e-6 });
    expectAllClose(b, [-(2 * Math.log(EPS)) / 2], { rtol: 1e-4 });
    a.dispose();
    b.dispose();
  });

  it('mismatched shapes name the loss and the shapes', () => {
    expect(() => klDivergence([[1, 0]], [[1, 0, 0]])).toThrow(/kl_divergence: .*y_true.shape=\[1, 2\], y_pred.shape=\[1, 3\]/);
    expect(() => poisson([[1, 0]], [[1, 0, 0]])).toThrow(/poisson: .*y_true.shape=\[1, 2\], y_pred.shape=\[1, 3\]/);
    expect(() => binaryFocalCrossentropy([[1, 0]], [[1, 0, 0]])).toThrow(/binary_focal_crossentropy: .*\[1, 2\].*\[1, 3\]/);
    expect(() => categoricalFocalCrossentropy([[1, 0]], [[1, 0, 0]])).toThrow(/categorical_focal_crossentropy: .*\[1, 2\].*\[1, 3\]/);
  });

  it('identifiers, names and config', () => {
    for (const id of ['kl_divergence', 'kld', 'KLD', 'KLDivergence', 'kullback_leibler_divergence']) {
      expect(get(id), id).toBeInstanceOf(KLDivergence);
    }
    expect(get('poisson')).toBeInstanceOf(Poisson);
    expect(get('Poisson').name).toBe('poisson');
    expect(new KLDivergence().getConfig()).toEqual({ name: 'kl_divergence', reduction: 'sum_over_batch_size' });
    expect(KLDivergence.fromConfig({ name: 'k', reduction: 'sum' }).getConfig()).toEqual({ name: 'k', reduction: 'sum' });
    expect(Poisson.fromConfig(new Poisson({ reduction: 'none' }).getConfig()).reduction).toBe('none');
  });

  it('leaks nothing', () => {
    const yt = tensor(YT);
    const yp = tensor(YP);
    const before = memory().numTensors;
    const fns: ((a: Tensor, b: Tensor) => Tensor)[] = [
      klDivergence,
      poisson,
      (a, b) => binaryFocalCrossentropy(a, b, { fromLogits: true, applyClassBalancing: true }),
      (a, b) => categoricalFocalCrossentropy(a, b, { alpha: [1, 2, 3] }),
      (a, b) => new BinaryFocalCrossentropy().apply(a, b, [1, 2]),
      (a, b) => new CategoricalFocalCrossentropy().apply(a, b),
      (a, b) => new KLDivergence().apply(a, b),
      (a, b) => new Poisson().apply(a, b),
    ];
    for (const f of fns) f(yt, yp).dispose();
    expect(memory().numTensors).toBe(before);
    yt.dispose();
    yp.dispose();
  });
});

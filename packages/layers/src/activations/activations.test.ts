import { type Tensor, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import * as activations from './index';

const xs = [-3, -1.5, -0.5, 0.25, 1, 2.5, 7];
const x = () => tensor(xs);
const sig = (v: number) => 1 / (1 + Math.exp(-v));
const softplus = (v: number) => Math.log1p(Math.exp(v));
const relu6 = (v: number) => Math.min(Math.max(v, 0), 6);

function check(fn: (t: Tensor) => Tensor, expected: number[], atol = 1e-6) {
  tidy(() => expectAllClose(fn(x()), expected, { atol, rtol: 1e-5 }));
}

describe('activations (Keras 3 formulas)', () => {
  it('elementwise functions match hand-computed values', () => {
    check(activations.relu, xs.map((v) => Math.max(v, 0)));
    check(activations.relu6, xs.map(relu6));
    check(activations.sigmoid, xs.map(sig));
    check(activations.tanh, xs.map(Math.tanh));
    check(activations.elu, xs.map((v) => (v > 0 ? v : Math.expm1(v))));
    check(activations.selu, [-1.6705687287671118, -1.3658143533672527, -0.6917581878028713, 0.2626752468388701, 1.0507009873554805, 2.626752468388701, 7.354906911488364]);
    check(activations.softplus, xs.map(softplus), 1e-5);
    check(activations.softsign, xs.map((v) => v / (1 + Math.abs(v))));
    check(activations.silu, xs.map((v) => v * sig(v)), 1e-5);
    check(activations.swish, xs.map((v) => v * sig(v)), 1e-5);
    check(activations.hardSigmoid, xs.map((v) => relu6(v + 3) / 6));
    check(activations.hardSilu, xs.map((v) => (v * relu6(v + 3)) / 6));
    check(activations.hardSwish, xs.map((v) => (v * relu6(v + 3)) / 6));
    check(activations.linear, xs);
    check(activations.exponential, xs.map(Math.exp), 1e-4);
    check(activations.mish, xs.map((v) => v * Math.tanh(softplus(v))), 1e-5);
    check(activations.hardTanh, xs.map((v) => Math.min(Math.max(v, -1), 1)));
    check(activations.tanhShrink, xs.map((v) => v - Math.tanh(v)), 1e-5);
    check(activations.hardShrink, xs.map((v) => (Math.abs(v) > 0.5 ? v : 0)));
    check(activations.softShrink, xs.map((v) => (v > 0.5 ? v - 0.5 : v < -0.5 ? v + 0.5 : 0)));
    check(activations.squareplus, xs.map((v) => (v + Math.sqrt(v * v + 4)) / 2), 1e-5);
    check(activations.sparsePlus, xs.map((v) => (v <= -1 ? 0 : v >= 1 ? v : (v + 1) ** 2 / 4)));
    check(activations.sparseSigmoid, xs.map((v) => (v <= -1 ? 0 : v >= 1 ? 1 : (v + 1) / 2)));
    check(activations.logSigmoid, xs.map((v) => -softplus(-v)), 1e-5);
    check(activations.celu, xs.map((v) => (v > 0 ? v : Math.expm1(v))), 1e-6);
  });

  it('leaky_relu defaults to negative_slope 0.2 (Keras 3)', () => {
    check(activations.leakyRelu, xs.map((v) => (v > 0 ? v : 0.2 * v)));
    tidy(() => expectAllClose(activations.leakyRelu(x(), 0.1), xs.map((v) => (v > 0 ? v : 0.1 * v))));
    tidy(() => expectAllClose(activations.get('leaky_relu')(x()), xs.map((v) => (v > 0 ? v : 0.2 * v))));
  });

  it('gelu defaults to the exact (erf) form; approximate=true uses tanh', () => {
    check(activations.gelu, [-0.00404969409489031, -0.10021080190328713, -0.15426876936299344, 0.14967658142073093, 0.8413447460685429, 2.4844758366855597, 6.999999999991041], 2e-6);
    tidy(() =>
      expectAllClose(
        activations.gelu(x(), true),
        [-0.0036373920817729943, -0.10042842301976707, -0.15428599017485606, 0.149675350701685, 0.8411919906082768, 2.484915733910001, 6.999999999999997],
        { atol: 2e-6 },
      ),
    );
  });

  it('relu options: negative_slope, max_value, threshold', () => {
    // Keras' ReLU.static_call, one scalar at a time.
    const ref = (v: number, slope: number, max: number | null, thr: number) => {
      let y = thr !== 0 ? (v > thr ? v : 0) : Math.max(v, 0);
      if (max != null) y = Math.min(Math.max(y, 0), max);
      if (slope !== 0) y -= slope * Math.max(thr !== 0 ? thr - v : -v, 0);
      return y;
    };
    for (const [slope, max, thr] of [
      [0.1, null, 0],
      [0, 2, 0],
      [0, 6, 0],
      [0.3, 2, 0],
      [0, null, 0.5],
      [0.2, 4, 1],
      [0.5, 6, -1],
    ] as [number, number | null, number][]) {
      tidy(() =>
        expectAllClose(
          activations.relu(x(), { negativeSlope: slope, maxValue: max, threshold: thr }),
          xs.map((v) => ref(v, slope, max, thr)),
        ),
      );
    }
  });

  it('softmax and log_softmax over the last axis (or a given axis)', () => {
    const rows = [
      [1, 2, 3],
      [-1, 0, 4],
    ];
    const sm = rows.map((r) => {
      const e = r.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    tidy(() => expectAllClose(activations.softmax(tensor(rows)), sm));
    tidy(() => expectAllClose(activations.logSoftmax(tensor(rows)), sm.map((r) => r.map(Math.log))));
    const cols = [0, 1, 2].map((j) => {
      const e = [Math.exp(rows[0]![j]!), Math.exp(rows[1]![j]!)];
      return e.map((v) => v / (e[0]! + e[1]!));
    });
    tidy(() => expectAllClose(activations.softmax(tensor(rows), 0), [cols.map((c) => c[0]!), cols.map((c) => c[1]!)]));
  });

  it('glu halves the axis: a * sigmoid(b)', () => {
    tidy(() => expectAllClose(activations.glu(tensor([[1, 2, -1, 0.5]])), [[1 * sig(-1), 2 * sig(0.5)]]));
    expect(() => activations.glu(tensor([[1, 2, 3]]))).toThrow(/even/);
  });

  it('resolves Keras names, aliases and camelCase; serializes to the Keras name', () => {
    for (const [name, canonical] of [
      ['relu', 'relu'],
      ['swish', 'silu'],
      ['hard_swish', 'hard_silu'],
      ['hardSigmoid', 'hard_sigmoid'],
      ['logSoftmax', 'log_softmax'],
      ['leakyRelu', 'leaky_relu'],
      ['linear', 'linear'],
      ['gelu', 'gelu'],
      ['mish', 'mish'],
    ]) {
      expect(activations.serialize(activations.get(name!))).toBe(canonical);
    }
    expect(activations.get(null)).toBe(activations.linear);
    expect(activations.get({ module: 'keras.activations', class_name: 'function', config: 'tanh' as never, registered_name: null })).toBe(
      activations.tanh,
    );
    expect(activations.serialize(activations.relu)).toBe('relu');
    expect(() => activations.get('nope')).toThrow(/Unknown activation/);
  });

  it('gradients match finite differences (away from kinks)', () => {
    const pts = tensor([-1.7, -0.6, 0.3, 1.2, 2.2]);
    for (const fn of [
      activations.sigmoid,
      activations.tanh,
      activations.elu,
      activations.selu,
      activations.softplus,
      activations.softsign,
      activations.silu,
      activations.gelu,
      activations.mish,
      activations.relu,
      activations.leakyRelu,
      activations.hardSigmoid,
      activations.logSigmoid,
      (t: Tensor) => activations.softmax(ops.reshape(t, [1, 5])),
      (t: Tensor) => activations.logSoftmax(ops.reshape(t, [1, 5])),
    ]) {
      const err = gradientError((t) => ops.sum(ops.multiply(fn(t), tensor([0.3, -0.7, 1.1, 0.9, -0.4]))), [pts], 1e-3);
      expect(err).toBeLessThan(2e-3);
    }
  });

  it('leaves no tensors behind', async () => {
    const t = x();
    const leaked = await tensorLeak(() =>
      tidy(() => {
        activations.relu(t, { negativeSlope: 0.1, maxValue: 3, threshold: 0.5 });
        activations.glu(ops.reshape(tensor([1, 2, 3, 4]), [1, 4]));
        activations.softShrink(t);
      }),
    );
    expect(leaked).toBe(0);
    t.dispose();
  });
});

import { type Config, KerasTensor, ShapeError, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Dense } from '../core/dense';
import { Embedding } from '../core/embedding';
import { Input } from '../core/input-layer';
import {
  cloneWithWeights,
  fixtureInputs,
  fixtureLayerConfig,
  fixtureLayerOutput,
  fixtureLayerWeights,
  projectedSum,
  randomTensor,
  weightGradError,
} from '../testing/layer-checks';
import { LSTM } from './lstm';
import { LSTMCell } from './lstm-cell';
import { lstmStep, runReference, toMat } from './rnn-reference';

const TOL = { atol: 1e-5, rtol: 1e-4 };

function withoutSharedIds(config: Config): Config {
  return JSON.parse(JSON.stringify(config, (k, v) => (k === 'shared_object_id' ? undefined : v)));
}

describe('LSTM', () => {
  it('matches the Keras lstm fixture layer by layer (built from the Keras configs)', () => {
    const [tokens] = fixtureInputs('lstm');
    const emb = Embedding.fromConfig(fixtureLayerConfig('lstm', 'embedding'));
    const l1 = LSTM.fromConfig(fixtureLayerConfig('lstm', 'lstm_1'));
    const l2 = LSTM.fromConfig(fixtureLayerConfig('lstm', 'lstm_2'));
    const dense = Dense.fromConfig(fixtureLayerConfig('lstm', 'dense'));
    tidy(() => {
      const e = emb.apply(tokens!);
      emb.setWeights(fixtureLayerWeights('lstm', 'embedding'));
      const e2 = emb.apply(tokens!);
      expectAllClose(e2, fixtureLayerOutput('lstm', 'embedding'), TOL);
      l1.apply(e);
      l1.setWeights(fixtureLayerWeights('lstm', 'lstm_1'));
      const h1 = l1.apply(e2);
      expect(h1.shape).toEqual([4, 10, 6]);
      expectAllClose(h1, fixtureLayerOutput('lstm', 'lstm_1'), TOL);
      l2.apply(h1);
      l2.setWeights(fixtureLayerWeights('lstm', 'lstm_2'));
      const h2 = l2.apply(h1);
      expectAllClose(h2, fixtureLayerOutput('lstm', 'lstm_2'), TOL);
      dense.apply(h2);
      dense.setWeights(fixtureLayerWeights('lstm', 'dense'));
      expectAllClose(dense.apply(h2), [0.5768703, 0.4757614, 0.5121435, 0.49801704], TOL);
      expectAllClose(dense.apply(h2), fixtureLayerOutput('lstm', 'dense'), TOL);
    });
    expect(l1.weights.map((w) => [w.path, w.shape])).toEqual([
      ['lstm_1/lstm_cell/kernel', [8, 24]],
      ['lstm_1/lstm_cell/recurrent_kernel', [6, 24]],
      ['lstm_1/lstm_cell/bias', [24]],
    ]);
  });

  it('config matches Keras key for key and round-trips', () => {
    const l = new LSTM(6, { returnSequences: true, name: 'lstm_1' });
    const keras = withoutSharedIds(fixtureLayerConfig('lstm', 'lstm_1'));
    expect(l.getConfig()).toEqual(keras);
    const x = randomTensor([2, 3, 4], 2);
    const clone = cloneWithWeights(l, x);
    expect(clone.getConfig()).toEqual(l.getConfig());
    tidy(() => expectAllClose(clone.apply(x), l.apply(x), { atol: 0 }));
    const r = new LSTM({ units: 3, kernelRegularizer: 'l2', recurrentConstraint: 'non_neg', unitForgetBias: false, goBackwards: true, dropout: 0.25 });
    const again = LSTM.fromConfig(JSON.parse(JSON.stringify(r.getConfig())));
    expect(again.getConfig()).toEqual({ ...r.getConfig(), name: again.name });
  });

  it('initializes with Keras defaults: unit_forget_bias puts ones in the forget block', () => {
    const l = new LSTM(3);
    tidy(() => l.apply(randomTensor([1, 2, 5])));
    expect(Array.from(l.cell.bias!.dataSync())).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    // orthogonal recurrent kernel (3, 12): rows orthonormal
    const r = toMat(l.cell.recurrentKernel!.dataSync(), 3, 12);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const d = r[i]!.reduce((s, v, k) => s + v * r[j]![k]!, 0);
        expect(d).toBeCloseTo(i === j ? 1 : 0, 4);
      }
    }
    const nb = new LSTM(3, { unitForgetBias: false, useBias: false });
    tidy(() => nb.apply(randomTensor([1, 2, 5])));
    expect(nb.weights.map((w) => w.name)).toEqual(['kernel', 'recurrent_kernel']);
  });

  it('matches a float64 reference with return_state, go_backwards and an initial state', () => {
    const l = new LSTM(3, { returnSequences: true, returnState: true, goBackwards: true, biasInitializer: 'random_normal' });
    const x = randomTensor([2, 4, 5], 3);
    const h0 = randomTensor([2, 3], 4);
    const c0 = randomTensor([2, 3], 5);
    tidy(() => {
      const [y, h, c] = l.apply(x, { initialState: [h0, c0] }) as unknown as [never, never, never];
      const k = toMat(l.cell.kernel!.dataSync(), 5, 12);
      const r = toMat(l.cell.recurrentKernel!.dataSync(), 3, 12);
      const b = Array.from(l.cell.bias!.dataSync());
      const ref = runReference(lstmStep(k, r, b, 3), x.arraySync() as number[][][], [h0.arraySync() as number[][], c0.arraySync() as number[][]], {
        goBackwards: true,
      });
      expectAllClose(y, ref.outputs, TOL);
      expectAllClose(h, ref.states[0]!, TOL);
      expectAllClose(c, ref.states[1]!, TOL);
    });
    expect(l.computeOutputShape([null, 4, 5])).toEqual([
      [null, 4, 3],
      [null, 3],
      [null, 3],
    ]);
  });

  it('masking: Embedding(mask_zero) -> LSTM ignores trailing padding', () => {
    const emb = new Embedding(20, 4, { maskZero: true });
    const l = new LSTM(3);
    const ls = new LSTM(3, { returnSequences: true });
    tidy(() => {
      const padded = tensor([[5, 7, 2, 0, 0], [3, 9, 11, 4, 1]], [2, 5], 'int32');
      const short = tensor([[5, 7, 2]], [1, 3], 'int32');
      const yp = l.apply(emb.apply(padded));
      const ys = l.apply(emb.apply(short));
      expectAllClose(ops.slice(yp, [0, 0], [1, 3]), ys, TOL);
      // return_sequences: masked steps repeat the previous output; the mask passes on.
      const sp = ls.apply(emb.apply(padded));
      const ss = ls.apply(emb.apply(short));
      const last = ops.slice(ss, [0, 2, 0], [1, 1, 3]);
      expectAllClose(ops.slice(sp, [0, 0, 0], [1, 3, 3]), ss, TOL);
      expectAllClose(ops.slice(sp, [0, 3, 0], [1, 1, 3]), last, TOL);
      expectAllClose(ops.slice(sp, [0, 4, 0], [1, 1, 3]), last, TOL);
      const m = tensor([[1, 0]], [1, 2], 'bool');
      expect(ls.computeMask(sp, m)).toBe(m);
      expect(l.computeMask(yp, m)).toBeNull();
    });
  });

  it('gradients w.r.t. inputs and every weight match finite differences', () => {
    const l = new LSTM(2, { returnSequences: true, biasInitializer: 'random_normal' });
    const x = randomTensor([2, 3, 3], 6);
    tidy(() => l.apply(x));
    expect(gradientError((t) => projectedSum(l.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(l, x)).toBeLessThan(1e-2);
  });

  it('rejects inputs of rank != 3 with the layer name and both shapes', () => {
    const l = new LSTM(2, { name: 'probe_lstm' });
    expect(() => tidy(() => l.apply(randomTensor([2, 3])))).toThrow(ShapeError);
    expect(() => tidy(() => l.apply(randomTensor([2, 3])))).toThrow(/probe_lstm.*ndim=3.*\(2, 3\)/);
    expect(() => new LSTM(0)).toThrow(/units/);
  });

  it('symbolic call and computeOutputShape agree with the real output', () => {
    const y = new LSTM(4, { returnSequences: true }).apply(Input({ shape: [7, 3] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 7, 4]);
    const l = new LSTM(5);
    tidy(() => {
      expect(l.apply(randomTensor([2, 6, 3])).shape).toEqual([2, 5]);
    });
    expect(l.computeOutputShape([2, 6, 3])).toEqual([2, 5]);
  });

  it('LSTMCell works on its own', () => {
    const cell = new LSTMCell(3);
    tidy(() => {
      const [h, hs, c] = cell.apply([randomTensor([2, 4]), randomTensor([2, 3], 2), randomTensor([2, 3], 3)]) as never as [never, never, never];
      expect([(h as { shape: number[] }).shape, (c as { shape: number[] }).shape]).toEqual([[2, 3], [2, 3]]);
      expectAllClose(h, hs, { atol: 0 });
    });
  });

  it('leaves no tensors behind (also with dropout in training)', async () => {
    const l = new LSTM(3, { returnSequences: true, dropout: 0.3, recurrentDropout: 0.3 });
    const x = randomTensor([2, 4, 3]);
    tidy(() => l.apply(x));
    expect(await tensorLeak(() => tidy(() => { l.apply(x, { training: true }); }))).toBe(0);
    expect(await tensorLeak(() => l.apply(x).dispose())).toBe(0);
    expect(await tensorLeak(() => l.apply(x, { training: true }).dispose())).toBe(0);
    x.dispose();
  });
});

describe('LSTM goBackwards gradients', () => {
  it('sends each time step its own input gradient', async () => {
    const { checkLayer } = await import('@strata/test-utils');
    const { randomTensor } = await import('../testing/layer-checks');
    checkLayer({ make: () => new LSTM(3, { goBackwards: true }), input: randomTensor([2, 4, 2], 5) });
  });
});

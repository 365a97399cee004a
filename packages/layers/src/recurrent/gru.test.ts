import { type Config, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { fixtureLayerConfig, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { GRU } from './gru';
import { gruStep, runReference, simpleRnnStep, toMat } from './rnn-reference';
import { SimpleRNN } from './simple-rnn';

const TOL = { atol: 1e-5, rtol: 1e-4 };

describe('GRU', () => {
  for (const resetAfter of [true, false]) {
    it(`matches a float64 reference (reset_after=${resetAfter})`, () => {
      const l = new GRU(3, { returnSequences: true, resetAfter, biasInitializer: 'random_normal' });
      const x = randomTensor([2, 4, 5], 11);
      tidy(() => {
        const y = l.apply(x);
        const k = toMat(l.cell.kernel!.dataSync(), 5, 9);
        const r = toMat(l.cell.recurrentKernel!.dataSync(), 3, 9);
        const bd = Array.from(l.cell.bias!.dataSync());
        const b = resetAfter ? [bd.slice(0, 9), bd.slice(9)] : [bd];
        const zeros = [[0, 0, 0], [0, 0, 0]];
        const ref = runReference(gruStep(k, r, b, 3, resetAfter), x.arraySync() as number[][][], [zeros]);
        expectAllClose(y, ref.outputs, TOL);
      });
      expect(l.weights.map((w) => [w.path, w.shape])).toEqual([
        [`${l.name}/gru_cell/kernel`, [5, 9]],
        [`${l.name}/gru_cell/recurrent_kernel`, [3, 9]],
        [`${l.name}/gru_cell/bias`, resetAfter ? [2, 9] : [9]],
      ]);
    });

    it(`gradients match finite differences (reset_after=${resetAfter})`, () => {
      const l = new GRU(2, { resetAfter, biasInitializer: 'random_normal' });
      const x = randomTensor([2, 3, 3], 12);
      tidy(() => l.apply(x));
      expect(gradientError((t) => projectedSum(l.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
      expect(weightGradError(l, x)).toBeLessThan(1e-2);
    });
  }

  it('config has the Keras LSTM keys minus unit_forget_bias plus reset_after, and round-trips', () => {
    const lstmKeys = Object.keys(fixtureLayerConfig('lstm', 'lstm_1')).filter((k) => k !== 'unit_forget_bias');
    const g = new GRU(4, { resetAfter: false, recurrentRegularizer: 'l1' });
    const c = g.getConfig();
    expect(Object.keys(c).sort()).toEqual([...lstmKeys, 'reset_after'].sort());
    expect(c.reset_after).toBe(false);
    const again = GRU.fromConfig(JSON.parse(JSON.stringify(c)) as Config);
    expect(again.getConfig()).toEqual({ ...c, name: again.name });
    expect(new GRU(2).cell.resetAfter).toBe(true);
  });

  it('leaves no tensors behind', async () => {
    const l = new GRU(3, { returnState: true, dropout: 0.2 });
    const x = randomTensor([2, 4, 3]);
    tidy(() => {
      l.apply(x);
    });
    expect(await tensorLeak(() => tidy(() => { l.apply(x, { training: true }); }))).toBe(0);
    x.dispose();
  });
});

describe('SimpleRNN', () => {
  it('matches a float64 reference with go_backwards and return_state', () => {
    const l = new SimpleRNN(4, { returnSequences: true, returnState: true, goBackwards: true, biasInitializer: 'random_normal' });
    const x = randomTensor([3, 5, 2], 21);
    tidy(() => {
      const [y, h] = l.apply(x) as unknown as [never, never];
      const k = toMat(l.cell.kernel!.dataSync(), 2, 4);
      const r = toMat(l.cell.recurrentKernel!.dataSync(), 4, 4);
      const b = Array.from(l.cell.bias!.dataSync());
      const zeros = [0, 1, 2].map(() => [0, 0, 0, 0]);
      const ref = runReference(simpleRnnStep(k, r, b), x.arraySync() as number[][][], [zeros], { goBackwards: true });
      expectAllClose(y, ref.outputs, TOL);
      expectAllClose(h, ref.states[0]!, TOL);
    });
    expect(l.weights.map((w) => w.path)).toEqual([
      `${l.name}/simple_rnn_cell/kernel`,
      `${l.name}/simple_rnn_cell/recurrent_kernel`,
      `${l.name}/simple_rnn_cell/bias`,
    ]);
  });

  it('gradients match finite differences', () => {
    const l = new SimpleRNN(3, { biasInitializer: 'random_normal' });
    const x = randomTensor([2, 3, 2], 22);
    tidy(() => l.apply(x));
    expect(gradientError((t) => projectedSum(l.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(l, x)).toBeLessThan(1e-2);
  });

  it('config keys and round trip', () => {
    const keys = Object.keys(fixtureLayerConfig('lstm', 'lstm_1')).filter((k) => k !== 'unit_forget_bias' && k !== 'recurrent_activation');
    const s = new SimpleRNN(3, { activation: 'relu' });
    expect(Object.keys(s.getConfig()).sort()).toEqual(keys.sort());
    const again = SimpleRNN.fromConfig(JSON.parse(JSON.stringify(s.getConfig())) as Config);
    expect(again.getConfig()).toEqual({ ...s.getConfig(), name: again.name });
    expect(s.computeOutputShape([null, 4, 2])).toEqual([null, 3]);
  });
});

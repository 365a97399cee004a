import { type Config, type Tensor, ValueError, ops, deserializeKerasObject, serializeKerasObject, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { randomTensor } from '../testing/layer-checks';
import { GRUCell } from './gru-cell';
import { LSTMCell } from './lstm-cell';
import { RNN } from './rnn';
import { SimpleRNNCell } from './simple-rnn-cell';

describe('RNN', () => {
  it('RNN(LSTMCell) computes the same as stepping the cell by hand', () => {
    const cell = new LSTMCell(3);
    const rnn = new RNN(cell, { returnSequences: true, returnState: true });
    const x = randomTensor([2, 4, 5], 31);
    tidy(() => {
      const [y, h, c] = rnn.apply(x) as unknown as [never, never, never];
      let states = cell.getInitialState(2);
      const xs = ops.unstack(x, 1);
      const outs = [];
      for (const xt of xs) {
        const [o, ...next] = cell.apply([xt, ...states]) as never as Tensor[];
        outs.push(o!);
        states = next;
      }
      expectAllClose(y, outs.map((o) => o.arraySync() as number[][]).reduce<number[][][]>((acc, o, t) => {
        o.forEach((row, b) => {
          acc[b] ??= [];
          acc[b]![t] = row;
        });
        return acc;
      }, []));
      expectAllClose(h, states[0]!);
      expectAllClose(c, states[1]!);
    });
    expect(rnn.weights.map((w) => w.path)).toEqual([`${rnn.name}/${cell.name}/kernel`, `${rnn.name}/${cell.name}/recurrent_kernel`, `${rnn.name}/${cell.name}/bias`]);
  });

  it('stateful carries states across calls; resetState zeroes them', () => {
    const rnn = new RNN(new SimpleRNNCell(2), { stateful: true });
    const x = randomTensor([3, 2, 2], 32);
    const first = tidy(() => rnn.apply(x).arraySync());
    const second = tidy(() => rnn.apply(x).arraySync());
    expect(second).not.toEqual(first);
    rnn.resetState();
    tidy(() => expectAllClose(rnn.apply(x), first as number[][], { atol: 1e-6 }));
    expect(rnn.weights.length).toBe(3);
    expect(() => tidy(() => rnn.apply(randomTensor([2, 2, 2])))).toThrow(/batch size 3/);
    rnn.dispose();
  });

  it('initial states of the wrong shape throw a clear error', () => {
    const rnn = new RNN(new GRUCell(2), { name: 'probe_rnn' });
    const x = randomTensor([2, 3, 2]);
    expect(() => tidy(() => rnn.apply(x, { initialState: [randomTensor([2, 3])] }))).toThrow(ValueError);
    expect(() => tidy(() => rnn.apply(x, { initialState: [randomTensor([2, 3])] }))).toThrow(/probe_rnn.*\(2, 2\).*\(2, 3\)/);
    expect(() => new RNN({} as never)).toThrow(/cell/);
  });

  it('config carries the serialized cell and round-trips', () => {
    const rnn = new RNN(new GRUCell(2, { resetAfter: false }), { goBackwards: true, zeroOutputForMask: true });
    const x = randomTensor([2, 3, 2]);
    tidy(() => {
      rnn.apply(x);
    });
    const cfg = rnn.getConfig();
    expect((cfg.cell as Config).class_name).toBe('GRUCell');
    const clone = deserializeKerasObject<RNN>('layer', JSON.parse(JSON.stringify(serializeKerasObject(rnn))));
    expect(clone.getConfig()).toEqual(cfg);
    tidy(() => {
      clone.apply(x);
      clone.setWeights(rnn.getWeights());
      expectAllClose(clone.apply(x), rnn.apply(x), { atol: 0 });
    });
  });

  it('computeOutputShape equals the actual shapes; no leaks', async () => {
    const rnn = new RNN(new LSTMCell(4), { returnState: true });
    const x = randomTensor([2, 3, 5]);
    const shapes = tidy(() => (rnn.apply(x) as unknown as { shape: number[] }[]).map((t) => t.shape));
    expect(rnn.computeOutputShape([2, 3, 5])).toEqual(shapes);
    expect(await tensorLeak(() => tidy(() => { rnn.apply(x); }))).toBe(0);
    x.dispose();
  });
});

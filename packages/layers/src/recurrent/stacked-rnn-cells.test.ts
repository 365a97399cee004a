import { type Config, type Tensor, ValueError, deserializeKerasObject, serializeKerasObject, tidy } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
//(lead): import from '@strata/test-utils' once layer-checks is exported from its index.
import { checkLayer } from '@strata/test-utils';
import { Dense } from '../core/dense';
import { randomTensor } from '../testing/layer-checks';
import { GRUCell } from './gru-cell';
import { LSTMCell } from './lstm-cell';
import { RNN } from './rnn';
import { SimpleRNNCell } from './simple-rnn-cell';
import { StackedRNNCells } from './stacked-rnn-cells';

describe('StackedRNNCells', () => {
  it('RNN(StackedRNNCells([a, b])) equals RNN(a) then RNN(b) with the same weights', () => {
    const stacked = new StackedRNNCells([new SimpleRNNCell(3), new LSTMCell(2)]);
    expect(stacked.stateSize).toEqual([3, 2, 2]);
    expect(stacked.outputSize).toBe(2);
    const rnn = new RNN(stacked, { returnSequences: true, returnState: true });
    const first = new RNN(new SimpleRNNCell(3), { returnSequences: true, returnState: true });
    const second = new RNN(new LSTMCell(2), { returnSequences: true, returnState: true });
    const x = randomTensor([2, 4, 5], 11);
    tidy(() => {
      const [y, h1, h2, c2] = rnn.apply(x) as unknown as Tensor[];
      const [s1, f1] = first.apply(x) as unknown as Tensor[];
      second.apply(s1!);
      const ws = rnn.getWeights();
      first.setWeights(ws.slice(0, 3));
      second.setWeights(ws.slice(3));
      const [r1, g1] = first.apply(x) as unknown as Tensor[];
      const [r2, g2, gc2] = second.apply(r1!) as unknown as Tensor[];
      expect(f1).toBeDefined();
      expectAllClose(y!, r2!, { atol: 1e-6 });
      expectAllClose(h1!, g1!, { atol: 1e-6 });
      expectAllClose(h2!, g2!, { atol: 1e-6 });
      expectAllClose(c2!, gc2!, { atol: 1e-6 });
      expect(y!.shape).toEqual([2, 4, 2]);
    });
    expect(rnn.weights.map((w) => w.shape)).toEqual([[5, 3], [3, 3], [3], [3, 8], [2, 8], [8]]);
    expect(rnn.computeOutputShape([null, 4, 5])).toEqual([[null, 4, 2], [null, 3], [null, 2], [null, 2]]);
  });

  it('passes the standard layer check inside RNN (grads through both cells, config round trip)', () => {
    const x = randomTensor([2, 3, 2], 12);
    const { layer } = checkLayer({
      make: () => new RNN(new StackedRNNCells([new GRUCell(2), new SimpleRNNCell(2)])),
      input: x,
      badInputs: [{ input: randomTensor([2, 3]), message: /ndim=3|rank 3|expected ndim/i }],
    });
    const cfg = layer.getConfig();
    const cell = cfg.cell as Config;
    expect(cell.class_name).toBe('StackedRNNCells');
    expect(((cell.config as Config).cells as Config[]).map((c) => c.class_name)).toEqual(['GRUCell', 'SimpleRNNCell']);
    layer.dispose();
    x.dispose();
  });

  it('passes the standard layer check as a cell on its own ([x, ...states] in, [out, ...states] out)', () => {
    const x = randomTensor([2, 3], 13);
    const states = [randomTensor([2, 2], 14), randomTensor([2, 2], 15), randomTensor([2, 2], 16)];
    checkLayer({ make: () => new StackedRNNCells([new LSTMCell(2), new SimpleRNNCell(2)]), input: [x, ...states], symbolic: false });
  });

  it('round-trips through serializeKerasObject; validates its cells', () => {
    const s = new StackedRNNCells({ cells: [new SimpleRNNCell(2), new SimpleRNNCell(3)], name: 'stack' });
    const clone = deserializeKerasObject<StackedRNNCells>('layer', JSON.parse(JSON.stringify(serializeKerasObject(s))));
    expect(clone).toBeInstanceOf(StackedRNNCells);
    expect(clone.stateSize).toEqual([2, 3]);
    expect(clone.getConfig()).toEqual(s.getConfig());
    expect(() => new StackedRNNCells([])).toThrow(ValueError);
    expect(() => new StackedRNNCells([new Dense(2) as never])).toThrow(/RNN cells/);
  });

  it('dropout in training draws per-cell masks of the right shapes', () => {
    const rnn = new RNN(new StackedRNNCells([new SimpleRNNCell(3, { dropout: 0.5, recurrentDropout: 0.5, seed: 1 }), new LSTMCell(2, { dropout: 0.5, seed: 2 })]));
    const x = randomTensor([2, 3, 4], 17);
    tidy(() => {
      expect(rnn.apply(x, { training: true }).shape).toEqual([2, 2]);
    });
    x.dispose();
  });
});

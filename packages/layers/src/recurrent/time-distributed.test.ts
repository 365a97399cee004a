import { type Config, type Tensor, ops, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Dense } from '../core/dense';
import { Input } from '../core/input-layer';
import { randomTensor, weightGradError } from '../testing/layer-checks';
import { TimeDistributed } from './time-distributed';

describe('TimeDistributed', () => {
  it('applies Dense to every timestep', () => {
    const td = new TimeDistributed(new Dense(3, { activation: 'tanh' }), { name: 'td' });
    const x = randomTensor([2, 4, 5], 51);
    tidy(() => {
      const y = td.apply(x);
      expect(y.shape).toEqual([2, 4, 3]);
      for (let t = 0; t < 4; t++) {
        const step = ops.reshape(ops.slice(x, [0, t, 0], [2, 1, 5]), [2, 5]);
        expectAllClose(ops.reshape(ops.slice(y, [0, t, 0], [2, 1, 3]), [2, 3]), td.layer.apply(step) as Tensor, { atol: 1e-6 });
      }
      expect(td.computeOutputShape([2, 4, 5])).toEqual(y.shape);
    });
    expect(td.weights.map((w) => w.path)).toEqual([`td/${td.layer.name}/kernel`, `td/${td.layer.name}/bias`]);
    expect(new TimeDistributed(new Dense(2)).apply(Input({ shape: [7, 3] })).shape).toEqual([null, 7, 2]);
  });

  it('rejects rank < 3 naming the layer and shape', () => {
    const td = new TimeDistributed(new Dense(2), { name: 'probe_td' });
    expect(() => tidy(() => td.apply(randomTensor([2, 3])))).toThrow(/probe_td.*\(2, 3\)/);
  });

  it('gradients, config round trip, no leaks', async () => {
    const td = new TimeDistributed(new Dense(2));
    const x = randomTensor([2, 3, 2], 52);
    tidy(() => {
      td.apply(x);
    });
    expect(weightGradError(td, x)).toBeLessThan(1e-2);
    const again = TimeDistributed.fromConfig(JSON.parse(JSON.stringify(td.getConfig())) as Config);
    expect(again.layer).toBeInstanceOf(Dense);
    tidy(() => {
      again.apply(x);
      again.setWeights(td.getWeights());
      expectAllClose(again.apply(x), td.apply(x), { atol: 0 });
    });
    expect(await tensorLeak(() => tidy(() => { td.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => td.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});

import { type Config, type Tensor, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Embedding } from '../core/embedding';
import { Layer } from '../layer';
import { randomTensor, weightGradError } from '../testing/layer-checks';
import { Bidirectional, type MergeMode } from './bidirectional';
import { GRU } from './gru';
import { LSTM } from './lstm';

describe('Bidirectional', () => {
  it('forward + reversed backward, every merge mode', () => {
    const x = randomTensor([2, 4, 3], 41);
    for (const mode of ['concat', 'sum', 'mul', 'ave', null] as MergeMode[]) {
      const bi = new Bidirectional(new GRU(2, { returnSequences: true }), { mergeMode: mode });
      tidy(() => {
        const out = bi.apply(x) as unknown as Tensor | Tensor[];
        const f = bi.forwardLayer.apply(x);
        const b = ops.flip(bi.backwardLayer.apply(x), 1);
        const want =
          mode === 'concat'
            ? ops.concatenate([f, b], -1)
            : mode === 'sum'
              ? ops.add(f, b)
              : mode === 'mul'
                ? ops.multiply(f, b)
                : mode === 'ave'
                  ? ops.divide(ops.add(f, b), 2)
                  : null;
        if (want == null) {
          expectAllClose((out as Tensor[])[0]!, f, { atol: 0 });
          expectAllClose((out as Tensor[])[1]!, b, { atol: 0 });
        } else {
          expectAllClose(out as Tensor, want, { atol: 1e-6 });
        }
        const shapes = Array.isArray(out) ? out.map((t) => t.shape) : out.shape;
        expect(bi.computeOutputShape([2, 4, 3])).toEqual(shapes);
      });
    }
  });

  it('weights are forward then backward with Keras paths; backward goes backwards', () => {
    const bi = new Bidirectional(new LSTM(2, { name: 'enc' }), { name: 'bi' });
    tidy(() => {
      bi.apply(randomTensor([1, 3, 2]));
    });
    expect(bi.forwardLayer.name).toBe('forward_enc');
    expect(bi.backwardLayer.goBackwards).toBe(true);
    expect(bi.weights.map((w) => w.path)).toEqual([
      'bi/forward_enc/lstm_cell/kernel',
      'bi/forward_enc/lstm_cell/recurrent_kernel',
      'bi/forward_enc/lstm_cell/bias',
      'bi/backward_enc/lstm_cell/kernel',
      'bi/backward_enc/lstm_cell/recurrent_kernel',
      'bi/backward_enc/lstm_cell/bias',
    ]);
  });

  it('return_state gives [output, forward states, backward states]; initial states split in halves', () => {
    const bi = new Bidirectional(new LSTM(2, { returnState: true }));
    const x = randomTensor([2, 3, 2], 42);
    tidy(() => {
      const init = [1, 2, 3, 4].map((s) => randomTensor([2, 2], s));
      const out = bi.apply(x, { initialState: init }) as unknown as Tensor[];
      expect(out.map((t) => t.shape)).toEqual([[2, 4], [2, 2], [2, 2], [2, 2], [2, 2]]);
      const [fy, fh] = bi.forwardLayer.apply(x, { initialState: init.slice(0, 2) }) as unknown as Tensor[];
      expectAllClose(out[1]!, fh!, { atol: 0 });
      expectAllClose(ops.slice(out[0]!, [0, 0], [2, 2]), fy!, { atol: 0 });
      expect(bi.computeOutputShape([2, 3, 2])).toEqual(out.map((t) => t.shape));
    });
  });

  it('masking reaches both directions', () => {
    const emb = new Embedding(10, 3, { maskZero: true });
    const bi = new Bidirectional(new GRU(2));
    tidy(() => {
      const a = bi.apply(emb.apply(tensor([[4, 5, 0, 0]], [1, 4], 'int32')));
      const b = bi.apply(emb.apply(tensor([[4, 5]], [1, 2], 'int32')));
      expectAllClose(a, b, { atol: 1e-6 });
    });
  });

  it('gradients, config round trip, no leaks', async () => {
    const bi = new Bidirectional(new GRU(2), { mergeMode: 'sum' });
    const x = randomTensor([2, 3, 2], 43);
    tidy(() => {
      bi.apply(x);
    });
    expect(weightGradError(bi, x)).toBeLessThan(1e-2);
    const cfg = bi.getConfig();
    expect(Object.keys(cfg)).toEqual(expect.arrayContaining(['merge_mode', 'layer', 'backward_layer']));
    const again = Bidirectional.fromConfig(JSON.parse(JSON.stringify(cfg)) as Config);
    expect(again).toBeInstanceOf(Layer);
    expect(again.forwardLayer.name).toBe(bi.forwardLayer.name);
    tidy(() => {
      again.apply(x);
      again.setWeights(bi.getWeights());
      expectAllClose(again.apply(x), bi.apply(x), { atol: 0 });
    });
    expect(() => new Bidirectional(new GRU(2), { mergeMode: 'max' as never })).toThrow(/merge mode/i);
    expect(await tensorLeak(() => tidy(() => { bi.apply(x); }))).toBe(0);
    x.dispose();
  });
});

import { type Tensor, ops, tensor } from '@strata/core';
import { Dense, Embedding, GRU, LSTM, clearSession } from '@strata/layers';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Sequential } from './sequential';

describe('masking through a model', () => {
  for (const [name, make] of [
    ['LSTM', () => new LSTM(4)],
    ['GRU', () => new GRU(4)],
  ] as const) {
    it(`Embedding(maskZero) -> ${name} -> Dense ignores padding, as in Keras`, () => {
      clearSession();
      const model = new Sequential([new Embedding(10, 3, { maskZero: true }), make(), new Dense(2)]);
      const padded = tensor([[3, 5, 0, 0], [7, 2, 9, 0]], undefined, 'int32');
      const short = tensor([[3, 5]], undefined, 'int32');
      const full = tensor([[7, 2, 9]], undefined, 'int32');
      const y = model.predict(padded) as Tensor;
      expect(y.shape).toEqual([2, 2]);
      expectAllClose(ops.slice(y, [0, 0], [1, 2]), model.predict(short) as Tensor, { atol: 1e-6 });
      expectAllClose(ops.slice(y, [1, 0], [1, 2]), model.predict(full) as Tensor, { atol: 1e-6 });
      // Without the mask the padding would change the result.
      const unmasked = new Sequential([new Embedding(10, 3), make(), new Dense(2)]);
      unmasked.apply(padded);
      unmasked.setWeights(model.getWeights());
      const differs = ops.max(ops.abs(ops.subtract(unmasked.predict(padded) as Tensor, y))).dataSync()[0]!;
      expect(differs).toBeGreaterThan(1e-4);
    });
  }
});

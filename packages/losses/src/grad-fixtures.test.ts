import { type Tensor, ops, tidy } from '@strata/core';
import { type TensorJson, expectAllClose, fixtureTensor, readFixtureJson } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { CategoricalCrossentropy } from './probabilistic/categorical-crossentropy';
import { get } from './registry';

interface GradFixture {
  x: TensorJson;
  y: TensorJson;
  loss_value: number;
  variables: { path: string; before: TensorJson }[];
}

// The fixture models' forward passes, written with plain ops from the `before` weights.
function mlp(fx: GradFixture): Tensor {
  const [k1, b1, k2, b2] = fx.variables.map((v) => fixtureTensor(v.before));
  const h = ops.relu(ops.add(ops.matmul(fixtureTensor(fx.x), k1!), b1!));
  return ops.softmax(ops.add(ops.matmul(h, k2!), b2!));
}
function cnn(fx: GradFixture): Tensor {
  const [k, b, dk, db] = fx.variables.map((v) => fixtureTensor(v.before));
  const c = ops.relu(ops.add(ops.conv(fixtureTensor(fx.x), k!), b!));
  const p = ops.maxPool(c, 2);
  const flat = ops.reshape(p, [p.shape[0]!, -1]);
  return ops.softmax(ops.add(ops.matmul(flat, dk!), db!));
}

describe('categorical crossentropy of the Keras grad fixtures', () => {
  for (const [file, forward] of [
    ['mlp_sgd_cce.json', mlp],
    ['cnn_sgd_cce.json', cnn],
  ] as const) {
    it(`reproduces loss_value of ${file}`, () => {
      const fx = readFixtureJson<GradFixture>('grad', file);
      const value = tidy(() => {
        const yPred = forward(fx);
        const a = new CategoricalCrossentropy().apply(fixtureTensor(fx.y), yPred);
        const b = get('categorical_crossentropy').apply(fixtureTensor(fx.y), yPred);
        return [a.dataSync()[0]!, b.dataSync()[0]!];
      });
      expectAllClose(value, [fx.loss_value, fx.loss_value], { atol: 1e-5, rtol: 1e-5 });
      expect(value[0]).toBe(value[1]);
    });
  }
});

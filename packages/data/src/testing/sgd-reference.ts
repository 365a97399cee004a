// The fit-on-a-Dataset case shared by the Node and browser tests: a linear target, a zero-initialised
// Dense model, and plain float64 minibatch SGD over the same batches as the reference.
import { Dense, Input } from '@strata/layers';
import { Sequential } from '@strata/models';

export const N = 20;
export const X = Array.from({ length: N }, (_, i) => [Math.sin(i), Math.cos(0.7 * i)]);
export const Y = X.map(([a, b]) => [3 * a! - 2 * b! + 1]);

/** A zero-initialised Dense(1) on `features` inputs, compiled with SGD (Keras' defaults) and MSE. */
export function model(features = 2): Sequential {
  const m = new Sequential([Input({ shape: [features] }), new Dense(1, { kernelInitializer: 'zeros', biasInitializer: 'zeros' })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

/** Plain float64 minibatch SGD (lr 0.01, Keras' default) on MSE for y = x w + b, over the given batches of indices. */
export function referenceSgd(batches: number[][]): { w: number[]; b: number } {
  const lr = 0.01;
  const w = [0, 0];
  let b = 0;
  for (const idx of batches) {
    const gw = [0, 0];
    let gb = 0;
    for (const i of idx) {
      const err = X[i]![0]! * w[0]! + X[i]![1]! * w[1]! + b - Y[i]![0]!;
      gw[0]! += (2 * err * X[i]![0]!) / idx.length;
      gw[1]! += (2 * err * X[i]![1]!) / idx.length;
      gb += (2 * err) / idx.length;
    }
    w[0]! -= lr * gw[0]!;
    w[1]! -= lr * gw[1]!;
    b -= lr * gb;
  }
  return { w, b };
}

import { type Tensor, grads, tensor, tidy } from '@strata/core';

/**
 * Compares the analytic gradients of scalar `f` at `inputs` with central finite differences
 * (float32, so use small inputs and a step around 1e-2..1e-3). Returns the largest relative error
 * max|g - fd| / max(1, |fd|).
 */
export function gradientError(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], eps = 1e-3): number {
  const analytic = tidy(() => grads((...xs: Tensor[]) => f(...xs))(inputs).map((g) => Array.from(g.dataSync())));
  let worst = 0;
  inputs.forEach((x, k) => {
    const base = Float64Array.from(x.dataSync());
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number) =>
        tidy(() => {
          const v = Float32Array.from(base);
          v[i] = base[i]! + delta;
          const xs = inputs.map((inp, j) => (j === k ? tensor(v, inp.shape) : inp));
          return f(...xs).dataSync()[0]!;
        });
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      const g = analytic[k]![i]!;
      worst = Math.max(worst, Math.abs(g - fd) / Math.max(1, Math.abs(fd)));
    }
  });
  return worst;
}

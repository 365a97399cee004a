import { tfc } from './engine';
import { ValueError } from './errors';
import type { Scalar, Tensor } from './tensor';
import type { Variable } from './variable';

export const grad = tfc.grad;
export const grads = tfc.grads;
export const valueAndGrad = tfc.valueAndGrad;
export const valueAndGrads = tfc.valueAndGrads;
export const customGrad = tfc.customGrad;

/** Stops gradients flowing through `x` (`keras.ops.stop_gradient`). */
export function stopGradient<T extends Tensor>(x: T): T {
  const f = tfc.customGrad((...args: (Tensor | tfc.GradSaveFunc)[]) => {
    const a = args[0] as Tensor;
    return { value: tfc.clone(a), gradFunc: (dy: Tensor | Tensor[]) => tfc.zerosLike(dy as Tensor) };
  });
  return f(x) as T;
}

/**
 * Evaluates the scalar `f` and its gradients with respect to `variables`, in `variables` order.
 * A variable that `f` does not use gets a zero gradient.
 */
export function variableGrads(
  f: () => Scalar,
  variables: readonly Variable[],
): { value: Scalar; grads: Tensor[] } {
  if (variables.length === 0) throw new ValueError('variableGrads: no variables to differentiate.');
  const engineVars = variables.map((v) => v.engineVariable);
  const result = tfc.variableGrads(f, engineVars);
  const out = engineVars.map((v) => result.grads[v.name] ?? tfc.zerosLike(v));
  return { value: result.value, grads: out };
}

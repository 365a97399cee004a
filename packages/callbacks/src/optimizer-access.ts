// Duck-typed access to the optimizer a callback's model holds (the package does not depend on
// `@strata/optimizers`).
import { ValueError } from '@strata/core';

export interface OptimizerWithLr {
  learningRate: unknown;
}

/**
 * The optimizer's learning rate as Keras reads it, `float(convert_to_numpy(lr))` of a float32
 * variable: a number is rounded to float32, a scalar tensor or variable is read back.
 */
export function readLearningRate(optimizer: OptimizerWithLr, who: string): number {
  const lr = optimizer.learningRate;
  if (typeof lr === 'number') return Math.fround(lr);
  if (lr != null && typeof (lr as { dataSync?: unknown }).dataSync === 'function') {
    return Number((lr as { dataSync(): ArrayLike<number> }).dataSync()[0]);
  }
  throw new ValueError(`${who}: the optimizer's learning rate is not a number: ${String(lr)}.`);
}

/** The model's optimizer, or a `ValueError` naming `who` when it has none with a learning rate. */
export function requireOptimizer(model: { optimizer?: unknown } | undefined, who: string): OptimizerWithLr {
  const optimizer = model?.optimizer as OptimizerWithLr | null | undefined;
  if (optimizer == null || typeof optimizer !== 'object' || !('learningRate' in optimizer)) {
    throw new ValueError(`${who}: the model's optimizer must have a "learningRate" attribute.`);
  }
  return optimizer;
}

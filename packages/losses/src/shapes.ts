import { type Tensor, ValueError } from '@strata/core';

/**
 * Throws a ValueError naming the loss and both shapes when `yTrue` and `yPred` cannot be broadcast
 * together (the engine's own message names neither).
 */
export function assertBroadcastable(lossName: string, yTrue: Tensor, yPred: Tensor): void {
  const a = yTrue.shape;
  const b = yPred.shape;
  const n = Math.max(a.length, b.length);
  for (let i = 1; i <= n; i++) {
    const da = a[a.length - i] ?? 1;
    const db = b[b.length - i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ValueError(
        `${lossName}: y_true and y_pred have incompatible shapes. Received: y_true.shape=[${a.join(', ')}], y_pred.shape=[${b.join(', ')}]`,
      );
    }
  }
}

import { ValueError } from '@strata/core';
import { type KernelFunc, getKernel } from '@tensorflow/tfjs-core';

/** Stock tfjs-backend-webgl kernel functions that ours replace but still call for the ranks they handle. */
const stock = new Map<string, KernelFunc>();

/** Remembers the stock 'webgl' kernel `name` (call before registering ours over it). */
export function keepStock(name: string, ours: KernelFunc): void {
  const k = getKernel(name, 'webgl');
  if (k != null && k.kernelFunc !== ours) stock.set(name, k.kernelFunc);
}

/** The stock kernel function `name`; throws when tfjs-backend-webgl did not register one. */
export function stockKernel(name: string): KernelFunc {
  const f = stock.get(name);
  if (f == null) throw new ValueError(`${name} (webgl): the stock tfjs-backend-webgl kernel is missing.`);
  return f;
}

/** The product of `shape[from..to)`. */
export const sizeOf = (shape: readonly number[], from = 0, to = shape.length): number =>
  shape.slice(from, to).reduce((a, b) => a * b, 1);

import { type Config, type Tensor, ValueError, isTensor, ops, registerClass, tensor, tidy } from '@strata/core';
import { checkNumber, checkScheduleArgs } from './args';
import { LearningRateSchedule } from './learning-rate-schedule';

export interface PiecewiseConstantDecayArgs {
  /** Step boundaries, strictly increasing. */
  boundaries: number[];
  /** One value per interval: `values[0]` while `step <= boundaries[0]`, ..., `values[n]` once `step > boundaries[n - 1]`. */
  values: number[];
  name?: string;
}

/**
 * keras.optimizers.schedules.PiecewiseConstantDecay: `values[0]` for `step <= boundaries[0]`,
 * `values[i]` for `boundaries[i - 1] < step <= boundaries[i]`, `values[n]` for `step > boundaries[n - 1]`.
 *
 * `new PiecewiseConstantDecay([100000, 110000], [1, 0.5, 0.1])` or
 * `new PiecewiseConstantDecay({ boundaries: [100000, 110000], values: [1, 0.5, 0.1] })`.
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly boundaries: number[];
  readonly values: number[];
  readonly name: string;

  constructor(args: PiecewiseConstantDecayArgs);
  constructor(boundaries: number[], values: number[], options?: { name?: string });
  constructor(first: number[] | PiecewiseConstantDecayArgs, values?: number[], options: { name?: string } = {}) {
    super();
    const args: PiecewiseConstantDecayArgs = Array.isArray(first) ? { boundaries: first, values: values!, ...options } : first;
    checkScheduleArgs('PiecewiseConstantDecay', args, ['boundaries', 'values'], ['name']);
    if (!Array.isArray(args.boundaries) || !Array.isArray(args.values)) {
      throw new ValueError(
        `PiecewiseConstantDecay: \`boundaries\` and \`values\` must be arrays of numbers. Received: boundaries=${String(args.boundaries)}, values=${String(args.values)}`,
      );
    }
    if (args.boundaries.length !== args.values.length - 1) {
      throw new ValueError(
        'PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of values. ' +
          `Received: boundaries=[${args.boundaries.join(', ')}] of length ${args.boundaries.length}, ` +
          `and values=[${args.values.join(', ')}] of length ${args.values.length}.`,
      );
    }
    // Keras accepts this at construction but fails on the first call (it reads boundaries[0]).
    if (args.boundaries.length === 0) {
      throw new ValueError('PiecewiseConstantDecay: `boundaries` must have at least one element. Received: boundaries=[]');
    }
    for (const [i, b] of args.boundaries.entries()) checkNumber('PiecewiseConstantDecay', `boundaries[${i}]`, b);
    for (const [i, v] of args.values.entries()) checkNumber('PiecewiseConstantDecay', `values[${i}]`, v);
    this.boundaries = [...args.boundaries];
    this.values = [...args.values];
    this.name = args.name ?? 'PiecewiseConstant';
  }

  /**
   * Like the base `apply`, except that an int32 step (the optimizer's `iterations`, or an integer
   * number) is compared with the boundaries in int32: Keras casts the boundaries to the step's
   * dtype, so steps past 2**24 are still compared exactly (float32 would round them).
   */
  override apply(step: number): number;
  override apply(step: Tensor): Tensor;
  override apply(step: number | Tensor): number | Tensor;
  override apply(step: number | Tensor): number | Tensor {
    const integer = isTensor(step) ? step.dtype === 'int32' : Number.isInteger(step) && Math.abs(step) < 2 ** 31;
    if (!integer) return super.apply(step);
    if (isTensor(step)) return tidy(() => this.select(step, 'int32'));
    const out = tidy(() => this.select(tensor(step, [], 'int32'), 'int32'));
    const value = out.dataSync()[0]!;
    out.dispose();
    return value;
  }

  call(step: Tensor): Tensor {
    return this.select(step, 'float32');
  }

  private select(step: Tensor, dtype: 'int32' | 'float32'): Tensor {
    // Keras sums value * [step in interval] over the intervals (it does not assume the boundaries
    // are sorted), with interval i = (boundaries[i-1], boundaries[i]], open-ended at both ends.
    // Vectorised: interval i holds when step > lower[i] and step <= upper[i]. The boundaries take
    // the step's dtype (truncated toward zero for an int step, as Keras' cast does; Keras' int64
    // holds any boundary, so ones beyond int32 are clamped, which compares the same).
    const n = this.boundaries.length;
    const toInt32 = (x: number) => Math.min(2 ** 31 - 1, Math.max(-(2 ** 31), Math.trunc(x)));
    const b = tensor(dtype === 'int32' ? this.boundaries.map(toInt32) : this.boundaries, [n], dtype);
    const s = ops.reshape(step, [1]);
    const aboveLower = ops.concatenate([ops.ones([1], 'bool'), ops.greater(s, b)]);
    const atMostUpper = ops.concatenate([ops.lessEqual(s, b), ops.ones([1], 'bool')]);
    const inInterval = ops.cast(ops.logicalAnd(aboveLower, atMostUpper), 'float32');
    return ops.sum(ops.multiply(inInterval, tensor(this.values, [n + 1], 'float32')));
  }

  getConfig(): Config {
    return { boundaries: [...this.boundaries], values: [...this.values], name: this.name };
  }
}

registerClass('schedule', PiecewiseConstantDecay, { module: 'keras.optimizers.schedules', className: 'PiecewiseConstantDecay' });

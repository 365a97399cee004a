// keras.constraints: projections applied to a weight after each optimizer update (Keras 3 formulas,
// epsilon = keras.config.epsilon()).
import { type Config, type Tensor, epsilon, ops, registerClass, registerIdentifier, tidy } from '@strata/core';
import { positional } from '../utils/args';
import { Constraint } from './constraint';

type Axis = number | number[];

function norms(w: Tensor, axis: Axis): Tensor {
  return ops.sqrt(ops.sum(ops.square(w), axis, true));
}

export interface MaxNormArgs {
  maxValue?: number;
  axis?: Axis;
}

/**
 * `keras.constraints.MaxNorm(max_value=2, axis=0)`: rescales each slice whose L2 norm along `axis`
 * exceeds `max_value`: `w * clip(n, 0, max_value) / (epsilon + n)`.
 */
export class MaxNorm extends Constraint {
  readonly maxValue: number;
  readonly axis: Axis;
  constructor(maxValue?: number, axis?: Axis);
  constructor(args: MaxNormArgs);
  constructor(...args: unknown[]) {
    super();
    const a = positional<MaxNormArgs>(['maxValue', 'axis'], args);
    this.maxValue = a.maxValue ?? 2;
    this.axis = a.axis ?? 0;
  }
  apply(w: Tensor): Tensor {
    return tidy(() => {
      const n = norms(w, this.axis);
      const desired = ops.clip(n, 0, this.maxValue);
      return ops.multiply(w, ops.divide(desired, ops.add(n, epsilon())));
    });
  }
  override getConfig(): Config {
    return { max_value: this.maxValue, axis: this.axis };
  }
}

export interface MinMaxNormArgs {
  minValue?: number;
  maxValue?: number;
  rate?: number;
  axis?: Axis;
}

/**
 * `keras.constraints.MinMaxNorm(min_value=0.0, max_value=1.0, rate=1.0, axis=0)`: moves each
 * slice's norm `n` to `rate * clip(n, min, max) + (1 - rate) * n`.
 */
export class MinMaxNorm extends Constraint {
  readonly minValue: number;
  readonly maxValue: number;
  readonly rate: number;
  readonly axis: Axis;
  constructor(minValue?: number, maxValue?: number, rate?: number, axis?: Axis);
  constructor(args: MinMaxNormArgs);
  constructor(...args: unknown[]) {
    super();
    const a = positional<MinMaxNormArgs>(['minValue', 'maxValue', 'rate', 'axis'], args);
    this.minValue = a.minValue ?? 0.0;
    this.maxValue = a.maxValue ?? 1.0;
    this.rate = a.rate ?? 1.0;
    this.axis = a.axis ?? 0;
  }
  apply(w: Tensor): Tensor {
    return tidy(() => {
      const n = norms(w, this.axis);
      const desired = ops.add(
        ops.multiply(this.rate, ops.clip(n, this.minValue, this.maxValue)),
        ops.multiply(1 - this.rate, n),
      );
      return ops.multiply(w, ops.divide(desired, ops.add(n, epsilon())));
    });
  }
  override getConfig(): Config {
    return { min_value: this.minValue, max_value: this.maxValue, rate: this.rate, axis: this.axis };
  }
}

/** `keras.constraints.NonNeg`: zeroes negative weights. */
export class NonNeg extends Constraint {
  constructor(_args: Record<string, never> = {}) {
    super();
  }
  apply(w: Tensor): Tensor {
    return tidy(() => ops.multiply(w, ops.cast(ops.greaterEqual(w, 0), w.dtype)));
  }
}

export interface UnitNormArgs {
  axis?: Axis;
}

/** `keras.constraints.UnitNorm(axis=0)`: `w / (epsilon + ||w||)` along `axis`. */
export class UnitNorm extends Constraint {
  readonly axis: Axis;
  constructor(axis?: Axis);
  constructor(args: UnitNormArgs);
  constructor(...args: unknown[]) {
    super();
    this.axis = positional<UnitNormArgs>(['axis'], args).axis ?? 0;
  }
  apply(w: Tensor): Tensor {
    return tidy(() => ops.divide(w, ops.add(norms(w, this.axis), epsilon())));
  }
  override getConfig(): Config {
    return { axis: this.axis };
  }
}

const MODULE = 'keras.constraints';
const classes = { MaxNorm, MinMaxNorm, NonNeg, UnitNorm };
for (const [className, cls] of Object.entries(classes)) {
  registerClass('constraint', cls, { module: MODULE, className });
  // 'MaxNorm', 'max_norm' and 'maxNorm' all resolve (identifiers are matched in snake_case).
  registerIdentifier('constraint', [className], () => new (cls as new () => Constraint)());
}

import { type Config, type Tensor, ValueError, ops, registerClass, registerIdentifier, tidy } from '@strata/core';
import { positional } from '../utils/args';
import { Regularizer } from './regularizer';

/** Keras `validate_float_arg`: a finite, non-negative number. */
function checkFactor(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValueError(`Invalid value for argument ${name}: expected a non-negative float.Received: ${name}=${String(value)}`);
  }
  return value;
}

function penalty(x: Tensor, l1: number, l2: number): Tensor {
  return tidy(() => {
    let total: Tensor | null = null;
    if (l1) total = ops.multiply(l1, ops.sum(ops.abs(x)));
    if (l2) {
      const t = ops.multiply(l2, ops.sum(ops.square(x)));
      total = total == null ? t : ops.add(total, t);
    }
    return total ?? ops.zeros([]);
  });
}

export interface L1Args {
  l1?: number;
}

/** `l1 * sum(|x|)`, `l1=0.01` (`keras.regularizers.L1`). */
export class L1 extends Regularizer {
  readonly l1: number;
  constructor(l1?: number, options?: L1Args);
  constructor(args: L1Args);
  constructor(...args: unknown[]) {
    super();
    this.l1 = checkFactor(positional<L1Args>(['l1'], args).l1 ?? 0.01, 'l1');
  }
  apply(x: Tensor): Tensor {
    return penalty(x, this.l1, 0);
  }
  override getConfig(): Config {
    return { l1: this.l1 };
  }
}

export interface L2Args {
  l2?: number;
}

/** `l2 * sum(x^2)`, `l2=0.01` (`keras.regularizers.L2`). */
export class L2 extends Regularizer {
  readonly l2: number;
  constructor(l2?: number, options?: L2Args);
  constructor(args: L2Args);
  constructor(...args: unknown[]) {
    super();
    this.l2 = checkFactor(positional<L2Args>(['l2'], args).l2 ?? 0.01, 'l2');
  }
  apply(x: Tensor): Tensor {
    return penalty(x, 0, this.l2);
  }
  override getConfig(): Config {
    return { l2: this.l2 };
  }
}

export interface L1L2Args {
  l1?: number;
  l2?: number;
}

/** `l1 * sum(|x|) + l2 * sum(x^2)`, both 0.0 by default (`keras.regularizers.L1L2`). */
export class L1L2 extends Regularizer {
  readonly l1: number;
  readonly l2: number;
  constructor(l1?: number, l2?: number);
  constructor(args: L1L2Args);
  constructor(...args: unknown[]) {
    super();
    const a = positional<L1L2Args>(['l1', 'l2'], args);
    this.l1 = checkFactor(a.l1 ?? 0.0, 'l1');
    this.l2 = checkFactor(a.l2 ?? 0.0, 'l2');
  }
  apply(x: Tensor): Tensor {
    return penalty(x, this.l1, this.l2);
  }
  override getConfig(): Config {
    return { l1: this.l1, l2: this.l2 };
  }
}

const MODULE = 'keras.regularizers';
registerClass('regularizer', L1, { module: MODULE, className: 'L1' });
registerClass('regularizer', L2, { module: MODULE, className: 'L2' });
registerClass('regularizer', L1L2, { module: MODULE, className: 'L1L2' });
registerIdentifier('regularizer', ['l1'], () => new L1());
registerIdentifier('regularizer', ['l2'], () => new L2());
registerIdentifier('regularizer', ['l1_l2', 'l1l2'], () => new L1L2());

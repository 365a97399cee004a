import { type Config, type DataType, type Tensor, ValueError, formatShape, ops, registerClass, registerIdentifier, tidy } from '@strata/core';
import { positional } from '../utils/args';
import { Initializer } from './initializer';

/** Initializer that generates tensors of zeros (`keras.initializers.Zeros`). */
export class Zeros extends Initializer {
  // Accepts (and ignores) a config object so `fromConfig({})` works.
  constructor(_args: Record<string, never> = {}) {
    super();
  }
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return ops.zeros(shape, dtype);
  }
}

/** Initializer that generates tensors of ones (`keras.initializers.Ones`). */
export class Ones extends Initializer {
  constructor(_args: Record<string, never> = {}) {
    super();
  }
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return ops.ones(shape, dtype);
  }
}

export interface ConstantArgs {
  /** The scalar every entry gets (default 0). */
  value?: number;
}

/** Initializer that fills tensors with one scalar (`keras.initializers.Constant(value=0.0)`). */
export class Constant extends Initializer {
  readonly value: number;

  constructor(value?: number, options?: ConstantArgs);
  constructor(args: ConstantArgs);
  constructor(...args: unknown[]) {
    super();
    const a = positional<ConstantArgs>(['value'], args);
    const v = a.value ?? 0;
    if (typeof v !== 'number') {
      throw new ValueError(`Constant initializer: \`value\` must be a scalar number. Received: ${JSON.stringify(v)}`);
    }
    this.value = v;
  }

  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return ops.full(shape, this.value, dtype);
  }

  override getConfig(): Config {
    return { value: this.value };
  }
}

export interface IdentityArgs {
  /** Multiplies the identity matrix (default 1). */
  gain?: number;
}

/** Initializer that generates (a multiple of) the identity matrix; 2-D shapes only. */
export class Identity extends Initializer {
  readonly gain: number;

  constructor(gain?: number, options?: IdentityArgs);
  constructor(args: IdentityArgs);
  constructor(...args: unknown[]) {
    super();
    this.gain = positional<IdentityArgs>(['gain'], args).gain ?? 1.0;
  }

  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    if (shape.length !== 2) {
      throw new ValueError(
        `Identity matrix initializer can only be used for 2D matrices. Received: shape=${formatShape(shape)} of rank ${shape.length}.`,
      );
    }
    return tidy(() => {
      const eye = ops.eye(shape[0]!, shape[1]!, dtype);
      return this.gain === 1 ? eye : ops.cast(ops.multiply(eye, this.gain), dtype);
    });
  }

  override getConfig(): Config {
    return { gain: this.gain };
  }
}

const MODULE = 'keras.initializers';
registerClass('initializer', Zeros, { module: MODULE, className: 'Zeros' });
registerClass('initializer', Ones, { module: MODULE, className: 'Ones' });
registerClass('initializer', Constant, { module: MODULE, className: 'Constant' });
registerClass('initializer', Identity, { module: MODULE, className: 'Identity', aliases: ['IdentityInitializer'] });
registerIdentifier('initializer', ['zeros', 'zero'], () => new Zeros());
registerIdentifier('initializer', ['ones', 'one'], () => new Ones());
registerIdentifier('initializer', ['constant'], () => new Constant());
registerIdentifier('initializer', ['identity', 'IdentityInitializer'], () => new Identity());

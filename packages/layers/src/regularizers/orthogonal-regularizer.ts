import { type Config, type Tensor, ValueError, epsilon, formatShape, ops, registerClass, registerIdentifier, tidy } from '@strata/core';
import { positional } from '../utils/args';
import { Regularizer } from './regularizer';

export interface OrthogonalRegularizerArgs {
  factor?: number;
  /** `'rows'` (default) or `'columns'`: which vectors should be orthogonal. */
  mode?: 'rows' | 'columns';
}

/**
 * `keras.regularizers.OrthogonalRegularizer(factor=0.01, mode='rows')`: for a 2-D weight, L2-normalizes
 * its rows (or columns) and penalizes `factor * 0.5 * sum(|off-diagonal dot products|) / num_pairs`.
 */
export class OrthogonalRegularizer extends Regularizer {
  readonly factor: number;
  readonly mode: 'rows' | 'columns';

  constructor(factor?: number, mode?: 'rows' | 'columns');
  constructor(args: OrthogonalRegularizerArgs);
  constructor(...args: unknown[]) {
    super();
    const a = positional<OrthogonalRegularizerArgs>(['factor', 'mode'], args);
    const factor = a.factor ?? 0.01;
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 0) {
      throw new ValueError(`Invalid value for argument factor: expected a non-negative float.Received: factor=${String(factor)}`);
    }
    const mode = a.mode ?? 'rows';
    if (mode !== 'rows' && mode !== 'columns') {
      throw new ValueError(`Invalid value for argument \`mode\`. Expected one of {'rows', 'columns'}. Received: mode=${mode}`);
    }
    this.factor = factor;
    this.mode = mode;
  }

  apply(x: Tensor): Tensor {
    if (x.rank !== 2) {
      throw new ValueError(`Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape=${formatShape(x.shape)}`);
    }
    return tidy(() => {
      const axis = this.mode === 'rows' ? 1 : 0;
      const sq = ops.sum(ops.square(x), axis, true);
      const unit = ops.multiply(x, ops.rsqrt(ops.maximum(sq, epsilon())));
      const product = this.mode === 'rows' ? ops.matmul(unit, ops.transpose(unit)) : ops.matmul(ops.transpose(unit), unit);
      const size = product.shape[0]!;
      const offDiagonal = ops.multiply(product, ops.subtract(1, ops.eye(size)));
      const numPairs = (size * (size - 1)) / 2;
      return ops.divide(ops.multiply(this.factor * 0.5, ops.sum(ops.abs(offDiagonal))), numPairs);
    });
  }

  override getConfig(): Config {
    return { factor: this.factor, mode: this.mode };
  }
}

registerClass('regularizer', OrthogonalRegularizer, { module: 'keras.regularizers', className: 'OrthogonalRegularizer' });
registerIdentifier('regularizer', ['orthogonal_regularizer'], () => new OrthogonalRegularizer());

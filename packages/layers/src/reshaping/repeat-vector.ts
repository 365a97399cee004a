import { type Config, ops, registerClass, type Shape, type Tensor, tidy, ValueError } from '@strata/core';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';

export interface RepeatVectorArgs extends LayerArgs {
  /** How many times to repeat the input. */
  n: number;
}

/** `keras.layers.RepeatVector`: `(batch, features)` to `(batch, n, features)`. */
export class RepeatVector extends Layer {
  static override className = 'RepeatVector';
  readonly n: number;

  constructor(n: number, options?: Omit<RepeatVectorArgs, 'n'>);
  constructor(args: RepeatVectorArgs);
  constructor(...args: unknown[]) {
    const a = positional<RepeatVectorArgs>(['n'], args);
    super(a);
    if (!Number.isInteger(a.n) || a.n < 0) {
      throw new ValueError(`Expected an integer value for \`n\`, got ${JSON.stringify(a.n)}.`);
    }
    this.n = a.n;
    this.inputSpec = new InputSpec({ ndim: 2 });
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => ops.tile(ops.expandDims(inputs as Tensor, 1), [1, this.n, 1]));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return [shape[0] ?? null, this.n, shape[1] ?? null];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), n: this.n };
  }
}
registerClass('layer', RepeatVector, { module: 'keras.layers', className: 'RepeatVector' });

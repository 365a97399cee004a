import { type Config, ops, registerClass, type Shape, type Tensor, ValueError } from '@strata/core';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';

export interface PermuteArgs extends LayerArgs {
  /** The permutation of the non-batch axes, 1-based (`[2, 1]` swaps the first two). */
  dims: number[];
}

/** `keras.layers.Permute`: transposes the non-batch axes by `dims` (1-based). */
export class Permute extends Layer {
  static override className = 'Permute';
  readonly dims: number[];

  constructor(dims: number[], options?: Omit<PermuteArgs, 'dims'>);
  constructor(args: PermuteArgs);
  constructor(...args: unknown[]) {
    const a = positional<PermuteArgs>(['dims'], args);
    super(a);
    const dims = a.dims;
    const sorted = Array.isArray(dims) ? [...dims].sort((p, q) => p - q) : null;
    if (sorted == null || sorted.some((d, i) => d !== i + 1)) {
      throw new ValueError(
        `Invalid permutation argument \`dims\` for Permute Layer. The set of indices in \`dims\` must be consecutive and start from 1. Received dims=${JSON.stringify(dims)}`,
      );
    }
    this.dims = [...dims];
    this.inputSpec = new InputSpec({ ndim: dims.length + 1 });
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return ops.transpose(inputs as Tensor, [0, ...this.dims]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return [shape[0] ?? null, ...this.dims.map((d) => shape[d] ?? null)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}
registerClass('layer', Permute, { module: 'keras.layers', className: 'Permute' });

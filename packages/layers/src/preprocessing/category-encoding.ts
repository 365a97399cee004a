import { type Config, type Shape, type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { type EncodingMode, checkIndexRange, checkOutputMode, encodeCategorical, encodedShape } from './encoding';

export interface CategoryEncodingArgs extends LayerArgs {
  /** The number of tokens: inputs are integers in [0, num_tokens). */
  numTokens?: number;
  outputMode?: EncodingMode;
  /** Sparse outputs are not supported; only `false` is accepted. */
  sparse?: boolean;
}

/**
 * `keras.layers.CategoryEncoding`: one-hot, multi-hot or count encoding of integer features.
 * `call(x, {countWeights})` weights the counts in 'count' mode. Float32 output (the layer dtype);
 * "binary" is accepted as the old name of "multi_hot".
 */
export class CategoryEncoding extends Layer {
  static override className = 'CategoryEncoding';

  readonly numTokens: number;
  readonly outputMode: EncodingMode;
  readonly sparse: boolean;

  constructor(numTokens: number, outputMode?: EncodingMode, options?: Omit<CategoryEncodingArgs, 'numTokens' | 'outputMode'>);
  constructor(args: CategoryEncodingArgs);
  constructor(...args: unknown[]) {
    const a = positional<CategoryEncodingArgs>(['numTokens', 'outputMode'], args);
    super(a);
    // Keras still accepts the deprecated name "binary" for "multi_hot".
    const mode = (a.outputMode as string | undefined) === 'binary' ? 'multi_hot' : a.outputMode;
    this.outputMode = checkOutputMode('CategoryEncoding', mode, ['one_hot', 'multi_hot', 'count'], 'multi_hot');
    if (a.numTokens == null) {
      throw new ValueError('CategoryEncoding: `num_tokens` must be set to use this layer. If the number of tokens is not known beforehand, use the IntegerLookup layer instead.');
    }
    if (!Number.isInteger(a.numTokens) || a.numTokens < 1) {
      throw new ValueError(`CategoryEncoding: \`num_tokens\` must be >= 1. Received: num_tokens=${String(a.numTokens)}`);
    }
    this.numTokens = a.numTokens;
    this.sparse = a.sparse ?? false;
    if (this.sparse) throw new ValueError('CategoryEncoding: sparse=True is not supported.');
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const countWeights = (args.countWeights as Tensor | null | undefined) ?? null;
    if (countWeights != null && this.outputMode !== 'count') {
      throw new ValueError(`CategoryEncoding "${this.name}": \`count_weights\` is not used when \`output_mode\` is not "count". Received output_mode=${this.outputMode}`);
    }
    checkIndexRange(`CategoryEncoding "${this.name}"`, x, this.numTokens);
    return tidy(() => encodeCategorical(`CategoryEncoding "${this.name}"`, ops.cast(x, 'int32'), this.outputMode, this.numTokens, countWeights));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return encodedShape(inputShape as Shape, this.outputMode, this.numTokens);
  }

  override getConfig(): Config {
    // Keras' config has no `sparse` key.
    return { ...super.getConfig(), num_tokens: this.numTokens, output_mode: this.outputMode };
  }
}
registerClass('layer', CategoryEncoding, { module: 'keras.layers', className: 'CategoryEncoding' });

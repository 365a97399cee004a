import { type Config, type DataType, type Shape, type Tensor, ValueError, formatShape, registerClass, tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { checkOutputMode, encodeCategorical, encodedShape } from './encoding';
import { fnv1a, tokenString } from './hash';

export type HashedCrossingOutputMode = 'int' | 'one_hot';

export interface HashedCrossingArgs extends LayerArgs {
  numBins?: number;
  outputMode?: HashedCrossingOutputMode;
  sparse?: boolean;
}

/**
 * `keras.layers.HashedCrossing`: crosses two or more same-shaped string or integer features
 * element-wise into `num_bins` bins: the bin of `(a, b, ...)` hashes the string `"a_X_b_X_..."`.
 * Differs from Keras in the hash function (FNV-1a 32, as `Hashing`) instead of farmhash.
 */
export class HashedCrossing extends Layer {
  static override className = 'HashedCrossing';

  readonly numBins: number;
  readonly outputMode: HashedCrossingOutputMode;
  readonly sparse: boolean;

  constructor(numBins: number, outputMode?: HashedCrossingOutputMode, options?: Omit<HashedCrossingArgs, 'numBins' | 'outputMode'>);
  constructor(args: HashedCrossingArgs);
  constructor(...args: unknown[]) {
    const a = positional<HashedCrossingArgs>(['numBins', 'outputMode'], args);
    super(a);
    if (typeof a.numBins !== 'number' || !Number.isInteger(a.numBins) || a.numBins <= 0) {
      throw new ValueError(`HashedCrossing: \`num_bins\` must be a positive integer. Received: num_bins=${String(a.numBins)}`);
    }
    this.numBins = a.numBins;
    this.outputMode = checkOutputMode('HashedCrossing', a.outputMode, ['int', 'one_hot'], 'int');
    this.sparse = a.sparse ?? false;
    if (this.sparse) throw new ValueError('HashedCrossing: sparse=True is not supported.');
    this.built = true;
  }

  /** The bin of one crossed tuple of tokens. */
  hashCross(values: readonly (string | number)[]): number {
    return fnv1a(values.map(tokenString).join('_X_')) % this.numBins;
  }

  private check(shapes: readonly (readonly (number | null)[])[] | unknown): void {
    if (!Array.isArray(shapes) || shapes.length < 2 || !shapes.every((s) => Array.isArray(s))) {
      throw new ValueError(`HashedCrossing "${this.name}": expected a list of at least two input features. Received: ${JSON.stringify(shapes)}`);
    }
    const first = JSON.stringify(shapes[0]);
    if (shapes.some((s) => JSON.stringify(s) !== first) || (shapes[0] as unknown[]).length > 2) {
      throw new ValueError(
        `HashedCrossing "${this.name}": all input features must have the same shape of rank <= 2. Received shapes ${shapes.map((s) => formatShape(s as number[])).join(', ')}.`,
      );
    }
  }

  override call(inputs: LayerOutput): Tensor {
    const xs = (Array.isArray(inputs) ? inputs : [inputs]) as Tensor[];
    this.check(Array.isArray(inputs) ? xs.map((x) => x.shape) : (inputs as Tensor).shape);
    for (const x of xs) {
      if (x.dtype === 'float32' && Array.from(x.dataSync() as Float32Array).some((v) => !Number.isInteger(v))) {
        throw new ValueError(`HashedCrossing "${this.name}": inputs must be strings or integers. Received float inputs of shape ${formatShape(x.shape)}.`);
      }
    }
    const values = xs.map((x) => x.dataSync() as unknown as ArrayLike<string | number>);
    const bins = Int32Array.from({ length: xs[0]!.size }, (_, i) => this.hashCross(values.map((v) => v[i]!)));
    return tidy(() => {
      const idx = tensor(bins, xs[0]!.shape, 'int32');
      return this.outputMode === 'int' ? idx : encodeCategorical(`HashedCrossing "${this.name}"`, idx, 'one_hot', this.numBins);
    });
  }

  protected override outputDtype(_inputDtype: DataType): DataType {
    return this.outputMode === 'int' ? 'int32' : 'float32';
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = inputShape as Shape[];
    this.check(shapes);
    return encodedShape(shapes[0]!, this.outputMode, this.numBins);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), num_bins: this.numBins, output_mode: this.outputMode, sparse: this.sparse };
  }
}
registerClass('layer', HashedCrossing, { module: 'keras.layers', className: 'HashedCrossing' });

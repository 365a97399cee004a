import { type Config, type DataType, type Shape, type Tensor, ValueError, formatShape, registerClass, tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { checkOutputMode, encodeCategorical, encodedShape } from './encoding';
import { fingerprint64, fingerprintCat64, tokenBytes } from './hash';

/** `tf.sparse.cross_hashed`'s default hash key. */
const CROSS_HASH_KEY = 0xdecafcaffen;

/** A feature's hash in a cross: Fingerprint64 of a string, the two's-complement value of an integer. */
function featureHash(v: string | number): bigint {
  return typeof v === 'string' ? fingerprint64(tokenBytes(v)) : BigInt.asUintN(64, BigInt(v));
}

export type HashedCrossingOutputMode = 'int' | 'one_hot';

export interface HashedCrossingArgs extends LayerArgs {
  numBins?: number;
  outputMode?: HashedCrossingOutputMode;
  sparse?: boolean;
}

/**
 * `keras.layers.HashedCrossing`: crosses two or more same-shaped string or integer features
 * element-wise into `num_bins` bins, as `tf.sparse.cross_hashed` does: starting from its default
 * key, each feature's hash (Fingerprint64 of a string, an integer's own value) is folded in with
 * `FingerprintCat64`, and the result taken modulo `num_bins`. Inputs are scalars or `(batch,)` /
 * `(batch, 1)` tensors.
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
    let h = CROSS_HASH_KEY;
    for (const v of values) h = fingerprintCat64(h, featureHash(v));
    return Number(h % BigInt(this.numBins));
  }

  private check(shapes: readonly (readonly (number | null)[])[] | unknown): void {
    if (!Array.isArray(shapes) || shapes.length < 2 || !shapes.every((s) => Array.isArray(s))) {
      throw new ValueError(`HashedCrossing "${this.name}": expected a list of at least two input features. Received: ${JSON.stringify(shapes)}`);
    }
    const first = JSON.stringify(shapes[0]);
    const s0 = shapes[0] as (number | null)[];
    if (shapes.some((s) => JSON.stringify(s) !== first) || s0.length > 2 || (s0.length === 2 && s0[1] !== 1)) {
      throw new ValueError(
        `HashedCrossing "${this.name}": all inputs should have equal shape \`()\`, \`(batch_size)\` or \`(batch_size, 1)\`. Received shapes ${shapes.map((s) => formatShape(s as number[])).join(', ')}.`,
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

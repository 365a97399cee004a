import { type Config, type DataType, type Shape, type Tensor, ValueError, registerClass, tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { type LookupOutputMode, checkOutputMode, encodeCategorical, encodedShape } from './encoding';
import { hashBucketFast, hashBucketStrong, tokenString } from './hash';

export interface HashingArgs extends LayerArgs {
  numBins?: number;
  /** A value hashed to bin 0 (the other values use bins 1..num_bins-1). */
  maskValue?: string | number | null;
  /** An int (or a pair of ints) mixed into the hash. */
  salt?: number | [number, number] | null;
  outputMode?: LookupOutputMode;
  sparse?: boolean;
}

/**
 * `keras.layers.Hashing`: hashes string or integer features into `num_bins` bins with Keras' hash
 * functions: FarmHash Fingerprint64 of the token's string (integers in decimal), or keyed SipHash-2-4
 * when a `salt` is given (one integer `s` is the key `[s, s]`). With a `mask_value`, that value goes
 * to bin 0 and the others to `1 + hash mod (num_bins - 1)`.
 */
export class Hashing extends Layer {
  static override className = 'Hashing';

  readonly numBins: number;
  readonly maskValue: string | number | null;
  /** The SipHash key: Keras stores a single-integer salt as `[salt, salt]`. */
  readonly salt: [number, number] | null;
  readonly outputMode: LookupOutputMode;
  readonly sparse: boolean;

  constructor(numBins: number, maskValue?: string | number | null, salt?: number | [number, number] | null, outputMode?: LookupOutputMode, options?: HashingArgs);
  constructor(args: HashingArgs);
  constructor(...args: unknown[]) {
    const a = positional<HashingArgs>(['numBins', 'maskValue', 'salt', 'outputMode'], args);
    super(a);
    if (typeof a.numBins !== 'number' || !Number.isInteger(a.numBins) || a.numBins <= 0) {
      throw new ValueError(`Hashing: the \`num_bins\` for \`Hashing\` cannot be \`None\` or non-positive values. Received: num_bins=${String(a.numBins)}`);
    }
    this.numBins = a.numBins;
    this.maskValue = a.maskValue ?? null;
    const salt = a.salt ?? null;
    const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
    if (salt != null && !isInt(salt) && !(Array.isArray(salt) && salt.length === 2 && salt.every(isInt))) {
      throw new ValueError(`Hashing: the \`salt\` argument for \`Hashing\` can only be a tuple of size 2 integers, or a single integer. Received: salt=${JSON.stringify(salt)}`);
    }
    this.salt = salt == null ? null : typeof salt === 'number' ? [salt, salt] : [salt[0], salt[1]];
    this.outputMode = checkOutputMode('Hashing', a.outputMode, ['int', 'one_hot', 'multi_hot', 'count'], 'int');
    this.sparse = a.sparse ?? false;
    if (this.sparse) throw new ValueError('Hashing: sparse=True is not supported.');
    this.built = true;
  }

  /** The bin of one token. */
  hashToken(v: string | number): number {
    if (this.maskValue != null && tokenString(v) === tokenString(this.maskValue)) return 0;
    const masked = this.maskValue != null && this.numBins > 1;
    const bins = masked ? this.numBins - 1 : this.numBins;
    const h = this.salt != null ? hashBucketStrong(v, bins, this.salt) : hashBucketFast(v, bins);
    return masked ? 1 + h : h;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    // Keras casts float inputs to int64 (truncating) before hashing their decimal strings.
    const raw = x.dataSync() as unknown as ArrayLike<string | number>;
    const values = x.dtype === 'float32' ? Array.from(raw as ArrayLike<number>, Math.trunc) : raw;
    const bins = Int32Array.from(Array.from(values as ArrayLike<string | number>, (v) => this.hashToken(v)));
    return tidy(() => {
      const idx = tensor(bins, x.shape, 'int32');
      return this.outputMode === 'int' ? idx : encodeCategorical(`Hashing "${this.name}"`, idx, this.outputMode, this.numBins);
    });
  }

  protected override outputDtype(_inputDtype: DataType): DataType {
    return this.outputMode === 'int' ? 'int32' : 'float32';
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return encodedShape(inputShape as Shape, this.outputMode, this.numBins);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      num_bins: this.numBins,
      salt: this.salt as Config[string],
      mask_value: this.maskValue,
      output_mode: this.outputMode,
      sparse: this.sparse,
    };
  }
}
registerClass('layer', Hashing, { module: 'keras.layers', className: 'Hashing' });

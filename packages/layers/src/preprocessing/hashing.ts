import { type Config, type DataType, type Shape, type Tensor, ValueError, formatShape, registerClass, tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { type LookupOutputMode, checkOutputMode, encodeCategorical, encodedShape } from './encoding';
import { fnv1a, tokenString } from './hash';

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
 * `keras.layers.Hashing`: hashes string or integer features into `num_bins` bins.
 * Differs from Keras in the hash function: FNV-1a 32 (see `fnv1a`) instead of farmhash/SipHash.
 */
export class Hashing extends Layer {
  static override className = 'Hashing';

  readonly numBins: number;
  readonly maskValue: string | number | null;
  readonly salt: number | [number, number] | null;
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
    this.salt = a.salt ?? null;
    if (this.salt != null && typeof this.salt !== 'number' && !(Array.isArray(this.salt) && this.salt.length === 2)) {
      throw new ValueError(`Hashing: \`salt\` can only be an integer or a pair of integers. Received: salt=${JSON.stringify(a.salt)}`);
    }
    this.outputMode = checkOutputMode('Hashing', a.outputMode, ['int', 'one_hot', 'multi_hot', 'count'], 'int');
    this.sparse = a.sparse ?? false;
    if (this.sparse) throw new ValueError('Hashing: sparse=True is not supported.');
    this.built = true;
  }

  private seed(): number {
    if (this.salt == null) return 0;
    return typeof this.salt === 'number' ? this.salt >>> 0 : (this.salt[0] ^ Math.imul(this.salt[1], 0x9e3779b1)) >>> 0;
  }

  /** The bin of one token. */
  hashToken(v: string | number): number {
    if (this.maskValue != null && tokenString(v) === tokenString(this.maskValue)) return 0;
    const h = fnv1a(tokenString(v), this.seed());
    return this.maskValue != null ? 1 + (h % (this.numBins - 1)) : h % this.numBins;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    if (x.dtype === 'float32') {
      const vals = x.dataSync();
      if (vals.some((v) => !Number.isInteger(v))) {
        throw new ValueError(`Hashing "${this.name}": inputs must be strings or integers. Received float inputs of shape ${formatShape(x.shape)}.`);
      }
    }
    const values = x.dataSync() as unknown as ArrayLike<string | number>;
    const bins = Int32Array.from(Array.from(values, (v) => this.hashToken(v)));
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

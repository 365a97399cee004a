import { type Config, type DataType, type Shape, type Tensor, type TensorLike, ValueError, convertToTensor, formatShape, isTensor, registerClass, tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { type LookupOutputMode, checkOutputMode, encodeCategorical, encodedShape } from './encoding';
import { fnv1a } from './hash';

type Token = string | number;

export interface IndexLookupArgs<T extends Token> extends LayerArgs {
  maxTokens?: number | null;
  numOovIndices?: number;
  maskToken?: T | null;
  oovToken?: T;
  vocabulary?: T[] | null;
  /** 'tf_idf' weights are not supported; only `null` is accepted. */
  idfWeights?: null;
  invert?: boolean;
  outputMode?: LookupOutputMode;
  sparse?: boolean;
  padToMaxTokens?: boolean;
}

/**
 * Shared by StringLookup and IntegerLookup (Keras' IndexLookup): index layout
 * `[mask (int mode only)] + [OOV] * num_oov_indices + vocabulary`. With several OOV indices an OOV
 * token goes to `index_of_first_oov + hash % num_oov_indices` (ints: `value mod n`; strings: FNV-1a,
 * where Keras uses farmhash).
 */
export abstract class IndexLookup<T extends Token> extends Layer {
  readonly maxTokens: number | null;
  readonly numOovIndices: number;
  readonly maskToken: T | null;
  readonly oovToken: T;
  readonly invert: boolean;
  readonly outputMode: LookupOutputMode;
  readonly sparse: boolean;
  readonly padToMaxTokens: boolean;
  /** The vocabulary given to the constructor (Keras' `input_vocabulary`). */
  readonly inputVocabulary: T[] | null;
  private tokens: T[] = [];
  private index = new Map<T, number>();

  protected abstract readonly tokenKind: 'string' | 'int';

  constructor(layer: string, defaults: { oovToken: T }, args: unknown[]) {
    const a = positional<IndexLookupArgs<T>>(['maxTokens', 'numOovIndices', 'maskToken', 'oovToken', 'vocabulary'], args);
    super(a);
    if (a.maxTokens != null && (!Number.isInteger(a.maxTokens) || a.maxTokens <= 1)) {
      throw new ValueError(`${layer}: if set, \`max_tokens\` must be greater than 1. Received: max_tokens=${a.maxTokens}`);
    }
    const numOov = a.numOovIndices ?? 1;
    if (!Number.isInteger(numOov) || numOov < 0) {
      throw new ValueError(`${layer}: \`num_oov_indices\` must be greater than or equal to 0. Received: num_oov_indices=${a.numOovIndices}`);
    }
    if (a.idfWeights != null) throw new ValueError(`${layer}: idf_weights (output_mode='tf_idf') is not supported yet.`);
    this.outputMode = checkOutputMode(layer, a.outputMode, ['int', 'one_hot', 'multi_hot', 'count'], 'int');
    this.invert = a.invert ?? false;
    if (this.invert && this.outputMode !== 'int') {
      throw new ValueError(`${layer}: \`output_mode\` must be "int" when \`invert\` is true. Received: output_mode=${this.outputMode}`);
    }
    this.sparse = a.sparse ?? false;
    if (this.sparse) throw new ValueError(`${layer}: sparse=True is not supported.`);
    this.padToMaxTokens = a.padToMaxTokens ?? false;
    if (this.padToMaxTokens && a.maxTokens == null) {
      throw new ValueError(`${layer}: if pad_to_max_tokens is True, must set \`max_tokens\`. Received: max_tokens=${a.maxTokens}`);
    }
    this.maxTokens = a.maxTokens ?? null;
    this.numOovIndices = numOov;
    this.maskToken = a.maskToken ?? null;
    this.oovToken = a.oovToken ?? defaults.oovToken;
    this.inputVocabulary = a.vocabulary != null ? [...a.vocabulary] : null;
    if (a.vocabulary != null) this.setVocabulary(a.vocabulary);
    this.built = true;
  }

  private oovStart(): number {
    return this.maskToken != null && this.outputMode === 'int' ? 1 : 0;
  }

  private tokenStart(): number {
    return this.oovStart() + this.numOovIndices;
  }

  /** Sets the vocabulary; leading special tokens (mask, OOV) in their places are accepted and skipped. */
  setVocabulary(vocabulary: T[]): void {
    let vocab = [...vocabulary];
    const special: T[] = [...(this.maskToken != null && this.outputMode === 'int' ? [this.maskToken] : []), ...new Array<T>(this.numOovIndices).fill(this.oovToken)];
    if (special.length > 0 && special.every((t, i) => vocab[i] === t)) vocab = vocab.slice(special.length);
    const seen = new Set<T>();
    for (const t of vocab) {
      if (seen.has(t)) throw new ValueError(`${this.className} "${this.name}": the passed vocabulary has at least one repeated term (${JSON.stringify(t)}). Please uniquify your dataset.`);
      if (t === this.maskToken || (this.numOovIndices > 0 && t === this.oovToken)) {
        throw new ValueError(`${this.className} "${this.name}": reserved token ${JSON.stringify(t)} (mask or OOV) must only appear at the start of the vocabulary.`);
      }
      seen.add(t);
    }
    if (this.maxTokens != null && vocab.length + this.tokenStart() > this.maxTokens) {
      throw new ValueError(
        `${this.className} "${this.name}": attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is ${vocab.length + this.tokenStart()}; \`max_tokens\` is ${this.maxTokens}.`,
      );
    }
    this.tokens = vocab;
    this.index = new Map(vocab.map((t, i) => [t, i + this.tokenStart()]));
  }

  /** Keras `get_vocabulary`: the tokens in index order (special tokens first unless excluded). */
  getVocabulary(includeSpecialTokens = true): T[] {
    if (!includeSpecialTokens) return [...this.tokens];
    const mask = this.maskToken != null && this.outputMode === 'int' ? [this.maskToken] : [];
    return [...mask, ...new Array<T>(this.numOovIndices).fill(this.oovToken), ...this.tokens];
  }

  vocabularySize(): number {
    return this.tokenStart() + this.tokens.length;
  }

  protected abstract readTokens(x: Tensor): T[];
  protected abstract tokenTensor(values: T[], shape: number[]): Tensor;

  /** Learns the vocabulary from `data`: tokens by decreasing frequency (ties: larger token first, as Keras). */
  async adapt(data: TensorLike | Tensor[] | T[]): Promise<void> {
    this.adaptSync(data);
  }

  adaptSync(data: TensorLike | Tensor[] | T[]): void {
    const batches = Array.isArray(data) && data.length > 0 && isTensor(data[0]) ? (data as Tensor[]) : [data as TensorLike];
    const counts = new Map<T, number>();
    for (const b of batches) {
      const t = isTensor(b) ? b : convertToTensor(b as TensorLike);
      for (const tok of this.readTokens(t)) {
        if (tok === this.maskToken || (this.numOovIndices > 0 && tok === this.oovToken)) continue;
        counts.set(tok, (counts.get(tok) ?? 0) + 1);
      }
      if (t !== b) t.dispose();
    }
    const cmp = (a: T, b: T) => (a < b ? 1 : a > b ? -1 : 0);
    let sorted = [...counts.entries()].sort((p, q) => q[1] - p[1] || cmp(p[0], q[0])).map((e) => e[0]);
    if (this.maxTokens != null) sorted = sorted.slice(0, Math.max(this.maxTokens - this.tokenStart(), 0));
    this.tokens = [];
    this.setVocabulary(sorted);
  }

  private lookup(tok: T): number {
    if (this.maskToken != null && tok === this.maskToken) return this.outputMode === 'int' ? 0 : -1;
    const i = this.index.get(tok);
    if (i != null) return i;
    if (this.numOovIndices === 0) {
      throw new ValueError(`${this.className} "${this.name}": token ${JSON.stringify(tok)} is not in the vocabulary and num_oov_indices=0.`);
    }
    if (this.numOovIndices === 1) return this.oovStart();
    const h = typeof tok === 'number' ? ((tok % this.numOovIndices) + this.numOovIndices) % this.numOovIndices : fnv1a(tok) % this.numOovIndices;
    return this.oovStart() + h;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    if (this.invert) {
      if (x.dtype === 'string') throw new ValueError(`${this.className} "${this.name}": with invert=True the inputs must be integer indices. Received string inputs of shape ${formatShape(x.shape)}.`);
      const vocab = this.getVocabulary();
      const out = Array.from(x.dataSync() as ArrayLike<number>, (i) => {
        if (this.maskToken != null && i === 0 && this.oovStart() === 1) return this.maskToken;
        return i >= 0 && i < vocab.length ? vocab[i]! : this.oovToken;
      });
      return this.tokenTensor(out, x.shape);
    }
    this.checkInput(x);
    const idx = Int32Array.from(this.readTokens(x), (t) => this.lookup(t));
    return tidy(() => {
      const t = tensor(idx, x.shape, 'int32');
      return this.outputMode === 'int' ? t : encodeCategorical(`${this.className} "${this.name}"`, t, this.outputMode as 'count', this.depth());
    });
  }

  protected abstract checkInput(x: Tensor): void;

  private depth(): number {
    return this.padToMaxTokens && this.maxTokens != null ? this.maxTokens : this.vocabularySize();
  }

  protected override outputDtype(_inputDtype: DataType): DataType {
    if (this.invert) return this.tokenKind === 'string' ? 'string' : 'int32';
    return this.outputMode === 'int' ? 'int32' : 'float32';
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return encodedShape(inputShape as Shape, this.outputMode, this.depth());
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      invert: this.invert,
      max_tokens: this.maxTokens,
      num_oov_indices: this.numOovIndices,
      oov_token: this.oovToken,
      mask_token: this.maskToken,
      output_mode: this.outputMode,
      sparse: this.sparse,
      pad_to_max_tokens: this.padToMaxTokens,
      idf_weights: null,
      // Keras keeps an adapted vocabulary in assets; here it travels in the config.
      vocabulary: this.inputVocabulary ?? (this.tokens.length > 0 ? [...this.tokens] : null),
    };
  }
}

export interface StringLookupArgs extends IndexLookupArgs<string> {
  encoding?: string;
}

/** `keras.layers.StringLookup`: maps strings to indices (or back, with `invert`). */
export class StringLookup extends IndexLookup<string> {
  static override className = 'StringLookup';
  protected readonly tokenKind = 'string';
  readonly encoding: string;

  constructor(options?: StringLookupArgs);
  constructor(...args: unknown[]) {
    super('StringLookup', { oovToken: '[UNK]' }, args);
    this.encoding = ((args[args.length - 1] as StringLookupArgs | undefined)?.encoding ?? 'utf-8').toLowerCase();
  }

  protected readTokens(x: Tensor): string[] {
    if (x.dtype !== 'string') {
      throw new ValueError(`StringLookup "${this.name}": expected string inputs, but received ${x.dtype} inputs of shape ${formatShape(x.shape)}.`);
    }
    return Array.from(x.dataSync() as unknown as string[]);
  }

  protected checkInput(x: Tensor): void {
    this.readTokens(x);
  }

  protected tokenTensor(values: string[], shape: number[]): Tensor {
    return tensor(values as unknown as TensorLike, shape, 'string');
  }

  override getConfig(): Config {
    return { ...super.getConfig(), vocabulary_dtype: 'string', encoding: this.encoding };
  }
}
registerClass('layer', StringLookup, { module: 'keras.layers', className: 'StringLookup' });

export interface IntegerLookupArgs extends IndexLookupArgs<number> {
  vocabularyDtype?: string;
}

/** `keras.layers.IntegerLookup`: maps integers to indices (or back, with `invert`); OOV token -1. */
export class IntegerLookup extends IndexLookup<number> {
  static override className = 'IntegerLookup';
  protected readonly tokenKind = 'int';

  constructor(options?: IntegerLookupArgs);
  constructor(...args: unknown[]) {
    super('IntegerLookup', { oovToken: -1 }, args);
  }

  protected readTokens(x: Tensor): number[] {
    if (x.dtype === 'string') {
      throw new ValueError(`IntegerLookup "${this.name}": expected integer inputs, but received string inputs of shape ${formatShape(x.shape)}.`);
    }
    const values = Array.from(x.dataSync() as ArrayLike<number>);
    if (values.some((v) => !Number.isInteger(v))) {
      throw new ValueError(`IntegerLookup "${this.name}": expected integer inputs, but received non-integer values in inputs of shape ${formatShape(x.shape)}.`);
    }
    return values;
  }

  protected checkInput(_x: Tensor): void {}

  protected tokenTensor(values: number[], shape: number[]): Tensor {
    return tensor(Int32Array.from(values), shape, 'int32');
  }

  override getConfig(): Config {
    return { ...super.getConfig(), vocabulary_dtype: 'int64' };
  }
}
registerClass('layer', IntegerLookup, { module: 'keras.layers', className: 'IntegerLookup' });

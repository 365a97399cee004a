import { type Config, type DataType, type Shape, type Tensor, type TensorLike, ValueError, convertToTensor, formatShape, isTensor, ops, registerClass, tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { type LookupOutputMode, checkOutputMode, encodeCategorical, encodedShape } from './encoding';
import { hashBucketFast } from './hash';

type Token = string | number;

/** 'int', the encodings, or 'tf_idf' (counts weighted by inverse document frequency). */
export type IndexLookupOutputMode = LookupOutputMode | 'tf_idf';

export interface IndexLookupArgs<T extends Token> extends LayerArgs {
  maxTokens?: number | null;
  numOovIndices?: number;
  maskToken?: T | null;
  oovToken?: T;
  vocabulary?: T[] | null;
  /** Inverse document frequencies of `vocabulary` (required with it in 'tf_idf' mode, refused otherwise). */
  idfWeights?: readonly number[] | null;
  invert?: boolean;
  outputMode?: IndexLookupOutputMode;
  sparse?: boolean;
  padToMaxTokens?: boolean;
  /** How integer OOV tokens pick one of several OOV indices: 'floormod' (default) or 'farmhash'. */
  oovMethod?: 'floormod' | 'farmhash';
  /** Written by getConfig (Keras' `vocabulary_size`); ignored. */
  vocabularySize?: number | null;
}

/**
 * Shared by StringLookup and IntegerLookup (Keras' IndexLookup): index layout
 * `[mask (int mode only)] + [OOV] * num_oov_indices + vocabulary`. With several OOV indices an OOV
 * token goes to `index_of_first_oov + h mod num_oov_indices`, h being FarmHash Fingerprint64 of a
 * string, and for an integer its value ('floormod') or the fingerprint of its decimal string
 * ('farmhash').
 *
 * `adapt` counts tokens over documents (the rows of a batch; a plain list is one token per
 * document) and, in 'tf_idf' mode, learns `idf = log(1 + documents / (1 + documents with token))`,
 * the OOV entries getting the mean idf.
 */
export abstract class IndexLookup<T extends Token> extends Layer {
  readonly maxTokens: number | null;
  readonly numOovIndices: number;
  readonly maskToken: T | null;
  readonly oovToken: T;
  readonly invert: boolean;
  readonly outputMode: IndexLookupOutputMode;
  readonly sparse: boolean;
  readonly padToMaxTokens: boolean;
  readonly oovMethod: 'floormod' | 'farmhash';
  /** The vocabulary given to the constructor (Keras' `input_vocabulary`). */
  readonly inputVocabulary: T[] | null;
  /** The idf weights given to the constructor (Keras' `input_idf_weights`). */
  readonly inputIdfWeights: number[] | null;
  private tokens: T[] = [];
  private index = new Map<T, number>();
  /** 'tf_idf' only: one weight per output index (special tokens first, zeros past the vocabulary). */
  private idf: Float32Array | null = null;

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
    const mode = a.outputMode === ('binary' as never) ? 'multi_hot' : a.outputMode === ('tf-idf' as never) ? 'tf_idf' : a.outputMode;
    this.outputMode = checkOutputMode<IndexLookupOutputMode>(layer, mode, ['int', 'one_hot', 'multi_hot', 'count', 'tf_idf'], 'int');
    if (a.idfWeights != null && this.outputMode !== 'tf_idf') {
      throw new ValueError(`${layer}: \`idf_weights\` should only be set if \`output_mode\` is 'tf_idf'. Received: output_mode=${this.outputMode}`);
    }
    if (this.outputMode === 'tf_idf' && a.vocabulary != null && a.idfWeights == null) {
      throw new ValueError(`${layer}: when specifying the \`vocabulary\` argument in 'tf_idf' output mode, the \`idf_weights\` argument must also be provided.`);
    }
    this.oovMethod = a.oovMethod ?? 'floormod';
    if (this.oovMethod !== 'floormod' && this.oovMethod !== 'farmhash') {
      throw new ValueError(`${layer}: \`oov_method\` must be one of "floormod", "farmhash". Received: oov_method=${String(a.oovMethod)}`);
    }
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
    this.inputIdfWeights = a.idfWeights != null ? [...a.idfWeights] : null;
    if (a.vocabulary != null) this.setVocabulary(a.vocabulary, a.idfWeights ?? null);
    this.built = true;
  }

  private oovStart(): number {
    return this.maskToken != null && this.outputMode === 'int' ? 1 : 0;
  }

  private tokenStart(): number {
    return this.oovStart() + this.numOovIndices;
  }

  private specialTokens(): T[] {
    return [...(this.oovStart() === 1 ? [this.maskToken as T] : []), ...new Array<T>(this.numOovIndices).fill(this.oovToken)];
  }

  /**
   * Sets the vocabulary (and, in 'tf_idf' mode, the idf weights, one per vocabulary entry); leading
   * special tokens (mask, OOV) in their places are accepted and skipped. Without them, the special
   * entries' idf is the mean of the given weights, as in Keras.
   */
  setVocabulary(vocabulary: readonly T[], idfWeights: readonly number[] | null = null): void {
    const who = `${this.className} "${this.name}"`;
    if (this.outputMode === 'tf_idf' && idfWeights == null) throw new ValueError(`${who}: \`idf_weights\` must be set if output_mode is 'tf_idf'.`);
    if (this.outputMode !== 'tf_idf' && idfWeights != null) {
      throw new ValueError(`${who}: \`idf_weights\` should only be set if output_mode is 'tf_idf'. Received: output_mode=${this.outputMode}`);
    }
    if (vocabulary.length === 0) throw new ValueError(`${who}: cannot set an empty vocabulary.`);
    let vocab = [...vocabulary];
    const special = this.specialTokens();
    const foundSpecial = special.length > 0 && special.every((t, i) => vocab[i] === t);
    if (foundSpecial) vocab = vocab.slice(special.length);
    const seen = new Set<T>();
    for (const t of vocab) {
      if (seen.has(t)) throw new ValueError(`${who}: the passed vocabulary has at least one repeated term (${JSON.stringify(t)}). Please uniquify your dataset.`);
      if (t === this.maskToken || (this.invert && t === this.oovToken)) {
        throw new ValueError(`${who}: reserved token ${JSON.stringify(t)} (mask or OOV) must only appear at the start of the vocabulary, in this order: ${JSON.stringify(special)}.`);
      }
      seen.add(t);
    }
    if (this.maxTokens != null && vocab.length + this.tokenStart() > this.maxTokens) {
      throw new ValueError(
        `${who}: attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is ${vocab.length + this.tokenStart()}; \`max_tokens\` is ${this.maxTokens}.`,
      );
    }
    if (idfWeights != null && idfWeights.length !== vocabulary.length) {
      throw new ValueError(`${who}: \`idf_weights\` must be the same length as vocabulary. len(idf_weights) is ${idfWeights.length}; len(vocabulary) is ${vocabulary.length}.`);
    }
    this.tokens = vocab;
    this.index = new Map(vocab.map((t, i) => [t, i + this.tokenStart()]));
    if (idfWeights != null) {
      const front = foundSpecial ? 0 : this.tokenStart();
      const mean = idfWeights.reduce((acc, w) => acc + w, 0) / idfWeights.length;
      this.idf = this.paddedIdf([...new Array<number>(front).fill(mean), ...idfWeights]);
    }
  }

  /** Pads idf weights (already covering the special tokens) with zeros up to the output depth. */
  private paddedIdf(weights: number[]): Float32Array {
    const out = new Float32Array(Math.max(this.depth(), weights.length));
    out.set(weights);
    return out;
  }

  /** The idf weight of each output index ('tf_idf' mode, once a vocabulary is set), else null. */
  get idfWeights(): Float32Array | null {
    return this.idf == null ? null : this.idf.slice();
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

  /**
   * Learns the vocabulary (and idf weights) from `data`: tokens by decreasing frequency, ties broken
   * by the larger token first, as Keras. A tensor or nested array of rank 2 is a batch of documents
   * (its rows), a flat list is one token per document, a list of tensors is several batches (a
   * rank-1 batch being one document).
   */
  async adapt(data: TensorLike | Tensor[] | T[]): Promise<void> {
    this.adaptSync(data);
  }

  adaptSync(data: TensorLike | Tensor[] | T[]): void {
    if (this.inputVocabulary != null) {
      throw new ValueError(`${this.className} "${this.name}": cannot adapt after setting a static vocabulary via the \`vocabulary\` argument.`);
    }
    const documents: T[][] = [];
    const batches = Array.isArray(data) && data.length > 0 && isTensor(data[0]) ? (data as Tensor[]) : null;
    if (batches != null) {
      for (const b of batches) {
        const tokens = this.readTokens(b);
        if (b.rank <= 1) documents.push(tokens);
        else {
          const width = b.size / b.shape[0]!;
          for (let r = 0; r < b.shape[0]!; r++) documents.push(tokens.slice(r * width, (r + 1) * width));
        }
      }
    } else {
      const t = isTensor(data) ? data : convertToTensor(data as TensorLike);
      try {
        const tokens = this.readTokens(t);
        // A flat list holds as many documents as tokens (Keras expands it to a column).
        const width = t.rank <= 1 ? 1 : t.size / Math.max(t.shape[0]!, 1);
        for (let i = 0; i < tokens.length; i += width) documents.push(tokens.slice(i, i + width));
      } finally {
        if (t !== data) t.dispose();
      }
    }
    this.adaptDocuments(documents);
  }

  /** `adapt` on token lists, one per document. */
  adaptDocuments(documents: readonly (readonly T[])[]): void {
    const counts = new Map<T, number>();
    const docCounts = new Map<T, number>();
    const special = (tok: T) => tok === this.maskToken || tok === this.oovToken;
    for (const doc of documents) {
      for (const tok of doc) counts.set(tok, (counts.get(tok) ?? 0) + 1);
      for (const tok of new Set(doc)) docCounts.set(tok, (docCounts.get(tok) ?? 0) + 1);
    }
    const cmp = (a: T, b: T) => (a < b ? 1 : a > b ? -1 : 0);
    let sorted = [...counts.entries()]
      .filter(([tok]) => !special(tok))
      .sort((p, q) => q[1] - p[1] || cmp(p[0], q[0]))
      .map((e) => e[0]);
    if (this.maxTokens != null) sorted = sorted.slice(0, Math.max(this.maxTokens - this.tokenStart(), 0));
    this.index = new Map(sorted.map((t, i) => [t, i + this.tokenStart()]));
    this.tokens = sorted;
    if (this.outputMode === 'tf_idf') {
      const n = documents.length;
      // Keras computes the idf in float64 (int64 counts) before casting to float32.
      const idf = sorted.map((t) => Math.log(1 + n / (1 + (docCounts.get(t) ?? 0))));
      const mean = idf.length > 0 ? idf.reduce((acc, w) => acc + w, 0) / idf.length : 0;
      this.idf = this.paddedIdf([...new Array<number>(this.tokenStart()).fill(mean), ...idf]);
    }
  }

  private lookup(tok: T): number {
    if (this.maskToken != null && tok === this.maskToken) return this.outputMode === 'int' ? 0 : -1;
    const i = this.index.get(tok);
    if (i != null) return i;
    if (this.numOovIndices === 0) {
      throw new ValueError(`${this.className} "${this.name}": token ${JSON.stringify(tok)} is not in the vocabulary and num_oov_indices=0.`);
    }
    if (this.numOovIndices === 1) return this.oovStart();
    const n = this.numOovIndices;
    const h = typeof tok === 'number' && this.oovMethod === 'floormod' ? ((tok % n) + n) % n : hashBucketFast(tok, n);
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
      if (this.outputMode === 'int') return t;
      const who = `${this.className} "${this.name}"`;
      if (this.outputMode !== 'tf_idf') return encodeCategorical(who, t, this.outputMode, this.depth());
      if (this.idf == null) throw new ValueError(`${who}: in 'tf_idf' mode the layer needs idf weights: pass \`vocabulary\` with \`idf_weights\`, or call \`adapt\` first.`);
      const counts = encodeCategorical(who, t, 'count', this.depth());
      return ops.multiply(counts, tensor(this.idf.subarray(0, this.depth()), [this.depth()], 'float32'));
    });
  }

  protected abstract checkInput(x: Tensor): void;

  protected depth(): number {
    return this.padToMaxTokens && this.maxTokens != null ? this.maxTokens : this.vocabularySize();
  }

  protected override outputDtype(_inputDtype: DataType): DataType {
    if (this.invert) return this.tokenKind === 'string' ? 'string' : 'int32';
    return this.outputMode === 'int' ? 'int32' : 'float32';
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return encodedShape(inputShape as Shape, this.outputMode === 'tf_idf' ? 'count' : this.outputMode, this.depth());
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
      // Keras keeps an adapted vocabulary in assets and the idf weights in the weights file; here
      // they travel in the config (the vocabulary then includes its special tokens, so the weights
      // line up with it).
      ...this.vocabularyConfig(),
      vocabulary_size: this.tokens.length > 0 ? this.vocabularySize() : null,
      oov_method: this.oovMethod,
    };
  }

  private vocabularyConfig(): Config {
    if (this.inputVocabulary != null) return { idf_weights: this.inputIdfWeights, vocabulary: [...this.inputVocabulary] };
    if (this.tokens.length === 0) return { idf_weights: null, vocabulary: null };
    if (this.outputMode !== 'tf_idf') return { idf_weights: null, vocabulary: [...this.tokens] };
    const vocab = this.getVocabulary(true);
    return { idf_weights: Array.from(this.idf!.subarray(0, vocab.length)), vocabulary: vocab };
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

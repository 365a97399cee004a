import { type Config, type DataType, type Shape, type Tensor, type TensorLike, ValueError, convertToTensor, formatShape, isTensor, registerClass, tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { checkOutputMode } from './encoding';
import { type IndexLookupOutputMode, StringLookup } from './index-lookup';

/** Keras' DEFAULT_STRIP_REGEX. */
const STRIP = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;

export type Standardize = 'lower_and_strip_punctuation' | 'lower' | 'strip_punctuation' | null | ((s: string) => string);
export type Split = 'whitespace' | 'character' | null | ((s: string) => string[]);

export interface TextVectorizationArgs extends LayerArgs {
  maxTokens?: number | null;
  standardize?: Standardize;
  split?: Split;
  /** An int n (all n-grams up to n) or a list of n-gram sizes. */
  ngrams?: number | number[] | null;
  outputMode?: Exclude<IndexLookupOutputMode, 'one_hot'>;
  outputSequenceLength?: number | null;
  padToMaxTokens?: boolean;
  vocabulary?: string[] | null;
  /** Inverse document frequencies of `vocabulary` ('tf_idf' mode). */
  idfWeights?: readonly number[] | null;
  sparse?: boolean;
  ragged?: boolean;
  encoding?: string;
  /** Written by getConfig (Keras' `vocabulary_size`); ignored. */
  vocabularySize?: number;
}

/**
 * `keras.layers.TextVectorization`: standardizes, splits and n-grams strings, then maps tokens to
 * indices (mask '' = 0 and OOV '[UNK]' = 1 in 'int' mode) or multi-hot / count / tf-idf vectors
 * (each input string is one document for `adapt`'s idf). Not supported: ragged and sparse outputs.
 */
export class TextVectorization extends Layer {
  static override className = 'TextVectorization';

  readonly standardize: Standardize;
  readonly split: Split;
  readonly ngrams: number[] | null;
  readonly ngramsArg: number | number[] | null;
  readonly outputMode: Exclude<IndexLookupOutputMode, 'one_hot'>;
  readonly outputSequenceLength: number | null;
  readonly ragged: boolean;
  readonly encoding: string;
  readonly lookupLayer: StringLookup;

  constructor(options?: TextVectorizationArgs);
  constructor(...args: unknown[]) {
    const a = positional<TextVectorizationArgs>([], args);
    super(a);
    const std = a.standardize === undefined ? 'lower_and_strip_punctuation' : a.standardize;
    if (std != null && typeof std !== 'function' && !['lower_and_strip_punctuation', 'lower', 'strip_punctuation'].includes(std)) {
      throw new ValueError(`TextVectorization: unknown \`standardize\` ${String(std)}. Expected "lower_and_strip_punctuation", "lower", "strip_punctuation", null or a function.`);
    }
    const split = a.split === undefined ? 'whitespace' : a.split;
    if (split != null && typeof split !== 'function' && split !== 'whitespace' && split !== 'character') {
      throw new ValueError(`TextVectorization: unknown \`split\` ${String(split)}. Expected "whitespace", "character", null or a function.`);
    }
    this.standardize = std;
    this.split = split;
    this.ngramsArg = a.ngrams ?? null;
    if (a.ngrams != null && !(typeof a.ngrams === 'number' ? Number.isInteger(a.ngrams) && a.ngrams > 0 : a.ngrams.every((n) => Number.isInteger(n) && n > 0))) {
      throw new ValueError(`TextVectorization: \`ngrams\` must be null, a positive integer, or a list of positive integers. Received: ngrams=${JSON.stringify(a.ngrams)}`);
    }
    this.ngrams = a.ngrams == null ? null : typeof a.ngrams === 'number' ? Array.from({ length: a.ngrams }, (_, i) => i + 1) : [...a.ngrams];
    this.outputMode = checkOutputMode<Exclude<IndexLookupOutputMode, 'one_hot'>>('TextVectorization', a.outputMode, ['int', 'multi_hot', 'count', 'tf_idf'], 'int');
    if (a.outputSequenceLength != null && this.outputMode !== 'int') {
      throw new ValueError(`TextVectorization: \`output_sequence_length\` must not be set if \`output_mode\` is not 'int'. Received output_sequence_length=${a.outputSequenceLength}.`);
    }
    this.outputSequenceLength = a.outputSequenceLength ?? null;
    this.ragged = a.ragged ?? false;
    if (this.ragged) throw new ValueError('TextVectorization: ragged=True is not supported.');
    this.encoding = a.encoding ?? 'utf-8';
    this.lookupLayer = new StringLookup({
      maxTokens: a.maxTokens ?? null,
      maskToken: '',
      outputMode: this.outputMode,
      padToMaxTokens: a.padToMaxTokens ?? false,
      vocabulary: a.vocabulary ?? null,
      idfWeights: a.idfWeights ?? null,
      sparse: a.sparse ?? false,
    });
    this.built = true;
  }

  /** Standardize, split and n-gram one string. */
  tokenize(text: string): string[] {
    let s = text;
    if (typeof this.standardize === 'function') s = this.standardize(s);
    else if (this.standardize != null) {
      if (this.standardize !== 'strip_punctuation') s = s.toLowerCase();
      if (this.standardize !== 'lower') s = s.replace(STRIP, '');
    }
    let tokens: string[];
    if (typeof this.split === 'function') tokens = this.split(s);
    else if (this.split === 'whitespace') tokens = s.split(/\s+/).filter((t) => t.length > 0);
    else if (this.split === 'character') tokens = Array.from(s);
    else tokens = [s];
    if (this.ngrams == null) return tokens;
    const out: string[] = [];
    for (const n of this.ngrams) for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(' '));
    return out;
  }

  private readStrings(x: Tensor): string[] {
    if (x.dtype !== 'string') {
      throw new ValueError(`TextVectorization "${this.name}": expected string inputs, but received ${x.dtype} inputs of shape ${formatShape(x.shape)}.`);
    }
    if (!(x.rank === 1 || (x.rank === 2 && x.shape[1] === 1) || x.rank === 0)) {
      throw new ValueError(`TextVectorization "${this.name}": expected inputs of shape (batch,) or (batch, 1), but received input shape ${formatShape(x.shape)}.`);
    }
    return Array.from(x.dataSync() as unknown as string[]);
  }

  async adapt(data: TensorLike | Tensor[] | string[]): Promise<void> {
    this.adaptSync(data);
  }

  /** Learns the vocabulary from strings (a string tensor, a list of strings, or a list of batches). */
  adaptSync(data: TensorLike | Tensor[] | string[]): void {
    const batches = Array.isArray(data) && data.length > 0 && isTensor(data[0]) ? (data as Tensor[]) : [data as TensorLike];
    const documents: string[][] = [];
    for (const b of batches) {
      const t = isTensor(b) ? b : convertToTensor(b as TensorLike);
      try {
        for (const s of this.readStrings(t)) documents.push(this.tokenize(s));
      } finally {
        if (t !== b) t.dispose();
      }
    }
    this.lookupLayer.adaptDocuments(documents);
  }

  getVocabulary(includeSpecialTokens = true): string[] {
    return this.lookupLayer.getVocabulary(includeSpecialTokens);
  }

  vocabularySize(): number {
    return this.lookupLayer.vocabularySize();
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const rows = this.readStrings(x).map((s) => this.tokenize(s));
    const longest = Math.max(0, ...rows.map((r) => r.length));
    const len = this.outputSequenceLength ?? (this.outputMode === 'int' ? longest : Math.max(longest, 1));
    const padded = rows.flatMap((r) => Array.from({ length: len }, (_, i) => r[i] ?? ''));
    return tidy(() => {
      const t = tensor(padded as unknown as TensorLike, [rows.length, len], 'string');
      return this.lookupLayer.apply(t);
    });
  }

  protected override outputDtype(_inputDtype: DataType): DataType {
    return this.outputMode === 'int' ? 'int32' : 'float32';
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const batch = (inputShape as Shape)[0] ?? null;
    if (this.outputMode === 'int') return [batch, this.outputSequenceLength];
    const depth = this.lookupLayer.padToMaxTokens ? this.lookupLayer.maxTokens : this.vocabularySize();
    return [batch, depth];
  }

  override getConfig(): Config {
    const lk = this.lookupLayer;
    return {
      ...super.getConfig(),
      max_tokens: lk.maxTokens,
      standardize: typeof this.standardize === 'function' ? null : this.standardize,
      split: typeof this.split === 'function' ? null : this.split,
      ngrams: this.ngramsArg,
      output_mode: this.outputMode,
      output_sequence_length: this.outputSequenceLength,
      pad_to_max_tokens: lk.padToMaxTokens,
      sparse: lk.sparse,
      ragged: this.ragged,
      vocabulary: lk.getConfig()['vocabulary'] ?? null,
      idf_weights: lk.getConfig()['idf_weights'] ?? null,
      encoding: this.encoding,
      vocabulary_size: this.vocabularySize(),
    };
  }
}
registerClass('layer', TextVectorization, { module: 'keras.layers', className: 'TextVectorization' });

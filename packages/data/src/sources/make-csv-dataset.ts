import { type Tensor, ValueError, tensor } from '@strata/core';
import { Dataset, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY } from '../dataset/dataset';
import { iterateStream, openByteStream } from './byte-stream';
import { CsvRecordParser } from './csv-parser';

/** The column types of `make_csv_dataset` (tf.data's CSV dtypes). */
export type CsvDtype = 'int32' | 'int64' | 'float32' | 'float64' | 'string';
const CSV_DTYPES: readonly CsvDtype[] = ['int32', 'int64', 'float32', 'float64', 'string'];

/**
 * One column default: a dtype (the column is required), a value (the column is optional and the
 * value fills empty fields; an integer gives int32, another number float32, a string a string
 * column), or `{ dtype, value? }` to say both.
 */
export type CsvColumnDefault = CsvDtype | number | string | { dtype: CsvDtype; value?: number | string | null };

export interface MakeCsvDatasetOptions {
  /** Rows per batch (required). */
  batchSize: number;
  /** Names of ALL the columns in file order; inferred from the header line when not given. */
  columnNames?: readonly string[] | null;
  /** One default per (selected) column; inferred from the first `numRowsForInference` rows when not given. */
  columnDefaults?: readonly CsvColumnDefault[] | null;
  /** The column returned apart as the label (elements are then `[features, label]`). */
  labelName?: string | null;
  /** Indices or names of the columns to keep. */
  selectColumns?: readonly (number | string)[] | null;
  /** Field delimiter, one character (default ','). */
  fieldDelim?: string;
  /** Whether double quotes delimit fields (default true). */
  useQuoteDelim?: boolean;
  /** An extra string read as a missing value (default ''). */
  naValue?: string;
  /** Whether each file starts with a header line (default true). */
  header?: boolean;
  /** Passes over the data; `null` (default) repeats forever and drops the last partial batch. */
  numEpochs?: number | null;
  /** Whether to shuffle (default true): files, then rows through a buffer. */
  shuffle?: boolean;
  /** Rows in the shuffle buffer (default 10000). */
  shuffleBufferSize?: number;
  /** Seed of the shuffles. */
  shuffleSeed?: number | null;
  /** Rows read to infer the column types (default 100; `null` reads everything). */
  numRowsForInference?: number | null;
  /** Skip malformed rows (wrong field count, unparsable or missing required values) instead of failing. */
  ignoreErrors?: boolean;
}

/** A batch: a dict of column tensors `[b]` (and the label tensor `[b]` when `labelName` is set). */
export type CsvBatch = Record<string, Tensor> | [Record<string, Tensor>, Tensor];

const WHO = 'makeCsvDataset';

/** What the tensors of a CSV dtype are made of here (tfjs has no 64-bit types). */
function tensorDtype(d: CsvDtype): 'int32' | 'float32' | 'string' {
  return d === 'int32' ? 'int32' : d === 'string' ? 'string' : 'float32';
}

// ---- type inference, as tf.data's `_infer_type` (NumPy's parsers via Python's int()/float()) ----

const INT_RE = /^\s*[+-]?\d+(_\d+)*\s*$/;
const FLOAT_RE = /^\s*[+-]?((\d+(_\d+)*)?\.?(\d+(_\d+)*)?([eE][+-]?\d+(_\d+)*)?|inf(inity)?|nan)\s*$/i;

function parseIntStrict(s: string): number | null {
  if (!INT_RE.test(s)) return null;
  return Number(s.replace(/_/g, '').trim());
}

function parseFloatStrict(s: string): number | null {
  const t = s.trim();
  if (!FLOAT_RE.test(s) || !/\d|inf|nan/i.test(t)) return null;
  const lower = t.toLowerCase().replace(/^[+]/, '');
  if (/^-?inf(inity)?$/.test(lower)) return lower.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^-?nan$/.test(lower)) return Number.NaN;
  const v = Number(t.replace(/_/g, ''));
  return Number.isNaN(v) ? null : v;
}

/** `_infer_type`: the least permissive dtype valid for `value` and for what was seen before. */
export function inferCsvType(value: string, naValue: string, prev: CsvDtype | null): CsvDtype | null {
  if (value === '' || value === naValue) return prev;
  const order = CSV_DTYPES;
  const asInt = parseIntStrict(value);
  const asFloat = parseFloatStrict(value);
  const valid: Record<CsvDtype, boolean> = {
    int32: asInt != null && asInt >= -(2 ** 31) && asInt < 2 ** 31,
    int64: asInt != null && asInt >= -(2 ** 63) && asInt < 2 ** 63,
    // NumPy: float32(s) < inf; an overflow to inf, "inf" and "nan" all fail that test.
    float32: asFloat != null && !Number.isNaN(asFloat) && Math.fround(asFloat) < Number.POSITIVE_INFINITY,
    float64: asFloat != null && !Number.isNaN(asFloat) && asFloat < Number.POSITIVE_INFINITY,
    string: true,
  };
  for (let i = 0; i < order.length; i++) {
    const t = order[i]!;
    if (valid[t] && (prev == null || order.indexOf(prev) <= i)) return t;
  }
  return 'string';
}

// ---- field parsing, as tf.data's CSV reader ----

interface ColumnSpec {
  name: string;
  index: number;
  dtype: CsvDtype;
  /** The value for an empty field, or `undefined` when the column is required. */
  fill: number | string | undefined;
}

class RowError extends Error {}

// Plain decimal numbers (the common case) skip the full Python-syntax parsers.
const FAST_INT = /^-?\d{1,15}$/;
const FAST_FLOAT = /^-?\d*\.?\d+(?:[eE][+-]?\d+)?$/;

function parseField(raw: string, col: ColumnSpec, naValue: string, row: number, path: string): number | string {
  if (raw === '' || raw === naValue) {
    if (col.fill === undefined) throw new RowError(`${WHO}: field ${col.index} (column "${col.name}") is required but missing in record ${row} of ${path}.`);
    return col.fill;
  }
  if (col.dtype === 'string') return raw;
  if (col.dtype === 'int32' || col.dtype === 'int64') {
    const v = FAST_INT.test(raw) ? Number(raw) : parseIntStrict(raw);
    if (v == null || (col.dtype === 'int32' && (v < -(2 ** 31) || v >= 2 ** 31))) {
      throw new RowError(`${WHO}: field ${col.index} (column "${col.name}") in record ${row} of ${path} is not a valid ${col.dtype}: ${raw}`);
    }
    return v;
  }
  const fast = FAST_FLOAT.test(raw) ? Number(raw) : Number.NaN;
  const v = Number.isNaN(fast) ? parseFloatStrict(raw) : fast;
  if (v == null) throw new RowError(`${WHO}: field ${col.index} (column "${col.name}") in record ${row} of ${path} is not a valid ${col.dtype}: ${raw}`);
  return v;
}

// ---- streaming records ----

type RawRecord = string[] | { error: string };

interface RecordSource {
  /** Raw records of one file, a decoded chunk at a time (never the whole file). */
  chunks(path: string): AsyncGenerator<RawRecord[]>;
  /** Raw records of one file, one at a time (for the header and type inference). */
  records(path: string): AsyncGenerator<string[]>;
}

function csvSource(fieldDelim: string, useQuoteDelim: boolean): RecordSource {
  async function* chunks(path: string): AsyncGenerator<RawRecord[]> {
    const body = await openByteStream(path, WHO);
    const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
    const parser = new CsvRecordParser(fieldDelim, useQuoteDelim);
    for await (const bytes of iterateStream(body)) {
      const recs = parser.push(decoder.decode(bytes, { stream: true }));
      if (recs.length > 0) yield recs;
    }
    const last = parser.push(decoder.decode(), true);
    if (last.length > 0) yield last;
  }
  return {
    chunks,
    async *records(path: string) {
      let n = 0;
      for await (const recs of chunks(path)) {
        for (const r of recs) {
          n++;
          if (!Array.isArray(r)) throw new ValueError(`${WHO}: malformed CSV record ${n} in ${path}: ${r.error}.`);
          yield r;
        }
      }
    },
  };
}

/** Column names: the header of the first file (every other file must have the same). */
async function inferColumnNames(files: string[], src: RecordSource): Promise<string[]> {
  let names: string[] | null = null;
  for (const f of files) {
    const it = src.records(f);
    const first = await it.next();
    await it.return(undefined);
    if (first.done) throw new ValueError(`${WHO}: cannot read the header line of ${f}. Empty file?`);
    if (names == null) names = first.value;
    else if (first.value.length !== names.length || first.value.some((v, i) => v !== names![i])) {
      throw new ValueError(`${WHO}: files have different column names in the header row (${files[0]} and ${f}).`);
    }
  }
  return names!;
}

async function inferDefaults(
  files: string[],
  src: RecordSource,
  numCols: number,
  select: number[],
  header: boolean,
  naValue: string,
  limit: number | null,
): Promise<CsvDtype[]> {
  const types: (CsvDtype | null)[] = select.map(() => null);
  let seen = 0;
  outer: for (const f of files) {
    let first = true;
    const it = src.records(f);
    try {
      for await (const rec of it) {
        if (first && header) {
          first = false;
          continue;
        }
        first = false;
        if (limit != null && seen >= limit) break outer;
        if (rec.length !== numCols) {
          throw new ValueError(`${WHO}: problem inferring types: CSV row ${seen + 1} of ${f} has ${rec.length} fields, expected ${numCols}.`);
        }
        select.forEach((c, j) => {
          types[j] = inferCsvType(rec[c]!, naValue, types[j]!);
        });
        seen++;
      }
    } finally {
      await it.return(undefined);
    }
  }
  return types.map((t) => t ?? 'string');
}

function normalizeDefault(d: CsvColumnDefault, i: number): { dtype: CsvDtype; fill: number | string | undefined } {
  if (typeof d === 'string' && (CSV_DTYPES as readonly string[]).includes(d)) return { dtype: d as CsvDtype, fill: undefined };
  if (typeof d === 'number') return { dtype: Number.isInteger(d) ? 'int32' : 'float32', fill: d };
  if (typeof d === 'string') return { dtype: 'string', fill: d };
  if (d && typeof d === 'object' && (CSV_DTYPES as readonly string[]).includes(d.dtype)) {
    return { dtype: d.dtype, fill: d.value == null ? undefined : d.value };
  }
  throw new ValueError(`${WHO}: \`column_defaults[${i}]\` must be a dtype (${CSV_DTYPES.join(', ')}), a number, a string or { dtype, value }. Received: ${JSON.stringify(d)}`);
}

function selectIndices(select: readonly (number | string)[], names: string[]): number[] {
  const out = select.map((v) => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 0 || v >= names.length) throw new ValueError(`${WHO}: column index ${v} specified in \`select_columns\` out of valid range.`);
      return v;
    }
    const i = names.indexOf(v);
    if (i < 0) throw new ValueError(`${WHO}: value '${v}' specified in \`select_columns\` not a valid column index or name (columns: ${names.join(', ')}).`);
    return i;
  });
  const sorted = [...new Set(out)].sort((a, b) => a - b);
  if (sorted.length !== select.length) throw new ValueError(`${WHO}: \`select_columns\` contains duplicate columns.`);
  return sorted;
}

/** A seeded float stream in [0, 1) (mulberry32) for the row and file shuffles; pass k mixes k in. */
function mulberry(seed: number, pass: number): () => number {
  let a = (seed ^ Math.imul(pass + 1, 0x9e3779b9)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildBatch(rows: (number | string)[][], cols: ColumnSpec[], labelName: string | null): CsvBatch {
  const features: Record<string, Tensor> = {};
  let label: Tensor | null = null;
  cols.forEach((c, j) => {
    const dt = tensorDtype(c.dtype);
    let t: Tensor;
    if (dt === 'string') t = tensor(rows.map((r) => r[j] as string) as never, [rows.length], 'string');
    else {
      const arr = dt === 'int32' ? new Int32Array(rows.length) : new Float32Array(rows.length);
      for (let i = 0; i < rows.length; i++) arr[i] = rows[i]![j] as number;
      t = tensor(arr, [rows.length], dt);
    }
    if (c.name === labelName) label = t;
    else features[c.name] = t;
  });
  return labelName != null ? [features, label!] : features;
}

/**
 * `tf.data.experimental.make_csv_dataset`: batches of CSV rows as `[features, label]` (or just
 * `features` without `labelName`), where `features` maps each (selected, non-label) column name to
 * a tensor `[batchSize]`. Files (paths or http(s) URLs) are STREAMED in chunks and never loaded
 * whole; memory is bounded by the shuffle buffer and the batches in flight.
 *
 * As tf.data: column names come from the header; column types are inferred from the first
 * `numRowsForInference` rows (int32 -> int64 -> float32 -> float64 -> string, missing values say
 * nothing) with inferred columns optional (0 or ''); rows are shuffled through a buffer of
 * `shuffleBufferSize` before repeating `numEpochs` times (forever by default, then the last partial
 * batch is dropped). Tensors: int32 columns are int32, int64/float32/float64 columns float32 (tfjs
 * has no 64-bit dtypes), string columns string. Inference and file errors surface on the first
 * read (the dataset is returned at once so it can be chained).
 */
export function makeCsvDataset(filePattern: string | readonly string[], options: MakeCsvDatasetOptions): Dataset<CsvBatch> {
  const files = typeof filePattern === 'string' ? [filePattern] : [...(filePattern ?? [])];
  if (files.length === 0 || files.some((f) => typeof f !== 'string' || f === '')) {
    throw new ValueError(`${WHO}: \`file_pattern\` must be a non-empty path or list of paths. Received: ${JSON.stringify(filePattern)}`);
  }
  const {
    batchSize,
    labelName = null,
    fieldDelim = ',',
    useQuoteDelim = true,
    naValue = '',
    header = true,
    numEpochs = null,
    shuffle = true,
    shuffleBufferSize = 10000,
    shuffleSeed = null,
    numRowsForInference = 100,
    ignoreErrors = false,
  } = options ?? ({} as MakeCsvDatasetOptions);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`${WHO}: \`batch_size\` must be a positive integer. Received: batch_size=${batchSize}`);
  if (typeof fieldDelim !== 'string' || fieldDelim.length !== 1) throw new ValueError(`${WHO}: \`field_delim\` must be one character. Received: field_delim=${JSON.stringify(fieldDelim)}`);
  if (numEpochs != null && (!Number.isInteger(numEpochs) || numEpochs < 1)) {
    throw new ValueError(`${WHO}: \`num_epochs\` must be a positive integer or null (forever). Received: num_epochs=${numEpochs}`);
  }
  if (!Number.isInteger(shuffleBufferSize) || shuffleBufferSize < 1) {
    throw new ValueError(`${WHO}: \`shuffle_buffer_size\` must be a positive integer. Received: shuffle_buffer_size=${shuffleBufferSize}`);
  }
  const givenNames = options.columnNames ?? null;
  if (givenNames == null && !header) throw new ValueError(`${WHO}: cannot infer column names without a header line (pass \`column_names\`).`);
  if (givenNames != null && new Set(givenNames).size !== givenNames.length) throw new ValueError(`${WHO}: cannot have duplicate column names.`);
  const src = csvSource(fieldDelim, useQuoteDelim);
  const seed = shuffleSeed ?? Math.floor(Math.random() * 2 ** 31);

  // Column names, selection and types, resolved once on the first read.
  let specPromise: Promise<{ cols: ColumnSpec[]; numCols: number }> | null = null;
  const resolveSpec = async () => {
    const names = givenNames ? [...givenNames] : await inferColumnNames(files, src);
    const select = options.selectColumns != null ? selectIndices(options.selectColumns, names) : names.map((_, i) => i);
    let defaults: { dtype: CsvDtype; fill: number | string | undefined }[];
    if (options.columnDefaults != null) {
      defaults = options.columnDefaults.map(normalizeDefault);
      if (options.selectColumns == null && defaults.length !== names.length) {
        throw new ValueError(`${WHO}: \`column_defaults\` has ${defaults.length} entries but there are ${names.length} columns.`);
      }
    } else {
      const types = await inferDefaults(files, src, names.length, select, header, naValue, numRowsForInference);
      defaults = types.map((dtype) => ({ dtype, fill: dtype === 'string' ? '' : 0 }));
    }
    if (defaults.length !== select.length) throw new ValueError(`${WHO}: if specified, \`column_defaults\` and \`select_columns\` must have same length.`);
    const cols = select.map((c, j) => ({ name: names[c]!, index: c, ...defaults[j]! }));
    if (labelName != null && !cols.some((c) => c.name === labelName)) {
      throw new ValueError(`${WHO}: \`label_name\` provided must be one of the columns. Received: label_name=${labelName}; columns: ${cols.map((c) => c.name).join(', ')}`);
    }
    return { cols, numCols: names.length };
  };
  const spec = () => (specPromise ??= resolveSpec());

  const dropRemainder = numEpochs == null;
  let passes = 0;
  return Dataset.fromGenerator(
    async function* () {
      const { cols, numCols } = await spec();
      // Each pass draws from its own stream, so that a re-read reshuffles (tf.data's default).
      const rand = mulberry(seed, passes++);
      let batch: (number | string)[][] = [];
      const shuffleBuf: (number | string)[][] = [];
      for (let epoch = 0; numEpochs == null || epoch < numEpochs; epoch++) {
        const order = [...files];
        if (shuffle) for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        let rowsThisEpoch = 0;
        for (const f of order) {
          let recNo = 0;
          for await (const recs of src.chunks(f)) {
            for (const rec of recs) {
              recNo++;
              if (header && recNo === 1) continue;
              const rowNo = recNo - (header ? 1 : 0);
              let row: (number | string)[];
              try {
                if (!Array.isArray(rec)) throw new RowError(`${WHO}: malformed CSV record ${rowNo} in ${f}: ${rec.error}.`);
                if (rec.length !== numCols) throw new RowError(`${WHO}: expect ${numCols} fields but have ${rec.length} in record ${rowNo} of ${f}.`);
                row = new Array(cols.length);
                for (let j = 0; j < cols.length; j++) row[j] = parseField(rec[cols[j]!.index]!, cols[j]!, naValue, rowNo, f);
              } catch (e) {
                if (e instanceof RowError) {
                  if (ignoreErrors) continue;
                  throw new ValueError(e.message);
                }
                throw e;
              }
              rowsThisEpoch++;
              // tf.data's shuffle buffer: once full, emit a random buffered row and put the new one in its place.
              if (shuffle) {
                if (shuffleBuf.length < shuffleBufferSize) {
                  shuffleBuf.push(row);
                  continue;
                }
                const k = Math.floor(rand() * shuffleBuf.length);
                const out = shuffleBuf[k]!;
                shuffleBuf[k] = row;
                row = out;
              }
              batch.push(row);
              if (batch.length === batchSize) {
                const b = batch;
                batch = [];
                yield buildBatch(b, cols, labelName);
              }
            }
          }
        }
        // The buffer drains at the end of each pass (the shuffle comes before the repeat).
        while (shuffleBuf.length > 0) {
          const k = Math.floor(rand() * shuffleBuf.length);
          batch.push(shuffleBuf[k]!);
          shuffleBuf[k] = shuffleBuf[shuffleBuf.length - 1]!;
          shuffleBuf.pop();
          if (batch.length === batchSize) {
            const b = batch;
            batch = [];
            yield buildBatch(b, cols, labelName);
          }
        }
        // An empty pass would repeat forever without yielding.
        if (rowsThisEpoch === 0) break;
      }
      if (batch.length > 0 && !dropRemainder) yield buildBatch(batch, cols, labelName);
    },
    { cardinality: numEpochs == null ? INFINITE_CARDINALITY : UNKNOWN_CARDINALITY },
  );
}

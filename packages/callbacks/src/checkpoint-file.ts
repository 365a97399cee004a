// The interim Strata checkpoint file, until the `.keras` / `.weights.h5` formats exist:
//
//   bytes 0..7    magic `STRATACK`
//   bytes 8..11   format version (uint32, little-endian)
//   bytes 12..15  header length H (uint32, little-endian)
//   bytes 16..    header: UTF-8 JSON, padded with spaces so the data starts 8-byte aligned
//   then          raw data: each array's values, little-endian, at the header's byte offsets
//
// The header lists every array (`name`, `shape`, `dtype`, `offset`, `byteLength`, offsets
// relative to the start of the data) plus the epoch and free-form JSON, so a file can be read
// without knowing what wrote it. Node's `fs` is imported lazily, so the package still bundles for
// browsers (where `encodeCheckpoint`/`decodeCheckpoint` work on bytes).
import { type DataType, type Tensor, ValueError, tensor } from '@strata/core';

const MAGIC = 'STRATACK';
const VERSION = 1;
const PREFIX = 16;

/** A named array in a checkpoint. */
export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

export interface CheckpointContents {
  /** Model weights, in `getWeights` order. */
  weights: NamedTensor[];
  /** Optimizer variables, in `optimizer.variables` order. */
  optimizerVariables?: NamedTensor[];
  /** The epoch the state belongs to (what it means is the writer's business). */
  epoch?: number | null;
  /** Any JSON-serializable value. */
  extra?: unknown;
}

/** What `loadCheckpoint` returns: new tensors the caller owns (and disposes). */
export interface LoadedCheckpoint {
  weights: NamedTensor[];
  optimizerVariables: NamedTensor[];
  epoch: number | null;
  extra: unknown;
}

/** A checkpoint file that cannot be read: truncated, corrupt, or not a checkpoint. */
export class CheckpointError extends ValueError {
  /** The file (or source description) that failed. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`Checkpoint ${path}: ${message}`);
    this.name = 'CheckpointError';
    this.path = path;
  }
}

interface ArrayEntry {
  name: string;
  shape: number[];
  dtype: DataType;
  offset: number;
  byteLength: number;
}

interface Header {
  format: 'strata-checkpoint';
  weights: ArrayEntry[];
  optimizer_variables: ArrayEntry[];
  epoch: number | null;
  extra: unknown;
}

const BYTES: Partial<Record<DataType, number>> = { float32: 4, int32: 4, bool: 1 };

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

async function tensorBytes(t: Tensor, name: string): Promise<Uint8Array> {
  const size = BYTES[t.dtype];
  if (size == null) throw new ValueError(`saveCheckpoint: array '${name}' has dtype ${t.dtype}; only float32, int32 and bool are supported.`);
  const values = await t.data();
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (t.dtype === 'float32') view.setFloat32(i * 4, v, true);
    else if (t.dtype === 'int32') view.setInt32(i * 4, v, true);
    else view.setUint8(i, v ? 1 : 0);
  }
  return out;
}

/** The checkpoint as bytes (the file's exact contents). */
export async function encodeCheckpoint(contents: CheckpointContents): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const describe = async (list: readonly NamedTensor[]): Promise<ArrayEntry[]> => {
    const entries: ArrayEntry[] = [];
    for (const { name, tensor: t } of list) {
      const bytes = await tensorBytes(t, name);
      entries.push({ name, shape: [...t.shape], dtype: t.dtype, offset, byteLength: bytes.length });
      chunks.push(bytes);
      // Keep every array 8-byte aligned.
      const padded = align8(bytes.length);
      if (padded > bytes.length) chunks.push(new Uint8Array(padded - bytes.length));
      offset += padded;
    }
    return entries;
  };
  const header: Header = {
    format: 'strata-checkpoint',
    weights: await describe(contents.weights),
    optimizer_variables: await describe(contents.optimizerVariables ?? []),
    epoch: contents.epoch ?? null,
    extra: contents.extra ?? null,
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = align8(PREFIX + json.length) - PREFIX;
  if (headerLength > json.length) {
    const padded = new Uint8Array(headerLength).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(PREFIX + headerLength + offset);
  const view = new DataView(out.buffer);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, headerLength, true);
  out.set(json, PREFIX);
  let at = PREFIX + headerLength;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function checkEntry(e: unknown, source: string, dataLength: number): ArrayEntry {
  const entry = e as ArrayEntry;
  const ok =
    entry != null &&
    typeof entry.name === 'string' &&
    Array.isArray(entry.shape) &&
    entry.shape.every((d) => Number.isInteger(d) && d >= 0) &&
    BYTES[entry.dtype] != null &&
    Number.isInteger(entry.offset) &&
    Number.isInteger(entry.byteLength);
  if (!ok) throw new CheckpointError(source, `corrupt header: bad array entry ${JSON.stringify(e)}.`);
  const size = entry.shape.reduce((a, b) => a * b, 1);
  if (size * BYTES[entry.dtype]! !== entry.byteLength) {
    throw new CheckpointError(
      source,
      `corrupt header: array '${entry.name}' of shape [${entry.shape.join(', ')}] (${entry.dtype}) declares ${entry.byteLength} bytes.`,
    );
  }
  if (entry.offset < 0 || entry.offset + entry.byteLength > dataLength) {
    throw new CheckpointError(
      source,
      `truncated: array '${entry.name}' needs bytes ${entry.offset}..${entry.offset + entry.byteLength} of the data section, which has ${dataLength}.`,
    );
  }
  return entry;
}

function readArray(bytes: Uint8Array, dataStart: number, entry: ArrayEntry): NamedTensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart + entry.offset, entry.byteLength);
  const n = entry.byteLength / BYTES[entry.dtype]!;
  let values: Float32Array | Int32Array | Uint8Array;
  if (entry.dtype === 'float32') {
    values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = view.getFloat32(i * 4, true);
  } else if (entry.dtype === 'int32') {
    values = new Int32Array(n);
    for (let i = 0; i < n; i++) values[i] = view.getInt32(i * 4, true);
  } else {
    values = new Uint8Array(n);
    for (let i = 0; i < n; i++) values[i] = view.getUint8(i);
  }
  return { name: entry.name, tensor: tensor(values, entry.shape, entry.dtype) };
}

/** Reads checkpoint bytes; `source` names the file in errors. */
export function decodeCheckpoint(bytes: Uint8Array, source = '<bytes>'): LoadedCheckpoint {
  if (bytes.length < PREFIX) throw new CheckpointError(source, `truncated: ${bytes.length} bytes, less than the ${PREFIX}-byte preamble.`);
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new CheckpointError(source, `not a Strata checkpoint (magic bytes ${JSON.stringify(magic)}).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw new CheckpointError(source, `unsupported format version ${version} (this reader knows ${VERSION}).`);
  const headerLength = view.getUint32(12, true);
  if (PREFIX + headerLength > bytes.length) {
    throw new CheckpointError(source, `truncated: the header needs ${headerLength} bytes, the file has ${bytes.length - PREFIX} after the preamble.`);
  }
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength)));
  } catch (e) {
    throw new CheckpointError(source, `corrupt header (${(e as Error).message}).`);
  }
  if (header == null || header.format !== 'strata-checkpoint' || !Array.isArray(header.weights) || !Array.isArray(header.optimizer_variables)) {
    throw new CheckpointError(source, 'corrupt header: missing format, weights or optimizer_variables.');
  }
  const dataStart = PREFIX + headerLength;
  const dataLength = bytes.length - dataStart;
  const weights = header.weights.map((e) => checkEntry(e, source, dataLength));
  const optimizer = header.optimizer_variables.map((e) => checkEntry(e, source, dataLength));
  return {
    weights: weights.map((e) => readArray(bytes, dataStart, e)),
    optimizerVariables: optimizer.map((e) => readArray(bytes, dataStart, e)),
    epoch: typeof header.epoch === 'number' ? header.epoch : null,
    extra: header.extra ?? null,
  };
}

type Fs = typeof import('node:fs/promises');

/** Node's `fs/promises`, loaded on first use; a clear error where there is no file system. */
export async function nodeFs(what: string): Promise<Fs> {
  try {
    return await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
  } catch {
    throw new ValueError(`${what} needs a file system (node:fs), which this runtime does not have.`);
  }
}

function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i <= 0 ? (i === 0 ? path.slice(0, 1) : '') : path.slice(0, i);
}

/**
 * Writes `data` to `path` atomically: to a temporary file in the same directory (created if
 * missing), flushed, then renamed over `path`; readers see the old file or the new one, never
 * a partial one.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string, what = 'writeFileAtomic'): Promise<void> {
  const fs = await nodeFs(what);
  const dir = dirname(path);
  if (dir !== '') await fs.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Writes a checkpoint file atomically (see the file format at the top of this module). */
export async function saveCheckpoint(path: string, contents: CheckpointContents): Promise<void> {
  const bytes = await encodeCheckpoint(contents);
  await writeFileAtomic(path, bytes, 'saveCheckpoint');
}

/** Reads a checkpoint file; the tensors are new and owned by the caller. */
export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const fs = await nodeFs('loadCheckpoint');
  const buf = await fs.readFile(path);
  return decodeCheckpoint(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

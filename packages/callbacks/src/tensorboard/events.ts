// Encoders for TensorFlow's `Event` protos and TFRecord framing, as TF 2's summary file writer
// writes them (field numbers from tensorflow/core/util/event.proto, framework/summary.proto,
// tensor.proto, tensor_shape.proto). Fields are written in field-number order and proto3 defaults
// are left out, as the C++ serializer does.
import { crc32c, maskCrc32c } from './crc32c';
import { ProtobufWriter } from './protobuf-writer';

/** The `file_version` of the first event of every file: TensorBoard reads version 2. */
export const FILE_VERSION = 'brain.Event:2';

/** `tensorflow.DataType` values used by summaries. */
export const DataType = { DT_FLOAT: 1, DT_DOUBLE: 2 } as const;

/** Plugin names TensorBoard routes summaries by. */
export const PluginName = { SCALARS: 'scalars', HISTOGRAMS: 'histograms' } as const;

// Field numbers.
const EVENT = { wallTime: 1, step: 2, fileVersion: 3, summary: 5, sourceMetadata: 10 } as const;
const SOURCE_METADATA = { writer: 1 } as const;
const SUMMARY = { value: 1 } as const;
const VALUE = { tag: 1, tensor: 8, metadata: 9 } as const;
const METADATA = { pluginData: 1 } as const;
const PLUGIN_DATA = { pluginName: 1, content: 2 } as const;
const TENSOR = { dtype: 1, tensorShape: 2, tensorContent: 4 } as const;
const SHAPE = { dim: 2 } as const;
const DIM = { size: 1 } as const;

/** Encodes a `TensorShapeProto`. A scalar has no dims (the message is empty but present). */
function encodeShape(shape: readonly number[]): Uint8Array {
  const w = new ProtobufWriter();
  for (const size of shape) {
    const dim = new ProtobufWriter(16);
    if (size !== 0) dim.varint(DIM.size, size);
    w.message(SHAPE.dim, dim);
  }
  return w.finish();
}

/** A `TensorProto` with the values as little-endian bytes in `tensor_content`. */
function encodeTensor(dtype: number, shape: readonly number[], content: Uint8Array): Uint8Array {
  const w = new ProtobufWriter(content.length + 32);
  w.varint(TENSOR.dtype, dtype);
  w.message(TENSOR.tensorShape, encodeShape(shape));
  if (content.length > 0) w.bytes(TENSOR.tensorContent, content);
  return w.finish();
}

/**
 * `SummaryMetadata{plugin_data{plugin_name}}`. The scalars and histograms plugins store an
 * all-default (version 0) plugin proto as `content`, which serializes to no bytes.
 */
function encodeMetadata(pluginName: string): Uint8Array {
  const pluginData = new ProtobufWriter().string(PLUGIN_DATA.pluginName, pluginName);
  return new ProtobufWriter().message(METADATA.pluginData, pluginData).finish();
}

/** A `Summary.Value` holding a tensor. */
function encodeTensorValue(tag: string, tensor: Uint8Array, pluginName: string): Uint8Array {
  const w = new ProtobufWriter(tensor.length + tag.length + 32);
  w.string(VALUE.tag, tag);
  w.message(VALUE.tensor, tensor);
  w.message(VALUE.metadata, encodeMetadata(pluginName));
  return w.finish();
}

/**
 * The `Summary.Value` of `tf.summary.scalar(tag, value)`: a float32 scalar tensor (the value is
 * rounded to float32, as the summary op casts it) for the scalars plugin.
 */
export function scalarValue(tag: string, value: number): Uint8Array {
  const content = new Uint8Array(4);
  new DataView(content.buffer).setFloat32(0, value, true);
  return encodeTensorValue(tag, encodeTensor(DataType.DT_FLOAT, [], content), PluginName.SCALARS);
}

/**
 * The `Summary.Value` of `tf.summary.histogram(tag, ...)`: `buckets` is the row-major `[k, 3]`
 * float64 array of (left edge, right edge, count) (see `histogramBuckets`).
 */
export function histogramValue(tag: string, buckets: Float64Array): Uint8Array {
  const k = buckets.length / 3;
  const content = new Uint8Array(buckets.length * 8);
  const view = new DataView(content.buffer);
  for (let i = 0; i < buckets.length; i++) view.setFloat64(i * 8, buckets[i]!, true);
  return encodeTensorValue(tag, encodeTensor(DataType.DT_DOUBLE, [k, 3], content), PluginName.HISTOGRAMS);
}

/** An `Event` carrying a `Summary` of `values` (encoded `Summary.Value`s) at `step`. */
export function summaryEvent(wallTime: number, step: number, values: readonly Uint8Array[]): Uint8Array {
  const summary = new ProtobufWriter();
  for (const v of values) summary.message(SUMMARY.value, v);
  const w = new ProtobufWriter(summary.length + 32);
  w.double(EVENT.wallTime, wallTime);
  if (step !== 0) w.varint(EVENT.step, step);
  w.message(EVENT.summary, summary);
  return w.finish();
}

/** The first event of a file: `file_version` and the name of the writer that made the file. */
export function fileVersionEvent(wallTime: number, writer: string): Uint8Array {
  const w = new ProtobufWriter();
  w.double(EVENT.wallTime, wallTime);
  w.string(EVENT.fileVersion, FILE_VERSION);
  w.message(EVENT.sourceMetadata, new ProtobufWriter().string(SOURCE_METADATA.writer, writer));
  return w.finish();
}

/**
 * One TFRecord: uint64 LE length, masked CRC-32C of those 8 bytes, the data, masked CRC-32C of the
 * data (CRCs uint32 LE).
 */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskCrc32c(crc32c(out.subarray(0, 8))), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskCrc32c(crc32c(data)), true);
  return out;
}

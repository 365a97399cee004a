import { describe, expect, it } from 'vitest';
import { FILE_VERSION, fileVersionEvent, histogramValue, scalarValue, summaryEvent, tfRecord } from './events';
import { decodeEvent, histogramOf, readRecords, scalarOf } from './testing';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const ascii = (s: string) => Array.from(new TextEncoder().encode(s), (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('event encoding', () => {
  it('encodes a scalar Summary.Value byte for byte as TF 2 does', () => {
    // tag "a"; tensor{dtype DT_FLOAT, tensor_shape{}, tensor_content 1.0f}; metadata{plugin_data{"scalars"}}.
    const expected = [
      '0a 01 61',
      '42 0a 08 01 12 00 22 04 00 00 80 3f',
      `4a 0b 0a 09 0a 07 ${ascii('scalars')}`,
    ].join(' ');
    expect(hex(scalarValue('a', 1))).toBe(expected);
  });

  it('rounds scalar values to float32', () => {
    const e = decodeEvent(summaryEvent(1, 3, [scalarValue('x', 0.1)]));
    expect(scalarOf(e.values[0]!)).toBe(Math.fround(0.1));
    expect(e.step).toBe(3);
  });

  it('encodes a histogram as a [k, 3] DT_DOUBLE tensor for the histograms plugin', () => {
    const buckets = Float64Array.from([0, 1, 2, 1, 3, 5]);
    const v = decodeEvent(summaryEvent(1, 0, [histogramValue('w/histogram', buckets)])).values[0]!;
    expect(v.tag).toBe('w/histogram');
    expect(v.pluginName).toBe('histograms');
    expect(v.pluginContent).toBeNull();
    expect(v.dtype).toBe(2);
    expect(v.shape).toEqual([2, 3]);
    expect(v.tensorContent.length).toBe(48);
    expect(histogramOf(v)).toEqual([
      [0, 1, 2],
      [1, 3, 5],
    ]);
    expect(v.fieldOrder).toEqual([1, 8, 9]);
  });

  it('writes events in field order, leaving out step 0', () => {
    const e0 = decodeEvent(summaryEvent(1234.5, 0, [scalarValue('t', 2)]));
    expect(e0.fieldOrder).toEqual([1, 5]);
    expect(e0.wallTime).toBe(1234.5);
    expect(e0.step).toBe(0);
    const e7 = summaryEvent(1, 7, [scalarValue('t', 2)]);
    expect(hex(e7.subarray(0, 11))).toBe('09 00 00 00 00 00 00 f0 3f 10 07');
    expect(decodeEvent(e7).fieldOrder).toEqual([1, 2, 5]);
  });

  it('writes the file_version event; with TF\'s writer name it is 62 bytes as in real files', () => {
    const e = fileVersionEvent(1795314867.25, 'tensorflow.core.util.events_writer');
    expect(e.length).toBe(0x3e);
    const d = decodeEvent(e);
    expect(FILE_VERSION).toBe('brain.Event:2');
    expect([d.fileVersion, d.sourceWriter, d.wallTime, d.step]).toEqual([
      'brain.Event:2',
      'tensorflow.core.util.events_writer',
      1795314867.25,
      0,
    ]);
    expect(d.fieldOrder).toEqual([1, 3, 10]);
    // Real file header for a 62-byte first record: 3e 00 00 00 00 00 00 00 | d9 d2 40 e7.
    expect(hex(tfRecord(e).subarray(0, 12))).toBe('3e 00 00 00 00 00 00 00 d9 d2 40 e7');
  });

  it('frames records that an independent reader splits with both CRCs checked', () => {
    const a = summaryEvent(1, 1, [scalarValue('a', 1)]);
    const b = summaryEvent(2, 2, [scalarValue('b', 2)]);
    const file = new Uint8Array([...tfRecord(a), ...tfRecord(b)]);
    expect(file.length).toBe(a.length + b.length + 32);
    const records = readRecords(file);
    expect(records.map((r) => hex(r))).toEqual([hex(a), hex(b)]);
    // A flipped data byte or length byte is caught.
    const bad = file.slice();
    bad[14]! ^= 1;
    expect(() => readRecords(bad)).toThrow(/bad data CRC/);
    const badLength = file.slice();
    badLength[1]! ^= 1;
    expect(() => readRecords(badLength)).toThrow(/bad length CRC/);
  });
});

import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors';
import { fixtureFile } from './test-fixtures';
import { checkZipBomb, crc32, listZip, readZip, writeZip } from './zip';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A minimal STORED zip built byte by byte (independent of the code under test), with an optional Zip64 size. */
function handZip(name: string, data: Uint8Array, opts: { declaredSize?: number; crc?: number } = {}): Uint8Array {
  const nameBytes = enc.encode(name);
  const crc = opts.crc ?? crc32Reference(data);
  const zip64 = opts.declaredSize != null;
  const local = new Uint8Array(30 + nameBytes.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true);
  lv.setUint32(14, crc, true);
  lv.setUint32(18, data.length, true);
  lv.setUint32(22, data.length, true);
  lv.setUint16(26, nameBytes.length, true);
  local.set(nameBytes, 30);
  const extra = zip64 ? new Uint8Array(4 + 8) : new Uint8Array(0);
  if (zip64) {
    const ev = new DataView(extra.buffer);
    ev.setUint16(0, 0x0001, true);
    ev.setUint16(2, 8, true);
    ev.setUint32(4, opts.declaredSize! % 2 ** 32, true);
    ev.setUint32(8, Math.floor(opts.declaredSize! / 2 ** 32), true);
  }
  const central = new Uint8Array(46 + nameBytes.length + extra.length);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(4, 45, true);
  cv.setUint16(6, 45, true);
  cv.setUint32(16, crc, true);
  cv.setUint32(20, data.length, true);
  cv.setUint32(24, zip64 ? 0xffffffff : data.length, true);
  cv.setUint16(28, nameBytes.length, true);
  cv.setUint16(30, extra.length, true);
  cv.setUint32(42, 0, true);
  central.set(nameBytes, 46);
  central.set(extra, 46 + nameBytes.length);
  const cdOffset = local.length + data.length;
  const eocd = new Uint8Array(22);
  const dv = new DataView(eocd.buffer);
  dv.setUint32(0, 0x06054b50, true);
  dv.setUint16(8, 1, true);
  dv.setUint16(10, 1, true);
  dv.setUint32(12, central.length, true);
  dv.setUint32(16, cdOffset, true);
  const out = new Uint8Array(cdOffset + central.length + 22);
  out.set(local, 0);
  out.set(data, local.length);
  out.set(central, cdOffset);
  out.set(eocd, cdOffset + central.length);
  return out;
}

/** Bitwise CRC-32 (no table), the reference for the table-driven one. */
function crc32Reference(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('zip', () => {
  it('crc32 of "123456789" is the standard check value 0xCBF43926', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
    expect(crc32(data)).toBe(crc32Reference(data));
  });

  it('reads the .keras archive Keras wrote: 3 STORED members in Keras order with their sizes', () => {
    const bytes = fixtureFile('mlp', 'model.keras');
    const entries = listZip(bytes, 'model.keras');
    expect(entries.map((e) => [e.name, e.method, e.size, e.compressedSize])).toEqual([
      ['metadata.json', 0, 64, 64],
      ['config.json', 0, 2161, 2161],
      ['model.weights.h5', 0, 12796, 12796],
    ]);
    const members = readZip(bytes, 'model.keras');
    expect(JSON.parse(dec.decode(members.get('metadata.json')!)).keras_version).toBe('3.15.1');
  });

  it('writes STORED members in the given order, with Unix 0o600 attributes and 1980-01-01 dates', () => {
    const a = enc.encode('{"a": 1}');
    const b = Uint8Array.from({ length: 300 }, () => 7); // very compressible: still STORED
    const when = new Date(2026, 10, 22, 2, 50, 48);
    const bytes = writeZip([['metadata.json', a], ['model.weights.h5', b]], { 'model.weights.h5': when });
    const entries = listZip(bytes, 'x');
    expect(entries.map((e) => [e.name, e.method, e.size, e.compressedSize])).toEqual([
      ['metadata.json', 0, a.length, a.length],
      ['model.weights.h5', 0, 300, 300],
    ]);
    // Central directory fields checked by hand: made-by OS 3 (Unix), external attrs 0o600 << 16, DOS dates.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let p = bytes.length - 22;
    p = view.getUint32(p + 16, true);
    const dates: number[] = [];
    for (let i = 0; i < 2; i++) {
      expect(view.getUint8(p + 5)).toBe(3);
      expect(view.getUint32(p + 38, true)).toBe(0o600 << 16);
      dates.push(view.getUint16(p + 14, true));
      p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    }
    expect(dates[0]).toBe((0 << 9) | (1 << 5) | 1); // 1980-01-01
    expect(dates[1]).toBe(((2026 - 1980) << 9) | (11 << 5) | 22);
    const back = readZip(bytes, 'x');
    expect([...back.keys()]).toEqual(['metadata.json', 'model.weights.h5']);
    expect(back.get('model.weights.h5')).toEqual(b);
  });

  it('reads DEFLATE members', () => {
    const text = enc.encode('keras '.repeat(200));
    const bytes = zipSync({ 'config.json': [text, { level: 9 }] });
    const [entry] = listZip(bytes, 'x');
    expect(entry!.method).toBe(8);
    expect(entry!.compressedSize).toBeLessThan(text.length);
    expect(readZip(bytes, 'x').get('config.json')).toEqual(text);
  });

  it('refuses members outside the archive root', () => {
    for (const bad of ['../evil.json', 'a/../../evil.json', '/etc/passwd', 'C:\\evil.json', '..\\evil.json']) {
      const bytes = handZip(bad, enc.encode('x'));
      expect(() => readZip(bytes, 'bad.keras')).toThrow(FormatError);
      expect(() => readZip(bytes, 'bad.keras')).toThrow(/bad\.keras: zip member ".*" points outside the archive root/);
    }
    expect(readZip(handZip('assets/vocab..txt', enc.encode('ok')), 'x').size).toBe(1);
  });

  it('refuses a member declaring > 4 GiB and > 100x its stored size (zip bomb), via Zip64', () => {
    const bytes = handZip('model.weights.h5', enc.encode('tiny'), { declaredSize: 5 * 1024 ** 3 });
    expect(() => listZip(bytes, 'bomb.keras')).toThrow(/bomb\.keras: zip member "model\.weights\.h5" declares 5368709120 bytes.*zip bomb/);
    // Both conditions are needed, as in Keras.
    expect(() => checkZipBomb({ name: 'a', size: 5 * 1024 ** 3, compressedSize: 4.5 * 1024 ** 3 }, 'f')).not.toThrow();
    expect(() => checkZipBomb({ name: 'a', size: 1024 ** 3, compressedSize: 1 }, 'f')).not.toThrow();
  });

  it('truncated and corrupt archives throw FormatError naming the file', () => {
    const good = fixtureFile('mlp', 'model.keras');
    expect(() => readZip(good.subarray(0, 2000), 'cut.keras')).toThrow(/cut\.keras: not a ZIP archive/);
    expect(() => readZip(new Uint8Array(0), 'empty.keras')).toThrow(FormatError);
    const cut = handZip('config.json', enc.encode('{"a": 1}'));
    // Move the central directory offset past the end of the file.
    const bad = cut.slice();
    new DataView(bad.buffer).setUint32(bad.length - 6, 99999, true);
    expect(() => readZip(bad, 'moved.keras')).toThrow(/moved\.keras: corrupt ZIP archive/);
    const wrongCrc = handZip('config.json', enc.encode('{"a": 1}'), { crc: 1234 });
    expect(() => readZip(wrongCrc, 'crc.keras')).toThrow(/crc\.keras: zip member "config\.json" fails its CRC-32 check/);
  });
});

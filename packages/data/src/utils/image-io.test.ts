import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { type RawImage, convertChannels, decodeImage, resizeBilinear, resizeImage, resizeNearest } from './image-io';

const grey = (rows: number[][]): RawImage => ({ data: Float32Array.from(rows.flat()), height: rows.length, width: rows[0]!.length, channels: 1 });
const rows = (img: RawImage): number[][] => Array.from({ length: img.height }, (_, y) => Array.from(img.data.subarray(y * img.width, (y + 1) * img.width)));

describe('resizeBilinear (half-pixel centres, no antialias)', () => {
  it('upsamples 2x2 -> 4x4 with the hand-computed weights', () => {
    // Sample points at -0.25, 0.25, 0.75, 1.25 (clamped): weights 0, .25, .75, 1 along each axis.
    const out = resizeBilinear(
      grey([
        [0, 10],
        [20, 30],
      ]),
      4,
      4,
    );
    expect(rows(out)).toEqual([
      [0, 2.5, 7.5, 10],
      [5, 7.5, 12.5, 15],
      [15, 17.5, 22.5, 25],
      [20, 22.5, 27.5, 30],
    ]);
  });
  it('downsamples 1x4 -> 1x2 to pair means and keeps same-size images', () => {
    expect(rows(resizeBilinear(grey([[0, 1, 2, 3]]), 1, 2))).toEqual([[0.5, 2.5]]);
    expect(rows(resizeBilinear(grey([[7, 9]]), 1, 2))).toEqual([[7, 9]]);
  });
  it('nearest picks floor((x + 0.5) * scale)', () => {
    expect(rows(resizeNearest(grey([[0, 1, 2, 3]]), 1, 2))).toEqual([[1, 3]]);
    expect(rows(resizeNearest(grey([[5, 6]]), 1, 4))).toEqual([[5, 5, 6, 6]]);
  });
});

describe('resizeImage aspect-ratio modes', () => {
  const wide = grey([
    [0, 1, 2, 3, 4, 5, 6, 7],
    [8, 9, 10, 11, 12, 13, 14, 15],
    [16, 17, 18, 19, 20, 21, 22, 23],
    [24, 25, 26, 27, 28, 29, 30, 31],
  ]);
  it('cropToAspectRatio takes the central 4x4 window (columns 2..5) then resizes', () => {
    const out = resizeImage(wide, 2, 2, { cropToAspectRatio: true });
    // 4x4 -> 2x2 averages 2x2 blocks of columns 2..5.
    expect(rows(out)).toEqual([
      [(2 + 3 + 10 + 11) / 4, (4 + 5 + 12 + 13) / 4],
      [(18 + 19 + 26 + 27) / 4, (20 + 21 + 28 + 29) / 4],
    ]);
  });
  it('padToAspectRatio resizes to 2x4 and pads one zero row above and below', () => {
    const out = resizeImage(wide, 4, 4, { padToAspectRatio: true });
    const mid = rows(resizeBilinear(wide, 2, 4));
    expect(rows(out)).toEqual([[0, 0, 0, 0], mid[0], mid[1], [0, 0, 0, 0]]);
    expect(mid[0]).toEqual([(0 + 1 + 8 + 9) / 4, (2 + 3 + 10 + 11) / 4, (4 + 5 + 12 + 13) / 4, (6 + 7 + 14 + 15) / 4]);
  });
  it('refuses both modes at once', () => {
    expect(() => resizeImage(wide, 2, 2, { cropToAspectRatio: true, padToAspectRatio: true })).toThrow(/only one of `pad_to_aspect_ratio`/);
  });
});

describe('decodeImage', () => {
  it('decodes RGBA PNG to rgb (alpha dropped), rgba and grayscale (BT.601)', async () => {
    const data = Uint8Array.from([255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 30, 100, 150, 200, 255]);
    const bytes = encodePng({ width: 2, height: 2, data, channels: 4, depth: 8 });
    const rgb = await decodeImage(bytes, 3);
    expect(Array.from(rgb.data)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 150, 200]);
    const rgba = await decodeImage(bytes, 4);
    expect(Array.from(rgba.data)).toEqual(Array.from(data));
    const g = await decodeImage(bytes, 1);
    const luma = (r: number, gg: number, b: number) => Math.round(0.299 * r + 0.587 * gg + 0.114 * b);
    expect(Array.from(g.data)).toEqual([luma(255, 0, 0), luma(0, 255, 0), luma(0, 0, 255), luma(100, 150, 200)]);
  });
  it('decodes grey and 16-bit PNGs', async () => {
    const g8 = encodePng({ width: 2, height: 1, data: Uint8Array.from([3, 250]), channels: 1, depth: 8 });
    expect(Array.from((await decodeImage(g8, 3)).data)).toEqual([3, 3, 3, 250, 250, 250]);
    const g16 = encodePng({ width: 2, height: 1, data: Uint16Array.from([0x1234, 0xff00]), channels: 1, depth: 16 });
    expect(Array.from((await decodeImage(g16, 1)).data)).toEqual([0x12, 0xff]);
  });
  it('decodes a JPEG (lossy: a flat colour comes back within a few levels)', async () => {
    const w = 16;
    const h = 8;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([200, 100, 50, 255], i * 4);
    const bytes = jpeg.encode({ width: w, height: h, data: rgba }, 95).data;
    const img = await decodeImage(new Uint8Array(bytes), 3);
    expect([img.height, img.width, img.channels]).toEqual([8, 16, 3]);
    for (let i = 0; i < w * h; i++) {
      expect(Math.abs(img.data[i * 3]! - 200)).toBeLessThanOrEqual(3);
      expect(Math.abs(img.data[i * 3 + 1]! - 100)).toBeLessThanOrEqual(3);
      expect(Math.abs(img.data[i * 3 + 2]! - 50)).toBeLessThanOrEqual(3);
    }
  });
  it('names the file when the bytes are not an image it can decode', async () => {
    await expect(decodeImage(Uint8Array.from([1, 2, 3]), 3, '/tmp/x.bmp')).rejects.toThrow(/cannot decode \/tmp\/x.bmp/);
  });
  it('convertChannels replicates grey and adds opaque alpha', () => {
    const g: RawImage = { data: Uint8Array.from([9]), height: 1, width: 1, channels: 1 };
    expect(Array.from(convertChannels(g, 4).data)).toEqual([9, 9, 9, 255]);
  });
});

import { ValueError } from '@strata/core';
import { convertIndexedToRgb, decode as decodePng, type DecodedPng } from 'fast-png';
import jpeg from 'jpeg-js';

/** A decoded image on the host: `height * width * channels` values, row-major, channels last. */
export interface RawImage {
  data: Uint8Array | Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** Extensions `image_dataset_from_directory` indexes (Keras' `ALLOWLIST_FORMATS`). */
export const IMAGE_FORMATS = ['.bmp', '.gif', '.jpeg', '.jpg', '.png'] as const;

const isPng = (b: Uint8Array): boolean => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Unpacks 1/2/4-bit grey samples to 0..255 (libpng's expand: v * 255 / (2^depth - 1)). */
function unpackLowDepth(png: DecodedPng): Uint8Array {
  const { width, height, depth, channels } = png;
  const src = png.data as Uint8Array;
  const out = new Uint8Array(width * height * channels);
  const perLine = Math.ceil((depth * channels * width) / 8);
  const scale = 255 / (2 ** depth - 1);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const bit = i * depth;
      const byte = src[y * perLine + (bit >> 3)]!;
      const v = (byte >> (8 - depth - (bit & 7))) & (2 ** depth - 1);
      out[y * width * channels + i] = Math.round(v * scale);
    }
  }
  return out;
}

function fromPng(bytes: Uint8Array): RawImage {
  const png = decodePng(bytes);
  let data: Uint8Array;
  let channels = png.channels;
  if (png.palette) {
    data = convertIndexedToRgb(png);
    channels = data.length / (png.width * png.height);
  } else if (png.depth === 16) {
    // 16-bit samples keep their high byte (libpng's strip_16, what TF's uint8 decode does).
    const s = png.data as Uint16Array;
    data = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) data[i] = s[i]! >> 8;
  } else if (png.depth < 8) {
    data = unpackLowDepth(png);
  } else {
    data = png.data instanceof Uint8Array ? png.data : Uint8Array.from(png.data);
  }
  return { data, height: png.height, width: png.width, channels };
}

function fromJpeg(bytes: Uint8Array): RawImage {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  const channels = img.data.length / (img.width * img.height);
  return { data: img.data, height: img.height, width: img.width, channels };
}

/** ITU-R BT.601 luma, as libjpeg and TF compute grey from RGB, rounded to uint8. */
const luma = (r: number, g: number, b: number): number => Math.round(0.299 * r + 0.587 * g + 0.114 * b);

/**
 * Converts between 1 (grey), 2 (grey + alpha), 3 (RGB) and 4 (RGBA) channels as TF's decoders do
 * when asked for `channels`: grey is replicated, alpha dropped (not composited) or set to 255, and
 * colour turned to grey with BT.601 weights.
 */
export function convertChannels(img: RawImage, channels: 1 | 3 | 4): RawImage {
  if (img.channels === channels) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * channels);
  const src = img.data;
  const c = img.channels;
  for (let p = 0; p < n; p++) {
    let r: number;
    let g: number;
    let b: number;
    let a = 255;
    if (c === 1 || c === 2) {
      r = g = b = src[p * c]!;
      if (c === 2) a = src[p * c + 1]!;
    } else {
      r = src[p * c]!;
      g = src[p * c + 1]!;
      b = src[p * c + 2]!;
      if (c === 4) a = src[p * c + 3]!;
    }
    if (channels === 1) out[p] = c <= 2 ? r : luma(r, g, b);
    else {
      out[p * channels] = r;
      out[p * channels + 1] = g;
      out[p * channels + 2] = b;
      if (channels === 4) out[p * channels + 3] = a;
    }
  }
  return { data: out, height: img.height, width: img.width, channels };
}

interface BrowserImageApi {
  createImageBitmap: (b: Blob, options?: { premultiplyAlpha?: string; colorSpaceConversion?: string }) => Promise<{ width: number; height: number; close?: () => void }>;
  OffscreenCanvas: new (
    w: number,
    h: number,
  ) => {
    getContext(
      kind: '2d',
      options?: { willReadFrequently?: boolean },
    ): { drawImage(i: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
  };
  Blob: typeof Blob;
}

/** The browser's image decoding API (`createImageBitmap` + `OffscreenCanvas`), or null outside a browser/worker. */
function browserImageApi(): BrowserImageApi | null {
  const g = globalThis as unknown as Partial<BrowserImageApi>;
  return typeof g.createImageBitmap === 'function' && typeof g.OffscreenCanvas === 'function' && typeof g.Blob === 'function' ? (g as BrowserImageApi) : null;
}

/**
 * Decodes with the browser's decoder into RGBA. No alpha premultiplication and no colour-space
 * conversion, so the samples are the file's own (TF ignores embedded colour profiles too).
 */
async function fromBrowser(bytes: Uint8Array, path: string): Promise<RawImage> {
  const g = browserImageApi();
  if (g == null) {
    throw new ValueError(
      `decodeImage: cannot decode ${path}: only PNG and JPEG are decoded without a browser (createImageBitmap and OffscreenCanvas are not available here).`,
    );
  }
  const bitmap = await g.createImageBitmap(new g.Blob([bytes as BlobPart]), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  try {
    const canvas = new g.OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new ValueError(`decodeImage: cannot decode ${path}: no 2d context on OffscreenCanvas.`);
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), height: bitmap.height, width: bitmap.width, channels: 4 };
  } finally {
    bitmap.close?.();
  }
}

/**
 * Decodes image bytes into `channels` uint8 channels. PNG: fast-png everywhere (exact samples;
 * a canvas would premultiply alpha and round 16-bit samples differently from TF). JPEG: the
 * browser's decoder (libjpeg-turbo, as TF) where there is one, jpeg-js otherwise (Node). BMP/GIF:
 * the browser's decoder only. `path` names the file in errors.
 */
export async function decodeImage(bytes: Uint8Array, channels: 1 | 3 | 4, path = '<bytes>'): Promise<RawImage> {
  let img: RawImage;
  try {
    if (isPng(bytes)) img = fromPng(bytes);
    else if (isJpeg(bytes) && browserImageApi() == null) img = fromJpeg(bytes);
    else img = await fromBrowser(bytes, path);
  } catch (e) {
    if (e instanceof ValueError) throw e;
    throw new ValueError(`decodeImage: cannot decode ${path}: ${(e as Error).message}`);
  }
  return convertChannels(img, channels);
}

/** Decodes with the browser's decoder (RGBA), whatever the format; exported for tests comparing decoders. */
export function decodeWithBrowser(bytes: Uint8Array, path = '<bytes>'): Promise<RawImage> {
  return fromBrowser(bytes, path);
}

/** Decodes PNG with fast-png and JPEG with jpeg-js (what Node uses); exported for tests comparing decoders. */
export function decodeWithLibraries(bytes: Uint8Array, path = '<bytes>'): RawImage {
  if (isPng(bytes)) return fromPng(bytes);
  if (isJpeg(bytes)) return fromJpeg(bytes);
  throw new ValueError(`decodeImage: cannot decode ${path}: not a PNG or JPEG file.`);
}

/**
 * Bilinear resize with half-pixel centres and no antialiasing (`tf.image.resize(..., 'bilinear')`,
 * what Keras' image loading uses), to float32.
 */
export function resizeBilinear(img: RawImage, outH: number, outW: number): RawImage {
  const { height: inH, width: inW, channels: c, data } = img;
  const out = new Float32Array(outH * outW * c);
  const sy = inH / outH;
  const sx = inW / outW;
  const xs = Array.from({ length: outW }, (_, x) => {
    const inX = (x + 0.5) * sx - 0.5;
    const f = Math.floor(inX);
    return { lo: Math.max(f, 0), hi: Math.min(Math.ceil(inX), inW - 1), t: inX - f };
  });
  for (let y = 0; y < outH; y++) {
    const inY = (y + 0.5) * sy - 0.5;
    const fy = Math.floor(inY);
    const top = Math.max(fy, 0);
    const bottom = Math.min(Math.ceil(inY), inH - 1);
    const ty = inY - fy;
    for (let x = 0; x < outW; x++) {
      const { lo, hi, t } = xs[x]!;
      for (let k = 0; k < c; k++) {
        const tl = data[(top * inW + lo) * c + k]!;
        const tr = data[(top * inW + hi) * c + k]!;
        const bl = data[(bottom * inW + lo) * c + k]!;
        const br = data[(bottom * inW + hi) * c + k]!;
        const a = tl + (tr - tl) * t;
        const b = bl + (br - bl) * t;
        out[(y * outW + x) * c + k] = a + (b - a) * ty;
      }
    }
  }
  return { data: out, height: outH, width: outW, channels: c };
}

/** Nearest-neighbour resize with half-pixel centres (`tf.image.resize(..., 'nearest')`), to float32. */
export function resizeNearest(img: RawImage, outH: number, outW: number): RawImage {
  const { height: inH, width: inW, channels: c, data } = img;
  const out = new Float32Array(outH * outW * c);
  for (let y = 0; y < outH; y++) {
    const iy = Math.min(Math.floor((y + 0.5) * (inH / outH)), inH - 1);
    for (let x = 0; x < outW; x++) {
      const ix = Math.min(Math.floor((x + 0.5) * (inW / outW)), inW - 1);
      for (let k = 0; k < c; k++) out[(y * outW + x) * c + k] = data[(iy * inW + ix) * c + k]!;
    }
  }
  return { data: out, height: outH, width: outW, channels: c };
}

/** The interpolations implemented here (Keras also lists bicubic, area, lanczos3/5, gaussian, mitchellcubic). */
export type ImageInterpolation = 'bilinear' | 'nearest';

function crop(img: RawImage, top: number, left: number, h: number, w: number): RawImage {
  const c = img.channels;
  const out = new (img.data instanceof Float32Array ? Float32Array : Uint8Array)(h * w * c);
  for (let y = 0; y < h; y++) out.set(img.data.subarray(((top + y) * img.width + left) * c, ((top + y) * img.width + left + w) * c), y * w * c);
  return { data: out, height: h, width: w, channels: c };
}

/**
 * Resizes to `[outH, outW]` as Keras' loader does: plainly (aspect ratio may change), after
 * cropping the central window of the target aspect ratio (`smart_resize`), or after resizing to fit
 * and padding with zeros (`tf.image.resize_with_pad`).
 */
export function resizeImage(
  img: RawImage,
  outH: number,
  outW: number,
  options: { interpolation?: ImageInterpolation; cropToAspectRatio?: boolean; padToAspectRatio?: boolean } = {},
): RawImage {
  const { interpolation = 'bilinear', cropToAspectRatio = false, padToAspectRatio = false } = options;
  if (cropToAspectRatio && padToAspectRatio) {
    throw new ValueError('resizeImage: only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`.');
  }
  const resize = interpolation === 'nearest' ? resizeNearest : resizeBilinear;
  if (cropToAspectRatio) {
    const { height: h, width: w } = img;
    const cropH = Math.max(Math.min(h, Math.trunc((w * outH) / outW)), 1);
    const cropW = Math.max(Math.min(w, Math.trunc((h * outW) / outH)), 1);
    const top = Math.trunc((h - cropH) / 2);
    const left = Math.trunc((w - cropW) / 2);
    return resize(crop(img, top, left, cropH, cropW), outH, outW);
  }
  if (padToAspectRatio) {
    // tf.image.resize_with_pad, in float32 as TF computes it.
    const f = Math.fround;
    const ratio = Math.max(f(f(img.width) / f(outW)), f(f(img.height) / f(outH)));
    const rhF = f(img.height / ratio);
    const rwF = f(img.width / ratio);
    const rh = Math.floor(rhF);
    const rw = Math.floor(rwF);
    const padTop = Math.max(0, Math.floor(f((outH - rhF) / 2)));
    const padLeft = Math.max(0, Math.floor(f((outW - rwF) / 2)));
    const small = resize(img, rh, rw);
    const c = img.channels;
    const out = new Float32Array(outH * outW * c);
    for (let y = 0; y < rh; y++) out.set(small.data.subarray(y * rw * c, (y + 1) * rw * c), ((padTop + y) * outW + padLeft) * c);
    return { data: out, height: outH, width: outW, channels: c };
  }
  return resize(img, outH, outW);
}

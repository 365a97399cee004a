// Generated test data shared by the browser tests and the dev-server routes that serve it, so the
// tests know every value exactly (plain JS, no tensors).

/** Row `i` of the generated CSV: `id,x,label,name` (x a multiple of 1/8, exact in float32; name quoted, with a comma). */
export function csvRow(i: number): string {
  return `${i},${csvX(i)},${i % 3},"n${i}, ${'ab'.repeat(i % 4)}"`;
}

export function csvX(i: number): number {
  return ((i * 7919) % 10007) / 8 - 600;
}

export function csvName(i: number): string {
  return `n${i}, ${'ab'.repeat(i % 4)}`;
}

/** Line `i` of the generated text file, with multi-byte characters so chunk cuts split them. */
export function textLine(i: number): string {
  return `line ${i} ✓ é ${'🙂'.repeat(i % 3)}`;
}

export interface GeneratedImage {
  /** Path relative to the directory root (`<class>/.../<name>`). */
  path: string;
  width: number;
  height: number;
  /** Samples per pixel of `pixels` (PNG: 1, 3 or 4; JPEG: always RGBA input to jpeg-js). */
  channels: 1 | 3 | 4;
  pixels: Uint8Array;
  quality?: number;
}

/** Smooth gradients plus a little pattern: realistic for a JPEG, distinct per file. */
function pixels(width: number, height: number, channels: number, seed: number, opaque: boolean): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const isAlpha = channels === 4 && c === 3;
        const v = isAlpha
          ? opaque
            ? 255
            : (40 + x * 13 + y * 7 + seed) % 256
          : (seed * 31 + x * (5 + c * 3) + y * (9 - c * 2) + ((x * y) % 5) * 4) % 256;
        out[(y * width + x) * channels + c] = v;
      }
    }
  }
  return out;
}

/** The image files of the browser tests: two classes, PNG (grey, RGB, RGBA) and JPEG, one nested. */
export function imageFiles(): GeneratedImage[] {
  const specs: [string, number, number, 1 | 3 | 4, boolean][] = [
    ['cats/a_rgb.png', 17, 13, 3, true],
    ['cats/b_grey.png', 9, 11, 1, true],
    ['cats/c_photo.jpg', 24, 16, 4, true],
    ['cats/d_rgba.png', 12, 10, 4, false],
    ['dogs/e_photo.jpg', 16, 24, 4, true],
    ['dogs/f_opaque_rgba.png', 10, 10, 4, true],
    ['dogs/nested/g.png', 8, 6, 3, true],
    ['dogs/h_photo.jpeg', 20, 20, 4, true],
  ];
  return specs.map(([path, width, height, channels, opaque], i) => ({
    path,
    width,
    height,
    channels,
    pixels: pixels(width, height, channels, i * 17 + 3, opaque),
    quality: path.endsWith('.png') ? undefined : 92,
  }));
}

import { type Tensor, ValueError, ops, tensor, tidy } from '@strata/core';

export type FillMode = 'constant' | 'reflect' | 'wrap' | 'nearest';
export type AffineInterpolation = 'bilinear' | 'nearest';

export function checkFillMode(layer: string, value: unknown): FillMode {
  const v = value ?? 'reflect';
  if (v !== 'constant' && v !== 'reflect' && v !== 'wrap' && v !== 'nearest') {
    throw new ValueError(`${layer}: unknown \`fill_mode\` ${String(value)}. Expected one of "constant", "reflect", "wrap", "nearest".`);
  }
  return v;
}

export function checkInterpolation(layer: string, value: unknown): AffineInterpolation {
  const v = value ?? 'bilinear';
  if (v !== 'bilinear' && v !== 'nearest') {
    throw new ValueError(`${layer}: unknown \`interpolation\` ${String(value)}. Expected one of "bilinear", "nearest".`);
  }
  return v;
}

/** tf ImageProjectiveTransformV3's coordinate mapping for a fill mode (integer casts truncate). */
export function mapCoordinate(c: number, len: number, mode: FillMode): number {
  let x = c;
  if (mode === 'constant') return x;
  if (mode === 'reflect') {
    if (x < 0) {
      if (len <= 1) x = 0;
      else {
        const sz2 = 2 * len;
        if (x < sz2) x = sz2 * Math.trunc(-x / sz2) + x;
        x = x < -len ? x + sz2 : -x - 1;
      }
    } else if (x > len - 1) {
      if (len <= 1) x = 0;
      else {
        const sz2 = 2 * len;
        x -= sz2 * Math.trunc(x / sz2);
        if (x >= len) x = sz2 - x - 1;
      }
    }
  } else if (mode === 'wrap') {
    if (x < 0) {
      if (len <= 1) x = 0;
      else x += len * (Math.trunc(-x / (len - 1)) + 1);
    } else if (x > len - 1) {
      if (len <= 1) x = 0;
      else x -= len * Math.trunc(x / (len - 1));
    }
  }
  return Math.min(Math.max(x, 0), len - 1);
}

/**
 * keras.ops.image.affine_transform (TF semantics, channels_last (N, H, W, C)): output pixel (x, y) of
 * image n samples the input at ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1,
 * with `transforms[n] = [a0, a1, a2, b0, b1, b2, c0, c1]`. Neighbours outside the image read
 * `fillValue`. Built as a gather plus weighted sum, so it is differentiable in the image.
 */
export function affineTransform(
  x: Tensor,
  transforms: number[][],
  interpolation: AffineInterpolation,
  fillMode: FillMode,
  fillValue: number,
): Tensor {
  return tidy(() => {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const taps = interpolation === 'bilinear' ? 4 : 1;
    const count = n * h * w;
    const idx = new Int32Array(count * taps);
    const wts = new Float32Array(count * taps);
    const fill = new Float32Array(count);
    for (let b = 0; b < n; b++) {
      const [a0, a1, a2, b0, b1, b2, c0, c1] = transforms[b]!;
      for (let oy = 0; oy < h; oy++) {
        for (let ox = 0; ox < w; ox++) {
          const o = (b * h + oy) * w + ox;
          const k = c0! * ox + c1! * oy + 1;
          const xin = mapCoordinate((a0! * ox + a1! * oy + a2!) / k, w, fillMode);
          const yin = mapCoordinate((b0! * ox + b1! * oy + b2!) / k, h, fillMode);
          const put = (t: number, yy: number, xx: number, weight: number) => {
            if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
              idx[o * taps + t] = (b * h + yy) * w + xx;
              wts[o * taps + t] = weight;
            } else {
              idx[o * taps + t] = 0;
              fill[o] = fill[o]! + weight * fillValue;
            }
          };
          if (taps === 1) {
            put(0, roundHalfAway(yin), roundHalfAway(xin), 1);
          } else {
            const y0 = Math.floor(yin);
            const x0 = Math.floor(xin);
            const fy = yin - y0;
            const fx = xin - x0;
            put(0, y0, x0, (1 - fy) * (1 - fx));
            put(1, y0, x0 + 1, (1 - fy) * fx);
            put(2, y0 + 1, x0, fy * (1 - fx));
            put(3, y0 + 1, x0 + 1, fy * fx);
          }
        }
      }
    }
    const flat = ops.reshape(x.dtype === 'float32' ? x : ops.cast(x, 'float32'), [count, c]);
    const gathered = ops.reshape(ops.take(flat, tensor(idx, [count * taps], 'int32'), 0), [count, taps, c]);
    const summed = ops.sum(ops.multiply(gathered, tensor(wts, [count, taps, 1])), 1);
    return ops.reshape(ops.add(summed, tensor(fill, [count, 1])), [n, h, w, c]);
  });
}

function roundHalfAway(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}

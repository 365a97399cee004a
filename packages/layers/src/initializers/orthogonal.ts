import { type Config, type DataType, type Tensor, ValueError, formatShape, random, registerClass, registerIdentifier, tensor } from '@strata/core';
import { positional } from '../utils/args';
import { type InitializerSeed, RandomInitializer } from './random';

/**
 * Reduced QR of a row-major `m x n` matrix (m >= n) by Householder reflections in float64.
 * Returns Q (`m x n`, row-major) and the diagonal of R.
 */
export function householderQR(a: Float64Array, m: number, n: number): { q: Float64Array; rDiag: Float64Array } {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const rDiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = r[k * n + k]!;
    const alpha = x0 > 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = r[i * n + k]!;
    v[0] = v[0]! - alpha;
    let vn = 0;
    for (let i = 0; i < v.length; i++) vn += v[i]! ** 2;
    vn = Math.sqrt(vn);
    if (vn > 0) {
      for (let i = 0; i < v.length; i++) v[i] = v[i]! / vn;
      // R[k:, k:] -= 2 v (v^T R[k:, k:])
      for (let j = k; j < n; j++) {
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i - k]! * r[i * n + j]!;
        for (let i = k; i < m; i++) r[i * n + j] = r[i * n + j]! - 2 * v[i - k]! * dot;
      }
    }
    vs.push(v);
    rDiag[k] = r[k * n + k]!;
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k]! * q[i * n + j]!;
      if (dot === 0) continue;
      for (let i = k; i < m; i++) q[i * n + j] = q[i * n + j]! - 2 * v[i - k]! * dot;
    }
  }
  return { q, rDiag };
}

export interface OrthogonalArgs {
  /** Multiplies the orthogonal matrix (default 1). */
  gain?: number;
  seed?: InitializerSeed;
}

/**
 * `keras.initializers.Orthogonal(gain=1.0)`: a (semi-)orthogonal matrix from the QR decomposition
 * of a standard normal matrix, with Q's columns signed so R has a positive diagonal. Shapes of
 * rank > 2 are treated as `(prod(shape[:-1]), shape[-1])` and reshaped back.
 */
export class Orthogonal extends RandomInitializer {
  readonly gain: number;

  constructor(gain?: number, seed?: InitializerSeed);
  constructor(args: OrthogonalArgs);
  constructor(...args: unknown[]) {
    const a = positional<OrthogonalArgs>(['gain', 'seed'], args);
    super(a.seed);
    this.gain = a.gain ?? 1.0;
  }

  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    if (shape.length < 2) {
      throw new ValueError(
        `The tensor to initialize must be at least two-dimensional. Received: shape=${formatShape(shape)} of rank ${shape.length}.`,
      );
    }
    const numRows = shape.slice(0, -1).reduce((p, d) => p * d, 1);
    const numCols = shape[shape.length - 1]!;
    const m = Math.max(numRows, numCols);
    const n = Math.min(numRows, numCols);
    const normal = random.normal([m, n], 0, 1, { seed: this.nextSeed() });
    const draws = normal.dataSync();
    normal.dispose();
    const { q, rDiag } = householderQR(Float64Array.from(draws), m, n);
    const out = new Float32Array(numRows * numCols);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const s = Math.sign(rDiag[j]!);
        const v = this.gain * q[i * n + j]! * s;
        // q is m x n; when rows < cols the result is its transpose (n x m = rows x cols).
        if (numRows >= numCols) out[i * numCols + j] = v;
        else out[j * numCols + i] = v;
      }
    }
    return tensor(out, shape, dtype);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), gain: this.gain };
  }
}

registerClass('initializer', Orthogonal, { module: 'keras.initializers', className: 'Orthogonal', aliases: ['OrthogonalInitializer'] });
registerIdentifier('initializer', ['orthogonal', 'OrthogonalInitializer'], () => new Orthogonal());

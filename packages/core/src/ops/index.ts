// keras.ops in camelCase: Keras' names where Keras has the op, the engine's names for the rest.
// Every function takes tensors (or array-likes where noted) and returns new tensors.
import { tfc } from '../engine';
import { ValueError } from '../errors';
import { type DataType, type Tensor, type TensorLike, convertToTensor, epsilon } from '../tensor';

type T = Tensor;
type Axis = number | number[] | null | undefined;
const ax = (a: Axis): number | number[] | undefined => (a == null ? undefined : a);
// Array-likes go to the engine as they are: it converts them inside the op's own scope, so the
// temporary tensors are freed with it (converting here would leak them outside a tidy).
const tt = (x: TensorLike | T): T | tfc.TensorLike => x as T | tfc.TensorLike;

// ---- elementwise math ----
export const add = (a: TensorLike, b: TensorLike): T => tfc.add(tt(a), tt(b));
export const subtract = (a: TensorLike, b: TensorLike): T => tfc.sub(tt(a), tt(b));
export const multiply = (a: TensorLike, b: TensorLike): T => tfc.mul(tt(a), tt(b));
export const divide = (a: TensorLike, b: TensorLike): T => tfc.div(tt(a), tt(b));
export const trueDivide = divide;
export const divideNoNan = (a: TensorLike, b: TensorLike): T => tfc.divNoNan(tt(a), tt(b));
export const floorDivide = (a: TensorLike, b: TensorLike): T => tfc.floorDiv(tt(a), tt(b));
export const mod = (a: TensorLike, b: TensorLike): T => tfc.mod(tt(a), tt(b));
export const power = (a: TensorLike, b: TensorLike): T => tfc.pow(tt(a), tt(b));
export const maximum = (a: TensorLike, b: TensorLike): T => tfc.maximum(tt(a), tt(b));
export const minimum = (a: TensorLike, b: TensorLike): T => tfc.minimum(tt(a), tt(b));
export const negative = (x: T): T => tfc.neg(x);
export const abs = (x: T): T => tfc.abs(x);
export const absolute = abs;
export const sign = (x: T): T => tfc.sign(x);
export const square = (x: T): T => tfc.square(x);
export const sqrt = (x: T): T => tfc.sqrt(x);
export const rsqrt = (x: T): T => tfc.rsqrt(x);
export const reciprocal = (x: T): T => tfc.reciprocal(x);
export const exp = (x: T): T => tfc.exp(x);
export const expm1 = (x: T): T => tfc.expm1(x);
export const log = (x: T): T => tfc.log(x);
export const log1p = (x: T): T => tfc.log1p(x);
export const log2 = (x: T): T => tfc.div(tfc.log(x), Math.LN2);
export const log10 = (x: T): T => tfc.div(tfc.log(x), Math.LN10);
export const floor = (x: T): T => tfc.floor(x);
export const ceil = (x: T): T => tfc.ceil(x);
export const round = (x: T): T => tfc.round(x);
export const sin = (x: T): T => tfc.sin(x);
export const cos = (x: T): T => tfc.cos(x);
export const tan = (x: T): T => tfc.tan(x);
export const sinh = (x: T): T => tfc.sinh(x);
export const cosh = (x: T): T => tfc.cosh(x);
export const tanh = (x: T): T => tfc.tanh(x);
export const arcsin = (x: T): T => tfc.asin(x);
export const arccos = (x: T): T => tfc.acos(x);
export const arctan = (x: T): T => tfc.atan(x);
export const arctan2 = (a: T, b: T): T => tfc.atan2(a, b);
export const erf = (x: T): T => tfc.erf(x);
export const clip = (x: T, min: number, max: number): T => tfc.clipByValue(x, min, max);
export const isnan = (x: T): T => tfc.isNaN(x);
export const isinf = (x: T): T => tfc.isInf(x);
export const isfinite = (x: T): T => tfc.isFinite(x);

// ---- comparison / logic ----
export const equal = (a: TensorLike, b: TensorLike): T => tfc.equal(tt(a), tt(b));
export const notEqual = (a: TensorLike, b: TensorLike): T => tfc.notEqual(tt(a), tt(b));
export const greater = (a: TensorLike, b: TensorLike): T => tfc.greater(tt(a), tt(b));
export const greaterEqual = (a: TensorLike, b: TensorLike): T => tfc.greaterEqual(tt(a), tt(b));
export const less = (a: TensorLike, b: TensorLike): T => tfc.less(tt(a), tt(b));
export const lessEqual = (a: TensorLike, b: TensorLike): T => tfc.lessEqual(tt(a), tt(b));
export const logicalAnd = (a: T, b: T): T => tfc.logicalAnd(a, b);
export const logicalOr = (a: T, b: T): T => tfc.logicalOr(a, b);
export const logicalNot = (x: T): T => tfc.logicalNot(x);
export const where = (cond: T, a: TensorLike, b: TensorLike): T =>
  tfc.tidy(() => {
    const ta = convertToTensor(a);
    const tb = convertToTensor(b, ta.dtype);
    const shape = tfc.broadcast_util.assertAndGetBroadcastShape(
      tfc.broadcast_util.assertAndGetBroadcastShape(cond.shape, ta.shape),
      tb.shape,
    );
    return tfc.where(tfc.broadcastTo(cond, shape), tfc.broadcastTo(ta, shape), tfc.broadcastTo(tb, shape));
  });

// ---- reductions ----
export const sum = (x: T, axis?: Axis, keepdims = false): T => tfc.sum(x, ax(axis), keepdims);
export const mean = (x: T, axis?: Axis, keepdims = false): T => tfc.mean(x, ax(axis), keepdims);
export const max = (x: T, axis?: Axis, keepdims = false): T => tfc.max(x, ax(axis), keepdims);
export const min = (x: T, axis?: Axis, keepdims = false): T => tfc.min(x, ax(axis), keepdims);
export const prod = (x: T, axis?: Axis, keepdims = false): T => tfc.prod(x, ax(axis), keepdims);
export const all = (x: T, axis?: Axis, keepdims = false): T => tfc.all(tfc.cast(x, 'bool'), ax(axis), keepdims);
export const any = (x: T, axis?: Axis, keepdims = false): T => tfc.any(tfc.cast(x, 'bool'), ax(axis), keepdims);
export const argmax = (x: T, axis = -1): T => tfc.argMax(x, axis);
export const argmin = (x: T, axis = -1): T => tfc.argMin(x, axis);
export const logsumexp = (x: T, axis?: Axis, keepdims = false): T => tfc.logSumExp(x, ax(axis), keepdims);
export const variance = (x: T, axis?: Axis, keepdims = false): T =>
  tfc.tidy(() => tfc.moments(x, ax(axis), keepdims).variance);
export const std = (x: T, axis?: Axis, keepdims = false): T => tfc.tidy(() => tfc.sqrt(variance(x, axis, keepdims)));
export const moments = (x: T, axes: number[], keepdims = false): { mean: T; variance: T } =>
  tfc.moments(x, axes, keepdims);
/**
 * keras.ops.batch_normalization: `(x - mean) * scale / sqrt(variance + epsilon) + offset`, with the
 * 1-D statistics along `axis`. Channels-last inputs of rank 4 or less run as one fused kernel (one
 * pass over `x` instead of a broadcast multiply and a broadcast add).
 */
export const batchNormalization = (
  x: T,
  mean: T,
  variance: T,
  axis: number,
  offset: T | null = null,
  scale: T | null = null,
  epsilon = 1e-3,
): T =>
  tfc.tidy(() => {
    const a = axis < 0 ? x.rank + axis : axis;
    if (a === x.rank - 1 && x.rank <= 4 && x.dtype === 'float32') {
      return tfc.batchNorm(x, mean, variance, offset ?? undefined, scale ?? undefined, epsilon);
    }
    const broadcast = x.shape.map((d, i) => (i === a ? d : 1));
    let inv = tfc.rsqrt(tfc.add(variance, epsilon));
    if (scale != null) inv = tfc.mul(inv, scale);
    let res = tfc.neg(tfc.mul(mean, inv));
    if (offset != null) res = tfc.add(res, offset);
    return tfc.add(tfc.mul(x, tfc.reshape(inv, broadcast)), tfc.reshape(res, broadcast));
  });
export const cumsum = (x: T, axis = 0): T => tfc.cumsum(x, axis);
export const cumprod = (x: T, axis = 0): T => tfc.cumprod(x, axis);
export const norm = (x: T, ord: number | 'euclidean' | 'fro' = 'euclidean', axis?: Axis, keepdims = false): T =>
  tfc.norm(x, ord as 'euclidean', ax(axis), keepdims);

// ---- linear algebra ----
export const matmul = (a: T, b: T): T => {
  if (a.rank === 1 || b.rank === 1) return tfc.dot(a, b);
  if (a.rank === 2 && b.rank === 2) return tfc.matMul(a as tfc.Tensor2D, b as tfc.Tensor2D);
  if (b.rank === 2) {
    // [..., n, k] @ [k, m]: fold the batch axes into the rows.
    const lead = a.shape.slice(0, -1);
    return tfc.tidy(() =>
      tfc.reshape(tfc.matMul(tfc.reshape(a, [-1, a.shape[a.rank - 1]!]), b as tfc.Tensor2D), [...lead, b.shape[1]!]),
    );
  }
  return tfc.matMul(a, b);
};
export const dot = matmul;
export const transpose = (x: T, axes?: number[]): T => tfc.transpose(x, axes);
export const outer = (a: T, b: T): T => tfc.outerProduct(tfc.reshape(a, [-1]) as tfc.Tensor1D, tfc.reshape(b, [-1]) as tfc.Tensor1D);
export const einsum = (equation: string, ...operands: T[]): T => tfc.einsum(equation, ...operands);

// ---- shapes ----
export const reshape = (x: T, shape: number[]): T => tfc.reshape(x, shape);
export const expandDims = (x: T, axis: number): T => tfc.expandDims(x, axis);
export const squeeze = (x: T, axis?: number | number[]): T =>
  tfc.squeeze(x, axis == null ? undefined : Array.isArray(axis) ? axis : [axis]);
export const concatenate = (xs: T[], axis = 0): T => tfc.concat(xs, axis);
export const stack = (xs: T[], axis = 0): T => tfc.stack(xs, axis);
export const unstack = (x: T, axis = 0): T[] => tfc.unstack(x, axis);
export const split = (x: T, indicesOrSections: number | number[], axis = 0): T[] => {
  if (typeof indicesOrSections === 'number') return tfc.split(x, indicesOrSections, axis);
  const dim = x.shape[axis < 0 ? x.rank + axis : axis]!;
  const bounds = [0, ...indicesOrSections, dim];
  return tfc.split(x, bounds.slice(1).map((b, i) => b - bounds[i]!), axis);
};
export const tile = (x: T, reps: number[]): T => tfc.tile(x, reps);
export const repeat = (x: T, repeats: number, axis: number): T => {
  const a = axis < 0 ? x.rank + axis : axis;
  // expand, broadcast by multiplying with ones, reshape: differentiable at every rank (the engine's
  // tile and broadcastTo have no gradient above rank 4).
  return tfc.tidy(() => {
    const e = tfc.expandDims(x, a + 1);
    const wide = [...e.shape];
    wide[a + 1] = repeats;
    const shape = [...x.shape];
    shape[a] = shape[a]! * repeats;
    return tfc.reshape(tfc.mul(e, tfc.ones(wide, e.dtype)), shape);
  });
};
export const broadcastTo = (x: T, shape: number[]): T => tfc.broadcastTo(x, shape);
export const pad = (x: T, padWidth: [number, number][], mode: 'constant' | 'reflect' | 'symmetric' = 'constant', constantValue = 0): T =>
  mode === 'constant' ? tfc.pad(x, padWidth, constantValue) : tfc.mirrorPad(x, padWidth, mode);
export const slice = (x: T, begin: number[], size: number[]): T => tfc.slice(x, begin, size);
export const stridedSlice = tfc.stridedSlice;
export const flip = (x: T, axis: number | number[]): T => tfc.reverse(x, axis);
export const reverse = flip;
export const take = (x: T, indices: TensorLike, axis = 0): T =>
  tfc.tidy(() => tfc.gather(x, convertToTensor(indices, 'int32'), axis));
export const takeAlongAxis = (x: T, indices: T, axis: number): T => tfc.gather(x, indices, axis, axis);
export const shape = (x: T): number[] => [...x.shape];
export const size = (x: T): number => x.size;
export const ndim = (x: T): number => x.rank;
export const cast = (x: T, dtype: DataType): T => tfc.cast(x, dtype);
export const identity = (x: T): T => tfc.clone(x);

// ---- creation ----
export const zeros = (shape: number[], dtype: DataType = 'float32'): T => tfc.zeros(shape, dtype);
export const ones = (shape: number[], dtype: DataType = 'float32'): T => tfc.ones(shape, dtype);
export const full = (shape: number[], value: number, dtype: DataType = 'float32'): T => tfc.fill(shape, value, dtype);
export const zerosLike = (x: T): T => tfc.zerosLike(x);
export const onesLike = (x: T): T => tfc.onesLike(x);
export const fullLike = (x: T, value: number): T => tfc.fill(x.shape, value, x.dtype);
export const eye = (n: number, m?: number, dtype: DataType = 'float32'): T => tfc.eye(n, m, undefined, dtype as 'float32');
export const arange = (start: number, stop?: number, step = 1, dtype: DataType = 'float32'): T =>
  stop == null ? tfc.range(0, start, step, dtype as 'float32') : tfc.range(start, stop, step, dtype as 'float32');
export const linspace = (start: number, stop: number, num: number): T => tfc.linspace(start, stop, num);
export const oneHot = (x: TensorLike, numClasses: number, axis = -1): T =>
  tfc.tidy(() => {
    const oh = tfc.cast(tfc.oneHot(convertToTensor(x, 'int32'), numClasses), 'float32');
    if (axis === -1 || axis === oh.rank - 1) return oh;
    const perm = [...Array(oh.rank - 1).keys()];
    perm.splice(axis < 0 ? oh.rank + axis : axis, 0, oh.rank - 1);
    return tfc.transpose(oh, perm);
  });
export const tril = (x: T, k = 0): T => tfc.linalg.bandPart(x, -1, k) ;
export const triu = (x: T, k = 0): T => tfc.linalg.bandPart(x, -k, -1);

// ---- sorting ----
export const topK = (x: T, k: number, sorted = true): { values: T; indices: T } => tfc.topk(x, k, sorted);
export const sort = (x: T): T => tfc.tidy(() => tfc.neg(tfc.topk(tfc.neg(x), x.shape[x.rank - 1]!).values));
export const argsort = (x: T): T => tfc.tidy(() => tfc.topk(tfc.neg(x), x.shape[x.rank - 1]!).indices);

// ---- nn ----
export const relu = (x: T): T => tfc.relu(x);
export const relu6 = (x: T): T => tfc.relu6(x);
export const sigmoid = (x: T): T => tfc.sigmoid(x);
export const softplus = (x: T): T => tfc.softplus(x);
export const softsign = (x: T): T => tfc.tidy(() => tfc.div(x, tfc.add(tfc.abs(x), 1)));
export const silu = (x: T): T => tfc.tidy(() => tfc.mul(x, tfc.sigmoid(x)));
export const swish = silu;
// relu(x) + alpha * expm1(min(x, 0)): differentiable everywhere (a `where` on a comparison is not).
export const elu = (x: T, alpha = 1): T =>
  alpha === 1 ? tfc.elu(x) : tfc.tidy(() => tfc.add(tfc.relu(x), tfc.mul(alpha, tfc.expm1(tfc.minimum(x, 0)))));
export const selu = (x: T): T => tfc.selu(x);
export const leakyRelu = (x: T, negativeSlope = 0.2): T => tfc.leakyRelu(x, negativeSlope);
/** Keras 3 hard_sigmoid: relu6(x + 3) / 6. */
export const hardSigmoid = (x: T): T => tfc.tidy(() => tfc.div(tfc.relu6(tfc.add(x, 3)), 6));
export const hardSilu = (x: T): T => tfc.tidy(() => tfc.mul(x, hardSigmoid(x)));
export const gelu = (x: T, approximate = true): T =>
  tfc.tidy(() => {
    if (approximate) {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      const inner = tfc.mul(Math.sqrt(2 / Math.PI), tfc.add(x, tfc.mul(0.044715, tfc.pow(x, 3))));
      return tfc.mul(tfc.mul(0.5, x), tfc.add(1, tfc.tanh(inner)));
    }
    return tfc.mul(tfc.mul(0.5, x), tfc.add(1, tfc.erf(tfc.div(x, Math.SQRT2))));
  });
export const softmax = (x: T, axis = -1): T => {
  if (axis === -1 || axis === x.rank - 1) return tfc.softmax(x);
  return tfc.tidy(() => {
    const e = tfc.exp(tfc.sub(x, tfc.max(x, axis, true)));
    return tfc.div(e, tfc.sum(e, axis, true));
  });
};
export const logSoftmax = (x: T, axis = -1): T => {
  if (axis === -1 || axis === x.rank - 1) return tfc.logSoftmax(x);
  return tfc.tidy(() => tfc.sub(x, tfc.logSumExp(x, axis, true)));
};

type Padding = 'valid' | 'same';
/** Explicit [before, after] paddings of the two spatial axes. */
export type SpatialPadding = [[number, number], [number, number]];
const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/**
 * keras.ops.conv for 2-D channels_last inputs: x [N, H, W, C], kernel [kh, kw, C, F]. `padding`
 * may also give explicit [before, after] pairs for height and width.
 */
export const conv = (
  x: T,
  kernel: T,
  strides: number | [number, number] = 1,
  padding: Padding | SpatialPadding = 'valid',
  dilationRate: number | [number, number] = 1,
): T => {
  if (x.rank !== 4) throw new ValueError(`ops.conv: expected a rank-4 input, got shape [${x.shape}]`);
  const pad: Padding | tfc.backend_util.ExplicitPadding = typeof padding === 'string' ? padding : [[0, 0], padding[0], padding[1], [0, 0]];
  return tfc.conv2d(x as tfc.Tensor4D, kernel as tfc.Tensor4D, pair(strides), pad, 'NHWC', pair(dilationRate));
};
export const depthwiseConv = (
  x: T,
  kernel: T,
  strides: number | [number, number] = 1,
  padding: Padding | SpatialPadding = 'valid',
  dilationRate: number | [number, number] = 1,
): T => {
  const pad: Padding | tfc.backend_util.ExplicitPadding = typeof padding === 'string' ? padding : [[0, 0], padding[0], padding[1], [0, 0]];
  return tfc.depthwiseConv2d(x as tfc.Tensor4D, kernel as tfc.Tensor4D, pair(strides), pad, 'NHWC', pair(dilationRate));
};
export const maxPool = (x: T, poolSize: number | [number, number], strides?: number | [number, number] | null, padding: Padding = 'valid'): T =>
  tfc.maxPool(x as tfc.Tensor4D, pair(poolSize), pair(strides ?? poolSize), padding);
export const averagePool = (x: T, poolSize: number | [number, number], strides?: number | [number, number] | null, padding: Padding = 'valid'): T =>
  tfc.avgPool(x as tfc.Tensor4D, pair(poolSize), pair(strides ?? poolSize), padding);

/** Cross-entropy helpers used by losses and metrics (keras.ops names). */
export const categoricalCrossentropy = (target: T, output: T, fromLogits = false, axis = -1): T =>
  tfc.tidy(() => {
    if (fromLogits) return tfc.neg(tfc.sum(tfc.mul(target, logSoftmax(output, axis)), axis));
    const p = tfc.div(output, tfc.sum(output, axis, true));
    const eps = epsilon();
    return tfc.neg(tfc.sum(tfc.mul(target, tfc.log(tfc.clipByValue(p, eps, 1 - eps))), axis));
  });
export const sparseCategoricalCrossentropy = (target: T, output: T, fromLogits = false, axis = -1): T =>
  tfc.tidy(() => {
    let t = target;
    if (t.rank === output.rank && t.shape[t.rank - 1] === 1) t = tfc.squeeze(t, [t.rank - 1]);
    const depth = output.shape[axis < 0 ? output.rank + axis : axis]!;
    const oh = tfc.oneHot(tfc.cast(t, 'int32'), depth);
    return categoricalCrossentropy(tfc.cast(oh, output.dtype), output, fromLogits, axis);
  });
export const binaryCrossentropy = (target: T, output: T, fromLogits = false): T =>
  tfc.tidy(() => {
    if (fromLogits) {
      // max(x, 0) - x z + log(1 + exp(-|x|))
      return tfc.add(tfc.sub(tfc.relu(output), tfc.mul(output, target)), tfc.log1p(tfc.exp(tfc.neg(tfc.abs(output)))));
    }
    const eps = epsilon();
    const p = tfc.clipByValue(output, eps, 1 - eps);
    return tfc.neg(tfc.add(tfc.mul(target, tfc.log(p)), tfc.mul(tfc.sub(1, target), tfc.log(tfc.sub(1, p)))));
  });

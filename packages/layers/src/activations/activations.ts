// keras.activations: the built-in activation functions, with Keras 3 formulas and defaults. Each is
// registered under its Keras name, so `'relu'`, `'leaky_relu'` and `'leakyRelu'` all resolve, and a
// layer config stores the name.
import { type Tensor, ValueError, ops, tidy } from '@strata/core';
import { registerActivation } from './activation';

export interface ReluOptions {
  /** Slope for values below the threshold (Keras `negative_slope`, default 0). */
  negativeSlope?: number;
  /** Saturation value (Keras `max_value`, default none). */
  maxValue?: number | null;
  /** Values below this are zeroed or scaled by `negativeSlope` (default 0). */
  threshold?: number;
}

/**
 * Rectified linear unit (`keras.activations.relu`). With the defaults, `max(x, 0)`; otherwise
 * `maxValue` for `x >= maxValue`, `x` for `threshold <= x < maxValue`, and
 * `negativeSlope * (x - threshold)` below the threshold.
 */
export function relu(x: Tensor, options: ReluOptions = {}): Tensor {
  const negativeSlope = options.negativeSlope ?? 0;
  const maxValue = options.maxValue ?? null;
  const threshold = options.threshold ?? 0;
  if (negativeSlope === 0 && maxValue == null && threshold === 0) return ops.relu(x);
  return tidy(() => {
    if (negativeSlope !== 0 && maxValue == null && threshold === 0) return ops.leakyRelu(x, negativeSlope);
    let y: Tensor;
    if (threshold !== 0) y = ops.multiply(x, ops.cast(ops.greater(x, threshold), x.dtype));
    else if (maxValue === 6) y = ops.relu6(x);
    else y = ops.relu(x);
    // relu6 already saturates; every other max_value clips (as Keras does).
    if (maxValue != null && !(threshold === 0 && maxValue === 6)) y = ops.clip(y, 0, maxValue);
    if (negativeSlope !== 0) {
      const negativePart = ops.relu(threshold !== 0 ? ops.add(ops.negative(x), threshold) : ops.negative(x));
      y = ops.subtract(y, ops.multiply(negativePart, negativeSlope));
    }
    return y;
  });
}
registerActivation('relu', relu);

/** `min(max(x, 0), 6)`. */
export function relu6(x: Tensor): Tensor {
  return ops.relu6(x);
}
registerActivation('relu6', relu6);

/** Leaky ReLU; Keras 3's default `negative_slope` is 0.2. */
export function leakyRelu(x: Tensor, negativeSlope = 0.2): Tensor {
  return ops.leakyRelu(x, negativeSlope);
}
registerActivation('leaky_relu', leakyRelu);

/** Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise. */
export function elu(x: Tensor, alpha = 1.0): Tensor {
  return ops.elu(x, alpha);
}
registerActivation('elu', elu);

/** Scaled ELU: `scale * elu(x, alpha)` with alpha=1.67326324, scale=1.05070098. */
export function selu(x: Tensor): Tensor {
  return ops.selu(x);
}
registerActivation('selu', selu);

/** Continuously differentiable ELU: `max(x, 0) + alpha * expm1(min(x, 0) / alpha)`. */
export function celu(x: Tensor, alpha = 1.0): Tensor {
  return tidy(() => ops.add(ops.relu(x), ops.multiply(alpha, ops.expm1(ops.divide(ops.minimum(x, 0), alpha)))));
}
registerActivation('celu', celu);

export function sigmoid(x: Tensor): Tensor {
  return ops.sigmoid(x);
}
registerActivation('sigmoid', sigmoid);

export function tanh(x: Tensor): Tensor {
  return ops.tanh(x);
}
registerActivation('tanh', tanh);

/** Softmax over `axis` (default the last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return ops.softmax(x, axis);
}
registerActivation('softmax', softmax);

/** `x - logsumexp(x, axis)`. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return ops.logSoftmax(x, axis);
}
registerActivation('log_softmax', logSoftmax);

/** `log(1 + exp(x))`. */
export function softplus(x: Tensor): Tensor {
  return ops.softplus(x);
}
registerActivation('softplus', softplus);

/** `x / (1 + |x|)`. */
export function softsign(x: Tensor): Tensor {
  return ops.softsign(x);
}
registerActivation('softsign', softsign);

/** `x * sigmoid(x)`, also known as swish. */
export function silu(x: Tensor): Tensor {
  return ops.silu(x);
}
registerActivation('silu', silu, ['swish']);
export const swish = silu;

/**
 * Gaussian error linear unit. Keras 3's `keras.activations.gelu` defaults to the exact form
 * `0.5 x (1 + erf(x / sqrt 2))` (`approximate=False`); `approximate=true` uses the tanh form.
 */
export function gelu(x: Tensor, approximate = false): Tensor {
  return ops.gelu(x, approximate);
}
registerActivation('gelu', gelu);

/** Keras 3 hard sigmoid: `relu6(x + 3) / 6`. */
export function hardSigmoid(x: Tensor): Tensor {
  return ops.hardSigmoid(x);
}
registerActivation('hard_sigmoid', hardSigmoid);

/** `x * relu6(x + 3) / 6`, also known as hard swish. */
export function hardSilu(x: Tensor): Tensor {
  return ops.hardSilu(x);
}
registerActivation('hard_silu', hardSilu, ['hard_swish']);
export const hardSwish = hardSilu;

/** `clip(x, -1, 1)`. */
export function hardTanh(x: Tensor): Tensor {
  return ops.clip(x, -1, 1);
}
registerActivation('hard_tanh', hardTanh);

/** `x` where `|x| > threshold`, else 0. */
export function hardShrink(x: Tensor, threshold = 0.5): Tensor {
  return tidy(() => ops.where(ops.greater(ops.abs(x), threshold), x, 0));
}
registerActivation('hard_shrink', hardShrink);

/** `x - threshold` above it, `x + threshold` below `-threshold`, else 0. */
export function softShrink(x: Tensor, threshold = 0.5): Tensor {
  return tidy(() =>
    ops.where(ops.greater(x, threshold), ops.subtract(x, threshold), ops.where(ops.less(x, -threshold), ops.add(x, threshold), 0)),
  );
}
registerActivation('soft_shrink', softShrink);

/** `x - tanh(x)`. */
export function tanhShrink(x: Tensor): Tensor {
  return tidy(() => ops.subtract(x, ops.tanh(x)));
}
registerActivation('tanh_shrink', tanhShrink);

/** `(x + sqrt(x^2 + b)) / 2`. */
export function squareplus(x: Tensor, b = 4): Tensor {
  if (b < 0) throw new ValueError(`squareplus: \`b\` must be non-negative. Received: b=${b}`);
  return tidy(() => ops.divide(ops.add(x, ops.sqrt(ops.add(ops.square(x), b))), 2));
}
registerActivation('squareplus', squareplus);

/** 0 for `x <= -1`, `(x + 1)^2 / 4` for `-1 < x < 1`, `x` for `x >= 1`. */
export function sparsePlus(x: Tensor): Tensor {
  return tidy(() =>
    ops.where(ops.lessEqual(x, -1), 0, ops.where(ops.greaterEqual(x, 1), x, ops.divide(ops.square(ops.add(x, 1)), 4))),
  );
}
registerActivation('sparse_plus', sparsePlus);

/** 0 for `x <= -1`, `(x + 1) / 2` for `-1 < x < 1`, 1 for `x >= 1`. */
export function sparseSigmoid(x: Tensor): Tensor {
  return tidy(() => ops.clip(ops.divide(ops.add(x, 1), 2), 0, 1));
}
registerActivation('sparse_sigmoid', sparseSigmoid);

/** `-softplus(-x)`. */
export function logSigmoid(x: Tensor): Tensor {
  return tidy(() => ops.negative(ops.softplus(ops.negative(x))));
}
registerActivation('log_sigmoid', logSigmoid);

/** `x * tanh(softplus(x))`. */
export function mish(x: Tensor): Tensor {
  return tidy(() => ops.multiply(x, ops.tanh(ops.softplus(x))));
}
registerActivation('mish', mish);

/** Gated linear unit: splits `x` in two halves `a, b` along `axis`; `a * sigmoid(b)`. */
export function glu(x: Tensor, axis = -1): Tensor {
  const a = axis < 0 ? x.rank + axis : axis;
  const size = x.shape[a]!;
  if (size % 2 !== 0) {
    throw new ValueError(`glu: axis ${axis} of the input must have an even size. Received: shape=[${x.shape}]`);
  }
  return tidy(() => {
    const [u, v] = ops.split(x, 2, a);
    return ops.multiply(u!, ops.sigmoid(v!));
  });
}
registerActivation('glu', glu);

/** `x` where `x > threshold`, else `defaultValue` (not registered: it needs its arguments). */
export function threshold(x: Tensor, thresholdValue: number, defaultValue: number): Tensor {
  return tidy(() => ops.where(ops.greater(x, thresholdValue), x, defaultValue));
}

export function exponential(x: Tensor): Tensor {
  return ops.exp(x);
}
registerActivation('exponential', exponential);

/** The identity (Keras stores `'linear'` for "no activation"). */
export function linear(x: Tensor): Tensor {
  return x;
}
registerActivation('linear', linear);

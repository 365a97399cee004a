import {
  type Config,
  type CustomObjects,
  type LossLike,
  type SerializedObject,
  ValueError,
  deserializeKerasObject,
  serializeKerasObject,
  toSnakeCase,
} from '@strata/core';
import { BinaryAccuracy } from './accuracy/binary-accuracy';
import { CategoricalAccuracy } from './accuracy/categorical-accuracy';
import { SparseCategoricalAccuracy } from './accuracy/sparse-categorical-accuracy';
import { Metric } from './metric';
import { MeanMetricWrapper, type MetricFunction, metricFunctionName } from './reduction/mean-metric-wrapper';

/** What `get` accepts: a Metric, a Keras name, a Metric subclass, a metric function or a serialized dict. */
export type MetricIdentifier = Metric | string | MetricFunction | (new () => Metric) | SerializedObject;

/** `keras.metrics.serialize`. */
export function serialize(metric: Metric): SerializedObject {
  return serializeKerasObject(metric);
}

/** `keras.metrics.deserialize`: a serialized dict or a name back to a `Metric`. */
export function deserialize(config: SerializedObject | string, customObjects?: CustomObjects): Metric {
  const obj = deserializeKerasObject<unknown>('metric', config, customObjects);
  if (obj instanceof Metric) return obj;
  if (typeof obj === 'function') return fromFunction(obj as MetricFunction | (new () => Metric));
  throw new ValueError(`Could not interpret metric identifier: ${typeof config === 'string' ? config : JSON.stringify(config)}`);
}

function fromFunction(fn: MetricFunction | (new () => Metric)): Metric {
  if (fn.prototype instanceof Metric) return new (fn as new () => Metric)();
  const f = fn as MetricFunction;
  return new MeanMetricWrapper(f, { name: metricFunctionName(f) ?? (f.name ? toSnakeCase(f.name) : undefined) });
}

/**
 * `keras.metrics.get`, returning a new `Metric`: a Keras name (`'accuracy'`, `'mse'`,
 * `'categorical_accuracy'`, `'BinaryAccuracy'`; camelCase works too), a Metric instance (as is), a
 * Metric subclass, a function `(yTrue, yPred) => perSampleValues` (wrapped in a MeanMetricWrapper)
 * or a serialized dict. Note that, as in Keras, `'accuracy'` here is exact-match `Accuracy`;
 * `compile` resolves it with `resolveAccuracy`.
 */
export function get(identifier: MetricIdentifier, customObjects?: CustomObjects): Metric {
  if (identifier instanceof Metric) return identifier;
  if (typeof identifier === 'function') return fromFunction(identifier);
  if (typeof identifier === 'string') return deserialize(identifier, customObjects);
  if (typeof identifier === 'object' && identifier != null && typeof (identifier as Config)['class_name'] === 'string') {
    return deserialize(identifier, customObjects);
  }
  throw new ValueError(`Could not interpret metric identifier: ${String(identifier)}`);
}

type Shape = readonly (number | null | undefined)[];

/**
 * Keras 3's `is_binary_or_sparse_categorical(y_true, y_pred)`: binary when the prediction's last
 * axis is 1; sparse when the target has a lower rank, or a last axis of 1 against a wider prediction.
 */
export function isBinaryOrSparseCategorical(yTrueShape: Shape, yPredShape: Shape): { isBinary: boolean; isSparseCategorical: boolean } {
  const tLast = yTrueShape[yTrueShape.length - 1];
  const pLast = yPredShape[yPredShape.length - 1];
  return {
    isBinary: pLast === 1,
    isSparseCategorical: yTrueShape.length < yPredShape.length || (tLast === 1 && pLast != null && pLast > 1),
  };
}

const BINARY_LOSSES = new Set(['binary_crossentropy', 'bce', 'binary_focal_crossentropy']);
const SPARSE_LOSSES = new Set(['sparse_categorical_crossentropy']);

function lossKey(loss: string | LossLike | null | undefined): string | null {
  if (loss == null) return null;
  const name = typeof loss === 'string' ? loss : loss.name;
  return toSnakeCase(name);
}

/**
 * What `compile` does with a metric identifier (Keras' `compile_utils.get_metric`): `'accuracy'` /
 * `'acc'` (any case) become BinaryAccuracy, SparseCategoricalAccuracy or CategoricalAccuracy, and
 * a string identifier names the metric (so logs say `acc` when asked for `'acc'`).
 *
 * With `yTrueShape` (Keras 3 decides on the first batch) the choice follows Keras 3 exactly: binary
 * when the output's last axis is 1, sparse when the target has a lower rank (or a last axis of 1 against a
 * wider output), else categorical. Without it, the loss decides: binary for binary crossentropy
 * or a last axis of 1, sparse for sparse categorical crossentropy, else categorical.
 */
export function resolveAccuracy(
  identifier: MetricIdentifier,
  loss: string | LossLike | null | undefined,
  outputShape: Shape,
  yTrueShape?: Shape | null,
): Metric {
  const isAccuracy = typeof identifier === 'string' && ['accuracy', 'acc'].includes(identifier.toLowerCase());
  if (!isAccuracy) {
    const metric = get(identifier);
    if (typeof identifier === 'string') metric.name = identifier;
    return metric;
  }
  const name = identifier as string;
  let binary: boolean;
  let sparse: boolean;
  if (yTrueShape != null) {
    const r = isBinaryOrSparseCategorical(yTrueShape, outputShape);
    binary = r.isBinary;
    sparse = r.isSparseCategorical;
  } else {
    const key = lossKey(loss);
    binary = (key != null && BINARY_LOSSES.has(key)) || outputShape[outputShape.length - 1] === 1;
    sparse = key != null && SPARSE_LOSSES.has(key);
  }
  if (binary) return new BinaryAccuracy({ name });
  if (sparse) return new SparseCategoricalAccuracy({ name });
  return new CategoricalAccuracy({ name });
}

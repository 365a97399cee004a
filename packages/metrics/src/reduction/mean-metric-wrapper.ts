import {
  type Config,
  type Tensor,
  type TensorLike,
  ValueError,
  convertToTensor,
  registerClass,
  tidy,
  toSnakeCase,
} from '@strata/core';
import { camelizeConfig, snakeizeOptions } from '../config';
import type { Metric, MetricArgs } from '../metric';
import { Mean } from './mean';

/** A metric function: per-sample values from `(yTrue, yPred)`, plus optional options. */
// biome-ignore lint/suspicious/noExplicitAny: metric functions take their own option objects
export type MetricFunction = (yTrue: Tensor, yPred: Tensor, options?: any) => Tensor;

const functionNames = new Map<MetricFunction, string>();
const functionsByName = new Map<string, MetricFunction>();
const lossFunctions = new Set<MetricFunction>();

/** Records the Keras name of a built-in metric function (used in configs); `isLoss` marks loss functions. */
export function registerMetricFunction(name: string, fn: MetricFunction, isLoss = false): void {
  functionNames.set(fn, name);
  functionsByName.set(name, fn);
  if (isLoss) lossFunctions.add(fn);
}

/** The Keras name of a registered metric function, or null. */
export function metricFunctionName(fn: MetricFunction): string | null {
  return functionNames.get(fn) ?? null;
}

/** The built-in metric function registered under `name`, or undefined. */
export function metricFunctionByName(name: string): MetricFunction | undefined {
  return functionsByName.get(name);
}

export interface MeanMetricWrapperArgs<O = unknown> extends MetricArgs {
  /** Options passed as the third argument of the function. */
  fnOptions?: O;
}

/**
 * keras.metrics.MeanMetricWrapper: the (weighted) mean of a function's per-sample values
 * `fn(yTrue, yPred)` over everything seen.
 */
export class MeanMetricWrapper<O = unknown> extends Mean {
  readonly fn: MetricFunction;
  readonly fnOptions: O | undefined;

  constructor(fn: MetricFunction, args: MeanMetricWrapperArgs<O> = {}) {
    const { fnOptions, ...base } = args;
    super({ ...base, name: base.name ?? metricFunctionName(fn) ?? (fn.name ? toSnakeCase(fn.name) : 'mean_metric_wrapper') });
    this.fn = fn;
    this.fnOptions = fnOptions;
    // A wrapped loss is to be minimised.
    if (lossFunctions.has(fn)) this.direction = 'down';
  }

  override updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): void {
    if (yPred == null) throw new ValueError(`${this.name}: updateState(yTrue, yPred, sampleWeight?) needs yPred.`);
    tidy(() => {
      const yt = convertToTensor(yTrue);
      const yp = convertToTensor(yPred);
      const values = this.fnOptions === undefined ? this.fn(yt, yp) : this.fn(yt, yp, this.fnOptions);
      this.updateValues(values, sampleWeight == null ? null : convertToTensor(sampleWeight));
    });
  }

  override getConfig(): Config {
    const name = metricFunctionName(this.fn);
    const fn =
      name != null
        ? { module: 'keras.metrics', class_name: 'function', config: name, registered_name: name }
        : this.fn.name || null;
    return { ...super.getConfig(), fn, ...snakeizeOptions(this.fnOptions) };
  }

  /** Subclasses rebuild from their own options; the wrapper itself needs `fn`, a built-in function name. */
  static override fromConfig<T extends Metric>(this: new (args: never) => T, config: Config): T {
    // biome-ignore lint/complexity/noThisInStatic: subclasses inherit this method and rebuild themselves
    if ((this as unknown) !== MeanMetricWrapper) return new this(camelizeConfig(config) as never);
    const { fn, name, dtype, ...options } = config;
    const fnName = typeof fn === 'string' ? fn : fn != null && typeof fn === 'object' ? String((fn as Config)['config']) : '';
    const resolved = metricFunctionByName(fnName);
    if (resolved == null) throw new ValueError(`MeanMetricWrapper.fromConfig: unknown metric function '${fnName}'.`);
    const opts = camelizeConfig(options);
    const args: MeanMetricWrapperArgs = {
      name: name as string | undefined,
      dtype: dtype as MetricArgs['dtype'],
      fnOptions: Object.keys(opts).length > 0 ? opts : undefined,
    };
    return new (MeanMetricWrapper as unknown as new (f: MetricFunction, a: MeanMetricWrapperArgs) => T)(resolved, args);
  }
}

registerClass('metric', MeanMetricWrapper, { module: 'keras.metrics', className: 'MeanMetricWrapper' });

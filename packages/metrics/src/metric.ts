import {
  type Config,
  type DataType,
  type MetricLike,
  type Tensor,
  type TensorLike,
  Variable,
  ops,
  tidy,
  toSnakeCase,
} from '@strata/core';
import { camelizeConfig } from './config';

export interface MetricArgs {
  name?: string;
  /** The dtype of the state and result (default float32). */
  dtype?: DataType | null;
}

export type MetricInitializer = 'zeros' | 'ones' | number | ((shape: number[], dtype: DataType) => Tensor);

/**
 * Base of keras.metrics (Keras 3's `Metric`): state lives in non-trainable variables created with
 * `addVariable`; `updateState` accumulates into them on the device (no read-back), `result()`
 * returns a new scalar tensor, `resetState()` zeroes the state.
 */
export abstract class Metric implements MetricLike {
  name: string;
  readonly dtype: DataType;
  /** Whether larger (`'up'`) or smaller (`'down'`) values are better, when known (Keras' `_direction`). */
  direction: 'up' | 'down' | null = null;
  private readonly ownVariables: Variable[] = [];
  /** Metrics whose variables are part of this one's (Keras tracks metric attributes). */
  protected readonly subMetrics: Metric[] = [];

  constructor(args: MetricArgs = {}) {
    this.name = args.name ?? toSnakeCase(new.target.name);
    const dtype = args.dtype as unknown;
    // A Keras dtype policy dict ({class_name: 'DTypePolicy', config: {name}}) is read as its name.
    this.dtype =
      dtype != null && typeof dtype === 'object'
        ? ((((dtype as Config)['config'] as Config | undefined)?.['name'] as DataType | undefined) ?? 'float32')
        : ((dtype as DataType | null | undefined) ?? 'float32');
  }

  /** Creates a state variable (path `<metric name>/<name>`), tracked in `variables`. */
  addVariable(options: { name: string; shape?: readonly number[]; initializer?: MetricInitializer; dtype?: DataType }): Variable {
    const init = options.initializer ?? 'zeros';
    const initializer =
      typeof init === 'function'
        ? init
        : (s: number[], d: DataType) => (init === 'zeros' ? ops.zeros(s, d) : init === 'ones' ? ops.ones(s, d) : ops.full(s, init, d));
    const v = new Variable({
      initializer,
      shape: [...(options.shape ?? [])],
      dtype: options.dtype ?? this.dtype,
      trainable: false,
      name: options.name,
      path: `${this.name.replace(/\//g, '>')}/${options.name}`,
    });
    this.ownVariables.push(v);
    return v;
  }

  /** Alias of `addVariable` (Keras' `add_weight`). */
  addWeight(options: { name: string; shape?: readonly number[]; initializer?: MetricInitializer; dtype?: DataType }): Variable {
    return this.addVariable(options);
  }

  /** The state variables (own, then those of sub-metrics). */
  get variables(): Variable[] {
    return [...this.ownVariables, ...this.subMetrics.flatMap((m) => m.variables)];
  }

  /** Accumulates statistics; runs on the device and reads nothing back. */
  abstract updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void;

  /** The current value as a new scalar tensor (the caller disposes it). */
  abstract result(): Tensor;

  /** Zeroes every state variable. */
  resetState(): void {
    tidy(() => {
      for (const v of this.variables) v.assign(ops.zeros(v.shape, v.dtype));
    });
  }

  getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }

  static fromConfig<T extends Metric>(this: new (args: never) => T, config: Config): T {
    return new this(camelizeConfig(config) as never);
  }

  /** Frees the state variables. */
  dispose(): void {
    for (const v of this.ownVariables) v.dispose();
    for (const m of this.subMetrics) m.dispose();
  }

  toString(): string {
    return `<${this.constructor.name} name=${this.name}>`;
  }
}

import { type Config, type Tensor, ValueError, registerClass } from '@strata/core';
import { Loss, type LossArgs } from './loss';
import { squeezeOrExpandToSameRank } from './reduction';

/** A loss function: per-sample values from `(yTrue, yPred)`, plus optional options. */
// biome-ignore lint/suspicious/noExplicitAny: loss functions take their own option objects
export type LossFunction = (yTrue: Tensor, yPred: Tensor, options?: any) => Tensor;

const functionNames = new Map<LossFunction, string>();
const functionsByName = new Map<string, LossFunction>();

/** Records the Keras name of a built-in loss function (used in configs). */
export function registerLossFunction(name: string, fn: LossFunction): void {
  functionNames.set(fn, name);
  functionsByName.set(name, fn);
}

/** The Keras name of a registered loss function, or null. */
export function lossFunctionName(fn: LossFunction): string | null {
  return functionNames.get(fn) ?? null;
}

/** The built-in loss function registered under `name`, or undefined. */
export function lossFunctionByName(name: string): LossFunction | undefined {
  return functionsByName.get(name);
}

export interface LossFunctionWrapperArgs<O = unknown> extends LossArgs {
  /** Options passed as the third argument of the function. */
  fnOptions?: O;
}

/**
 * keras.losses.LossFunctionWrapper: a `Loss` from a function of `(yTrue, yPred)` returning
 * per-sample values. Ranks of `yTrue` and `yPred` that differ by a trailing axis of 1 are matched
 * first.
 */
export class LossFunctionWrapper<O = unknown> extends Loss {
  readonly fn: LossFunction;
  readonly fnOptions: O | undefined;

  constructor(fn: LossFunction, args: LossFunctionWrapperArgs<O> = {}) {
    super({ ...args, name: args.name ?? lossFunctionName(fn) ?? 'loss_function_wrapper' });
    this.fn = fn;
    this.fnOptions = args.fnOptions;
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [yt, yp] = squeezeOrExpandToSameRank(yTrue, yPred);
    return this.fnOptions === undefined ? this.fn(yt, yp) : this.fn(yt, yp, this.fnOptions);
  }

  override getConfig(): Config {
    const name = lossFunctionName(this.fn);
    const fn =
      name != null
        ? { module: 'keras.losses', class_name: 'function', config: name, registered_name: name }
        : (this.fn.name || null);
    return { ...super.getConfig(), fn, ...snakeOptions(this.fnOptions) };
  }

  /**
   * Subclasses rebuild from their own options; the wrapper itself needs `fn`, the name of a
   * built-in loss function.
   */
  static override fromConfig<T extends Loss>(this: new (args: never) => T, config: Config): T {
    // biome-ignore lint/complexity/noThisInStatic: subclasses inherit this method and rebuild themselves
    if ((this as unknown) !== LossFunctionWrapper) return Loss.fromConfig.call(this, config) as T;
    const { fn, name, reduction, dtype, ...options } = config;
    const fnName = typeof fn === 'string' ? fn : fn != null && typeof fn === 'object' ? String((fn as Config)['config']) : '';
    const resolved = lossFunctionByName(fnName);
    if (resolved == null) throw new ValueError(`LossFunctionWrapper.fromConfig: unknown loss function '${fnName}'.`);
    const camel: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) camel[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
    const args: LossFunctionWrapperArgs = {
      name: name as string | undefined,
      reduction: (reduction === 'auto' ? undefined : reduction) as LossArgs['reduction'],
      dtype: dtype as LossArgs['dtype'],
      fnOptions: Object.keys(camel).length > 0 ? camel : undefined,
    };
    return new (LossFunctionWrapper as unknown as new (fn: LossFunction, a: LossFunctionWrapperArgs) => T)(resolved, args);
  }
}

function snakeOptions(options: unknown): Config {
  if (options == null || typeof options !== 'object') return {};
  const out: Config = {};
  for (const [k, v] of Object.entries(options)) out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  return out;
}

registerClass('loss', LossFunctionWrapper, { module: 'keras.losses', className: 'LossFunctionWrapper' });

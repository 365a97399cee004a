import { type Config, type CustomObjects, type SerializedObject, deserializeKerasObject, toSnakeCase } from '@strata/core';
import type { CompileArgs, Model } from '@strata/models';
import { FormatError } from '../errors';

/**
 * tfjs-layers' `trainingConfig` (`getTrainingConfig()`: `loss` and `metrics` as camelCase
 * identifiers, `optimizer_config.config` as the tfjs optimizer's own camelCase `getConfig()`) and
 * Keras 2's `training_config` (snake_case, `loss_weights`, `weighted_metrics`) to `model.compile`
 * arguments, as Keras 3's `compile_args_from_training_config` does for legacy files.
 */

/** tfjs optimizer class names that differ from Keras 3's. */
const OPTIMIZER_CLASS: Record<string, string> = { RMSProp: 'RMSprop', Momentum: 'SGD' };

/** Config keys Keras 3 optimizers take (BaseOptimizer plus the per-class ones). */
const OPTIMIZER_KEYS = new Set([
  'learning_rate',
  'weight_decay',
  'clipnorm',
  'clipvalue',
  'global_clipnorm',
  'use_ema',
  'ema_momentum',
  'ema_overwrite_frequency',
  'loss_scale_factor',
  'gradient_accumulation_steps',
  'beta_1',
  'beta_2',
  'epsilon',
  'amsgrad',
  'momentum',
  'nesterov',
  'rho',
  'centered',
  'initial_accumulator_value',
]);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x != null && !Array.isArray(x);
}

/** A Keras 3 optimizer dict for a tfjs / Keras 2 `optimizer_config`. */
function optimizerSpec(raw: unknown, file: string): SerializedObject {
  if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config)) {
    throw new FormatError(file, `training config: "optimizer_config" must be {class_name, config}, got ${JSON.stringify(raw)}.`);
  }
  const fromTfjs = Object.keys(raw.config).some((k) => /[a-z][A-Z0-9]/.test(k) && !k.includes('_'));
  const config: Config = {};
  for (const [key, value] of Object.entries(raw.config)) {
    let k = toSnakeCase(key);
    if (fromTfjs) {
      // tfjs names: beta1/beta2, useNesterov; RMSProp's `decay` is Keras' `rho`.
      if (k === 'beta1' || k === 'beta2') k = `beta_${k.slice(4)}`;
      if (k === 'use_nesterov') k = 'nesterov';
      if (k === 'decay' && raw.class_name === 'RMSProp') k = 'rho';
    }
    // Keras 2's learning-rate `decay` (and its `name`, `jit_compile`, `is_legacy_optimizer`) are not Keras 3 options;
    // Keras 3 ignores `decay` with a warning.
    if (OPTIMIZER_KEYS.has(k) && value != null) config[k] = value;
  }
  const className = OPTIMIZER_CLASS[raw.class_name] ?? raw.class_name;
  return { module: 'keras.optimizers', class_name: className, config, registered_name: null };
}

/** Loss/metric identifiers: tfjs' camelCase names to Keras' snake_case ones, through lists and dicts. */
function identifiers(x: unknown): unknown {
  if (typeof x === 'string') return toSnakeCase(x);
  if (Array.isArray(x)) return x.map(identifiers);
  if (isObject(x)) {
    if (typeof x.class_name === 'string') return { module: null, registered_name: null, ...x };
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, identifiers(v)]));
  }
  return x;
}

/** Compiles `model` from a tfjs `trainingConfig` or a Keras 2 `training_config`. */
export function compileFromTrainingConfig(model: Model, trainingConfig: unknown, file: string, customObjects?: CustomObjects): void {
  if (!isObject(trainingConfig)) throw new FormatError(file, `the training config must be an object, got ${JSON.stringify(trainingConfig)}.`);
  const args: CompileArgs = {};
  try {
    args.optimizer = deserializeKerasObject('optimizer', optimizerSpec(trainingConfig.optimizer_config, file), customObjects) as CompileArgs['optimizer'];
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(file, `training config: cannot build the optimizer: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (trainingConfig.loss != null) args.loss = identifiers(trainingConfig.loss) as CompileArgs['loss'];
  if (trainingConfig.metrics != null) args.metrics = identifiers(trainingConfig.metrics) as CompileArgs['metrics'];
  if (trainingConfig.weighted_metrics != null) args.weightedMetrics = identifiers(trainingConfig.weighted_metrics) as CompileArgs['weightedMetrics'];
  if (trainingConfig.loss_weights != null) args.lossWeights = trainingConfig.loss_weights as CompileArgs['lossWeights'];
  try {
    model.compile(args);
  } catch (e) {
    throw new FormatError(file, `cannot compile the model from its training config: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

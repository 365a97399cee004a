import {
  type Config,
  type CustomObjects,
  type SerializedObject,
  ValueError,
  deserializeKerasObject,
  hasIdentifier,
  registrationOf,
  serializeKerasObject,
  toSnakeCase,
} from '@strata/core';
import type { CompileArgs, Model } from '@strata/models';

/** The arguments `model.compile` was called with (kept privately by the models package). */
function compileArgsOf(model: Model): CompileArgs | null {
  return (model as unknown as { compileArgs: CompileArgs | null }).compileArgs ?? null;
}

/**
 * A loss/metric spec as Keras' `serialize_keras_object` writes it: strings stay strings
 * (`"categorical_crossentropy"`, `"accuracy"`), objects become `{module, class_name, config, ...}`,
 * lists and dicts are walked. A plain function is written by its registered name.
 */
function serializeSpec(x: unknown, category: 'loss' | 'metric', what: string): unknown {
  if (x == null) return null;
  if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return x;
  if (Array.isArray(x)) return x.map((v) => serializeSpec(v, category, what));
  if (typeof x === 'function') {
    if (registrationOf(x) != null) {
      const reg = registrationOf(x)!;
      return { module: reg.module, class_name: reg.className, config: {}, registered_name: reg.registeredName };
    }
    const name = toSnakeCase(x.name);
    if (x.name && hasIdentifier(category, name)) return name;
    throw new ValueError(`compile_config: cannot serialize the ${what} function "${x.name || '<anonymous>'}": it is not a registered ${category}. Pass its name as a string, or a registered ${category} object.`);
  }
  if (typeof x === 'object') {
    if (typeof (x as SerializedObject).class_name === 'string') return x; // already serialized
    if (typeof (x as { getConfig?: unknown }).getConfig === 'function') return serializeKerasObject(x as { getConfig(): Config });
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, serializeSpec(v, category, what)]));
  }
  throw new ValueError(`compile_config: cannot serialize ${what} ${String(x)}.`);
}

/**
 * Keras 3's `compile_config` (`Trainer.get_compile_config`): `{}` for a model that was never
 * compiled, else `{optimizer, loss, loss_weights, metrics, weighted_metrics, run_eagerly,
 * steps_per_execution, jit_compile}` with the optimizer serialized and losses/metrics as given.
 */
export function compileConfigOf(model: Model): Config {
  const args = compileArgsOf(model);
  if (args == null || model.optimizer == null) return {};
  return {
    optimizer: serializeKerasObject(model.optimizer as unknown as { getConfig(): Config }),
    loss: serializeSpec(args.loss, 'loss', 'loss'),
    loss_weights: args.lossWeights ?? null,
    metrics: serializeSpec(args.metrics, 'metric', 'metric'),
    weighted_metrics: serializeSpec(args.weightedMetrics, 'metric', 'weighted metric'),
    run_eagerly: false,
    steps_per_execution: model.stepsPerExecution,
    jit_compile: false,
  };
}

function deserializeSpec(x: unknown, category: 'loss' | 'metric', customObjects?: CustomObjects): unknown {
  if (x == null) return undefined;
  if (typeof x === 'string') return typeof customObjects?.[x] === 'function' ? customObjects[x] : x;
  if (Array.isArray(x)) return x.map((v) => (v == null ? null : deserializeSpec(v, category, customObjects)));
  if (typeof x === 'object') {
    if (typeof (x as SerializedObject).class_name === 'string') return deserializeKerasObject(category, x as SerializedObject, customObjects);
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, deserializeSpec(v, category, customObjects)]));
  }
  return x;
}

/**
 * Keras' `compile_from_config`: compiles `model` from a `compile_config` (or a legacy H5
 * `training_config`, whose optimizer is `optimizer_config: {class_name, config}`). An empty
 * config leaves the model uncompiled. Returns whether the model was compiled.
 */
export function compileFromConfig(model: Model, config: Config | null | undefined, customObjects?: CustomObjects): boolean {
  if (config == null || Object.keys(config).length === 0) return false;
  const optSpec = (config.optimizer ?? config.optimizer_config) as SerializedObject | string | undefined;
  const optimizer = optSpec == null ? undefined : deserializeKerasObject('optimizer', optSpec as SerializedObject, customObjects);
  const args: CompileArgs = {
    optimizer: optimizer as CompileArgs['optimizer'],
    loss: deserializeSpec(config.loss, 'loss', customObjects) as CompileArgs['loss'],
    metrics: deserializeSpec(config.metrics, 'metric', customObjects) as CompileArgs['metrics'],
    weightedMetrics: deserializeSpec(config.weighted_metrics, 'metric', customObjects) as CompileArgs['weightedMetrics'],
    lossWeights: (config.loss_weights ?? undefined) as CompileArgs['lossWeights'],
    stepsPerExecution: (config.steps_per_execution as number | undefined) ?? 1,
  };
  model.compile(args);
  return true;
}

// Reading and restoring a model's training state (weights and optimizer variables) for the
// checkpointing callbacks, duck-typed over what `@strata/models` and `@strata/optimizers` expose.
import { type Tensor, ValueError, dispose } from '@strata/core';
import type { CallbackModel } from './callback';
import type { LoadedCheckpoint, NamedTensor } from './checkpoint-file';

interface NamedVariable {
  readonly name?: string;
  readonly path?: string;
  readonly shape: readonly number[];
  readonly value: Tensor;
  assign(value: Tensor): void;
}

interface StatefulOptimizer {
  readonly variables?: readonly NamedVariable[];
  readonly built?: boolean;
  build?(variables: readonly unknown[]): void;
}

function isVariableList(x: unknown): x is readonly NamedVariable[] {
  return Array.isArray(x) && x.every((v) => v != null && typeof v === 'object' && typeof v.assign === 'function');
}

function variableName(v: NamedVariable | undefined, fallback: string): string {
  return v?.path ?? v?.name ?? fallback;
}

/** The optimizer's variables (`optimizer.variables`), or [] when it has none. */
export function optimizerVariables(model: CallbackModel): readonly NamedVariable[] {
  const vars = (model.optimizer as StatefulOptimizer | null | undefined)?.variables;
  return isVariableList(vars) ? vars : [];
}

/**
 * The model's weights (copies, which the caller disposes) named by their variable paths where
 * the model exposes `weights`, and the optimizer's variables (not copies: do not dispose).
 */
export function captureState(model: CallbackModel): { weights: NamedTensor[]; optimizerVariables: NamedTensor[] } {
  const values = model.getWeights();
  const vars = (model as { weights?: unknown }).weights;
  const named = isVariableList(vars) && vars.length === values.length ? vars : null;
  return {
    weights: values.map((tensor, i) => ({ name: variableName(named?.[i], `weight_${i}`), tensor })),
    optimizerVariables: optimizerVariables(model).map((v, i) => ({ name: variableName(v, `optimizer_variable_${i}`), tensor: v.value })),
  };
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Sets the checkpoint's weights and optimizer variables on the model, after checking counts and
 * shapes (errors name `who` and `path`). Builds an unbuilt optimizer first, as Keras does.
 * Disposes the checkpoint's tensors.
 */
export function restoreState(model: CallbackModel, loaded: LoadedCheckpoint, who: string, path: string): void {
  try {
    const current = model.getWeights();
    const shapes = current.map((w) => w.shape);
    dispose(current);
    if (shapes.length !== loaded.weights.length) {
      throw new ValueError(`${who}: the checkpoint ${path} holds ${loaded.weights.length} weights, the model has ${shapes.length}.`);
    }
    loaded.weights.forEach((w, i) => {
      if (shapeText(w.tensor.shape) !== shapeText(shapes[i]!)) {
        throw new ValueError(
          `${who}: weight ${i} ('${w.name}') in ${path} has shape ${shapeText(w.tensor.shape)}, the model's has shape ${shapeText(shapes[i]!)}.`,
        );
      }
    });
    const optimizer = model.optimizer as StatefulOptimizer | null | undefined;
    if (loaded.optimizerVariables.length > 0 && optimizer != null) {
      if (optimizer.built === false && typeof optimizer.build === 'function') {
        // Make sure the optimizer's variables exist before loading them.
        const trainable = (model as { trainableWeights?: unknown; trainableVariables?: unknown }).trainableWeights ??
          (model as { trainableVariables?: unknown }).trainableVariables;
        if (Array.isArray(trainable)) optimizer.build(trainable);
      }
      const vars = optimizerVariables(model);
      if (vars.length !== loaded.optimizerVariables.length) {
        throw new ValueError(
          `${who}: the checkpoint ${path} holds ${loaded.optimizerVariables.length} optimizer variables, the optimizer has ${vars.length}.`,
        );
      }
      vars.forEach((v, i) => {
        const saved = loaded.optimizerVariables[i]!;
        if (shapeText(saved.tensor.shape) !== shapeText(v.shape)) {
          throw new ValueError(
            `${who}: optimizer variable ${i} ('${saved.name}') in ${path} has shape ${shapeText(saved.tensor.shape)}, the optimizer's has shape ${shapeText(v.shape)}.`,
          );
        }
      });
      for (let i = 0; i < vars.length; i++) vars[i]!.assign(loaded.optimizerVariables[i]!.tensor);
    }
    model.setWeights(loaded.weights.map((w) => w.tensor));
  } finally {
    dispose([...loaded.weights.map((w) => w.tensor), ...loaded.optimizerVariables.map((w) => w.tensor)]);
  }
}

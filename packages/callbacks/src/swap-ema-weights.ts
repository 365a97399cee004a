import { type Config, type Logs, type Tensor, ValueError, registerClass, tidy } from '@strata/core';
import { Callback } from './callback';

export interface SwapEMAWeightsOptions {
  /** Also swap at epoch end (and back at epoch begin), so other callbacks see the EMA weights. Default false. */
  swapOnEpoch?: boolean;
}

interface AssignableVariable {
  readonly value: Tensor;
  assign(value: Tensor): void;
}

/**
 * What SwapEMAWeights needs of an optimizer. `@strata/optimizers` keeps the averages in a
 * private `averages` field (read here by name until it has a public accessor); a public
 * `modelVariablesMovingAverage` (Keras' `_model_variables_moving_average`) is preferred.
 */
interface EmaOptimizer {
  useEma?: boolean;
  trainableVariables?: readonly AssignableVariable[];
  modelVariablesMovingAverage?: readonly AssignableVariable[];
  averages?: readonly AssignableVariable[];
  innerOptimizer?: EmaOptimizer;
  optimizers?: readonly EmaOptimizer[];
}

function emaPairs(optimizer: EmaOptimizer): [AssignableVariable, AssignableVariable][] {
  const averages = optimizer.modelVariablesMovingAverage ?? optimizer.averages;
  const variables = optimizer.trainableVariables;
  if (!optimizer.useEma || !Array.isArray(averages) || !Array.isArray(variables)) {
    throw new ValueError(`SwapEMAWeights must be used when \`useEma: true\` is set on the optimizer. Received: useEma=${String(optimizer.useEma ?? false)}`);
  }
  if (averages.length !== variables.length) {
    throw new ValueError(
      `SwapEMAWeights: the optimizer tracks ${variables.length} trainable variables but ${averages.length} moving averages; ` +
        'was the optimizer built (has the model been trained for a step)?',
    );
  }
  return variables.map((v, i) => [v, averages[i]!]);
}

/**
 * `keras.callbacks.SwapEMAWeights`: swaps the model's trainable weights with the optimizer's
 * exponential moving averages (`useEma: true`) around evaluation and prediction, so metrics are
 * computed with the EMA weights; with `swapOnEpoch`, also from epoch end to the next epoch begin
 * (for `ModelCheckpoint` placed after it). The swap happens on the device, in place.
 */
export class SwapEMAWeights extends Callback {
  swapOnEpoch: boolean;
  private emaWeightsInModel = false;

  constructor(options: SwapEMAWeightsOptions = {}) {
    super();
    this.swapOnEpoch = options.swapOnEpoch ?? false;
  }

  /** The optimizers with EMA (a LossScaleOptimizer's inner one; a multi-optimizer's with `useEma`). */
  private emaOptimizers(): EmaOptimizer[] {
    const top = this.model?.optimizer as EmaOptimizer | null | undefined;
    if (top == null) throw new ValueError('SwapEMAWeights: the model has no optimizer.');
    const optimizer = top.innerOptimizer ?? top;
    if (Array.isArray(optimizer.optimizers)) {
      const withEma = optimizer.optimizers.filter((o) => o.useEma === true);
      if (withEma.length === 0) {
        throw new ValueError(
          'SwapEMAWeights must be used when at least one inner optimizer has `useEma: true` set. Received a ' +
            'MultiOptimizer with all inner optimizers having `useEma: false`.',
        );
      }
      return withEma;
    }
    return [optimizer];
  }

  private swapVariables(): void {
    const pairs = this.emaOptimizers().flatMap(emaPairs);
    tidy(() => {
      for (const [variable, average] of pairs) {
        // A copy that survives the reassignment of `variable`.
        const temporary = variable.value.clone();
        variable.assign(average.value);
        average.assign(temporary);
      }
    });
  }

  private finalizeEmaValues(): void {
    for (const [variable, average] of this.emaOptimizers().flatMap(emaPairs)) average.assign(variable.value);
  }

  override onEpochBegin(_epoch: number, _logs?: Logs): void {
    if (this.swapOnEpoch && this.emaWeightsInModel) {
      this.swapVariables();
      this.emaWeightsInModel = false;
    }
  }

  override onEpochEnd(epoch: number, _logs?: Logs): void {
    if (this.swapOnEpoch && !this.emaWeightsInModel) {
      this.swapVariables();
      this.emaWeightsInModel = true;
      // `fit` ends by assigning the averages to the weights (`finalizeVariableValues`); after the
      // last epoch the averages hold the pre-swap weights, so put the EMA values back in them.
      if (epoch === (this.params.epochs ?? 0) - 1) this.finalizeEmaValues();
    }
  }

  override onTestBegin(_logs?: Logs): void {
    if (!this.emaWeightsInModel) {
      this.swapVariables();
      this.emaWeightsInModel = true;
    }
  }

  override onTestEnd(_logs?: Logs): void {
    if (this.emaWeightsInModel) {
      this.swapVariables();
      this.emaWeightsInModel = false;
    }
  }

  override onPredictBegin(_logs?: Logs): void {
    if (!this.emaWeightsInModel) {
      this.swapVariables();
      this.emaWeightsInModel = true;
    }
  }

  override onPredictEnd(_logs?: Logs): void {
    // Keras tests `not self._ema_weights_in_model` here, which never swaps back after predict;
    // this swaps back, mirroring `onTestEnd`.
    if (this.emaWeightsInModel) {
      this.swapVariables();
      this.emaWeightsInModel = false;
    }
  }

  getConfig(): Config {
    return { swap_on_epoch: this.swapOnEpoch };
  }

  static fromConfig(config: Config): SwapEMAWeights {
    return new SwapEMAWeights({ swapOnEpoch: config.swap_on_epoch as boolean | undefined });
  }
}

registerClass('callback', SwapEMAWeights, { module: 'keras.callbacks', className: 'SwapEMAWeights' });

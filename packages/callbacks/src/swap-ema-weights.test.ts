import { type Tensor, ValueError, Variable, deserializeKerasObject, dispose, lookupClass, memory } from '@strata/core';
import { describe, expect, it } from 'vitest';
import type { CallbackModel } from './callback';
import { CallbackList } from './callback-list';
import { SwapEMAWeights } from './swap-ema-weights';

/** A model whose trainable weights are Variables, with an optimizer shaped like `@strata/optimizers`' (EMA on). */
class EmaModel implements CallbackModel {
  stopTraining = false;
  kernel = new Variable({ initializer: [1, 2], name: 'kernel' });
  bias = new Variable({ initializer: [3], name: 'bias' });
  optimizer: {
    learningRate: number;
    useEma: boolean;
    trainableVariables: Variable[];
    averages: Variable[];
  };

  constructor(useEma = true) {
    this.optimizer = {
      learningRate: 0.1,
      useEma,
      trainableVariables: [this.kernel, this.bias],
      averages: [new Variable({ initializer: [10, 20], name: 'kernel_average' }), new Variable({ initializer: [30], name: 'bias_average' })],
    };
  }

  getWeights(): Tensor[] {
    return [this.kernel.value.clone(), this.bias.value.clone()];
  }

  setWeights(weights: Tensor[]): void {
    this.kernel.assign(weights[0]!);
    this.bias.assign(weights[1]!);
  }

  model(): number[] {
    return [...this.kernel.dataSync(), ...this.bias.dataSync()];
  }

  avg(): number[] {
    return [...this.optimizer.averages[0]!.dataSync(), ...this.optimizer.averages[1]!.dataSync()];
  }

  dispose(): void {
    dispose([this.kernel, this.bias, ...this.optimizer.averages] as never);
  }
}

describe('SwapEMAWeights', () => {
  it('evaluates with the EMA weights and swaps back after', async () => {
    const model = new EmaModel();
    const before = memory().numTensors;
    const list = new CallbackList([new SwapEMAWeights()], { model, params: { epochs: 2 } });
    await list.onTestBegin();
    expect(model.model()).toEqual([10, 20, 30]);
    expect(model.avg()).toEqual([1, 2, 3]);
    await list.onTestEnd();
    expect(model.model()).toEqual([1, 2, 3]);
    expect(model.avg()).toEqual([10, 20, 30]);
    await list.onPredictBegin();
    expect(model.model()).toEqual([10, 20, 30]);
    await list.onPredictEnd();
    expect(model.model()).toEqual([1, 2, 3]);
    expect(memory().numTensors).toBe(before);
    model.dispose();
  });

  it('with swapOnEpoch, holds the EMA weights from epoch end to the next epoch begin, and finalizes', async () => {
    const model = new EmaModel();
    const list = new CallbackList([new SwapEMAWeights({ swapOnEpoch: true })], { model, params: { epochs: 2 } });
    await list.onEpochBegin(0);
    expect(model.model()).toEqual([1, 2, 3]);
    // Validation inside the epoch.
    await list.onTestBegin();
    expect(model.model()).toEqual([10, 20, 30]);
    await list.onTestEnd();
    expect(model.model()).toEqual([1, 2, 3]);
    await list.onEpochEnd(0);
    expect(model.model()).toEqual([10, 20, 30]);
    // Evaluation while the EMA weights are in: no second swap.
    await list.onTestBegin();
    await list.onTestEnd();
    expect(model.model()).toEqual([1, 2, 3]);
    await list.onEpochEnd(0);
    expect(model.model()).toEqual([10, 20, 30]);
    await list.onEpochBegin(1);
    expect(model.model()).toEqual([1, 2, 3]);
    expect(model.avg()).toEqual([10, 20, 30]);
    // Last epoch: swapped, then the averages take the EMA values back (fit's finalize copies them).
    await list.onEpochEnd(1);
    expect(model.model()).toEqual([10, 20, 30]);
    expect(model.avg()).toEqual([10, 20, 30]);
    model.dispose();
  });

  it('uses the inner optimizer of a loss-scale optimizer and the EMA ones of a multi-optimizer', async () => {
    const model = new EmaModel();
    const inner = model.optimizer;
    (model as unknown as { optimizer: unknown }).optimizer = { learningRate: 0.1, innerOptimizer: inner };
    const cb = new SwapEMAWeights();
    cb.setModel(model);
    cb.onTestBegin();
    expect(model.model()).toEqual([10, 20, 30]);
    cb.onTestEnd();
    (model as unknown as { optimizer: unknown }).optimizer = { learningRate: 0.1, optimizers: [{ useEma: false }, inner] };
    cb.onTestBegin();
    expect(model.model()).toEqual([10, 20, 30]);
    cb.onTestEnd();
    (model as unknown as { optimizer: unknown }).optimizer = { learningRate: 0.1, optimizers: [{ useEma: false }] };
    expect(() => cb.onTestBegin()).toThrow(/at least one inner optimizer has `useEma: true`/);
    model.optimizer = inner;
    model.dispose();
  });

  it('requires an optimizer with useEma', () => {
    const model = new EmaModel(false);
    const cb = new SwapEMAWeights();
    cb.setModel(model);
    expect(() => cb.onTestBegin()).toThrow(ValueError);
    expect(() => cb.onTestBegin()).toThrow('SwapEMAWeights must be used when `useEma: true` is set on the optimizer. Received: useEma=false');
    model.optimizer.useEma = true;
    model.optimizer.averages = [];
    expect(() => cb.onTestBegin()).toThrow(/tracks 2 trainable variables but 0 moving averages/);
    model.dispose();
  });

  it('round-trips its config and is registered', () => {
    const cb = new SwapEMAWeights({ swapOnEpoch: true });
    expect(SwapEMAWeights.fromConfig(cb.getConfig()).getConfig()).toEqual({ swap_on_epoch: true });
    expect(new SwapEMAWeights().getConfig()).toEqual({ swap_on_epoch: false });
    expect(lookupClass('callback', 'SwapEMAWeights')).toBe(SwapEMAWeights);
    expect(deserializeKerasObject('callback', { module: 'keras.callbacks', class_name: 'SwapEMAWeights', config: {}, registered_name: null })).toBeInstanceOf(SwapEMAWeights);
  });
});

import { type Tensor, type Variable, memory, ops, tensor, tidy, variableGrads } from '@strata/core';
import { Dense, GlobalAveragePooling2D, clearSession } from '@strata/layers';
import { Sequential } from '@strata/models';
import { describe, expect, it } from 'vitest';
import { MobileNetV2 } from './mobilenet-v2';

function snapshot(vars: readonly Variable[]): number[][] {
  return vars.map((v) => Array.from(v.value.dataSync()));
}

/** Non-trivial BN moving statistics so that training-mode and inference-mode BN differ. */
function perturbMovingStats(vars: readonly Variable[]): void {
  for (const v of vars) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    if (v.path.endsWith('moving_mean')) tidy(() => v.assign(tensor(Array.from({ length: n }, (_, i) => Math.sin(i) * 0.3), v.shape)));
    if (v.path.endsWith('moving_variance')) tidy(() => v.assign(tensor(Array.from({ length: n }, (_, i) => 0.5 + Math.cos(i) ** 2), v.shape)));
  }
}

/** One plain SGD step (lr 0.1) on the model's trainable weights, with BN in training mode. */
function sgdStep(model: Sequential, x: Tensor, y: Tensor): void {
  const trainable = model.trainableWeights;
  tidy(() => {
    const { grads } = variableGrads(() => {
      const p = model.apply(x, { training: true }) as Tensor;
      return ops.mean(ops.square(ops.subtract(p, y))) as never;
    }, trainable);
    for (const [i, v] of trainable.entries()) v.assign(ops.subtract(v.value, ops.multiply(grads[i]!, 0.1)));
  });
}

describe('transfer learning with a frozen base', () => {
  it('trainable = false freezes every sub-layer; BN of a frozen base runs in inference mode', async () => {
    clearSession();
    const before = memory().numTensors;
    const base = await MobileNetV2({ weights: null, alpha: 0.35, inputShape: [32, 32, 3], includeTop: false });
    perturbMovingStats(base.weights);
    const x = tensor(Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.sin(i / 3)), [2, 32, 32, 3]);

    // Trainable base: BN in training mode uses batch statistics, so the outputs differ.
    const diffTrainable = tidy(() => ops.max(ops.abs(ops.subtract(base.apply(x, { training: true }) as Tensor, base.apply(x, { training: false }) as Tensor))).dataSync()[0]!);
    expect(diffTrainable).toBeGreaterThan(1e-3);
    // Reset the moving stats changed by that training-mode call.
    perturbMovingStats(base.weights);

    base.trainable = false;
    expect(base.layers.every((l) => !l.trainable)).toBe(true);
    expect(base.trainableWeights.length).toBe(0);
    expect(base.nonTrainableWeights.length).toBe(base.weights.length);
    const stats = snapshot(base.weights);
    const a = tidy(() => Array.from((base.apply(x, { training: true }) as Tensor).dataSync()));
    const b = tidy(() => Array.from((base.apply(x, { training: false }) as Tensor).dataSync()));
    expect(a).toEqual(b);
    expect(snapshot(base.weights)).toEqual(stats); // moving statistics untouched
    x.dispose();
    base.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('a training step changes only the head; unfreezing base.layers.slice(-4) makes those trainable', async () => {
    clearSession();
    const base = await MobileNetV2({ weights: null, alpha: 0.35, inputShape: [32, 32, 3], includeTop: false });
    perturbMovingStats(base.weights);
    base.trainable = false;
    const head = new Dense(3, { activation: 'softmax' });
    const model = new Sequential([base, new GlobalAveragePooling2D(), head]);
    const x = tensor(Array.from({ length: 4 * 32 * 32 * 3 }, (_, i) => Math.sin(i / 5)), [4, 32, 32, 3]);
    const y = tensor([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0], [4, 3]);
    tidy(() => model.apply(x)); // build
    expect(model.trainableWeights.length).toBe(2); // the head's kernel and bias

    const baseBefore = snapshot(base.weights);
    const headBefore = snapshot(head.weights);
    sgdStep(model, x, y);
    expect(snapshot(base.weights)).toEqual(baseBefore); // weights and BN moving stats of the frozen base
    expect(snapshot(head.weights)).not.toEqual(headBefore);

    // Fine-tune: unfreeze the last 4 layers of the base (block_16_project_BN, Conv_1, Conv_1_bn, out_relu).
    base.trainable = true;
    for (const l of base.layers) l.trainable = false;
    for (const l of base.layers.slice(-4)) l.trainable = true;
    const unfrozen = base.layers.slice(-4).map((l) => l.name);
    expect(unfrozen).toEqual(['block_16_project_BN', 'Conv_1', 'Conv_1_bn', 'out_relu']);
    // gamma/beta of 2 BNs + Conv_1 kernel + head kernel/bias.
    expect(model.trainableWeights.length).toBe(2 + 1 + 2 + 2);
    const frozenLayers = base.layers.slice(0, -4);
    const frozenBefore = frozenLayers.map((l) => snapshot(l.weights));
    const unfrozenBefore = base.layers.slice(-4).map((l) => snapshot(l.weights));
    sgdStep(model, x, y);
    expect(frozenLayers.map((l) => snapshot(l.weights))).toEqual(frozenBefore);
    const unfrozenAfter = base.layers.slice(-4).map((l) => snapshot(l.weights));
    expect(unfrozenAfter[1]).not.toEqual(unfrozenBefore[1]); // Conv_1 kernel moved
    expect(unfrozenAfter[2]![2]).not.toEqual(unfrozenBefore[2]![2]); // Conv_1_bn moving mean updated in training

    x.dispose();
    y.dispose();
    // No leak assertion here: building a Sequential currently leaves 1 tensor in @strata/models
    // (reported); the base alone is checked for leaks in the test above.
    model.dispose();
  }, 60000);
});

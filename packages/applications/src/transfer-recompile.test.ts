// Transfer learning through compile()/fit(), as in Keras' fine-tuning guide: train the head on a
// frozen base, then unfreeze the base's last layers, recompile and train again.
import { type Variable, tensor } from '@strata/core';
import { Dense, GlobalAveragePooling2D, clearSession } from '@strata/layers';
import { Sequential } from '@strata/models';
import { describe, expect, it } from 'vitest';
import { MobileNetV2 } from './mobilenet-v2';

function snapshot(vars: readonly Variable[]): number[][] {
  return vars.map((v) => Array.from(v.value.dataSync()));
}

describe('fine-tuning with compile()/fit()', () => {
  it('a frozen base stays fixed in fit(); after unfreezing base.layers.slice(-4) and recompiling, only those (and the head) change', async () => {
    clearSession();
    const base = await MobileNetV2({ weights: null, alpha: 0.35, inputShape: [32, 32, 3], includeTop: false });
    base.trainable = false;
    const head = new Dense(3, { activation: 'softmax' });
    const model = new Sequential([base, new GlobalAveragePooling2D(), head]);
    const x = tensor(Array.from({ length: 6 * 32 * 32 * 3 }, (_, i) => Math.sin(i / 5) + 0.3 * Math.cos(i / 17)), [6, 32, 32, 3]);
    const y = tensor([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1], [6, 3]);

    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    const baseBefore = snapshot(base.weights);
    const headBefore = snapshot(head.weights);
    await model.fit(x, y, { epochs: 1, batchSize: 3, verbose: 0 });
    // The frozen base: kernels and BN statistics (BN of a frozen base runs in inference mode).
    expect(snapshot(base.weights)).toEqual(baseBefore);
    expect(snapshot(head.weights)).not.toEqual(headBefore);

    base.trainable = true;
    for (const l of base.layers) l.trainable = false;
    for (const l of base.layers.slice(-4)) l.trainable = true;
    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    expect(model.trainableWeights.length).toBe(2 + 1 + 2 + 2); // 2 BN gamma/beta, Conv_1 kernel, head kernel/bias
    const frozen = base.layers.slice(0, -4);
    const frozenBefore = frozen.map((l) => snapshot(l.weights));
    const convBefore = snapshot(base.getLayer('Conv_1').weights);
    const bnBefore = snapshot(base.getLayer('Conv_1_bn').weights);
    const headMid = snapshot(head.weights);
    await model.fit(x, y, { epochs: 1, batchSize: 3, verbose: 0 });
    expect(frozen.map((l) => snapshot(l.weights))).toEqual(frozenBefore);
    expect(snapshot(base.getLayer('Conv_1').weights)).not.toEqual(convBefore);
    const bnAfter = snapshot(base.getLayer('Conv_1_bn').weights);
    // beta trained (gamma's gradient is ~0 here: the random base's features are tiny, so the
    // normalized values are ~0), moving mean updated in training.
    expect(bnAfter[1]).not.toEqual(bnBefore[1]);
    expect(bnAfter[2]).not.toEqual(bnBefore[2]);
    expect(snapshot(head.weights)).not.toEqual(headMid);

    // Freezing everything again and recompiling stops all updates.
    base.trainable = false;
    head.trainable = false;
    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    const all = snapshot(model.weights);
    await model.fit(x, y, { epochs: 1, batchSize: 3, verbose: 0 });
    expect(snapshot(model.weights)).toEqual(all);
    x.dispose();
    y.dispose();
    model.dispose();
  }, 120_000);
});

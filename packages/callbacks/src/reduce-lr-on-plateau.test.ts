import { ValueError, deserializeKerasObject, lookupClass } from '@strata/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallbackList } from './callback-list';
import { setDefaultWriter } from './io';
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau';
import { FakeModel, captureWriter } from './testing';

/** Runs the callback over `values` of `monitor`; returns the learning rate logged each epoch and the final one. */
async function run(cb: ReduceLROnPlateau, values: number[], monitor = 'val_loss', lr = 0.01) {
  const model = new FakeModel();
  model.optimizer = { learningRate: lr };
  const list = new CallbackList([cb], { addHistory: true, model });
  await list.onTrainBegin();
  for (let e = 0; e < values.length; e++) {
    await list.onEpochBegin(e);
    await list.onEpochEnd(e, { loss: 1, [monitor]: values[e]! });
  }
  await list.onTrainEnd();
  model.dispose();
  return { logged: list.history!.history.learning_rate!, final: model.optimizer.learningRate as number };
}

/**
 * Independent float64 reference of Keras 3's algorithm (keras/src/callbacks/reduce_lr_on_plateau.py),
 * returning the learning rate in effect at the end of every epoch (before that epoch's reduction).
 */
function reference(values: number[], o: Required<Omit<ReduceLROnPlateauOptions, 'verbose' | 'monitor'>> & { lr: number; maximize: boolean }) {
  let lr = o.lr;
  let best = o.maximize ? -Infinity : Infinity;
  let wait = 0;
  let cool = 0;
  const logged: number[] = [];
  for (const v of values) {
    const readLr = Math.fround(lr);
    logged.push(readLr);
    if (cool > 0) {
      cool--;
      wait = 0;
    }
    const better = o.maximize ? v > best + o.minDelta : v < best - o.minDelta;
    if (better) {
      best = v;
      wait = 0;
    } else if (cool <= 0) {
      wait++;
      if (wait >= o.patience && readLr > Math.fround(o.minLr)) {
        lr = Math.max(readLr * o.factor, o.minLr);
        cool = o.cooldown;
        wait = 0;
      }
    }
  }
  return { logged, final: lr };
}

describe('ReduceLROnPlateau', () => {
  afterEach(() => setDefaultWriter(null));

  it('reduces after `patience` epochs without improvement (hand-computed)', async () => {
    const f = Math.fround;
    // best 1.0 at epoch 0; epochs 1, 2 do not improve -> reduce at epoch 2 (patience 2).
    const { logged, final } = await run(new ReduceLROnPlateau({ patience: 2, factor: 0.5 }), [1, 1, 1, 0.5, 0.5, 0.5]);
    const lr1 = f(0.01) * 0.5; // set after epoch 2
    const lr2 = f(lr1) * 0.5; // after epoch 5
    expect(logged).toEqual([f(0.01), f(0.01), f(0.01), f(lr1), f(lr1), f(lr1)]);
    expect(final).toBe(lr2);
  });

  it('respects min_delta, cooldown and min_lr', async () => {
    const f = Math.fround;
    // min_delta 0.1: 0.95 is not an improvement over 1.0.
    const a = await run(new ReduceLROnPlateau({ patience: 1, factor: 0.1, minDelta: 0.1 }), [1, 0.95]);
    expect(a.final).toBe(f(0.01) * 0.1);
    // cooldown 2: reduction at epoch 1 sets the counter to 2; epoch 2 counts it down to 1 (still
    // cooling), epoch 3 down to 0 and then counts a non-improvement: second reduction at epoch 3.
    const b = await run(new ReduceLROnPlateau({ patience: 1, factor: 0.5, cooldown: 2 }), [1, 1, 1, 1, 1]);
    const h = f(f(0.01) * 0.5);
    expect(b.logged).toEqual([f(0.01), f(0.01), h, h, f(h * 0.5)]);
    expect(b.final).toBe(h * 0.5);
    // min_lr clamps, and no reduction once at min_lr.
    const c = await run(new ReduceLROnPlateau({ patience: 1, factor: 0.1, minLr: 0.005 }), [1, 1, 1, 1]);
    expect(c.final).toBe(0.005);
    expect(c.logged).toEqual([f(0.01), f(0.01), f(0.005), f(0.005)]);
  });

  it("maximizes in auto mode when the name contains 'acc', and in max mode", async () => {
    const f = Math.fround;
    const up = await run(new ReduceLROnPlateau({ monitor: 'val_acc', patience: 1, factor: 0.5 }), [0.5, 0.6, 0.55], 'val_acc');
    expect(up.final).toBe(f(0.01) * 0.5);
    const down = await run(new ReduceLROnPlateau({ monitor: 'val_auc', mode: 'max', patience: 1, factor: 0.5 }), [0.5, 0.6, 0.7], 'val_auc');
    expect(down.final).toBe(0.01);
  });

  it('matches a float64 reference on random sequences', async () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 20; trial++) {
      const values = Array.from({ length: 30 }, (_, i) => 1 / (1 + i * rand()) + 0.05 * rand());
      const o = {
        factor: 0.2 + 0.7 * rand(),
        patience: Math.floor(rand() * 4),
        minDelta: rand() < 0.5 ? 0 : 0.01 * rand(),
        cooldown: Math.floor(rand() * 3),
        minLr: rand() < 0.5 ? 0 : 1e-4,
        mode: (rand() < 0.5 ? 'min' : 'max') as 'min' | 'max',
      };
      const got = await run(new ReduceLROnPlateau(o), values);
      const want = reference(values, { ...o, lr: 0.01, maximize: o.mode === 'max' });
      expect(got.logged).toEqual(want.logged);
      expect(got.final).toBe(want.final);
    }
  });

  it('prints like Keras and warns when the monitor is missing', async () => {
    const out = captureWriter();
    setDefaultWriter(out);
    await run(new ReduceLROnPlateau({ patience: 1, factor: 0.5, verbose: 1 }), [1, 1], 'val_loss', 0.5);
    expect(out.text).toBe('\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.25.\n');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await run(new ReduceLROnPlateau({ monitor: 'val_missing_rlrop' }), [1]);
    expect(warn).toHaveBeenCalledWith(
      'UserWarning: Learning rate reduction is conditioned on metric `val_missing_rlrop` which is not available. Available metrics are: loss,val_loss,learning_rate.',
    );
    warn.mockRestore();
  });

  it('resets on train begin so an instance can be reused', async () => {
    const cb = new ReduceLROnPlateau({ patience: 3 });
    await run(cb, [1, 2]);
    expect(cb.wait).toBe(1);
    expect(cb.best).toBe(1);
    await run(cb, [5]);
    expect(cb.best).toBe(5);
    expect(cb.wait).toBe(0);
  });

  it('validates, round-trips its config and is registered', () => {
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(ValueError);
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow('ReduceLROnPlateau does not support a factor >= 1.0. Received factor=1.0');
    const cb = new ReduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 3, minLr: 1e-5, cooldown: 1, minDelta: 0.01 });
    expect(ReduceLROnPlateau.fromConfig(cb.getConfig()).getConfig()).toEqual(cb.getConfig());
    expect(new ReduceLROnPlateau().getConfig()).toEqual({
      monitor: 'val_loss', factor: 0.1, patience: 10, verbose: 0, mode: 'auto', min_delta: 1e-4, cooldown: 0, min_lr: 0,
    });
    expect(lookupClass('callback', 'ReduceLROnPlateau')).toBe(ReduceLROnPlateau);
    const d = deserializeKerasObject<ReduceLROnPlateau>('callback', { module: 'keras.callbacks', class_name: 'ReduceLROnPlateau', config: { factor: 0.3 }, registered_name: null });
    expect(d).toBeInstanceOf(ReduceLROnPlateau);
    expect(d.factor).toBe(0.3);
  });

  it('throws a clear error without an optimizer', async () => {
    const cb = new ReduceLROnPlateau();
    const model = new FakeModel();
    model.optimizer = null;
    cb.setModel(model);
    expect(() => cb.onEpochEnd(0, { val_loss: 1 })).toThrow(/ReduceLROnPlateau: the model's optimizer must have a "learningRate"/);
    model.dispose();
  });
});

import { type Tensor, Variable, memory, ops, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Adam } from './adam';
import type { Optimizer } from './optimizer';
import { deserialize, get, serialize } from './registry';
import { ExponentialDecay } from './schedules/exponential-decay';
import { SGD } from './sgd';
import { type RefRule, TOL, reference, runProblem, zeros } from './test-helpers';

const owned: { dispose(): void }[] = [];
function own<T extends { dispose(): void }>(x: T): T {
  owned.push(x);
  return x;
}
afterEach(() => {
  for (const x of owned.splice(0)) x.dispose();
  vi.restoreAllMocks();
});

function variable(values: number[], name = 'w', constraint?: (w: Tensor) => Tensor): Variable {
  return own(new Variable({ initializer: values, name, constraint }));
}
function step(opt: Optimizer, grads: number[][], vars: Variable[]): void {
  const gs = grads.map((g) => tensor(g));
  opt.apply(gs, vars);
  for (const g of gs) g.dispose();
}

describe('gradient clipping', () => {
  it('clipnorm rescales each gradient to norm <= clipnorm', () => {
    const opt = own(new SGD(1, { clipnorm: 1 }));
    const a = variable([0, 0], 'a');
    const b = variable([0, 0], 'b');
    step(opt, [[3, 4], [0.3, 0.4]], [a, b]);
    expectAllClose(a.value, [-0.6, -0.8], { atol: 1e-6 });
    expectAllClose(b.value, [-0.3, -0.4], { atol: 1e-6 });
  });

  it('clipvalue clips elementwise', () => {
    const opt = own(new SGD(1, { clipvalue: 0.5 }));
    const a = variable([0, 0, 0]);
    step(opt, [[3, -4, 0.2]], [a]);
    expectAllClose(a.value, [-0.5, 0.5, -0.2], { atol: 1e-6 });
  });

  it('globalClipnorm scales all gradients by clipnorm / global norm', () => {
    const opt = own(new SGD(1, { globalClipnorm: 1 }));
    const a = variable([0, 0], 'a');
    const b = variable([0], 'b');
    step(opt, [[3, 4], [12]], [a, b]); // global norm 13
    expectAllClose(a.value, [-3 / 13, -4 / 13], { atol: 1e-6 });
    expectAllClose(b.value, [-12 / 13], { atol: 1e-6 });
  });

  it('only one clipping option at a time', () => {
    expect(() => new SGD({ clipnorm: 1, clipvalue: 1 })).toThrow(/Only one of/);
  });

  it('lossScaleFactor divides the gradients and scales the loss', () => {
    const opt = own(new SGD(1, { lossScaleFactor: 4 }));
    const a = variable([0]);
    step(opt, [[4]], [a]);
    expectAllClose(a.value, [-1], { atol: 1e-6 });
    const l = opt.scaleLoss(tensor(2));
    expectAllClose(l, 8);
    l.dispose();
  });
});

describe('weight decay and constraints', () => {
  it('decoupled weight decay: w -= w * wd * lr before the update', () => {
    const opt = own(new SGD(0.1, { weightDecay: 0.5 }));
    const w = variable([2, -4]);
    step(opt, [[1, 1]], [w]);
    // w * (1 - 0.05) = [1.9, -3.8], then -0.1 * g
    expectAllClose(w.value, [1.8, -3.9], { atol: 1e-6 });
  });

  it('excludeFromWeightDecay by variable and by name', () => {
    const opt = own(new SGD(0.1, { weightDecay: 0.5 }));
    const k = variable([2], 'kernel');
    const b = variable([2], 'bias');
    const c = variable([2], 'other');
    opt.excludeFromWeightDecay({ varList: [c], varNames: ['bias'] });
    step(opt, [[0], [0], [0]], [k, b, c]);
    expectAllClose(k.value, [1.9], { atol: 1e-6 });
    expectAllClose(b.value, [2], { atol: 1e-6 });
    expectAllClose(c.value, [2], { atol: 1e-6 });
    expect(() => opt.excludeFromWeightDecay({ varNames: ['x'] })).toThrow(/before the optimizer is built/);
  });

  it('applies each variable constraint after the update', () => {
    const opt = own(new SGD(1));
    const w = variable([0.5, 0.5], 'w', (x) => ops.clip(x, -1, 1));
    step(opt, [[-2, 2]], [w]); // unconstrained: [2.5, -1.5]
    expectAllClose(w.value, [1, -1], { atol: 1e-6 });
  });
});

describe('learning rate', () => {
  it('getter returns a number; setter updates the learning_rate variable', () => {
    const opt = own(new SGD(0.1));
    const w = variable([0]);
    opt.learningRate = 0.5;
    expect(opt.learningRate).toBeCloseTo(0.5, 7);
    step(opt, [[1]], [w]);
    expectAllClose(w.value, [-0.5], { atol: 1e-6 });
    expect(opt.getConfig()['learning_rate']).toBe(0.5);
  });

  it('a schedule is evaluated at the current iteration on the device', () => {
    const opt = own(new SGD(new ExponentialDecay(1, 1, 0.5)));
    expect(opt.variables.map((v) => v.name)).toEqual(['iteration']);
    const w = variable([0]);
    for (let i = 0; i < 3; i++) step(opt, [[1]], [w]);
    expectAllClose(w.value, [-1.75], { atol: 1e-6 }); // 1 + 0.5 + 0.25
    expect(opt.learningRate).toBeCloseTo(0.125, 7);
    expect(() => {
      opt.learningRate = 0.1;
    }).toThrow(/not settable/);
    const config = opt.getConfig();
    expect(config['learning_rate']).toEqual({
      module: 'keras.optimizers.schedules',
      class_name: 'ExponentialDecay',
      config: { initial_learning_rate: 1, decay_steps: 1, decay_rate: 0.5, staircase: false, name: 'ExponentialDecay' },
      registered_name: null,
    });
    const again = own(SGD.fromConfig(config));
    expect(again.learningRateSchedule).toBeInstanceOf(ExponentialDecay);
    expect(again.getConfig()).toEqual(config);
  });

  it('accepts a plain schedule object and a function', () => {
    const schedule = { apply: (s: number | Tensor) => 0.1 * ((s as number) + 1), getConfig: () => ({}) };
    const opt = own(new SGD({ learningRate: schedule }));
    const w = variable([0]);
    step(opt, [[1]], [w]);
    step(opt, [[1]], [w]);
    expectAllClose(w.value, [-0.3], { atol: 1e-6 });

    const f = own(new SGD(() => 0.25));
    const v = variable([0]);
    step(f, [[1]], [v]);
    expectAllClose(v.value, [-0.25], { atol: 1e-6 });
    expect(f.learningRate).toBe(0.25);
    f.learningRate = 0.5; // back to a number: a learning_rate variable again
    expect(f.variables.map((x) => x.name)).toEqual(['iteration', 'learning_rate']);
    expect(f.learningRate).toBe(0.5);
  });

  it('switching a number rate to a schedule untracks the variable', () => {
    const opt = own(new Adam(0.1));
    const before = memory().numTensors;
    opt.learningRate = new ExponentialDecay(0.1, 10, 0.9);
    expect(opt.variables.map((v) => v.name)).toEqual(['iteration']);
    expect(memory().numTensors).toBe(before - 1);
  });
});

describe('apply', () => {
  it('builds lazily, then refuses unknown variables', () => {
    const opt = own(new Adam());
    const a = variable([1]);
    expect(opt.built).toBe(false);
    step(opt, [[1]], [a]);
    expect(opt.built).toBe(true);
    expect(opt.trainableVariables).toEqual([a]);
    expect(() => step(opt, [[1]], [variable([1], 'b')])).toThrow(/Unknown variable/);
    step(opt, [[1]], undefined as never); // grads only, once built
    expect(opt.iterations.dataSync()[0]).toBe(2);
    expect(opt.iterations.dtype).toBe('int32');
  });

  it('skips null gradients with a warning and refuses all-null', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const opt = own(new SGD(1));
    const a = variable([0], 'a');
    const b = variable([0], 'b');
    const g = tensor([1]);
    opt.apply([g, null], [a, b]);
    expectAllClose(a.value, [-1]);
    expectAllClose(b.value, [0]);
    expect(warn).toHaveBeenCalledOnce();
    expect(() => opt.apply([null, null], [a, b])).toThrow(/No gradients/);
    g.dispose();
  });

  it('an empty gradient list is a no-op', () => {
    const opt = own(new SGD());
    opt.apply([], []);
    expect(opt.iterations.dataSync()[0]).toBe(0);
  });

  it('keeps an exponential moving average (useEma)', () => {
    const opt = own(new SGD(1, { useEma: true, emaMomentum: 0.5 }));
    const w = variable([0]);
    step(opt, [[1]], [w]); // w = -1, average = -1 (first step copies)
    step(opt, [[1]], [w]); // w = -2, average = 0.5*-1 + 0.5*-2
    expect(opt.variables.map((v) => v.name)).toEqual(['iteration', 'learning_rate', 'w_average']);
    expectAllClose(opt.variables[2]!.value, [-1.5], { atol: 1e-6 });
    expectAllClose(w.value, [-2], { atol: 1e-6 });
    opt.finalizeVariableValues([w]);
    expectAllClose(w.value, [-1.5], { atol: 1e-6 });

    const every2 = own(new SGD(1, { useEma: true, emaMomentum: 0.5, emaOverwriteFrequency: 2 }));
    const v = variable([0]);
    step(every2, [[1]], [v]);
    expectAllClose(v.value, [-1], { atol: 1e-6 });
    step(every2, [[1]], [v]);
    expectAllClose(v.value, [-1.5], { atol: 1e-6 });
  });

  it('leaks no tensors per step with every option on', () => {
    const opt = own(new Adam(0.01, { clipnorm: 1, weightDecay: 0.01, useEma: true, lossScaleFactor: 2 }));
    const w = variable([1, 2, 3], 'w', (x) => ops.clip(x, -2, 2));
    const g = tensor([0.5, -0.5, 2]);
    opt.apply([g], [w]);
    const n = memory().numTensors;
    for (let i = 0; i < 3; i++) opt.apply([g], [w]);
    expect(memory().numTensors).toBe(n);
    g.dispose();
  });

});

// SGD with momentum in float64: velocity = momentum·velocity - lr·g; w += velocity.
const sgdMomentum =
  (momentum: number): RefRule =>
  (w, g, s, { lr }) => {
    for (let k = 0; k < w.length; k++) {
      s['m']![k] = momentum * s['m']![k]! - lr * g[k]!;
      w[k] = w[k]! + s['m']![k]!;
    }
  };

describe('gradient accumulation', () => {
  it('N = 2 and N = 3 match a float64 reference (SGD with momentum)', () => {
    for (const n of [2, 3]) {
      const opt = own(new SGD(0.1, { momentum: 0.9, gradientAccumulationSteps: n }));
      const { values, leaked } = runProblem(opt, 6);
      const ref = reference({ lr: 0.1, rule: sgdMomentum(0.9), initSlots: (_, w) => ({ m: zeros(w) }), gradientAccumulationSteps: n }, 6);
      ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
      expect(leaked).toBe(0);
      expect(opt.iterations.dataSync()[0]).toBe(6);
    }
  });

  it('weights and slots only change on every N-th call; accumulators hold the running sum', () => {
    const opt = own(new SGD(1, { momentum: 0.5, gradientAccumulationSteps: 3 }));
    const w = variable([1, 2]);
    step(opt, [[1, 2]], [w]);
    expectAllClose(w.value, [1, 2], { atol: 0 });
    expect(opt.variables.map((v) => v.name)).toEqual(['iteration', 'learning_rate', 'w_gradient_accumulator', 'w_momentum']);
    expectAllClose(opt.variables[2]!.value, [1, 2], { atol: 0 });
    step(opt, [[3, -5]], [w]);
    expectAllClose(w.value, [1, 2], { atol: 0 });
    expectAllClose(opt.variables[3]!.value, [0, 0], { atol: 0 });
    expectAllClose(opt.variables[2]!.value, [4, -3], { atol: 0 });
    step(opt, [[2, 0]], [w]); // update with the mean [2, -1]: momentum = -[2, -1], w += momentum
    expectAllClose(w.value, [-1, 3], { atol: 1e-6 });
    expectAllClose(opt.variables[2]!.value, [0, 0], { atol: 0 });
    expectAllClose(opt.variables[3]!.value, [-2, 1], { atol: 1e-6 });
    expect(opt.iterations.dataSync()[0]).toBe(3);
    step(opt, [[9, 9]], [w]);
    expectAllClose(w.value, [-1, 3], { atol: 1e-6 });
    expectAllClose(opt.variables[3]!.value, [-2, 1], { atol: 1e-6 });
  });

  it('clipnorm and weight decay apply to the averaged gradient, on update steps only', () => {
    const opt = own(new SGD(0.1, { momentum: 0.9, clipnorm: 0.2, weightDecay: 0.5, gradientAccumulationSteps: 2 }));
    const { values } = runProblem(opt, 6);
    const ref = reference(
      { lr: 0.1, clipnorm: 0.2, weightDecay: 0.5, rule: sgdMomentum(0.9), initSlots: (_, w) => ({ m: zeros(w) }), gradientAccumulationSteps: 2 },
      6,
    );
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
  });

  it('EMA runs every call but its first-step test and overwrite period count updates', () => {
    const opt = own(new SGD(0.1, { useEma: true, emaMomentum: 0.6, gradientAccumulationSteps: 2 }));
    const { values } = runProblem(opt, 5);
    const plain: RefRule = (w, g, _s, { lr }) => {
      for (let k = 0; k < w.length; k++) w[k] = w[k]! - lr * g[k]!;
    };
    const ref = reference({ lr: 0.1, rule: plain, useEma: true, emaMomentum: 0.6, gradientAccumulationSteps: 2 }, 5);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    // Keras' order: all averages, then all accumulators, then the rule's slots.
    expect(opt.variables.map((v) => v.name)).toEqual([
      'iteration',
      'learning_rate',
      'dense_bias_average',
      'dense_kernel_average',
      'dense_bias_gradient_accumulator',
      'dense_kernel_gradient_accumulator',
    ]);
    expectAllClose(opt.variables[2]!.value, ref.averages[0]!, TOL);
    expectAllClose(opt.variables[3]!.value, ref.averages[1]!, TOL);

    // Overwrite every 2 updates: with N = 2 that is at calls 4, 8, ... ((iterations // 2) + 1) % 2 == 0).
    const every = own(new SGD(1, { useEma: true, emaMomentum: 0.5, emaOverwriteFrequency: 2, gradientAccumulationSteps: 2 }));
    const v = variable([0]);
    const trace: number[] = [];
    for (let i = 0; i < 4; i++) {
      step(every, [[1]], [v]);
      trace.push(v.value.dataSync()[0]!);
    }
    // call 1: avg = w = 0 (update count 0 copies); call 2: w = -1, avg (count 0) = -1;
    // call 3: avg = 0.5·-1 + 0.5·-1 = -1, and (1 + 1) % 2 == 0 overwrites w with -1;
    // call 4: w = -2, avg = -1.5, overwrite again -> -1.5.
    expectAllClose(trace, [0, -1, -1, -1.5], { atol: 1e-6 });
  });

  it('a schedule sees every call (iterations), not the update count', () => {
    const opt = own(new SGD(new ExponentialDecay(1, 1, 0.5), { gradientAccumulationSteps: 2 }));
    const w = variable([0]);
    for (let i = 0; i < 4; i++) step(opt, [[1]], [w]);
    expectAllClose(w.value, [-(0.5 + 0.125)], { atol: 1e-6 }); // lr at iterations 1 and 3
  });

  it('a missing gradient leaves its accumulator alone until the reset', () => {
    const opt = own(new SGD(1, { gradientAccumulationSteps: 2 }));
    const a = variable([0], 'a');
    const b = variable([0], 'b');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    step(opt, [[1], [2]], [a, b]);
    const g = tensor([4]);
    opt.apply([g, null], [a, b]);
    g.dispose();
    expectAllClose(a.value, [-2.5], { atol: 1e-6 });
    expectAllClose(b.value, [0], { atol: 0 });
    expectAllClose(opt.variables[3]!.value, [0], { atol: 0 }); // b's accumulator was reset as well
  });

  it('leaks nothing with every option on', () => {
    const opt = own(new Adam(0.01, { clipnorm: 1, weightDecay: 0.01, useEma: true, lossScaleFactor: 2, gradientAccumulationSteps: 2 }));
    const w = variable([1, 2, 3], 'w', (x) => ops.clip(x, -2, 2));
    const g = tensor([0.5, -0.5, 2]);
    opt.apply([g], [w]);
    const n = memory().numTensors;
    for (let i = 0; i < 5; i++) opt.apply([g], [w]);
    expect(memory().numTensors).toBe(n);
    g.dispose();
  });

  it('validates the number of steps; 0 turns accumulation off like null', () => {
    expect(() => new SGD({ gradientAccumulationSteps: 1 })).toThrow(/`gradientAccumulationSteps` must be an integer >= 2. Received: gradientAccumulationSteps=1/);
    expect(() => new SGD({ gradientAccumulationSteps: 2.5 })).toThrow(/gradientAccumulationSteps=2.5/);
    const off = own(new SGD(1, { gradientAccumulationSteps: 0 }));
    const w = variable([0]);
    step(off, [[1]], [w]);
    expectAllClose(w.value, [-1], { atol: 1e-6 });
    expect(off.variables.map((v) => v.name)).toEqual(['iteration', 'learning_rate']);
    expect(off.getConfig()['gradient_accumulation_steps']).toBe(0);
  });
});

describe('identifiers and serialization', () => {
  it('get() resolves names, instances and dicts', () => {
    const adam = own(get('adam'));
    expect(adam).toBeInstanceOf(Adam);
    expect(own(get('Adam'))).toBeInstanceOf(Adam);
    expect(own(get('sgd'))).toBeInstanceOf(SGD);
    expect(own(get('SGD'))).toBeInstanceOf(SGD);
    expect(get(adam)).toBe(adam);
    const fromDict = own(get({ module: 'keras.optimizers', class_name: 'Adam', config: { learning_rate: 0.1 }, registered_name: null }));
    expect(fromDict.learningRate).toBeCloseTo(0.1, 7);
    const lower = own(get({ class_name: 'sgd', config: {} } as never));
    expect(lower).toBeInstanceOf(SGD);
    expect(() => get('nope')).toThrow(/Unknown optimizer identifier/);
  });

  it('serialize/deserialize round trip', () => {
    const opt = own(new SGD(0.1, { momentum: 0.9, nesterov: true, name: 'my_sgd' }));
    const s = serialize(opt);
    expect(s.module).toBe('keras.optimizers');
    expect(s.class_name).toBe('SGD');
    expect(s.config).toMatchObject({ name: 'my_sgd', momentum: 0.9, nesterov: true });
    const back = own(deserialize(JSON.parse(JSON.stringify(s))));
    expect(back).toBeInstanceOf(SGD);
    expect(back.getConfig()).toEqual(s.config);
  });

  it('fromConfig ignores legacy keys and refuses unknown ones', () => {
    const opt = own(Adam.fromConfig({ learning_rate: 0.1, decay: 0, jit_compile: true, is_legacy_optimizer: false }));
    expect(opt.learningRate).toBeCloseTo(0.1, 7);
    expect(() => Adam.fromConfig({ learning_rate: 0.1, momentum: 0.5 })).toThrow(/not recognized/);
  });
});

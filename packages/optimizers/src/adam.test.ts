import { Variable, memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam';

function run(opt: Adam, grads: number[][]): Variable {
  const w = new Variable({ initializer: [1, -2], name: 'w' });
  for (const g of grads) {
    const t = tensor(g);
    opt.apply([t], [w]);
    t.dispose();
  }
  return w;
}

describe('Adam', () => {
  it('has Keras defaults', () => {
    const opt = new Adam();
    expect(opt.learningRate).toBeCloseTo(0.001, 8);
    expect([opt.beta1, opt.beta2, opt.epsilon, opt.amsgrad]).toEqual([0.9, 0.999, 1e-7, false]);
    expect(opt.name).toBe('adam');
    opt.dispose();
  });

  it('two steps match the Keras 3 formula (by hand)', () => {
    const opt = new Adam(0.1);
    const w = run(opt, [
      [0.5, 1],
      [-1, 0.25],
    ]);
    // float64 reference of m += (g-m)(1-b1); v += (g²-v)(1-b2); w -= lr√(1-b2^t)/(1-b1^t)·m/(√v+eps)
    expectAllClose(w.value, [0.9366108815953381, -2.1830591822058767], { atol: 1e-6, rtol: 1e-5 });
    expectAllClose(opt.variables[2]!.value, [-0.055, 0.115], { atol: 1e-7 }); // momentum
    expectAllClose(opt.variables[3]!.value, [0.00124975, 0.0010615], { atol: 1e-8 }); // velocity
    expect(opt.iterations.dataSync()[0]).toBe(2);
    w.dispose();
    opt.dispose();
  });

  it('AMSGrad keeps the running max of v (three steps, by hand)', () => {
    const grads = [
      [4, 1],
      [0.1, 0.25],
      [0.1, 0.25],
    ];
    const ams = new Adam(0.1, { amsgrad: true });
    const plain = new Adam(0.1);
    const w1 = run(ams, grads);
    const w2 = run(plain, grads);
    expectAllClose(w1.value, [0.7763892544514477, -2.260522839727783], { atol: 1e-6, rtol: 1e-5 });
    expectAllClose(w2.value, [0.7763558016209987, -2.260522839727783], { atol: 1e-6, rtol: 1e-5 });
    expect(ams.variables.map((v) => v.name)).toEqual(['iteration', 'learning_rate', 'w_momentum', 'w_velocity', 'w_velocity_hat']);
    expectAllClose(ams.variables[4]!.value, [0.016, 0.0011229385], { atol: 1e-8 });
    for (const x of [w1, w2, ams, plain]) x.dispose();
  });

  it('updateStep can be called directly after build (Keras custom loops)', () => {
    const a = new Adam(0.1);
    const b = new Adam(0.1);
    const wa = new Variable({ initializer: [1, -2], name: 'w' });
    const wb = new Variable({ initializer: [1, -2], name: 'w' });
    const g = tensor([0.5, 1]);
    const lr = tensor(0.1);
    a.apply([g], [wa]);
    b.build([wb]);
    b.updateStep(g, wb, lr);
    expectAllClose(wb.value, wa.value, { atol: 1e-7 });
    expectAllClose(wa.value, [0.9000006324515321, -2.099999683773234], { atol: 1e-6 });
    for (const x of [a, b, wa, wb, g, lr]) x.dispose();
  });

  it('creates its slots once and leaks nothing per step', () => {
    const opt = new Adam(0.01, { amsgrad: true });
    const w = new Variable({ initializer: [[1, 2], [3, 4]], name: 'k' });
    const g = tensor([[0.1, -0.2], [0.3, 0.4]]);
    const before = memory().numTensors;
    opt.apply([g], [w]);
    expect(memory().numTensors).toBe(before + 3); // momentum, velocity, velocity_hat
    const after1 = memory().numTensors;
    for (let i = 0; i < 3; i++) opt.apply([g], [w]);
    expect(memory().numTensors).toBe(after1);
    g.dispose();
    w.dispose();
    opt.dispose();
  });

  it('config round trip', () => {
    const opt = new Adam({ learningRate: 0.5, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true, clipnorm: 1 });
    const config = opt.getConfig();
    expect(config).toMatchObject({ name: 'adam', learning_rate: 0.5, beta_1: 0.8, beta_2: 0.99, epsilon: 1e-6, amsgrad: true, clipnorm: 1 });
    const again = Adam.fromConfig(config);
    expect(again.getConfig()).toEqual(config);
    opt.dispose();
    again.dispose();
  });

  it('with gradient accumulation, bias corrections count updates: 4 calls with N=2 equal 2 steps on averaged gradients', () => {
    const grads = [[0.5, -1], [0.25, 2], [-1, 0.5], [1.5, -0.75]];
    const acc = new Adam(0.1, { gradientAccumulationSteps: 2 });
    const plain = new Adam(0.1);
    const w1 = new Variable({ initializer: [1, -2], name: 'w' });
    const w2 = new Variable({ initializer: [1, -2], name: 'w' });
    for (const g of grads) {
      const t = tensor(g);
      acc.apply([t], [w1]);
      t.dispose();
    }
    for (let i = 0; i < grads.length; i += 2) {
      const t = tensor(grads[i]!.map((v, k) => (v + grads[i + 1]![k]!) / 2));
      plain.apply([t], [w2]);
      t.dispose();
    }
    expectAllClose(w1.value, w2.value, { atol: 1e-6 });
    for (const x of [w1, w2]) x.dispose();
    acc.dispose();
    plain.dispose();
  });
});


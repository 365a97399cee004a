import { Variable, memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { SGD } from './sgd';

const G1 = [0.5, 1];
const G2 = [-1, 0.25];

function run(opt: SGD): Variable {
  const w = new Variable({ initializer: [1, -2], name: 'w' });
  for (const g of [G1, G2]) {
    const t = tensor(g);
    opt.apply([t], [w]);
    t.dispose();
  }
  return w;
}

describe('SGD', () => {
  it('has Keras defaults', () => {
    const opt = new SGD();
    expect(opt.learningRate).toBeCloseTo(0.01, 7);
    expect(opt.momentum).toBe(0);
    expect(opt.nesterov).toBe(false);
    expect(opt.name).toBe('sgd');
    expect(opt.getConfig()).toMatchObject({ momentum: 0, nesterov: false, use_ema: false, ema_momentum: 0.99 });
    opt.dispose();
  });

  it('plain gradient descent: w -= lr * g, no slots', () => {
    const opt = new SGD(0.1);
    const w = run(opt);
    // 1 - 0.1*0.5 + 0.1*1 = 1.05; -2 - 0.1 - 0.025 = -2.125
    expectAllClose(w.value, [1.05, -2.125], { atol: 1e-6 });
    expect(opt.variables.map((v) => v.name)).toEqual(['iteration', 'learning_rate']);
    w.dispose();
    opt.dispose();
  });

  it('momentum (two steps, by hand)', () => {
    const opt = new SGD(0.1, { momentum: 0.9 });
    const w = run(opt);
    // m1 = -0.1*g1 = [-0.05, -0.1]; w1 = [0.95, -2.1]
    // m2 = 0.9*m1 - 0.1*g2 = [0.055, -0.115]; w2 = [1.005, -2.215]
    expectAllClose(w.value, [1.005, -2.215], { atol: 1e-6 });
    expectAllClose(opt.variables[2]!.value, [0.055, -0.115], { atol: 1e-6 });
    expect(opt.variables[2]!.path).toBe('sgd/w_momentum');
    w.dispose();
    opt.dispose();
  });

  it('Nesterov momentum (two steps, by hand)', () => {
    const opt = new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true });
    const w = run(opt);
    // w1 = w0 + 0.9*m1 - 0.1*g1 = [0.905, -2.19]; w2 = w1 + 0.9*m2 - 0.1*g2 = [1.0545, -2.3185]
    expectAllClose(w.value, [1.0545, -2.3185], { atol: 1e-6 });
    w.dispose();
    opt.dispose();
  });

  it('rejects a momentum outside [0, 1] and unknown options', () => {
    expect(() => new SGD(0.1, { momentum: 1.5 })).toThrow(/momentum/);
    expect(() => new SGD({ learningRate: 0.1, beta1: 0.5 } as never)).toThrow(/not recognized: beta1/);
  });

  it('leaves no tensors behind after the first step', () => {
    const opt = new SGD(0.1, { momentum: 0.5 });
    const w = new Variable({ initializer: [1, 2, 3], name: 'w' });
    const g = tensor([0.1, 0.2, 0.3]);
    opt.apply([g], [w]);
    const after1 = memory().numTensors;
    for (let i = 0; i < 3; i++) opt.apply([g], [w]);
    expect(memory().numTensors).toBe(after1);
    g.dispose();
    w.dispose();
    opt.dispose();
  });
});

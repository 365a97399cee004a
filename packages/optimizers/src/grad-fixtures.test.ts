import { type Config, Variable, dispose, memory } from '@strata/core';
import { type TensorJson, expectAllClose, fixtureTensor, readFixtureJson } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam';
import type { Optimizer } from './optimizer';
import { SGD } from './sgd';

interface GradFixture {
  optimizer: { name: string; learning_rate: number; config: Config };
  variables: { path: string; before: TensorJson; grad: TensorJson; after: TensorJson }[];
  tolerance: { atol: number; rtol: number };
}

function oneStep(file: string, make: (lr: number) => Optimizer): { fx: GradFixture; opt: Optimizer } {
  const fx = readFixtureJson<GradFixture>('grad', file);
  const befores = fx.variables.map((v) => fixtureTensor(v.before));
  const afters = fx.variables.map((v) => fixtureTensor(v.after));
  const grads = fx.variables.map((v) => fixtureTensor(v.grad));
  const vars = fx.variables.map(
    (v, i) => new Variable({ initializer: befores[i]!, name: v.path.split('/').pop(), path: v.path }),
  );
  const opt = make(fx.optimizer.learning_rate);
  opt.apply(grads, vars);
  for (let i = 0; i < vars.length; i++) expectAllClose(vars[i]!.value, afters[i]!, fx.tolerance);
  expect(opt.iterations.dataSync()[0]).toBe(1);
  dispose([...befores, ...afters, ...grads]);
  for (const v of vars) v.dispose();
  return { fx, opt };
}

describe('one optimizer step against Keras 3.15 train_on_batch (grad fixtures)', () => {
  it('SGD lr=0.1 on the MLP', () => {
    const { fx, opt } = oneStep('mlp_sgd_cce.json', (lr) => new SGD(lr));
    expect(opt.getConfig()).toEqual(fx.optimizer.config);
    opt.dispose();
  });

  it('SGD lr=0.1 on the CNN', () => {
    const { opt } = oneStep('cnn_sgd_cce.json', (lr) => new SGD({ learningRate: lr }));
    opt.dispose();
  });

  it('Adam lr=0.01 on the MLP, with Keras slot layout', () => {
    const { fx, opt } = oneStep('mlp_adam_cce.json', (lr) => new Adam(lr));
    expect(opt.getConfig()).toEqual(fx.optimizer.config);
    // iteration, learning_rate, then momentum/velocity interleaved per variable.
    expect(opt.variables.map((v) => v.path)).toEqual([
      'adam/iteration',
      'adam/learning_rate',
      'adam/dense_1_kernel_momentum',
      'adam/dense_1_kernel_velocity',
      'adam/dense_1_bias_momentum',
      'adam/dense_1_bias_velocity',
      'adam/dense_2_kernel_momentum',
      'adam/dense_2_kernel_velocity',
      'adam/dense_2_bias_momentum',
      'adam/dense_2_bias_velocity',
    ]);
    opt.dispose();
  });

  it('fromConfig of the Keras configs reproduces them', () => {
    const cases: [string, typeof Optimizer & (new () => Optimizer)][] = [
      ['mlp_sgd_cce.json', SGD],
      ['mlp_adam_cce.json', Adam],
    ];
    for (const [file, cls] of cases) {
      const fx = readFixtureJson<GradFixture>('grad', file);
      const before = memory().numTensors;
      const opt = cls.fromConfig(fx.optimizer.config);
      expect(opt).toBeInstanceOf(cls);
      expect(opt.getConfig()).toEqual(fx.optimizer.config);
      opt.dispose();
      expect(memory().numTensors).toBe(before);
    }
  });
});

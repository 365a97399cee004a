import { type Config, type Tensor, tidy, variableGrads } from '@strata/core';
import { clearSession } from '@strata/layers';
import { CategoricalCrossentropy } from '@strata/losses';
import { Adam, SGD } from '@strata/optimizers';
import { type TensorJson, expectAllClose, fixtureTensor, readFixtureJson } from '@strata/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { Sequential } from './sequential';

interface GradFixture {
  model_fixture: string;
  optimizer: { name: string; learning_rate: number };
  x: TensorJson;
  y: TensorJson;
  loss_value: number;
  train_on_batch_loss: number;
  variables: { path: string; before: TensorJson; grad: TensorJson; after: TensorJson }[];
  tolerance: { atol: number; rtol: number };
}

const cases = ['mlp_sgd_cce', 'mlp_adam_cce', 'cnn_sgd_cce'];

describe('one training step against Keras (grad/*.json)', () => {
  beforeEach(() => clearSession());

  for (const name of cases) {
    const fx = readFixtureJson<GradFixture>('grad', `${name}.json`);
    const build = () => {
      const config = readFixtureJson<{ config: Config }>(fx.model_fixture, 'keras_config.json');
      const model = Sequential.fromConfig(config.config) as Sequential;
      model.setWeights(fx.variables.map((v) => fixtureTensor(v.before)));
      return model;
    };

    it(`${name}: loss and gradients`, () => {
      const model = build();
      const x = fixtureTensor(fx.x);
      const y = fixtureTensor(fx.y);
      const loss = new CategoricalCrossentropy();
      const vars = model.trainableWeights;
      expect(vars.map((v) => v.shape)).toEqual(fx.variables.map((v) => v.grad.shape));
      tidy(() => {
        const { value, grads } = variableGrads(() => loss.apply(y, model.apply(x, { training: true })) as never, vars);
        expect(Math.abs(value.dataSync()[0]! - fx.loss_value)).toBeLessThan(fx.tolerance.atol);
        grads.forEach((g: Tensor, i: number) => {
          expectAllClose(g, fx.variables[i]!.grad.data, fx.tolerance);
        });
      });
    });

    it(`${name}: trainOnBatch gives Keras' weights after one ${fx.optimizer.name} step`, async () => {
      const model = build();
      const lr = fx.optimizer.learning_rate;
      model.compile({
        optimizer: fx.optimizer.name === 'adam' ? new Adam({ learningRate: lr }) : new SGD({ learningRate: lr }),
        loss: 'categorical_crossentropy',
      });
      const logs = await model.trainOnBatch(fixtureTensor(fx.x), fixtureTensor(fx.y));
      expect(Math.abs(logs.loss! - fx.train_on_batch_loss)).toBeLessThan(fx.tolerance.atol);
      model.weights.forEach((w, i) => {
        expectAllClose(w.value, fx.variables[i]!.after.data, fx.tolerance);
      });
    });
  }
});

// Training on webgpu: a small CNN with an Embedding -> LSTM side branch follows the same trajectory as
// on cpu, and switching cpu -> wasm -> webgpu, or webgpu -> cpu, between epochs of `fit` ends where
// staying on cpu ends. The training case reads weights with `await data()`: WebGPU in Node has no
// synchronous reads, so leaving webgpu must hand weights and optimizer state over without them.
import '@strata/backend-wasm';
import * as L from '@strata/layers';
import * as M from '@strata/models';
import { describeTraining, trainingCase } from '@strata/test-utils';
import './index';

describeTraining('training on webgpu', trainingCase(L, M), {
  backend: 'webgpu',
  epochs: 6,
  timeout: 300_000,
  schedules: [
    ['cpu', 'cpu', 'wasm', 'wasm', 'webgpu', 'webgpu'],
    ['webgpu', 'webgpu', 'webgpu', 'cpu', 'cpu', 'cpu'],
  ],
});

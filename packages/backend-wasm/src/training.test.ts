// Training on wasm: a small CNN with an Embedding -> LSTM side branch follows the same trajectory as
// on cpu, and switching cpu -> wasm in the middle of `fit` ends where staying on cpu ends.
import * as L from '@strata/layers';
import * as M from '@strata/models';
import { describeTraining, trainingCase } from '@strata/test-utils';
import './index';

describeTraining('training on wasm', trainingCase(L, M), {
  backend: 'wasm',
  epochs: 6,
  timeout: 120_000,
  schedules: [['cpu', 'cpu', 'cpu', 'wasm', 'wasm', 'wasm']],
});

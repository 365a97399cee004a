// Training on webgpu in headless Chromium (SwiftShader's Vulkan adapter): a small CNN with an
// Embedding -> LSTM side branch follows the same trajectory as on cpu, and a cpu -> webgpu switch in
// the middle of `fit` ends where staying on cpu ends. The training case reads weights with
// `await data()`: tfjs-backend-webgpu's synchronous read returns zeros on SwiftShader.
import * as L from '@strata/layers';
import * as M from '@strata/models';
import { describeTraining, trainingCase } from '@strata/test-utils/browser';
import './index';

describeTraining('training on webgpu (Chromium)', trainingCase(L, M), {
  backend: 'webgpu',
  epochs: 4,
  timeout: 180_000,
  schedules: [['cpu', 'cpu', 'webgpu', 'webgpu']],
});

// The one place that loads the tensor engine. Importing anything from @strata/core runs this first.
import * as tfc from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import './register-gradients';
import { registerGradientOverrides } from './gradients/index';

registerGradientOverrides();

// The cpu backend prints a banner suggesting tfjs-node on its first write in Node. Strata picks its
// own backends, so the banner is noise: every cpu backend instance reports that it was used before.
Object.defineProperty(MathBackendCPU.prototype, 'firstUse', {
  get: () => false,
  set: () => {},
  configurable: true,
});

export { tfc };

// The one place that loads the tensor engine. Importing anything from @strata/core runs this first.
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './register-gradients';
import { registerGradientOverrides } from './gradients/index';

registerGradientOverrides();

// cpu is the default backend; other backend packages register themselves and are chosen with
// setBackend. Selecting cpu now also lets us turn off the banner it prints on its first write in
// Node (suggesting tfjs-node), which is noise here.
tfc.getBackend();
const cpu = tfc.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
if (cpu != null) cpu.firstUse = false;

export { tfc };

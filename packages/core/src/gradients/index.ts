import * as tfc from '@tensorflow/tfjs-core';
import { comparisonGradConfigs } from './comparisons';
import { conv2dGradConfig } from './conv2d';
import { einsumGradConfig } from './einsum';

/** Gradients Strata replaces or adds on top of tfjs-core's own. */
const overrides: tfc.GradConfig[] = [conv2dGradConfig, einsumGradConfig, ...comparisonGradConfigs];

export function registerGradientOverrides(): void {
  for (const config of overrides) tfc.registerGradient(config);
}

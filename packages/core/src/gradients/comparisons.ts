import * as tfc from '@tensorflow/tfjs-core';

// Comparisons and logic have no gradient (TensorFlow registers them as non-differentiable). tfjs
// has no entry for them at all, so any differentiated path through e.g. `where(greater(x, 0), ...)`
// failed with "gradient function not found for Greater"; a zero gradient is the right answer.
const binary = [tfc.Greater, tfc.GreaterEqual, tfc.Less, tfc.LessEqual, tfc.Equal, tfc.NotEqual, tfc.LogicalAnd, tfc.LogicalOr];

export const comparisonGradConfigs: tfc.GradConfig[] = [
  ...binary.map(
    (kernelName): tfc.GradConfig => ({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as [tfc.Tensor, tfc.Tensor];
        return { a: () => tfc.zerosLike(a), b: () => tfc.zerosLike(b) };
      },
    }),
  ),
  ...[tfc.LogicalNot, tfc.Any, tfc.All].map(
    (kernelName): tfc.GradConfig => ({
      kernelName,
      inputsToSave: ['x'],
      gradFunc: (_dy, saved) => {
        const [x] = saved as [tfc.Tensor];
        return { x: () => tfc.zerosLike(x) };
      },
    }),
  ),
];

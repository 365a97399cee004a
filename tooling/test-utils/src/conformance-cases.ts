// The layer cases of the backend conformance suite: every exported trainable or differentiable layer
// with its main option variants. It takes the layers module as an argument, so test-utils does not
// depend on @strata/layers, and it imports nothing from Node, so browser tests can use it.
import { type Tensor, ops } from '@strata/core';
import type { ConformanceCase } from './conformance';

// biome-ignore lint/suspicious/noExplicitAny: the layers module, typed structurally by its use here.
type LayersModule = Record<string, any>;

/** Every exported trainable or differentiable layer, with its main option variants. */
export function layerConformanceCases(L: LayersModule): ConformanceCase[] {
  const int = (shape: number[], high: number) => ({ shape, dtype: 'int32' as const, range: [0, high] as [number, number] });
  // biome-ignore lint/suspicious/noExplicitAny: layer constructors take varied argument objects.
  const mk = (Cls: any, ...args: unknown[]) => () => new Cls(...args);

  const img = [2, 7, 6, 3];
  const seq = [2, 5, 3];
  const vol = [1, 5, 4, 4, 2];

  return [
    // core
    { name: 'Dense', make: mk(L.Dense, 4, { activation: 'tanh' }), input: [3, 5] },
    { name: 'Dense (rank 3 input)', make: mk(L.Dense, 3), input: seq },
    { name: 'EinsumDense ab,bc->ac', make: mk(L.EinsumDense, 'ab,bc->ac', 4, { biasAxes: 'c' }), input: [3, 5] },
    { name: 'EinsumDense abc,cde->abde', make: mk(L.EinsumDense, 'abc,cde->abde', [null, 2, 4], { biasAxes: 'de' }), input: seq },
    { name: 'EinsumDense abcd,cde->abe', make: mk(L.EinsumDense, 'abcd,cde->abe', [null, 4]), input: [2, 3, 2, 3] },
    { name: 'Embedding', make: mk(L.Embedding, 11, 4), input: int([3, 5], 11) },
    { name: 'Embedding (repeated ids)', make: mk(L.Embedding, 3, 2), input: int([4, 6], 3) },
    { name: 'Activation', make: mk(L.Activation, 'softplus'), input: [3, 4] },
    { name: 'Identity', make: mk(L.Identity), input: [3, 4] },
    { name: 'Masking', make: mk(L.Masking, { maskValue: 0.5 }), input: seq },
    // convolutions
    { name: 'Conv1D same stride 2', make: mk(L.Conv1D, 4, 3, { strides: 2, padding: 'same' }), input: [2, 9, 3] },
    { name: 'Conv1D causal dilation 2', make: mk(L.Conv1D, 2, 3, { padding: 'causal', dilationRate: 2 }), input: [2, 9, 3] },
    { name: 'Conv2D valid', make: mk(L.Conv2D, 4, 3), input: img },
    { name: 'Conv2D same stride 2', make: mk(L.Conv2D, 4, 3, { strides: 2, padding: 'same' }), input: img },
    { name: 'Conv2D valid strides (2,3)', make: mk(L.Conv2D, 2, [2, 3], { strides: [2, 3] }), input: [2, 9, 10, 2] },
    { name: 'Conv2D same dilation 2', make: mk(L.Conv2D, 3, 3, { padding: 'same', dilationRate: 2 }), input: img },
    { name: 'Conv2D valid dilation (2,1)', make: mk(L.Conv2D, 3, [2, 3], { dilationRate: [2, 1] }), input: img },
    { name: 'Conv2D groups 3', make: mk(L.Conv2D, 6, 2, { groups: 3 }), input: img },
    { name: 'Conv3D', make: mk(L.Conv3D, 2, 2, { padding: 'same' }), input: vol },
    { name: 'Conv1DTranspose', make: mk(L.Conv1DTranspose, 3, 3, { strides: 2 }), input: [2, 5, 2] },
    { name: 'Conv2DTranspose same stride 2', make: mk(L.Conv2DTranspose, 3, 3, { strides: 2, padding: 'same' }), input: [2, 4, 5, 2] },
    { name: 'Conv2DTranspose valid', make: mk(L.Conv2DTranspose, 2, [2, 3]), input: [2, 4, 5, 3] },
    { name: 'Conv3DTranspose', make: mk(L.Conv3DTranspose, 2, 2, { strides: 2 }), input: [1, 3, 3, 2, 2] },
    { name: 'DepthwiseConv1D', make: mk(L.DepthwiseConv1D, 3, { depthMultiplier: 2 }), input: [2, 8, 3] },
    { name: 'DepthwiseConv2D valid', make: mk(L.DepthwiseConv2D, 3), input: img },
    { name: 'DepthwiseConv2D same stride 2 multiplier 2', make: mk(L.DepthwiseConv2D, 3, { strides: 2, padding: 'same', depthMultiplier: 2 }), input: img },
    { name: 'DepthwiseConv2D dilation 2', make: mk(L.DepthwiseConv2D, 2, { dilationRate: 2, padding: 'same' }), input: img },
    { name: 'SeparableConv1D', make: mk(L.SeparableConv1D, 4, 3, { padding: 'same' }), input: [2, 8, 3] },
    { name: 'SeparableConv2D', make: mk(L.SeparableConv2D, 4, 3, { depthMultiplier: 2 }), input: img },
    { name: 'SeparableConv2D same stride 2', make: mk(L.SeparableConv2D, 3, 3, { strides: 2, padding: 'same' }), input: img },
    // recurrent
    { name: 'SimpleRNN', make: mk(L.SimpleRNN, 3, { returnSequences: true }), input: seq },
    { name: 'LSTM', make: mk(L.LSTM, 4), input: seq },
    { name: 'GRU', make: mk(L.GRU, 3, { returnSequences: true }), input: seq },
    { name: 'Bidirectional(LSTM)', make: () => new L.Bidirectional(new L.LSTM(2, { returnSequences: true })), input: seq },
    { name: 'TimeDistributed(Dense)', make: () => new L.TimeDistributed(new L.Dense(2)), input: seq },
    { name: 'ConvLSTM1D', make: mk(L.ConvLSTM1D, 2, 2), input: [1, 3, 5, 2] },
    { name: 'ConvLSTM2D', make: mk(L.ConvLSTM2D, 2, 2, { padding: 'same' }), input: [1, 3, 4, 4, 2] },
    // normalization
    { name: 'BatchNormalization (inference)', make: mk(L.BatchNormalization), input: img },
    { name: 'BatchNormalization (training)', make: mk(L.BatchNormalization), input: img, callArgs: { training: true } },
    { name: 'LayerNormalization', make: mk(L.LayerNormalization), input: seq },
    { name: 'GroupNormalization', make: mk(L.GroupNormalization, { groups: 3 }), input: [2, 4, 4, 6] },
    { name: 'UnitNormalization', make: mk(L.UnitNormalization), input: [3, 4] },
    { name: 'RMSNormalization', make: mk(L.RMSNormalization), input: seq },
    // activations
    { name: 'ELU', make: mk(L.ELU), input: [3, 4] },
    { name: 'LeakyReLU', make: mk(L.LeakyReLU), input: [3, 4] },
    { name: 'PReLU', make: mk(L.PReLU), input: [3, 4] },
    { name: 'ReLU', make: mk(L.ReLU, { maxValue: 0.5 }), input: [3, 4] },
    { name: 'Softmax', make: mk(L.Softmax), input: [3, 4] },
    // merging
    { name: 'Add', make: mk(L.Add), input: [[3, 4], [3, 4]] },
    { name: 'Subtract', make: mk(L.Subtract), input: [[3, 4], [3, 4]] },
    { name: 'Multiply', make: mk(L.Multiply), input: [[3, 4], [3, 4]] },
    { name: 'Average', make: mk(L.Average), input: [[3, 4], [3, 4]] },
    { name: 'Maximum', make: mk(L.Maximum), input: [[3, 4], [3, 4]] },
    { name: 'Minimum', make: mk(L.Minimum), input: [[3, 4], [3, 4]] },
    { name: 'Concatenate', make: mk(L.Concatenate), input: [[3, 4], [3, 2]] },
    { name: 'Dot', make: mk(L.Dot, 1, { normalize: true }), input: [[3, 4], [3, 4]] },
    // pooling
    { name: 'MaxPooling1D', make: mk(L.MaxPooling1D, 2), input: [2, 7, 3] },
    { name: 'MaxPooling2D', make: mk(L.MaxPooling2D, 2, { padding: 'same' }), input: img },
    { name: 'MaxPooling3D', make: mk(L.MaxPooling3D, 2), input: vol },
    { name: 'AveragePooling1D', make: mk(L.AveragePooling1D, 2), input: [2, 7, 3] },
    { name: 'AveragePooling2D', make: mk(L.AveragePooling2D, 2, { strides: 1 }), input: img },
    { name: 'AveragePooling3D', make: mk(L.AveragePooling3D, 2), input: vol },
    { name: 'GlobalAveragePooling1D', make: mk(L.GlobalAveragePooling1D), input: seq },
    { name: 'GlobalAveragePooling2D', make: mk(L.GlobalAveragePooling2D), input: img },
    { name: 'GlobalAveragePooling3D', make: mk(L.GlobalAveragePooling3D), input: vol },
    { name: 'GlobalMaxPooling1D', make: mk(L.GlobalMaxPooling1D), input: seq },
    { name: 'GlobalMaxPooling2D', make: mk(L.GlobalMaxPooling2D), input: img },
    { name: 'GlobalMaxPooling3D', make: mk(L.GlobalMaxPooling3D), input: vol },
    { name: 'AdaptiveAveragePooling2D', make: mk(L.AdaptiveAveragePooling2D, [3, 2]), input: img },
    { name: 'AdaptiveMaxPooling2D', make: mk(L.AdaptiveMaxPooling2D, [3, 2]), input: img },
    // reshaping
    { name: 'Flatten', make: mk(L.Flatten), input: img },
    { name: 'Reshape', make: mk(L.Reshape, [3, 10]), input: [2, 5, 6] },
    { name: 'Permute', make: mk(L.Permute, [2, 1]), input: seq },
    { name: 'RepeatVector', make: mk(L.RepeatVector, 3), input: [2, 4] },
    { name: 'Cropping1D', make: mk(L.Cropping1D, [1, 2]), input: [2, 7, 3] },
    { name: 'Cropping2D', make: mk(L.Cropping2D, 1), input: img },
    { name: 'Cropping3D', make: mk(L.Cropping3D, 1), input: vol },
    { name: 'UpSampling1D', make: mk(L.UpSampling1D, 2), input: seq },
    { name: 'UpSampling2D nearest', make: mk(L.UpSampling2D, 2), input: [2, 3, 4, 2] },
    { name: 'UpSampling2D bilinear', make: mk(L.UpSampling2D, 2, { interpolation: 'bilinear' }), input: [2, 3, 4, 2] },
    { name: 'UpSampling3D', make: mk(L.UpSampling3D, 2), input: [1, 2, 3, 2, 2] },
    { name: 'ZeroPadding1D', make: mk(L.ZeroPadding1D, 2), input: seq },
    { name: 'ZeroPadding2D', make: mk(L.ZeroPadding2D, 1), input: img },
    { name: 'ZeroPadding3D', make: mk(L.ZeroPadding3D, 1), input: vol },
    // regularization (inference: identity, or deterministic)
    { name: 'Dropout', make: mk(L.Dropout, 0.5), input: [3, 4] },
    { name: 'SpatialDropout2D', make: mk(L.SpatialDropout2D, 0.5), input: img },
    { name: 'GaussianNoise', make: mk(L.GaussianNoise, 0.3), input: [3, 4] },
    { name: 'ActivityRegularization', make: mk(L.ActivityRegularization, { l1: 0.1 }), input: [3, 4] },
    // attention
    { name: 'Attention', make: mk(L.Attention, { useScale: true }), input: [[2, 3, 4], [2, 5, 4]] },
    { name: 'AdditiveAttention', make: mk(L.AdditiveAttention), input: [[2, 3, 4], [2, 5, 4]] },
    { name: 'MultiHeadAttention', make: mk(L.MultiHeadAttention, 2, 3), input: [[2, 3, 4], [2, 5, 6]] },
    { name: 'GroupedQueryAttention', make: mk(L.GroupedQueryAttention, { headDim: 3, numQueryHeads: 4, numKeyValueHeads: 2 }), input: [[2, 3, 4], [2, 5, 4]] },
    // differentiable preprocessing
    { name: 'Rescaling', make: mk(L.Rescaling, 0.5, { offset: 0.1 }), input: [3, 4] },
    { name: 'CenterCrop', make: mk(L.CenterCrop, 4, 3), input: img },
    { name: 'Resizing bilinear', make: mk(L.Resizing, 4, 5), input: img },
    { name: 'Resizing nearest', make: mk(L.Resizing, 9, 4, { interpolation: 'nearest' }), input: img },
    { name: 'Normalization (given mean/variance)', make: mk(L.Normalization, { mean: [0.1, -0.2, 0.3], variance: [1, 2, 0.5] }), input: img },
    { name: 'CategoryEncoding multi_hot', make: mk(L.CategoryEncoding, { numTokens: 6, outputMode: 'multi_hot' }), input: int([3, 4], 6) },
    { name: 'Discretization', make: mk(L.Discretization, { binBoundaries: [-0.5, 0, 0.5] }), input: [3, 4], inputGrads: false },
    { name: 'RandomFlip (inference)', make: mk(L.RandomFlip), input: img },
    { name: 'RandomContrast (inference)', make: mk(L.RandomContrast, 0.5), input: img },
    { name: 'AlphaDropout (inference)', make: mk(L.AlphaDropout, 0.3), input: [3, 4] },
    { name: 'GaussianDropout (inference)', make: mk(L.GaussianDropout, 0.3), input: [3, 4] },
    { name: 'SpatialDropout1D (inference)', make: mk(L.SpatialDropout1D, 0.3), input: seq },
    { name: 'SpatialDropout3D (inference)', make: mk(L.SpatialDropout3D, 0.3), input: vol },
    { name: 'StackedRNNCells in RNN', make: () => new L.RNN(new L.StackedRNNCells([new L.LSTMCell(3), new L.GRUCell(2)])), input: seq },
    { name: 'SimpleRNNCell in RNN (go_backwards)', make: () => new L.RNN(new L.SimpleRNNCell(3), { goBackwards: true, returnSequences: true }), input: seq },
    { name: 'ConvLSTM3D', make: mk(L.ConvLSTM3D, 2, 2), input: [1, 2, 3, 3, 3, 2] },
  ];
}

/**
 * A case that differs between the two backends of a run whatever they are: its Lambda scales by 1
 * on its first call (the reference backend) and by 1.01 afterwards (the backend under test). A
 * runner that reads every backend correctly must report it as an output mismatch.
 */
export function differingConformanceCase(L: LayersModule): ConformanceCase {
  let calls = 0;
  return {
    name: 'differing',
    make: () => new L.Lambda({ function: (x: Tensor) => ops.multiply(x, calls++ === 0 ? 1 : 1.01) }),
    input: [2, 3],
    inputGrads: false,
    weightGrads: false,
  };
}

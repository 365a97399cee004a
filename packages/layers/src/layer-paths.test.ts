import { type Tensor, tidy } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { GroupedQueryAttention } from './attention/grouped-query-attention';
import { MultiHeadAttention } from './attention/multi-head-attention';
import { Dense } from './core/dense';
import { Input } from './core/input-layer';
import { type CallArgs, Layer, type LayerOutput } from './layer';
import { Bidirectional } from './recurrent/bidirectional';
import { ConvLSTM1D } from './recurrent/conv-lstm1d';
import { GRU } from './recurrent/gru';
import { LSTM } from './recurrent/lstm';
import { RNN } from './recurrent/rnn';
import { SimpleRNNCell } from './recurrent/simple-rnn-cell';
import { LSTMCell } from './recurrent/lstm-cell';
import { StackedRNNCells } from './recurrent/stacked-rnn-cells';
import { TimeDistributed } from './recurrent/time-distributed';
import { randomTensor } from './testing/layer-checks';

// Keras 3 builds (and calls) every layer inside a name scope of its own name, opened under the
// path the layer was first scoped at; a variable's path is that scope path plus its name
// (keras/src/layers/layer.py build_wrapper/_open_name_scope/add_weight,
// keras/src/backend/common/name_scope.py, keras/src/backend/common/variables.py).
const pathsAndShapes = (l: Layer) => l.weights.map((w) => [w.path, w.shape]);

/** A layer that creates its sublayer lazily, on first call (Keras: built inside the parent's call scope). */
class LazyOuter extends Layer {
  static override className = 'LazyOuter';
  inner: Dense | null = null;
  override call(inputs: LayerOutput, _args: CallArgs = {}): Tensor {
    if (this.inner == null) this.inner = new Dense(2, { name: 'inner' });
    return this.inner.apply(inputs as Tensor) as Tensor;
  }
}

describe('Keras variable paths of nested layers', () => {
  it('a top-level layer: <layer>/<variable>', () => {
    const d = new Dense(3, { name: 'top_dense' });
    tidy(() => d.apply(randomTensor([2, 4])));
    expect(pathsAndShapes(d)).toEqual([
      ['top_dense/kernel', [4, 3]],
      ['top_dense/bias', [3]],
    ]);
    expect(d.path).toBe('top_dense');
  });

  it('MultiHeadAttention: <mha>/<query|key|value|attention_output>/<kernel|bias>, eager and symbolic', () => {
    const mha = new MultiHeadAttention(2, 3, { valueDim: 4, name: 'multi_head_attention' });
    tidy(() => mha.apply([randomTensor([1, 5, 6]), randomTensor([1, 7, 8])]));
    expect(pathsAndShapes(mha)).toEqual([
      ['multi_head_attention/query/kernel', [6, 2, 3]],
      ['multi_head_attention/query/bias', [2, 3]],
      ['multi_head_attention/key/kernel', [8, 2, 3]],
      ['multi_head_attention/key/bias', [2, 3]],
      ['multi_head_attention/value/kernel', [8, 2, 4]],
      ['multi_head_attention/value/bias', [2, 4]],
      ['multi_head_attention/attention_output/kernel', [2, 4, 6]],
      ['multi_head_attention/attention_output/bias', [6]],
    ]);
    expect(mha.queryDense!.path).toBe('multi_head_attention/query');
    const sym = new MultiHeadAttention({ numHeads: 1, keyDim: 2, useBias: false, name: 'sym_mha' });
    sym.apply([Input({ shape: [3, 4] }), Input({ shape: [5, 4] })]);
    expect(pathsAndShapes(sym)).toEqual([
      ['sym_mha/query/kernel', [4, 1, 2]],
      ['sym_mha/key/kernel', [4, 1, 2]],
      ['sym_mha/value/kernel', [4, 1, 2]],
      ['sym_mha/attention_output/kernel', [1, 2, 4]],
    ]);
  });

  it('GroupedQueryAttention: <gqa>/<query|key|value|attention_output>/<kernel|bias>', () => {
    const gqa = new GroupedQueryAttention(2, 4, 2, { name: 'grouped_query_attention' });
    tidy(() => gqa.apply([randomTensor([2, 3, 5]), randomTensor([2, 4, 5])]));
    expect(pathsAndShapes(gqa)).toEqual([
      ['grouped_query_attention/query/kernel', [5, 4, 2]],
      ['grouped_query_attention/query/bias', [4, 2]],
      ['grouped_query_attention/key/kernel', [5, 2, 2]],
      ['grouped_query_attention/key/bias', [2, 2]],
      ['grouped_query_attention/value/kernel', [5, 2, 2]],
      ['grouped_query_attention/value/bias', [2, 2]],
      ['grouped_query_attention/attention_output/kernel', [4, 2, 5]],
      ['grouped_query_attention/attention_output/bias', [5]],
    ]);
  });

  it('RNN layers nest their cell: <rnn>/<cell>/<variable>', () => {
    const lstm = new LSTM(2, { name: 'lstm' });
    const gru = new GRU(3, { name: 'gru' });
    tidy(() => {
      lstm.apply(randomTensor([1, 2, 4]));
      gru.apply(randomTensor([1, 2, 4]));
    });
    expect(pathsAndShapes(lstm)).toEqual([
      ['lstm/lstm_cell/kernel', [4, 8]],
      ['lstm/lstm_cell/recurrent_kernel', [2, 8]],
      ['lstm/lstm_cell/bias', [8]],
    ]);
    // Keras GRU: reset_after=True gives a bias of shape (2, 3 * units).
    expect(pathsAndShapes(gru)).toEqual([
      ['gru/gru_cell/kernel', [4, 9]],
      ['gru/gru_cell/recurrent_kernel', [3, 9]],
      ['gru/gru_cell/bias', [2, 9]],
    ]);
    const conv = new ConvLSTM1D(2, 3, { name: 'conv_lstm1d' });
    tidy(() => conv.apply(randomTensor([1, 2, 5, 1])));
    expect(pathsAndShapes(conv)).toEqual([
      ['conv_lstm1d/conv_lstm_cell/kernel', [3, 1, 8]],
      ['conv_lstm1d/conv_lstm_cell/recurrent_kernel', [3, 2, 8]],
      ['conv_lstm1d/conv_lstm_cell/bias', [8]],
    ]);
  });

  it('StackedRNNCells nests each cell under the stack: <rnn>/<stack>/<cell>/<variable>', () => {
    const cells = new StackedRNNCells([new SimpleRNNCell(3, { name: 'c1' }), new LSTMCell(2, { name: 'c2' })], { name: 'stack' });
    const rnn = new RNN(cells, { name: 'rnn' });
    tidy(() => rnn.apply(randomTensor([1, 2, 4])));
    expect(pathsAndShapes(rnn)).toEqual([
      ['rnn/stack/c1/kernel', [4, 3]],
      ['rnn/stack/c1/recurrent_kernel', [3, 3]],
      ['rnn/stack/c1/bias', [3]],
      ['rnn/stack/c2/kernel', [3, 8]],
      ['rnn/stack/c2/recurrent_kernel', [2, 8]],
      ['rnn/stack/c2/bias', [8]],
    ]);
  });

  it('Bidirectional and TimeDistributed nest the wrapped layers, to any depth', () => {
    const bi = new Bidirectional(new LSTM(2, { name: 'enc' }), { name: 'bidirectional' });
    const td = new TimeDistributed(bi, { name: 'time_distributed' });
    tidy(() => td.apply(randomTensor([1, 2, 3, 4])));
    const cell = ['kernel', 'recurrent_kernel', 'bias'];
    const shapes = [
      [4, 8],
      [2, 8],
      [8],
    ];
    expect(pathsAndShapes(td)).toEqual([
      ...cell.map((v, i) => [`time_distributed/bidirectional/forward_enc/lstm_cell/${v}`, shapes[i]]),
      ...cell.map((v, i) => [`time_distributed/bidirectional/backward_enc/lstm_cell/${v}`, shapes[i]]),
    ]);
    expect(bi.path).toBe('time_distributed/bidirectional');
  });

  it('a sublayer first built inside its parent call nests under the parent', () => {
    const outer = new LazyOuter({ name: 'outer' });
    tidy(() => outer.apply(randomTensor([2, 3])));
    expect(pathsAndShapes(outer)).toEqual([
      ['outer/inner/kernel', [3, 2]],
      ['outer/inner/bias', [2]],
    ]);
  });

  it('a layer built before it is wrapped keeps its path (the first scope wins)', () => {
    const d = new Dense(2, { name: 'prebuilt' });
    tidy(() => d.apply(randomTensor([1, 3])));
    const td = new TimeDistributed(d, { name: 'td_prebuilt' });
    tidy(() => td.apply(randomTensor([1, 4, 3])));
    expect(td.weights.map((w) => w.path)).toEqual(['prebuilt/kernel', 'prebuilt/bias']);
  });

  it('a failing build leaves no scope open behind it', () => {
    const mha = new MultiHeadAttention(1, 2, { name: 'broken' });
    expect(() => tidy(() => mha.apply([randomTensor([1, 3]), randomTensor([1, 3])]))).toThrow(/broken/);
    const d = new Dense(1, { name: 'after_failure' });
    tidy(() => d.apply(randomTensor([1, 2])));
    expect(d.weights.map((w) => w.path)).toEqual(['after_failure/kernel', 'after_failure/bias']);
  });
});

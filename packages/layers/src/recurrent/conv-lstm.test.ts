import { KerasTensor, type Tensor, ops, tensor, tidy } from '@strata/core';
import { checkLayer, expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { RandomUniform } from '../initializers/random';
import type { ConvLSTM, ConvLSTMArgs } from './conv-lstm';
import { ConvLSTM1D } from './conv-lstm1d';
import { ConvLSTM2D } from './conv-lstm2d';
import { ConvLSTM3D } from './conv-lstm3d';

// ---- float64 reference (plain loops, channels_last, flat row-major arrays) ----

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d]! + idx[d]!;
  return i;
}

interface Arr {
  data: number[];
  shape: number[];
}

/** TF-style convolution of one sample `(spatial..., cin)` with `(k..., cin, cout)`. */
function conv(x: Arr, k: Arr, strides: number[], dil: number[], padding: 'valid' | 'same'): Arr {
  const r = x.shape.length - 1;
  const sp = x.shape.slice(0, r);
  const ks = k.shape.slice(0, r);
  const cin = x.shape[r]!;
  const cout = k.shape[r + 1]!;
  const outSp: number[] = [];
  const before: number[] = [];
  for (let d = 0; d < r; d++) {
    const keff = (ks[d]! - 1) * dil[d]! + 1;
    if (padding === 'valid') {
      outSp.push(Math.floor((sp[d]! - keff) / strides[d]!) + 1);
      before.push(0);
    } else {
      const o = Math.ceil(sp[d]! / strides[d]!);
      outSp.push(o);
      before.push(Math.floor(Math.max((o - 1) * strides[d]! + keff - sp[d]!, 0) / 2));
    }
  }
  const out = new Array<number>(prod(outSp) * cout).fill(0);
  for (let o = 0; o < prod(outSp); o++) {
    const oi = unravel(o, outSp);
    for (let t = 0; t < prod(ks); t++) {
      const ti = unravel(t, ks);
      const xi = oi.map((v, d) => v * strides[d]! + ti[d]! * dil[d]! - before[d]!);
      if (xi.some((v, d) => v < 0 || v >= sp[d]!)) continue;
      const xBase = ravel(xi, sp) * cin;
      for (let ci = 0; ci < cin; ci++) {
        const kBase = (t * cin + ci) * cout;
        for (let co = 0; co < cout; co++) out[o * cout + co]! += x.data[xBase + ci]! * k.data[kBase + co]!;
      }
    }
  }
  return { data: out, shape: [...outSp, cout] };
}

interface RefOpts {
  strides: number[];
  dil: number[];
  padding: 'valid' | 'same';
  goBackwards?: boolean;
}

/** ConvLSTM over a channels_last `(batch, time, spatial..., c)` input: `[sequence, h, c]` with shapes. */
function convLstmRef(x: Arr, kernel: Arr, rec: Arr, bias: number[] | null, o: RefOpts): [Arr, Arr, Arr] {
  const [batch, steps] = x.shape as [number, number];
  const frame = x.shape.slice(2);
  const fsz = prod(frame);
  const f = rec.shape[rec.shape.length - 2]!;
  const ones = o.strides.map(() => 1);
  const seq: number[] = [];
  const hs: number[] = [];
  const cs: number[] = [];
  let stateShape: number[] = [];
  const perBatch: number[][] = [];
  for (let b = 0; b < batch; b++) {
    let h: Arr | null = null;
    let c: number[] = [];
    const outs: number[][] = [];
    for (let s = 0; s < steps; s++) {
      const t = o.goBackwards ? steps - 1 - s : s;
      const xt: Arr = { data: x.data.slice((b * steps + t) * fsz, (b * steps + t + 1) * fsz), shape: frame };
      const zx = conv(xt, kernel, o.strides, o.dil, o.padding);
      const n = prod(zx.shape.slice(0, -1));
      if (h == null) {
        h = { data: new Array<number>(n * f).fill(0), shape: [...zx.shape.slice(0, -1), f] };
        c = new Array<number>(n * f).fill(0);
      }
      const zh = conv(h, rec, ones, ones, 'same');
      const hNew: number[] = [];
      const cNew: number[] = [];
      for (let p = 0; p < n; p++) {
        for (let j = 0; j < f; j++) {
          const z = (g: number) => zx.data[p * 4 * f + g * f + j]! + zh.data[p * 4 * f + g * f + j]! + (bias ? bias[g * f + j]! : 0);
          const cv = sig(z(1)) * c[p * f + j]! + sig(z(0)) * Math.tanh(z(2));
          cNew.push(cv);
          hNew.push(sig(z(3)) * Math.tanh(cv));
        }
      }
      h = { data: hNew, shape: h.shape };
      c = cNew;
      outs.push(hNew);
    }
    stateShape = h!.shape;
    perBatch.push(outs.flat());
    hs.push(...h!.data);
    cs.push(...c);
  }
  for (const p of perBatch) seq.push(...p);
  return [
    { data: seq, shape: [batch, steps, ...stateShape] },
    { data: hs, shape: [batch, ...stateShape] },
    { data: cs, shape: [batch, ...stateShape] },
  ];
}

// ---- helpers ----

function input(shape: number[], seed = 1): Tensor {
  const n = prod(shape);
  return tensor(Float32Array.from({ length: n }, (_, k) => Math.sin(k * 1.7 + seed) * 0.8), shape);
}

const arr = (t: Tensor): Arr => ({ data: Array.from(t.dataSync()), shape: [...t.shape] });
const asTensor = (a: Arr) => tensor(Float32Array.from(a.data), a.shape);

/** Seeded uniform initializers: every layer made with these gets the same weights. */
function seeded(): Partial<ConvLSTMArgs> {
  return {
    kernelInitializer: new RandomUniform(-0.5, 0.5, 11),
    recurrentInitializer: new RandomUniform(-0.5, 0.5, 12),
    biasInitializer: new RandomUniform(-0.3, 0.3, 13),
  };
}

/** Builds one layer from `make` on `x` and returns its weights as float64 arrays. */
function weightsOf(make: () => ConvLSTM, x: Tensor): Arr[] {
  const l = make();
  tidy(() => {
    l.apply(x);
  });
  const ws = l.getWeights().map((w) => {
    const a = arr(w);
    w.dispose();
    return a;
  });
  l.dispose();
  return ws;
}

describe('ConvLSTM2D', () => {
  it('matches the float64 reference and passes the standard check (valid, return_sequences)', () => {
    const x = input([2, 3, 4, 3, 2]);
    const make = () => new ConvLSTM2D(2, [2, 2], { ...seeded(), returnSequences: true, name: 'conv_lstm2d' });
    const [k, r, b] = weightsOf(make, x);
    expect(k!.shape).toEqual([2, 2, 2, 8]);
    expect(r!.shape).toEqual([2, 2, 2, 8]);
    expect(b!.shape).toEqual([8]);
    const [seq] = convLstmRef(arr(x), k!, r!, b!.data, { strides: [1, 1], dil: [1, 1], padding: 'valid' });
    const want = asTensor(seq);
    const { layer } = checkLayer({
      make,
      input: x,
      expected: want,
      badInputs: [
        { input: input([2, 3, 4, 2]), message: /"conv_lstm2d".*ndim=5.*\(2, 3, 4, 2\)/ },
        { input: input([2, 3, 4, 3, 5]), message: /"conv_lstm2d".*axis 4.*value 2.*\(2, 3, 4, 3, 5\)/ },
      ],
    });
    expect(layer.weights.map((w) => [w.path, w.shape])).toEqual([
      ['conv_lstm2d/conv_lstm_cell/kernel', [2, 2, 2, 8]],
      ['conv_lstm2d/conv_lstm_cell/recurrent_kernel', [2, 2, 2, 8]],
      ['conv_lstm2d/conv_lstm_cell/bias', [8]],
    ]);
    expect(Object.keys(layer.getConfig()).sort()).toEqual(
      [
        'name',
        'trainable',
        'dtype',
        'return_sequences',
        'return_state',
        'go_backwards',
        'stateful',
        'unroll',
        'zero_output_for_mask',
        'filters',
        'kernel_size',
        'strides',
        'padding',
        'data_format',
        'dilation_rate',
        'activation',
        'recurrent_activation',
        'use_bias',
        'kernel_initializer',
        'recurrent_initializer',
        'bias_initializer',
        'unit_forget_bias',
        'kernel_regularizer',
        'recurrent_regularizer',
        'bias_regularizer',
        'activity_regularizer',
        'kernel_constraint',
        'recurrent_constraint',
        'bias_constraint',
        'dropout',
        'recurrent_dropout',
        'seed',
      ].sort(),
    );
    expect(layer.getConfig()).toMatchObject({
      filters: 2,
      kernel_size: [2, 2],
      strides: [1, 1],
      padding: 'valid',
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
      unit_forget_bias: true,
      return_sequences: true,
      return_state: false,
      go_backwards: false,
    });
    layer.dispose();
    want.dispose();
    x.dispose();
  });

  it('same padding + strides, return_state and go_backwards match the reference', () => {
    const x = input([1, 3, 5, 4, 2], 2);
    const make = () => new ConvLSTM2D({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', returnState: true, goBackwards: true, ...seeded() });
    const [k, r, b] = weightsOf(make, x);
    const [, h, c] = convLstmRef(arr(x), k!, r!, b!.data, { strides: [2, 2], dil: [1, 1], padding: 'same', goBackwards: true });
    expect(h.shape).toEqual([1, 3, 2, 3]);
    const { layer, outputShapes } = checkLayer({ make, input: x, expected: [asTensor(h), asTensor(h), asTensor(c)] });
    expect(outputShapes).toEqual([
      [1, 3, 2, 3],
      [1, 3, 2, 3],
      [1, 3, 2, 3],
    ]);
    layer.dispose();
    x.dispose();
  });

  it('dilation, no bias, unit_forget_bias initialisation and channels_first', () => {
    const x = input([1, 2, 5, 5, 1], 3);
    const make = () => new ConvLSTM2D(2, 2, { dilationRate: 2, useBias: false, ...seeded() });
    const [k, r] = weightsOf(make, x);
    const [, h] = convLstmRef(arr(x), k!, r!, null, { strides: [1, 1], dil: [2, 2], padding: 'valid' });
    const { layer } = checkLayer({ make, input: x, expected: asTensor(h) });
    expect(layer.weights.length).toBe(2);
    layer.dispose();

    const zeroBias = new ConvLSTM2D(2, 2);
    tidy(() => {
      zeroBias.apply(x);
    });
    expect(Array.from(zeroBias.cell.bias!.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    zeroBias.dispose();

    const xf = ops.transpose(x, [0, 1, 4, 2, 3]);
    const makeFirst = () => new ConvLSTM2D(2, 2, { dilationRate: 2, useBias: false, dataFormat: 'channels_first', returnSequences: true, ...seeded() });
    const [seq] = convLstmRef(arr(x), k!, r!, null, { strides: [1, 1], dil: [2, 2], padding: 'valid' });
    const wantFirst = ops.transpose(asTensor(seq), [0, 1, 4, 2, 3]);
    const first = checkLayer({ make: makeFirst, input: xf, expected: wantFirst });
    expect(first.outputShapes).toEqual([[1, 2, 2, 3, 3]]);
    first.layer.dispose();
    xf.dispose();
    wantFirst.dispose();
    x.dispose();
  });

  it('symbolic shapes for return_sequences / return_state; masks and initial states', () => {
    const l = new ConvLSTM2D(4, 3, { padding: 'same', returnSequences: true, returnState: true });
    const outs = l.apply(new KerasTensor([null, 5, 8, 6, 3])) as unknown as KerasTensor[];
    expect(outs.map((t) => t.shape)).toEqual([
      [null, 5, 8, 6, 4],
      [null, 8, 6, 4],
      [null, 8, 6, 4],
    ]);
    const v = new ConvLSTM2D(4, 3, { strides: [2, 1] });
    expect(v.computeOutputShape([null, null, 9, 6, 3])).toEqual([null, 4, 4, 4]);

    // a fully masked last step keeps the states of the step before.
    const x = input([2, 3, 4, 4, 1], 4);
    const m = new ConvLSTM2D(2, 3, { padding: 'same', ...seeded() });
    tidy(() => {
      const full = m.apply(ops.slice(x, [0, 0, 0, 0, 0], [2, 2, 4, 4, 1])) as Tensor;
      const masked = m.apply(x, { mask: tensor([[1, 1, 0], [1, 1, 0]], [2, 3], 'bool') }) as Tensor;
      expectAllClose(masked, full, { atol: 1e-6 });
      // given zero initial states equal the default ones; wrong shapes are rejected by name.
      const z = ops.zeros([2, 4, 4, 2]);
      expectAllClose(m.apply(x, { initialState: [z, z] }) as Tensor, m.apply(x) as Tensor, { atol: 0 });
      expect(() => m.apply(x, { initialState: [ops.zeros([2, 3, 3, 2]), z] })).toThrow(/conv_lstm2d.*initial states.*\(2, 4, 4, 2\)/);
    });
    m.dispose();
    x.dispose();
    expect(() => new ConvLSTM2D(2, 3, { padding: 'causal' as never })).toThrow(/padding/);
    expect(() => new ConvLSTM2D({ filters: 2 })).toThrow(/kernel_size/);
  });

  it('dropout masks are applied in training only', () => {
    const x = input([2, 3, 4, 4, 2], 5);
    const l = new ConvLSTM2D(2, 3, { dropout: 0.5, recurrentDropout: 0.5, seed: 1, padding: 'same' });
    tidy(() => {
      const a = l.apply(x) as Tensor;
      const b = l.apply(x) as Tensor;
      expectAllClose(a, b, { atol: 0 });
      const c = l.apply(x, { training: true }) as Tensor;
      expect(c.shape).toEqual([2, 4, 4, 2]);
      expect(Math.abs((ops.sum(ops.abs(ops.subtract(a, c))).dataSync()[0] ?? 0))).toBeGreaterThan(0);
    });
    l.dispose();
    x.dispose();
  });
});

describe('ConvLSTM1D / ConvLSTM3D', () => {
  it('ConvLSTM1D matches the reference and passes the standard check', () => {
    const x = input([2, 3, 6, 2], 6);
    const make = () => new ConvLSTM1D(3, 3, { strides: 2, returnSequences: true, ...seeded() });
    const [k, r, b] = weightsOf(make, x);
    expect(k!.shape).toEqual([3, 2, 12]);
    expect(r!.shape).toEqual([3, 3, 12]);
    const [seq] = convLstmRef(arr(x), k!, r!, b!.data, { strides: [2], dil: [1], padding: 'valid' });
    const { layer, outputShapes } = checkLayer({
      make,
      input: x,
      expected: asTensor(seq),
      badInputs: [{ input: input([2, 3, 6]), message: /"conv_lstm1d(_\d+)?".*ndim=4.*\(2, 3, 6\)/ }],
    });
    expect(outputShapes).toEqual([[2, 3, 2, 3]]);
    layer.dispose();
    x.dispose();
  });

  it('ConvLSTM3D matches the reference and passes the standard check', () => {
    const x = input([1, 2, 3, 3, 3, 1], 7);
    const make = () => new ConvLSTM3D(2, 2, { padding: 'same', returnState: true, ...seeded() });
    const [k, r, b] = weightsOf(make, x);
    expect(k!.shape).toEqual([2, 2, 2, 1, 8]);
    expect(r!.shape).toEqual([2, 2, 2, 2, 8]);
    const [, h, c] = convLstmRef(arr(x), k!, r!, b!.data, { strides: [1, 1, 1], dil: [1, 1, 1], padding: 'same' });
    const { layer, outputShapes } = checkLayer({
      make,
      input: x,
      expected: [asTensor(h), asTensor(h), asTensor(c)],
      badInputs: [{ input: input([1, 2, 3, 3, 1]), message: /"conv_lstm3d(_\d+)?".*ndim=6.*\(1, 2, 3, 3, 1\)/ }],
    });
    expect(outputShapes[0]).toEqual([1, 3, 3, 3, 2]);
    layer.dispose();
    x.dispose();
  });
});

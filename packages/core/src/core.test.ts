import * as tfc from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { backendInitError, listUsableBackends, registerBackend } from './backend';
import {
  BackendError,
  KerasTensor,
  SeedGenerator,
  SerializationError,
  ValueError,
  Variable,
  conv2dFilterGrad,
  deserializeKerasObject,
  getBackend,
  getIdentifier,
  grad,
  listBackends,
  memory,
  ops,
  random,
  registerClass,
  registerIdentifier,
  registerKerasSerializable,
  serializeKerasObject,
  setBackend,
  stopGradient,
  tensor,
  tidy,
  toSnakeCase,
  variableGrads,
} from './index';

const values = (t: tfc.Tensor) => Array.from(t.dataSync());

describe('tensors and ops', () => {
  it('creates tensors from nested arrays, typed arrays and tensors', () => {
    expect(tensor([[1, 2], [3, 4]]).shape).toEqual([2, 2]);
    const t = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor(t, [3, 2]).shape).toEqual([3, 2]);
    expect(() => tensor(new Float32Array(5), [2, 3])).toThrow(ValueError);
  });

  it('computes keras.ops values', () => {
    tidy(() => {
      const x = tensor([[1, -2], [3, -4]]);
      expect(values(ops.sum(x, 1))).toEqual([-1, -1]);
      expect(values(ops.matmul(x, tensor([[1], [1]])))).toEqual([-1, -1]);
      expect(values(ops.matmul(tensor([[[1, 2]], [[3, 4]]]), tensor([[1], [2]])))).toEqual([5, 11]);
      expect(values(ops.where(ops.greater(x, 0), x, 0))).toEqual([1, 0, 3, 0]);
      expect(values(ops.oneHot([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
      expect(values(ops.oneHot([1], 2, 0))).toEqual([0, 1]);
      expect(values(ops.hardSigmoid(tensor([-3, 0, 3])))).toEqual([0, 0.5, 1]);
      expect(values(ops.repeat(tensor([[1, 2]]), 2, 1))).toEqual([1, 1, 2, 2]);
      expect(ops.split(tensor([1, 2, 3, 4, 5]), [2, 3]).map(values)).toEqual([[1, 2], [3], [4, 5]]);
      const gelu = values(ops.gelu(tensor([1]), false))[0]!;
      expect(gelu).toBeCloseTo(0.8413447, 6);
      // Keras CCE on probabilities: normalise, clip to [1e-7, 1 - 1e-7], -sum(y log p).
      const cce = values(ops.categoricalCrossentropy(tensor([[0, 1]]), tensor([[1, 1]])))[0]!;
      expect(cce).toBeCloseTo(Math.log(2), 6);
      const bce = values(ops.binaryCrossentropy(tensor([1]), tensor([2]), true))[0]!;
      expect(bce).toBeCloseTo(Math.log1p(Math.exp(-2)), 6);
    });
  });

  it('registers gradients for plain Node use, including chained ops', () => {
    const g = grad((x: tfc.Tensor) => ops.sum(ops.square(x)))(tensor([1, 2, 3]));
    expect(values(g)).toEqual([2, 4, 6]);
    const chained = grad((x: tfc.Tensor) => x.square().sum())(tensor([1, 2]));
    expect(values(chained)).toEqual([2, 4]);
    const elu = grad((x: tfc.Tensor) => ops.sum(ops.elu(x, 0.5)))(tensor([-1, 2]));
    expect(values(elu)[0]).toBeCloseTo(0.5 * Math.exp(-1), 6);
    expect(values(elu)[1]).toBeCloseTo(1, 6);
    // Comparisons are non-differentiable: a path through where(greater(x, 0), ...) still works.
    const masked = grad((x: tfc.Tensor) => ops.sum(ops.where(ops.greater(x, 0), ops.square(x), 0)))(tensor([-1, 3]));
    expect(values(masked)).toEqual([0, 6]);
    // Rank 5, rows repeated twice: each input row collects the weights of its two copies.
    const weights = ops.reshape(ops.arange(8), [1, 1, 1, 4, 2]);
    const rep = grad((x: tfc.Tensor) => ops.sum(ops.multiply(ops.repeat(x, 2, 3), weights)))(ops.ones([1, 1, 1, 2, 2]));
    expect(values(rep)).toEqual([2, 4, 10, 12]);
    const stopped = grad((x: tfc.Tensor) => ops.sum(ops.multiply(stopGradient(x), x)))(tensor([3]));
    expect(values(stopped)).toEqual([3]);
  });
});

describe('conv2d gradients', () => {
  const cases: [string, number[], number[], [number, number], 'valid' | 'same' | tfc.backend_util.ExplicitPadding, [number, number]][] = [
    ['valid stride 1', [2, 6, 6, 3], [3, 3, 3, 4], [1, 1], 'valid', [1, 1]],
    ['same stride 2', [2, 7, 7, 2], [3, 3, 2, 3], [2, 2], 'same', [1, 1]],
    ['valid stride 2, uneven', [1, 8, 7, 2], [3, 2, 2, 2], [2, 2], 'valid', [1, 1]],
    ['same dilation 2', [1, 7, 7, 2], [3, 3, 2, 2], [1, 1], 'same', [2, 2]],
    ['explicit padding, stride 2', [1, 6, 5, 2], [3, 3, 2, 2], [2, 2], [[0, 0], [1, 0], [0, 2], [0, 0]], [1, 1]],
  ];
  for (const [name, xs, ws, strides, pad, dil] of cases) {
    it(`filter and input gradients match the engine's own kernels (${name})`, () => {
      tidy(() => {
        const x = random.normal(xs, 0, 1, { seed: 1 }) as tfc.Tensor4D;
        const w = random.normal(ws, 0, 1, { seed: 2 }) as tfc.Tensor4D;
        const y = tfc.conv2d(x, w, strides, pad, 'NHWC', dil);
        const dy = random.normal(y.shape, 0, 1, { seed: 3 }) as tfc.Tensor4D;
        const ours = conv2dFilterGrad(x, dy, ws as [number, number, number, number], { strides, pad, dataFormat: 'NHWC', dilations: dil });
        if (dil[0] === 1) {
          const reference = tfc.engine().runKernel(tfc.Conv2DBackpropFilter, { x, dy }, {
            strides,
            pad,
            dataFormat: 'NHWC',
            filterShape: ws,
          } as unknown as tfc.NamedAttrMap) as tfc.Tensor;
          expect(tfc.max(tfc.abs(tfc.sub(ours, reference))).dataSync()[0]).toBeLessThan(1e-4);
        }
        // Both gradients against the directional derivative of sum(conv * dy).
        const f = (xx: tfc.Tensor4D, ww: tfc.Tensor4D) => tfc.sum(tfc.mul(tfc.conv2d(xx, ww, strides, pad, 'NHWC', dil), dy));
        const [gx, gw] = tfc.grads((a: tfc.Tensor, b: tfc.Tensor) => f(a as tfc.Tensor4D, b as tfc.Tensor4D))([x, w]);
        const vx = random.normal(xs, 0, 1, { seed: 4 });
        const vw = random.normal(ws, 0, 1, { seed: 5 });
        // f is bilinear, so f(x + e vx, w) - f(x - e vx, w) = 2 e <gx, vx> exactly (up to rounding).
        const e = 1e-2;
        const dx = (f(tfc.add(x, tfc.mul(vx, e)) as tfc.Tensor4D, w).dataSync()[0]! - f(tfc.sub(x, tfc.mul(vx, e)) as tfc.Tensor4D, w).dataSync()[0]!) / (2 * e);
        const dw = (f(x, tfc.add(w, tfc.mul(vw, e)) as tfc.Tensor4D).dataSync()[0]! - f(x, tfc.sub(w, tfc.mul(vw, e)) as tfc.Tensor4D).dataSync()[0]!) / (2 * e);
        expect(tfc.sum(tfc.mul(gx!, vx)).dataSync()[0]).toBeCloseTo(dx, 1);
        expect(tfc.sum(tfc.mul(gw!, vw)).dataSync()[0]).toBeCloseTo(dw, 1);
        expect(Math.abs(tfc.sum(tfc.mul(gw!, vw)).dataSync()[0]! - dw) / Math.max(1, Math.abs(dw))).toBeLessThan(1e-3);
        expect(Math.abs(tfc.sum(tfc.mul(gx!, vx)).dataSync()[0]! - dx) / Math.max(1, Math.abs(dx))).toBeLessThan(1e-3);
      });
    });
  }
});

describe('Variable and variableGrads', () => {
  it('keeps Keras names, checks shapes and differentiates in variable order', () => {
    const a = new Variable({ initializer: [1, 2], name: 'kernel', path: 'dense/kernel' });
    const b = new Variable({ initializer: [3], name: 'kernel' });
    const unused = new Variable({ initializer: [[5]], name: 'unused' });
    expect(a.path).toBe('dense/kernel');
    expect(() => a.assign([1, 2, 3])).toThrow(/dense\/kernel.*\(3,\).*\(2,\)/);
    const before = memory().numTensors;
    const { value, grads } = variableGrads(() => ops.sum(ops.multiply(ops.square(a.value), b.value)) as tfc.Scalar, [b, a, unused]);
    expect(values(value)).toEqual([15]);
    expect(grads.map(values)).toEqual([[5], [6, 12], [0]]);
    tfc.dispose([value, ...grads]);
    expect(memory().numTensors).toBe(before);
    a.assignSub(tensor([1, 1]));
    expect(values(a.value)).toEqual([0, 1]);
    for (const v of [a, b, unused]) v.dispose();
  });

  it('builds from an initializer function with a shape', () => {
    const v = new Variable({ initializer: (shape) => ops.ones(shape), shape: [2, 3] });
    expect(v.shape).toEqual([2, 3]);
    expect(() => new Variable({ initializer: () => ops.ones([1]) })).toThrow(/shape/);
    v.dispose();
  });
});

describe('random', () => {
  it('is reproducible from a seed and a SeedGenerator', () => {
    expect(values(random.normal([4], 0, 1, { seed: 3 }))).toEqual(values(random.normal([4], 0, 1, { seed: 3 })));
    const g1 = new SeedGenerator(42);
    const g2 = new SeedGenerator(42);
    expect([g1.next(), g1.next()]).toEqual([g2.next(), g2.next()]);
    expect(Array.from(random.permutation(10, 5)).sort((p, q) => p - q)).toEqual([...Array(10).keys()]);
  });

  it('dropout zeroes about `rate` of the entries and rescales the rest', () => {
    tidy(() => {
      const y = values(random.dropout(ops.ones([10000]), 0.3, null, 7));
      const kept = y.filter((v) => v !== 0);
      expect(kept.length / y.length).toBeGreaterThan(0.67);
      expect(kept.length / y.length).toBeLessThan(0.73);
      expect(kept[0]).toBeCloseTo(1 / 0.7, 5);
    });
  });
});

describe('backends', () => {
  it('uses cpu by default and names the registered backends on a bad name', async () => {
    expect(getBackend()).toBe('cpu');
    expect(listBackends()).toContain('cpu');
    await expect(setBackend('nope')).rejects.toThrow(BackendError);
    await expect(setBackend('nope')).rejects.toThrow(/Registered backends: .*cpu/);
  });

  it('a backend that fails to initialise: BackendError with its reason, previous backend kept, left out of listBackends', async () => {
    await setBackend('cpu');
    registerBackend('test-broken-sync', () => {
      throw new Error('no device here');
    }, 0);
    expect(listBackends()).toContain('test-broken-sync');
    await expect(setBackend('test-broken-sync')).rejects.toThrow(
      /^Backend 'test-broken-sync' failed to initialise: no device here\. Usable backends: cpu.*\(e\.g\. await setBackend\('cpu'\)\)\.$/,
    );
    expect(getBackend()).toBe('cpu');
    expect(Array.from(ops.add(tensor([1]), tensor([2])).dataSync())).toEqual([3]);
    expect(listBackends()).not.toContain('test-broken-sync');
    expect(backendInitError('test-broken-sync')?.message).toBe('no device here');
    expect(backendInitError('cpu')).toBeNull();
    // Still registered: a retry (e.g. after installing a driver) is attempted, and fails the same way.
    await expect(setBackend('test-broken-sync')).rejects.toThrow(BackendError);
    tfc.removeBackend('test-broken-sync');
  });

  it("an async backend's own BackendError reaches the caller unchanged", async () => {
    const own = new BackendError('No adapter. Fall back with setBackend(\'cpu\').');
    registerBackend('test-broken-async', async () => Promise.reject(own), 0);
    const err = await setBackend('test-broken-async').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBe(own);
    expect(getBackend()).toBe('cpu');
    expect(listBackends()).not.toContain('test-broken-async');
    tfc.removeBackend('test-broken-async');
  });

  it('listUsableBackends initialises each registered backend without switching and drops the failures', async () => {
    await setBackend('cpu');
    let made = 0;
    registerBackend('test-cpu-copy', () => {
      made++;
      return new MathBackendCPU();
    }, 0);
    registerBackend('test-broken-probe', async () => {
      throw new Error('probe failed');
    }, 0);
    expect(listBackends()).toEqual(expect.arrayContaining(['cpu', 'test-cpu-copy', 'test-broken-probe']));
    const usable = await listUsableBackends();
    expect(usable).toContain('cpu');
    expect(usable).toContain('test-cpu-copy');
    expect(usable).not.toContain('test-broken-probe');
    expect(made).toBe(1);
    expect(getBackend()).toBe('cpu');
    expect(backendInitError('test-broken-probe')?.message).toBe('probe failed');
    // Already initialised backends are not made again; switching to one is immediate.
    await listUsableBackends();
    expect(made).toBe(1);
    await setBackend('test-cpu-copy');
    expect(getBackend()).toBe('test-cpu-copy');
    await setBackend('cpu');
    tfc.removeBackend('test-cpu-copy');
    tfc.removeBackend('test-broken-probe');
  });
});

describe('serialization registry', () => {
  class Scale {
    constructor(readonly factor = 1) {}
    getConfig() {
      return { factor: this.factor };
    }
    static fromConfig<T>(this: new (f?: number) => T, config: { factor?: number }): T {
      return new this(config.factor);
    }
  }

  it('round-trips built-in and user classes in Keras dict form', () => {
    registerClass('test_builtin', Scale, { module: 'keras.test', className: 'Scale' });
    const s = serializeKerasObject(new Scale(3));
    expect(s).toEqual({ module: 'keras.test', class_name: 'Scale', config: { factor: 3 }, registered_name: null });
    expect(deserializeKerasObject<Scale>('test_builtin', s).factor).toBe(3);

    class Custom extends Scale {}
    registerKerasSerializable(Custom, { package: 'MyPkg' });
    const c = serializeKerasObject(new Custom(2));
    expect(c.registered_name).toBe('MyPkg>Custom');
    expect(deserializeKerasObject('layer', c)).toBeInstanceOf(Custom);
    expect(() => deserializeKerasObject('layer', { module: null, class_name: 'Nope', config: {}, registered_name: null })).toThrow(/Unknown layer class 'Nope'/);
  });

  it('resolves snake_case and camelCase identifiers and lists known ones on a miss', () => {
    registerIdentifier('test_fn', ['mean_thing', 'mt'], () => 'ok');
    expect(getIdentifier('test_fn', 'meanThing')).toBe('ok');
    expect(getIdentifier('test_fn', 'MT')).toBe('ok');
    expect(() => getIdentifier('test_fn', 'other')).toThrow(SerializationError);
    expect(() => getIdentifier('test_fn', 'other')).toThrow(/Known: mean_thing, mt/);
    expect(['Conv2D', 'MaxPooling2D', 'glorotUniform', 'GlobalAveragePooling2D'].map(toSnakeCase)).toEqual([
      'conv2d',
      'max_pooling2d',
      'glorot_uniform',
      'global_average_pooling2d',
    ]);
  });

  it('KerasTensor carries shape, dtype and history', () => {
    const t = new KerasTensor([null, 4], 'float32', { name: 'x' });
    expect(t.rank).toBe(2);
    expect(String(t)).toBe('<KerasTensor shape=(None, 4), dtype=float32, name=x>');
  });
});

describe('ops memory', () => {
  it('frees the tensors made from number and array arguments', () => {
    const x = tensor([[1, 0], [2, 3]]);
    const before = memory().numTensors;
    const outs = [
      ops.notEqual(x, 0),
      ops.add(x, [1, 2]),
      ops.where(ops.greater(x, 1), x, 0),
      ops.take(x, [1], 0),
      ops.oneHot([1, 0], 2),
      ops.maximum(x, 1),
    ];
    // Each op leaves only its result (and `where` the comparison passed in).
    expect(memory().numTensors - before).toBe(outs.length + 1);
  });
});

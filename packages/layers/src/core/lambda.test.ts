import { type Config, KerasTensor, SerializationError, type Tensor, ValueError, deserializeKerasObject, ops, serializeKerasObject, tensor, tidy } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
//(lead): import from '@strata/test-utils' once layer-checks is exported from its index.
import { checkLayer } from '@strata/test-utils';
import { randomTensor } from '../testing/layer-checks';
import { Lambda, type LambdaFunction, getLambdaFunction, registerLambdaFunction } from './lambda';

const scaledTanh: LambdaFunction = (x, args) => ops.multiply(ops.tanh(x as Tensor), (args.scale as number) ?? 1);
registerLambdaFunction('lambda_test_scaled_tanh', scaledTanh);
const sumPair: LambdaFunction = (xs) => ops.add((xs as Tensor[])[0]!, (xs as Tensor[])[1]!);
registerLambdaFunction('lambda_test_sum_pair', sumPair);
const splitHalves: LambdaFunction = (x) => ops.split(x as Tensor, 2, -1);
registerLambdaFunction('lambda_test_split', splitHalves);
const squareShape = (s: unknown) => s as (number | null)[];
registerLambdaFunction('lambda_test_same_shape', squareShape);

describe('Lambda', () => {
  it('passes the standard layer check (values, shapes, grads, config, leaks)', () => {
    const x = tensor([[0.1, -0.5, 0.3], [1, 0.2, -0.7]]);
    const expected = (x.arraySync() as number[][]).map((r) => r.map((v) => 2 * Math.tanh(v)));
    const { layer } = checkLayer({
      make: () => new Lambda(scaledTanh, { arguments: { scale: 2 } }),
      input: x,
      expected,
      badInputs: [],
    });
    expect(layer.getConfig()).toMatchObject({ function: 'lambda_test_scaled_tanh', function_type: 'registered', arguments: { scale: 2 } });
    x.dispose();
  });

  it('works on lists of inputs and outputs; a given output_shape is used without the batch axis', () => {
    const a = randomTensor([2, 4], 1);
    const b = randomTensor([2, 4], 2);
    checkLayer({ make: () => new Lambda('lambda_test_sum_pair', { outputShape: [4] }), input: [a, b] });
    const split = checkLayer({ make: () => new Lambda(splitHalves), input: a });
    expect(split.outputShapes).toEqual([
      [2, 2],
      [2, 2],
    ]);
    const named = new Lambda({ function: 'lambda_test_scaled_tanh', outputShape: 'lambda_test_same_shape' });
    expect(named.computeOutputShape([null, 5])).toEqual([null, 5]);
    expect(named.getConfig()).toMatchObject({ output_shape: 'lambda_test_same_shape', output_shape_type: 'registered' });
    expect(new Lambda(sumPair, { outputShape: [3] }).computeOutputShape([[null, 3], [null, 3]])).toEqual([null, 3]);
    const sym = new Lambda(scaledTanh).apply(new KerasTensor([null, 7]));
    expect(sym.shape).toEqual([null, 7]);
    a.dispose();
    b.dispose();
  });

  it('round-trips through serializeKerasObject by registered name', () => {
    const l = new Lambda(scaledTanh, { arguments: { scale: 3 }, name: 'lam' });
    const clone = deserializeKerasObject<Lambda>('layer', JSON.parse(JSON.stringify(serializeKerasObject(l))));
    expect(clone).toBeInstanceOf(Lambda);
    expect(clone.function).toBe(scaledTanh);
    tidy(() => expectAllClose(clone.apply(tensor([0.5])), [3 * Math.tanh(0.5)]));
    // Keras 3's serialized (registered) function form is accepted too.
    const keras = Lambda.fromConfig({ name: 'k', function: { module: 'builtins', class_name: 'function', config: 'lambda_test_scaled_tanh', registered_name: 'function' } } as Config);
    expect(keras.function).toBe(scaledTanh);
  });

  it('refuses Python bytecode and unknown names with a SerializationError naming the layer', () => {
    const bytecode = { class_name: '__lambda__', config: { code: '4wEAAAAAAAAA', defaults: null, closure: null } };
    expect(() => Lambda.fromConfig({ name: 'evil_lambda', function: bytecode } as Config)).toThrow(SerializationError);
    expect(() => Lambda.fromConfig({ name: 'evil_lambda', function: bytecode } as Config)).toThrow(/evil_lambda.*bytecode/);
    expect(() => Lambda.fromConfig({ name: 'old', function: '4wEAAAAA', function_type: 'lambda' } as Config)).toThrow(/"old".*bytecode/);
    expect(() => Lambda.fromConfig({ name: 'unk', function: 'nope_fn' } as Config)).toThrow(/"unk".*'nope_fn'/);
    const unregistered = new Lambda((x) => x, { name: 'anon' });
    expect(() => unregistered.getConfig()).toThrow(/"anon".*registerLambdaFunction/);
    expect(() => new Lambda({} as never)).toThrow(ValueError);
  });

  it('registry: same function again is fine, a taken name is an error; mask functions run', () => {
    registerLambdaFunction('lambda_test_scaled_tanh', scaledTanh);
    expect(() => registerLambdaFunction('lambda_test_scaled_tanh', sumPair)).toThrow(/already registered/);
    expect(getLambdaFunction('lambda_test_sum_pair')).toBe(sumPair);
    const maskFn = (x: Tensor | Tensor[]) => ops.greater(x as Tensor, 0);
    registerLambdaFunction('lambda_test_mask', maskFn);
    const l = new Lambda(scaledTanh, { mask: 'lambda_test_mask' });
    tidy(() => {
      const m = l.computeMask(tensor([1, -1]), null) as Tensor;
      expect(Array.from(m.dataSync())).toEqual([1, 0]);
    });
    expect(l.getConfig()).toMatchObject({ mask: 'lambda_test_mask', mask_type: 'registered' });
  });
});

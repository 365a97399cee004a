import * as tfc from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { grads, memory, tensor, tidy } from '../index';
import { einsumGradConfig, einsumOperandGrad } from './einsum';

tfc.registerGradient(einsumGradConfig);

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) / 2 ** 24 - 0.5;
  }
  return out;
}

const rand = (shape: number[], seed: number) => tensor(seeded(shape.reduce((a, b) => a * b, 1), seed), shape);

/** Largest relative error between einsum's analytic gradient and central finite differences of sum(y * r). */
function einsumGradError(equation: string, shapes: number[][]): number {
  const xs = shapes.map((s, i) => rand(s, 11 + i));
  const f = (...ts: tfc.Tensor[]) => {
    const y = tfc.einsum(equation, ...ts);
    return tfc.sum(tfc.mul(y, tfc.add(rand(y.shape, 5), 1)));
  };
  const analytic = tidy(() => grads(f)(xs).map((g, k) => {
    expect(g.shape).toEqual(xs[k]!.shape);
    return Array.from(g.dataSync());
  }));
  const eps = 1e-2;
  let worst = 0;
  xs.forEach((x, k) => {
    const base = x.dataSync();
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) =>
        tidy(() => {
          const v = Float32Array.from(base);
          v[i] = base[i]! + d;
          return f(...xs.map((t, j) => (j === k ? tensor(v, t.shape) : t))).dataSync()[0]!;
        });
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      worst = Math.max(worst, Math.abs(analytic[k]![i]! - fd) / Math.max(1, Math.abs(fd)));
    }
  });
  for (const x of xs) x.dispose();
  return worst;
}

describe('einsum gradient', () => {
  const cases: [string, number[][]][] = [
    ['ab,bc->ac', [[2, 3], [3, 4]]],
    ['abc,cd->abd', [[2, 3, 4], [4, 2]]],
    ['abc,cde->abde', [[2, 2, 3], [3, 2, 2]]],
    ['abc,cd->abd'.replace('abd', 'dba'), [[2, 3, 2], [2, 3]]],
    ['abcd,cde->abe', [[2, 2, 3, 2], [3, 2, 2]]],
    ['ab,bc->a', [[2, 3], [3, 2]]], // c is summed out of the second operand only
    ['a,b->ab', [[3], [2]]],
    ['ab,ab->', [[2, 3], [2, 3]]],
    ['ab,ab->a', [[2, 3], [2, 3]]],
    ['ab->a', [[2, 3]]],
    ['abc->ca', [[2, 3, 2]]],
    ['ab->', [[2, 3]]],
    ['ab->ba', [[2, 3]]],
  ];
  for (const [equation, shapes] of cases) {
    it(`matches finite differences for '${equation}'`, () => {
      expect(einsumGradError(equation, shapes)).toBeLessThan(1e-2);
    });
  }

  // tfjs' forward einsum mis-shapes 'ab,c->ab' (a label only one operand has, dropped from the
  // output), so this case is checked on the gradient function directly.
  it('broadcasts labels summed out of one operand only', () => {
    tidy(() => {
      const a = rand([2, 3], 1);
      const c = rand([4], 2);
      const dy = rand([2, 3], 3);
      const ga = einsumOperandGrad('ab,c->ab', dy, [a, c], 0);
      const gc = einsumOperandGrad('ab,c->ab', dy, [a, c], 1);
      const sc = Array.from(c.dataSync()).reduce((p, v) => p + v, 0);
      const sAD = Array.from(a.dataSync()).reduce((p, v, i) => p + v * dy.dataSync()[i]!, 0);
      expect(ga.shape).toEqual([2, 3]);
      const gad = ga.dataSync();
      for (let i = 0; i < gad.length; i++) expect(gad[i]).toBeCloseTo(dy.dataSync()[i]! * sc, 5);
      expect(gc.shape).toEqual([4]);
      for (const v of gc.dataSync()) expect(v).toBeCloseTo(sAD, 5);
      const gb = einsumOperandGrad('a,b->b', rand([2], 4), [rand([3], 5), rand([2], 6)], 0);
      expect(gb.shape).toEqual([3]);
    });
  });

  it('gives the exact matmul gradients and leaks nothing', () => {
    const a = rand([2, 3], 1);
    const b = rand([3, 4], 2);
    tidy(() => {
      const [ga, gb] = grads((x: tfc.Tensor, y: tfc.Tensor) => tfc.sum(tfc.einsum('ab,bc->ac', x, y)))([a, b]);
      const ones = tfc.ones([2, 4]);
      const ea = tfc.matMul(ones, b, false, true);
      const eb = tfc.matMul(a, ones, true, false);
      expect(Array.from(ga!.dataSync())).toEqual(Array.from(ea.dataSync()));
      expect(Array.from(gb!.dataSync())).toEqual(Array.from(eb.dataSync()));
    });
    const before = memory().numTensors;
    tidy(() => {
      grads((x: tfc.Tensor, y: tfc.Tensor) => tfc.sum(tfc.einsum('ab,bc->a', x, y)))([a, b]);
    });
    expect(memory().numTensors).toBe(before);
    a.dispose();
    b.dispose();
  });
});

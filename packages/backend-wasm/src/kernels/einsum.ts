import { type Tensor, ValueError, ops, tidy } from '@strata/core';
import { type KernelArgs, type KernelConfig, runKernel } from '../tfjs';

interface Term {
  t: Tensor;
  labels: string;
}

/** Parses `'ab,bc->ac'` into input terms and the output term (the forms tfjs' einsum accepts). */
export function parseEquation(equation: string, numInputs: number): { inputs: string[]; output: string } {
  const eq = equation.replace(/\s/g, '');
  if (eq.includes('.')) throw new ValueError(`Einsum (wasm): ellipses ('...') are not supported, got '${equation}'.`);
  const parts = eq.split('->');
  if (parts.length !== 2) throw new ValueError(`Einsum (wasm): the equation needs exactly one '->', got '${equation}'.`);
  const inputs = parts[0]!.split(',');
  const output = parts[1]!;
  if (inputs.length !== numInputs) {
    throw new ValueError(`Einsum (wasm): '${equation}' names ${inputs.length} operands, got ${numInputs} tensors.`);
  }
  for (const term of [...inputs, output]) {
    if (!/^[a-zA-Z]*$/.test(term)) throw new ValueError(`Einsum (wasm): bad term '${term}' in '${equation}'.`);
    if (new Set(term).size !== term.length) {
      throw new ValueError(`Einsum (wasm): a label repeated within one term ('${term}') is not supported.`);
    }
  }
  for (const c of output) {
    if (!inputs.some((t) => t.includes(c))) throw new ValueError(`Einsum (wasm): output label '${c}' is in no input of '${equation}'.`);
  }
  return { inputs, output };
}

/** Sums out the labels of `term` that are not in `keep`. */
function reduceTo(term: Term, keep: string): Term {
  const axes = [...term.labels].flatMap((c, i) => (keep.includes(c) ? [] : [i]));
  if (axes.length === 0) return term;
  return { t: ops.sum(term.t, axes), labels: [...term.labels].filter((c) => keep.includes(c)).join('') };
}

function permuted(term: Term, order: string): Tensor {
  const perm = [...order].map((c) => term.labels.indexOf(c));
  return perm.every((p, i) => p === i) ? term.t : ops.transpose(term.t, perm);
}

const prod = (xs: number[]) => xs.reduce((p, v) => p * v, 1);

/**
 * Contracts two operands with one BatchMatMul: labels both share and keep are the batch, labels
 * both share and drop are the reduction, the rest are the rows (of `a`) and columns (of `b`).
 */
function contractPair(a: Term, b: Term, keep: string): Term {
  a = reduceTo(a, keep + b.labels);
  b = reduceTo(b, keep + a.labels);
  const size = new Map<string, number>();
  for (const term of [a, b]) {
    [...term.labels].forEach((c, i) => {
      const d = term.t.shape[i]!;
      const seen = size.get(c);
      if (seen != null && seen !== d && seen !== 1 && d !== 1) {
        throw new ValueError(`Einsum (wasm): label '${c}' has sizes ${seen} and ${d}.`);
      }
      size.set(c, Math.max(seen ?? 1, d));
    });
  }
  const batch = [...a.labels].filter((c) => b.labels.includes(c) && keep.includes(c)).join('');
  const summed = [...a.labels].filter((c) => b.labels.includes(c) && !keep.includes(c)).join('');
  const rows = [...a.labels].filter((c) => !b.labels.includes(c)).join('');
  const cols = [...b.labels].filter((c) => !a.labels.includes(c)).join('');
  const dims = (s: string) => [...s].map((c) => size.get(c)!);
  // Size-1 axes broadcast against the other operand, as in tfjs' cpu einsum.
  const full = (t: Tensor, order: string) => {
    const want = dims(order);
    return t.shape.every((d, i) => d === want[i]) ? t : ops.broadcastTo(t, want);
  };
  const a3 = ops.reshape(full(permuted(a, batch + rows + summed), batch + rows + summed), [
    prod(dims(batch)),
    prod(dims(rows)),
    prod(dims(summed)),
  ]);
  const b3 = ops.reshape(full(permuted(b, batch + summed + cols), batch + summed + cols), [
    prod(dims(batch)),
    prod(dims(summed)),
    prod(dims(cols)),
  ]);
  const y = runKernel('BatchMatMul', { a: a3, b: b3 }, { transposeA: false, transposeB: false });
  return { t: ops.reshape(y, dims(batch + rows + cols)), labels: batch + rows + cols };
}

/**
 * `Einsum` on wasm (stock tfjs-backend-wasm has none): operands are contracted left to right, each
 * pair as one BatchMatMul on transposed/reshaped views; labels no later operand or the output needs
 * are summed as early as possible.
 */
export function einsum(args: KernelArgs): Tensor {
  const tensors = Array.isArray(args.inputs) ? args.inputs : Object.values(args.inputs);
  const equation = String(args.attrs?.equation ?? '');
  const { inputs, output } = parseEquation(equation, tensors.length);
  tensors.forEach((t, i) => {
    if (t.rank !== inputs[i]!.length) {
      throw new ValueError(`Einsum (wasm): term '${inputs[i]}' has ${inputs[i]!.length} labels but operand ${i} has shape [${t.shape}].`);
    }
  });
  return tidy(() => {
    const laterLabels = (k: number) => output + inputs.slice(k + 1).join('');
    let acc = reduceTo({ t: tensors[0]!, labels: inputs[0]! }, laterLabels(0));
    for (let k = 1; k < tensors.length; k++) {
      acc = contractPair(acc, { t: tensors[k]!, labels: inputs[k]! }, laterLabels(k));
    }
    acc = reduceTo(acc, output);
    const y = permuted(acc, output);
    // The kernel must hand back a tensor of its own, never one of its inputs.
    return y === tensors[0] ? runKernel('Identity', { x: y }) : y;
  });
}

export const einsumConfig: KernelConfig = {
  kernelName: 'Einsum',
  backendName: 'wasm',
  kernelFunc: einsum,
};

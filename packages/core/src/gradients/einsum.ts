import * as tfc from '@tensorflow/tfjs-core';

/** The input terms and output term of an explicit einsum equation (`'ab,bc->ac'`). */
export function parseEinsumEquation(equation: string): { inputs: string[]; output: string } {
  const eq = equation.replace(/\s/g, '');
  const parts = eq.split('->');
  if (parts.length !== 2) throw new Error(`einsum gradient needs an explicit '->' in the equation, got '${equation}'.`);
  if (eq.includes('.')) throw new Error(`einsum gradient does not support '...', got '${equation}'.`);
  return { inputs: parts[0]!.split(','), output: parts[1]! };
}

/**
 * `einsum(terms->out)` written around two limits of tfjs' einsum kernel: a label that only one
 * operand carries and the output drops gives wrong shapes, and so does an empty output term. Such
 * labels are summed out first, scalar operands become a factor, an empty output is a final sum.
 */
function contract(terms: string[], out: string, tensors: tfc.Tensor[]): tfc.Tensor {
  let factor: tfc.Tensor | null = null;
  const ts: tfc.Tensor[] = [];
  const tms: string[] = [];
  terms.forEach((term, i) => {
    let t = tensors[i]!;
    const elsewhere = out + terms.filter((_, j) => j !== i).join('');
    const lonely = term.split('').flatMap((c, ax) => (elsewhere.includes(c) ? [] : [ax]));
    let tm = term;
    if (lonely.length > 0) {
      t = tfc.sum(t, lonely);
      tm = term.split('').filter((c) => elsewhere.includes(c)).join('');
    }
    if (tm === '') factor = factor == null ? t : tfc.mul(factor, t);
    else {
      ts.push(t);
      tms.push(tm);
    }
  });
  let y: tfc.Tensor;
  if (ts.length === 0) y = factor ?? tfc.scalar(1);
  else {
    const target = out === '' ? tms[0]! : out;
    if (ts.length === 1) y = tms[0] === target ? ts[0]! : tfc.transpose(ts[0]!, target.split('').map((c) => tms[0]!.indexOf(c)));
    else y = tfc.einsum(`${tms.join(',')}->${target}`, ...ts);
    if (out === '') y = tfc.sum(y);
    if (factor != null) y = tfc.mul(y, factor);
  }
  return y;
}

/**
 * The gradient of operand `k` of `einsum(equation, ...operands)` given the output gradient `dy`.
 *
 * For `A,B->C`, `dA = einsum('C,B->A*', dy, B)` where `A*` keeps the labels of `A` that appear in
 * `C` or `B`; labels that only `A` has were summed out in the forward pass, so their gradient is
 * the same for every position: it is broadcast back along those axes. One operand (`A->C`) is the
 * same with no `B`.
 */
export function einsumOperandGrad(equation: string, dy: tfc.Tensor, operands: tfc.Tensor[], k: number): tfc.Tensor {
  return tfc.tidy(() => {
    const { inputs, output } = parseEinsumEquation(equation);
    const term = inputs[k]!;
    const x = operands[k]!;
    const others = inputs.filter((_, i) => i !== k);
    const otherTensors = operands.filter((_, i) => i !== k);
    const seen = output + others.join('');
    const kept = term.split('').filter((c) => seen.includes(c));
    const keptTerm = kept.join('');
    let g = contract([output, ...others], keptTerm, [dy, ...otherTensors]);
    if (kept.length !== term.length) {
      // Re-insert the summed-out axes (size 1) and broadcast to the operand's shape.
      const shape = term.split('').map((c, i) => (kept.includes(c) ? x.shape[i]! : 1));
      g = tfc.broadcastTo(tfc.reshape(g, shape), x.shape);
    }
    return g.dtype === x.dtype ? g : tfc.cast(g, x.dtype);
  });
}

/** Gradient of tfjs' `Einsum` kernel (tfjs ships none): one einsum per operand, see above. */
export const einsumGradConfig: tfc.GradConfig = {
  kernelName: tfc.Einsum,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs) => {
    const equation = (attrs as unknown as { equation: string }).equation;
    const operands = saved as tfc.Tensor[];
    const out = operands.map((_, k) => () => einsumOperandGrad(equation, dy as tfc.Tensor, operands, k));
    return out as unknown as Record<string, () => tfc.Tensor>;
  },
};

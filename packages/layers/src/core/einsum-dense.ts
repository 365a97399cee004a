import '../builtins';
import {
  type Config,
  type Dim,
  type Shape,
  type Tensor,
  ValueError,
  type Variable,
  formatShape,
  ops,
  registerClass,
  tidy,
} from '@strata/core';
import { type ActivationFn, type ActivationIdentifier, getActivation, serializeActivation } from '../activations/activation';
import { linear } from '../activations/activations';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from '../constraints/constraint';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from '../initializers/initializer';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from '../regularizers/regularizer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface EinsumDenseArgs extends LayerArgs {
  /** `'ab,bc->ac'`, `'...b,bc->...c'` or `'ab...,bc->ac...'` (input, kernel, output). */
  equation?: string;
  /** The output shape without the batch axis; `null` for a dimension taken from the input. */
  outputShape?: number | Dim[];
  activation?: ActivationIdentifier;
  /** Output labels the bias spans (e.g. `'c'`); none means no bias. */
  biasAxes?: string | null;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  kernelConstraint?: ConstraintIdentifier;
  biasConstraint?: ConstraintIdentifier;
  /** LoRA is not supported yet; only `null` is accepted. */
  loraRank?: number | null;
  loraAlpha?: number | null;
  quantizationConfig?: null;
}

interface Analysis {
  kernelShape: number[];
  biasShape: number[] | null;
  fullOutputShape: Dim[];
  /** `fullOutputShape` with unknown dims shared with the input filled in from the input shape. */
  resolvedOutputShape: Dim[];
  /** The equation with the ellipsis spelled out in letters, for inputs of the built rank. */
  explicit: { input: string; kernel: string; output: string };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Keras `_analyze_einsum_string` / `_analyze_split_string`. */
function analyzeEquation(equation: string, biasAxes: string | null, inputShape: Shape, partial: Dim[], layer: string): Analysis {
  const dot = equation.replace(/\.\.\./g, '0');
  let m = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$/.exec(dot);
  let leftElided = false;
  let rightElided = false;
  if (m == null) {
    m = /^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$/.exec(dot);
    leftElided = m != null;
  }
  if (m == null) {
    m = /^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$/.exec(dot);
    rightElided = m != null;
  }
  if (m == null) {
    throw new ValueError(
      `Invalid einsum equation '${equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....`,
    );
  }
  const [, inputSpec, weightSpec, outputSpec] = m as unknown as [string, string, string, string];
  const elided = inputShape.length - inputSpec.length;
  if (elided < 0 || (elided > 0 && !leftElided && !rightElided)) {
    throw new ValueError(
      `EinsumDense "${layer}": the equation '${equation}' expects inputs of rank ${inputSpec.length}${leftElided || rightElided ? ' or more' : ''}. Received input shape ${formatShape(inputShape)}.`,
    );
  }
  const outputShape: Dim[] = [inputShape[0] ?? null, ...partial];
  if (elided > 0 && leftElided) for (let i = 1; i < elided; i++) outputShape.splice(1, 0, inputShape[i]!);
  else if (elided > 0) for (let i = inputShape.length - elided; i < inputShape.length; i++) outputShape.push(inputShape[i]!);
  const inputDim = new Map<string, number>();
  const outputDim = new Map<string, number>();
  for (const [i, c] of [...inputSpec].entries()) inputDim.set(c, leftElided ? i + elided : i);
  for (const [i, c] of [...outputSpec].entries()) outputDim.set(c, leftElided ? i + elided : i);
  for (const c of inputSpec) {
    const o = outputDim.get(c);
    const inD = inputShape[inputDim.get(c)!];
    if (o != null && outputShape[o] != null && outputShape[o] !== inD) {
      throw new ValueError(
        `Input shape and output shape do not match at shared dimension '${c}'. Input shape is ${inD}, and output shape is ${outputShape[o]}.`,
      );
    }
  }
  for (const c of outputSpec) {
    if (!inputSpec.includes(c) && !weightSpec.includes(c)) {
      throw new ValueError(
        `Dimension '${c}' was specified in the output '${outputSpec}' but has no corresponding dim in the input spec '${inputSpec}' or weight spec '${outputSpec}'`,
      );
    }
  }
  const kernelShape = [...weightSpec].map((c) => {
    const d = inputDim.has(c) ? inputShape[inputDim.get(c)!] : outputDim.has(c) ? outputShape[outputDim.get(c)!] : undefined;
    if (d === undefined) {
      throw new ValueError(
        `Weight dimension '${c}' did not have a match in either the input spec '${inputSpec}' or the output spec '${outputSpec}'. For this layer, the weight must be fully specified.`,
      );
    }
    if (d == null) {
      throw new ValueError(`EinsumDense "${layer}": kernel dimension '${c}' is undefined for input shape ${formatShape(inputShape)}.`);
    }
    return d;
  });
  let biasShape: number[] | null = null;
  if (biasAxes != null) {
    for (const c of biasAxes) {
      if (!outputSpec.includes(c)) {
        throw new ValueError(`Bias dimension '${c}' was requested, but is not part of the output spec '${outputSpec}'`);
      }
    }
    const first = Math.min(...[...biasAxes].map((c) => outputSpec.indexOf(c)));
    biasShape = [...outputSpec.slice(first)].map((c) => (biasAxes.includes(c) ? (outputShape[outputDim.get(c)!] as number) : 1));
    if (!leftElided) for (let i = 0; i < elided; i++) biasShape.push(1);
  }
  // Spell the ellipsis out with letters the equation does not use.
  const free = [...LETTERS].filter((c) => !equation.includes(c)).slice(0, elided).join('');
  const explicit = leftElided
    ? { input: free + inputSpec, kernel: weightSpec, output: free + outputSpec }
    : rightElided
      ? { input: inputSpec + free, kernel: weightSpec, output: outputSpec + free }
      : { input: inputSpec, kernel: weightSpec, output: outputSpec };
  const resolvedOutputShape = outputShape.map((d, i) => {
    if (d != null) return d;
    const c = [...outputDim.entries()].find(([, j]) => j === i)?.[0];
    return c != null && inputDim.has(c) ? inputShape[inputDim.get(c)!]! : d;
  });
  return { kernelShape, biasShape, fullOutputShape: outputShape, resolvedOutputShape, explicit };
}

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/**
 * `einsum('X,W->Y', x, w)` for two operands as one (batched) matmul: shared output labels batch,
 * labels of X and W only are contracted, labels of X or W alone (and in Y) stay free; labels only
 * X has are summed first. Every op here has a tfjs gradient.
 */
export function contractPair(xs: string, ws: string, ys: string, x: Tensor, w: Tensor): Tensor {
  const lonely = [...xs].flatMap((c, i) => (ws.includes(c) || ys.includes(c) ? [] : [i]));
  if (lonely.length > 0) {
    x = ops.sum(x, lonely);
    xs = [...xs].filter((c) => ws.includes(c) || ys.includes(c)).join('');
  }
  const wLonely = [...ws].flatMap((c, i) => (xs.includes(c) || ys.includes(c) ? [] : [i]));
  if (wLonely.length > 0) {
    w = ops.sum(w, wLonely);
    ws = [...ws].filter((c) => xs.includes(c) || ys.includes(c)).join('');
  }
  const batch = [...ys].filter((c) => xs.includes(c) && ws.includes(c));
  const contract = [...xs].filter((c) => ws.includes(c) && !ys.includes(c));
  const xFree = [...xs].filter((c) => !ws.includes(c));
  const wFree = [...ws].filter((c) => !xs.includes(c));
  const size = (labels: string[], spec: string, t: Tensor) => labels.map((c) => t.shape[spec.indexOf(c)]!);
  const bDims = size(batch, xs, x);
  const xfDims = size(xFree, xs, x);
  const wfDims = size(wFree, ws, w);
  const cDims = size(contract, xs, x);
  const xp = ops.transpose(x, [...batch, ...xFree, ...contract].map((c) => xs.indexOf(c)));
  const wp = ops.transpose(w, [...batch, ...contract, ...wFree].map((c) => ws.indexOf(c)));
  let y: Tensor;
  if (batch.length === 0) {
    y = ops.matmul(ops.reshape(xp, [prod(xfDims), prod(cDims)]), ops.reshape(wp, [prod(cDims), prod(wfDims)]));
  } else {
    y = ops.matmul(ops.reshape(xp, [prod(bDims), prod(xfDims), prod(cDims)]), ops.reshape(wp, [prod(bDims), prod(cDims), prod(wfDims)]));
  }
  const order = [...batch, ...xFree, ...wFree];
  y = ops.reshape(y, [...bDims, ...xfDims, ...wfDims]);
  return ops.transpose(y, [...ys].map((c) => order.indexOf(c)));
}

/**
 * `keras.layers.EinsumDense`: `activation(einsum(equation, inputs, kernel) + bias)`, the kernel
 * shape read off the equation, the input shape and `output_shape`; the bias spans `bias_axes`.
 */
export class EinsumDense extends Layer {
  static override className = 'EinsumDense';

  readonly equation: string;
  readonly partialOutputShape: Dim[];
  readonly biasAxes: string | null;
  readonly activation: ActivationFn;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;
  fullOutputShape: Dim[] | null = null;
  private explicit: Analysis['explicit'] | null = null;

  constructor(equation: string, outputShape: number | Dim[], options?: Omit<EinsumDenseArgs, 'equation' | 'outputShape'>);
  constructor(args: EinsumDenseArgs);
  constructor(...args: unknown[]) {
    const a = positional<EinsumDenseArgs>(['equation', 'outputShape', 'activation', 'biasAxes'], args);
    super(a);
    if (typeof a.equation !== 'string') throw new ValueError(`EinsumDense needs an \`equation\` string. Received: equation=${String(a.equation)}`);
    if (a.outputShape == null) throw new ValueError('EinsumDense needs an `output_shape`.');
    if (a.loraRank != null) throw new ValueError(`EinsumDense "${this.name}": lora_rank is not supported yet.`);
    if (a.quantizationConfig != null) throw new ValueError(`EinsumDense "${this.name}": quantization_config is not supported yet.`);
    this.equation = a.equation;
    this.partialOutputShape = typeof a.outputShape === 'number' ? [a.outputShape] : [...a.outputShape];
    this.biasAxes = a.biasAxes ?? null;
    this.activation = getActivation(a.activation ?? linear);
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorot_uniform')!;
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros')!;
    this.kernelRegularizer = getRegularizer(a.kernelRegularizer);
    this.biasRegularizer = getRegularizer(a.biasRegularizer);
    this.kernelConstraint = getConstraint(a.kernelConstraint);
    this.biasConstraint = getConstraint(a.biasConstraint);
    const dot = this.equation.replace(/\.\.\./g, '0');
    const forms = [/^[a-zA-Z]+,[a-zA-Z]+->[a-zA-Z]+$/, /^0[a-zA-Z]+,[a-zA-Z]+->0[a-zA-Z]+$/, /^[a-zA-Z]{2,}0,[a-zA-Z]+->[a-zA-Z]+0$/];
    if (!forms.some((f) => f.test(dot))) {
      throw new ValueError(
        `Invalid einsum equation '${this.equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....`,
      );
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const r = analyzeEquation(this.equation, this.biasAxes, shape, this.partialOutputShape, this.name);
    this.fullOutputShape = r.fullOutputShape;
    this.explicit = r.explicit;
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: r.kernelShape,
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    if (r.biasShape != null) {
      this.bias = this.addWeight({
        name: 'bias',
        shape: r.biasShape,
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const e = this.explicit!;
    const built = this.buildInputShape as Shape;
    const mismatch = x.rank !== built.length || built.some((d, i) => i > 0 && d != null && d !== x.shape[i]);
    if (mismatch) {
      throw new ValueError(
        `EinsumDense "${this.name}" was built for inputs of shape ${formatShape(built)}, but received inputs of shape ${formatShape(x.shape)}.`,
      );
    }
    return tidy(() => {
      let y = contractPair(e.input, e.kernel, e.output, toFloat(x), this.kernel!.value);
      if (this.bias != null) y = ops.add(y, this.bias.value);
      return this.activation(y);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const r = analyzeEquation(this.equation, this.biasAxes, shape, this.partialOutputShape, this.name);
    return r.resolvedOutputShape;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      output_shape: [...this.partialOutputShape],
      equation: this.equation,
      activation: serializeActivation(this.activation),
      bias_axes: this.biasAxes,
      kernel_initializer: serializeInitializer(this.kernelInitializer),
      bias_initializer: serializeInitializer(this.biasInitializer),
      kernel_regularizer: serializeRegularizer(this.kernelRegularizer),
      bias_regularizer: serializeRegularizer(this.biasRegularizer),
      activity_regularizer: serializeRegularizer(this.activityRegularizer),
      kernel_constraint: serializeConstraint(this.kernelConstraint),
      bias_constraint: serializeConstraint(this.biasConstraint),
    };
  }
}
registerClass('layer', EinsumDense, { module: 'keras.layers', className: 'EinsumDense' });

import {
  type Config,
  type DataType,
  type Dim,
  KerasTensor,
  type SerializedObject,
  type Shape,
  type Tensor,
  type TensorLike,
  ValueError,
  Variable,
  convertToTensor,
  formatShape,
  isKerasTensor,
  isTensor,
  ops,
  tidy,
} from '@strata/core';
import { callDepth, currentTraining, withCallContext } from './call-context';
import { type ConstraintIdentifier, getConstraint } from './constraints/constraint';
import { type InitializerIdentifier, camelizeConfig, getInitializer } from './initializers/initializer';
import { type InputSpec, assertInputCompatibility } from './input-spec';
import { defaultNameOf, uniqueName } from './naming';
import { Node } from './node';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from './regularizers/regularizer';

export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  /** `'float32'` or a Keras DTypePolicy dict. */
  dtype?: DataType | SerializedObject | null;
  /** Shape without the batch axis; makes Sequential create an Input for this (first) layer. */
  inputShape?: Dim[];
  batchInputShape?: Dim[];
  batchShape?: Dim[];
  batchSize?: number | null;
  activityRegularizer?: RegularizerIdentifier;
}

export interface CallArgs {
  training?: boolean;
  mask?: Tensor | (Tensor | null)[] | null;
  [key: string]: unknown;
}

export interface AddWeightOptions {
  name: string;
  shape: number[];
  dtype?: DataType;
  initializer?: InitializerIdentifier;
  regularizer?: RegularizerIdentifier;
  trainable?: boolean;
  constraint?: ConstraintIdentifier;
}

export type LayerOutput = Tensor | Tensor[];

/** Masks ride along with the tensors they describe, as in Keras (`_keras_mask`). */
export const MASK = Symbol('kerasMask');
type Masked = { [MASK]?: Tensor | null };

/** The mask carried by `t`, if any (a mask freed with its scope no longer counts). */
export function getMask(t: unknown): Tensor | null {
  const mask = t != null && typeof t === 'object' ? ((t as Masked)[MASK] ?? null) : null;
  return mask == null || mask.isDisposed ? null : mask;
}

/**
 * Attaches `mask` to `t`. A mask the layer made itself (`owned`) goes with `t`: disposing `t`
 * disposes it, so an eager call leaks nothing; a mask passed through belongs to the input.
 */
function attachMask(t: Tensor, mask: Tensor | null, owned: boolean): void {
  (t as Masked)[MASK] = mask;
  if (mask == null || mask === t || !owned) return;
  const dispose = t.dispose.bind(t);
  t.dispose = () => {
    if (!mask.isDisposed) mask.dispose();
    dispose();
  };
}

/**
 * One open entry of Keras' name-scope stack (keras/src/backend/common/name_scope.py): a scope
 * opened for a layer restarts at the path the layer was first scoped under (`override_parent`).
 */
interface NameScope {
  name: string;
  caller: Layer;
  overrideParent: string | null;
}
const nameScopes: NameScope[] = [];

/** Keras `current_path()`: the open scopes' names joined by `/`, each override restarting the path. */
export function currentPath(): string {
  let parts: string[] = [];
  for (const scope of nameScopes) {
    if (scope.overrideParent != null) parts = scope.overrideParent.split('/').filter((p) => p !== '');
    parts.push(scope.name);
  }
  return parts.join('/');
}

/** Keras `name_scope(name, caller=...)`: not re-entered when the innermost scope is the same one. */
function withNameScope<T>(name: string, caller: Layer, overrideParent: string | null, fn: () => T): T {
  const top = nameScopes[nameScopes.length - 1];
  if (top != null && top.caller === caller && top.name === name) return fn();
  nameScopes.push({ name, caller, overrideParent });
  try {
    return fn();
  } finally {
    nameScopes.pop();
  }
}

function dtypeName(dtype: LayerArgs['dtype']): DataType {
  if (dtype == null) return 'float32';
  if (typeof dtype === 'string') return dtype;
  const name = (dtype.config as { name?: string } | undefined)?.name;
  return (name === 'mixed_float16' || name === 'mixed_bfloat16' || name == null ? 'float32' : name) as DataType;
}

/**
 * The base of every layer (keras.layers.Layer).
 *
 * Contract for subclasses: `build(inputShape)` creates weights with `addWeight`; `call(inputs,
 * {training, mask})` computes outputs from tensors; `computeOutputShape(inputShape)` gives output
 * shapes without running; `getConfig()` returns the constructor arguments with Keras' snake_case
 * keys and `fromConfig` rebuilds the layer. `apply()` is the Python `layer(x)`: on tensors it runs,
 * on symbolic tensors it records a node of a Functional graph.
 */
export class Layer {
  /** Keras class name; set by subclasses that are registered under another name. */
  static className?: string;

  name: string;
  built = false;
  inputSpec: InputSpec | InputSpec[] | null = null;
  supportsMasking = false;
  activityRegularizer: Regularizer | null;
  readonly dtype: DataType;
  /** `[batch, ...inputShape]` when the layer was given an input shape. */
  batchInputShape: Dim[] | null = null;
  /** The shape(s) `build` was called with (Keras' build_config). */
  buildInputShape: Shape | Shape[] | null = null;
  /** Keras `layer.path`: the name-scope path of the layer's build (e.g. `mha/query`); null until built. */
  path: string | null = null;
  /** Keras `_parent_path`: the path the layer's scope was first opened under; fixed from then on. */
  private parentPath: string | null = null;
  readonly inboundNodes: Node[] = [];
  readonly outboundNodes: Node[] = [];

  protected trainableVariables: Variable[] = [];
  protected nonTrainableVariables: Variable[] = [];
  private weightRegularizers: [Variable, Regularizer][] = [];
  private callLosses: Tensor[] = [];
  private trainableFlag: boolean;

  constructor(args: LayerArgs = {}) {
    const className = (this.constructor as typeof Layer).className ?? this.constructor.name;
    this.name = args.name ?? uniqueName(defaultNameOf(className));
    this.trainableFlag = args.trainable ?? true;
    this.dtype = dtypeName(args.dtype);
    this.activityRegularizer = getRegularizer(args.activityRegularizer);
    const batchShape = args.batchInputShape ?? args.batchShape;
    if (batchShape != null) this.batchInputShape = [...batchShape];
    else if (args.inputShape != null) this.batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    // As Keras wraps every layer's `build`: it runs in the layer's name scope, so sublayers built
    // (or called) inside it get variable paths `<this name>/<sublayer name>/<variable>`.
    const build = this.build;
    this.build = (inputShape: Shape | Shape[]) =>
      this.openNameScope(() => {
        this.path = currentPath();
        build.call(this, inputShape);
      });
  }

  /** Keras `_open_name_scope`: runs `fn` in this layer's scope, under its first-seen parent path. */
  protected openNameScope<T>(fn: () => T): T {
    if (this.parentPath == null) this.parentPath = currentPath();
    return withNameScope(this.name, this, this.parentPath, fn);
  }

  /** The Keras class name used in configs and summaries. */
  get className(): string {
    return (this.constructor as typeof Layer).className ?? this.constructor.name;
  }

  // ---------------------------------------------------------------- the contract

  /** Creates the layer's weights for inputs of `inputShape` (batch axis included). */
  build(_inputShape: Shape | Shape[]): void {
    this.built = true;
  }

  /** The computation on concrete tensors. Subclasses override. */
  call(inputs: LayerOutput, _args: CallArgs = {}): LayerOutput {
    return inputs;
  }

  /**
   * Output shape(s) for `inputShape` (batch axis included). The default runs `call` once on zeros
   * (unknown dims as 1) and reports an unknown batch axis; layers override it when they can say.
   */
  computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const multi = Array.isArray(inputShape[0]);
    const shapes = (multi ? inputShape : [inputShape]) as Shape[];
    let out: Dim[][] = [];
    tidy(() => {
      const zeros = shapes.map((s) => ops.zeros(s.map((d) => d ?? 1)));
      const y = withCallContext(false, () => this.call(multi ? zeros : zeros[0]!, { training: false }));
      out = (Array.isArray(y) ? y : [y]).map((t) => t.shape as Dim[]);
    });
    const unknownBatch = shapes[0]![0] == null;
    const fixed = out.map((s) => s.map((d, i) => (i === 0 && unknownBatch ? null : d)));
    return this.callOutputIsList ? fixed : fixed[0]!;
  }

  /** Whether `call` returns a list; the default shape inference uses it. */
  protected callOutputIsList = false;

  /** The mask of the outputs (Keras `compute_mask`); by default a masking-aware layer passes it on. */
  computeMask(_inputs: LayerOutput, mask: Tensor | (Tensor | null)[] | null | undefined): Tensor | (Tensor | null)[] | null {
    return this.supportsMasking ? (mask ?? null) : null;
  }

  getConfig(): Config {
    const config: Config = {
      name: this.name,
      trainable: this.trainable,
      dtype: {
        module: 'keras',
        class_name: 'DTypePolicy',
        config: { name: this.dtype },
        registered_name: null,
      },
    };
    if (this.batchInputShape != null) config.batch_input_shape = [...this.batchInputShape];
    if (this.activityRegularizer != null) config.activity_regularizer = serializeRegularizer(this.activityRegularizer);
    return config;
  }

  /** Rebuilds a layer from `getConfig()` output (snake_case keys become constructor options). */
  static fromConfig<T extends Layer>(this: new (args: never) => T, config: Config): T {
    return new this(camelizeConfig(config) as never);
  }

  // ---------------------------------------------------------------- weights

  /** Creates and tracks a weight (Keras `add_weight`). */
  addWeight(options: AddWeightOptions): Variable {
    const dtype = options.dtype ?? this.dtype;
    const init = getInitializer(options.initializer ?? (dtype.startsWith('float') ? 'glorot_uniform' : 'zeros'))!;
    const trainable = options.trainable ?? true;
    // Keras' add_weight: the variable's path is the current scope path inside this layer's scope.
    const path = withNameScope(this.name, this, this.parentPath, () => `${currentPath()}/${options.name}`);
    const variable = new Variable({
      initializer: (shape, dt) => init.apply(shape, dt),
      shape: options.shape,
      dtype,
      trainable: trainable && this.trainable,
      name: options.name,
      path,
      constraint: wrapConstraint(getConstraint(options.constraint)),
    });
    (trainable ? this.trainableVariables : this.nonTrainableVariables).push(variable);
    const regularizer = getRegularizer(options.regularizer);
    if (regularizer != null) this.weightRegularizers.push([variable, regularizer]);
    return variable;
  }

  /** Layers assigned to this layer's properties (directly or in arrays), in assignment order. */
  get sublayers(): Layer[] {
    const found: Layer[] = [];
    const seen = new Set<Layer>();
    const visit = (v: unknown) => {
      if (v instanceof Layer && v !== this && !seen.has(v)) {
        seen.add(v);
        found.push(v);
      }
    };
    for (const [key, value] of Object.entries(this)) {
      if (key === 'inboundNodes' || key === 'outboundNodes') continue;
      if (Array.isArray(value)) value.forEach(visit);
      else visit(value);
    }
    return found;
  }

  /** Every weight: own trainable, own non-trainable, then sublayers' (Keras `weights` order). */
  get weights(): Variable[] {
    const out: Variable[] = [];
    const seen = new Set<Variable>();
    const push = (v: Variable) => {
      if (!seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
    };
    this.trainableVariables.forEach(push);
    this.nonTrainableVariables.forEach(push);
    for (const layer of this.sublayers) layer.weights.forEach(push);
    return out;
  }

  get trainableWeights(): Variable[] {
    return this.trainable ? this.weights.filter((v) => v.trainable) : [];
  }

  get nonTrainableWeights(): Variable[] {
    return this.trainable ? this.weights.filter((v) => !v.trainable) : this.weights;
  }

  /** Keras `trainable`: false freezes every weight of the layer and its sublayers. */
  get trainable(): boolean {
    return this.trainableFlag;
  }
  set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const v of this.trainableVariables) v.trainable = value;
    for (const layer of this.sublayers) layer.trainable = value;
  }

  /** Copies of the weight values (the caller owns them), in `weights` order. */
  getWeights(): Tensor[] {
    return this.weights.map((v) => v.value.clone());
  }

  /** Sets the weight values, in `weights` order; counts and shapes must match. */
  setWeights(values: readonly TensorLike[]): void {
    const weights = this.weights;
    if (values.length !== weights.length) {
      throw new ValueError(
        `Layer "${this.name}" expects ${weights.length} weight(s), but setWeights received ${values.length}.`,
      );
    }
    weights.forEach((w, i) => {
      const t = convertToTensor(values[i]!, w.dtype);
      const same = t.shape.length === w.shape.length && t.shape.every((d, j) => d === w.shape[j]);
      if (!same) {
        if (t !== values[i]) t.dispose();
        throw new ValueError(
          `Layer "${this.name}" weight ${i} (${w.path}) has shape ${formatShape(w.shape)}, but the given value has shape ${formatShape(t.shape)}.`,
        );
      }
      w.assign(t);
      if (t !== values[i]) t.dispose();
    });
  }

  countParams(): number {
    if (!this.built && this.weights.length === 0) {
      throw new ValueError(`Layer "${this.name}" is not built yet, so it has no weights to count. Call it on an input first.`);
    }
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  // ---------------------------------------------------------------- losses

  /** Adds a loss computed during `call` (activity regularization, custom penalties). */
  addLoss(loss: Tensor): void {
    this.callLosses.push(loss);
  }

  /**
   * Losses of the last call plus the current weight-regularization penalties, of this layer and
   * its sublayers. Read it inside a gradient function so the penalties are differentiated.
   */
  get losses(): Tensor[] {
    const out = [...this.callLosses];
    for (const [v, r] of this.weightRegularizers) out.push(r.apply(v.value));
    for (const layer of this.sublayers) out.push(...layer.losses);
    return out;
  }

  protected clearLosses(): void {
    // Losses of the previous call are that call's; free them (a no-op when a scope already did).
    for (const t of this.callLosses) t.dispose();
    this.callLosses = [];
    for (const layer of this.sublayers) layer.clearLosses();
  }

  // ---------------------------------------------------------------- calling

  /** Python's `layer(x)`: runs on tensors, records a graph node on symbolic tensors. */
  apply(inputs: KerasTensor, args?: CallArgs): KerasTensor;
  apply(inputs: KerasTensor[], args?: CallArgs): KerasTensor | KerasTensor[];
  apply(inputs: Tensor | TensorLike, args?: CallArgs): Tensor;
  apply(inputs: Tensor[], args?: CallArgs): Tensor | Tensor[];
  apply(inputs: unknown, args: CallArgs = {}): unknown {
    const list = Array.isArray(inputs) && inputs.length > 0 && (isKerasTensor(inputs[0]) || isTensor(inputs[0]));
    const flat = (list ? inputs : [inputs]) as unknown[];
    if (flat.some(isKerasTensor)) {
      if (!flat.every(isKerasTensor)) {
        throw new ValueError(`Layer "${this.name}" was called on a mix of symbolic and concrete tensors.`);
      }
      // Keras builds and calls a layer inside its name scope (sublayers built there nest under it).
      return this.openNameScope(() => this.symbolicCall(flat as KerasTensor[], list, args));
    }
    const tensors = flat.map((x) => convertToTensor(x as TensorLike));
    return this.openNameScope(() => this.eagerCall(tensors, list, args));
  }

  /** Builds the layer for `shapes` if it is not built yet. */
  maybeBuild(shapes: Shape[], asList: boolean): void {
    if (this.built) return;
    const shape = asList ? shapes : shapes[0]!;
    this.build(shape);
    this.built = true;
    this.buildInputShape = asList ? shapes.map((s) => [...s]) : [...shapes[0]!];
  }

  private eagerCall(tensors: Tensor[], asList: boolean, args: CallArgs): LayerOutput {
    const shapes = tensors.map((t) => t.shape as Dim[]);
    assertInputCompatibility(this.inputSpec, shapes, this.name);
    this.maybeBuild(shapes, asList);
    assertInputCompatibility(this.inputSpec, shapes, this.name);
    if (callDepth() === 0) this.clearLosses();
    const training = args.training ?? currentTraining() ?? false;
    let mask = args.mask;
    if (mask === undefined) {
      const masks = tensors.map(getMask);
      mask = masks.some((m) => m != null) ? (asList ? masks : masks[0]) : null;
    }
    const x = asList ? tensors : tensors[0]!;
    const callArgs: CallArgs = { ...args, training };
    if (this.supportsMasking || mask != null) callArgs.mask = mask;
    const outputs = withCallContext(training, () => this.call(x, callArgs));
    if (this.activityRegularizer != null) {
      for (const out of Array.isArray(outputs) ? outputs : [outputs]) {
        const penalty = this.activityRegularizer.apply(out);
        this.addLoss(out.rank > 0 ? ops.divide(penalty, out.shape[0]!) : penalty);
      }
    }
    const outMask = this.computeMask(x, mask);
    if (outMask != null) {
      const outs = Array.isArray(outputs) ? outputs : [outputs];
      const masks = Array.isArray(outMask) ? outMask : [outMask];
      const inputMasks = new Set(Array.isArray(mask) ? mask : [mask]);
      outs.forEach((o, i) => {
        const m = masks[i] ?? null;
        attachMask(o, m, m != null && !inputMasks.has(m));
      });
    }
    return outputs;
  }

  private symbolicCall(inputs: KerasTensor[], asList: boolean, args: CallArgs): KerasTensor | KerasTensor[] {
    const shapes = inputs.map((t) => t.shape);
    assertInputCompatibility(this.inputSpec, shapes, this.name);
    this.maybeBuild(shapes, asList);
    assertInputCompatibility(this.inputSpec, shapes, this.name);
    const outShape = this.computeOutputShape(asList ? shapes : shapes[0]!);
    const multiOut = Array.isArray(outShape[0]) || (outShape.length === 0 && this.callOutputIsList);
    const outShapes = (multiOut ? outShape : [outShape]) as Shape[];
    const dtype = this.outputDtype(inputs[0]!.dtype);
    const outputs = outShapes.map((s) => new KerasTensor(s, dtype));
    const node = new Node(this, inputs, outputs, { ...args }, asList);
    const nodeIndex = this.inboundNodes.length;
    this.inboundNodes.push(node);
    for (const t of inputs) {
      const h = t.kerasHistory;
      if (h != null) (h.operation as Layer).outboundNodes.push(node);
    }
    outputs.forEach((o, i) => {
      o.kerasHistory = { operation: this, nodeIndex, tensorIndex: i };
    });
    return multiOut ? outputs : outputs[0]!;
  }

  /** The dtype of symbolic outputs; most layers compute in their own dtype. */
  protected outputDtype(_inputDtype: DataType): DataType {
    return this.dtype;
  }

  // ---------------------------------------------------------------- graph info

  /** Symbolic input of the layer's first call (Keras `layer.input`). */
  get input(): KerasTensor | KerasTensor[] {
    const node = this.firstNode('input');
    return node.inputsWereList ? node.inputTensors : node.inputTensors[0]!;
  }

  get output(): KerasTensor | KerasTensor[] {
    const node = this.firstNode('output');
    return node.outputTensors.length === 1 ? node.outputTensors[0]! : node.outputTensors;
  }

  get outputShape(): Shape | Shape[] {
    if (this.inboundNodes.length === 0 && this.buildInputShape != null) return this.computeOutputShape(this.buildInputShape);
    const out = this.output;
    return Array.isArray(out) ? out.map((t) => t.shape) : out.shape;
  }

  private firstNode(what: string): Node {
    const node = this.inboundNodes[0];
    if (node == null) throw new ValueError(`Layer "${this.name}" has never been called on a symbolic input, so it has no ${what}.`);
    return node;
  }

  /** Frees the layer's weights. */
  dispose(): void {
    for (const w of this.weights) if (!w.isDisposed) w.dispose();
  }

  toString(): string {
    return `<${this.className} name=${this.name}, built=${this.built}>`;
  }
}

function wrapConstraint(c: ReturnType<typeof getConstraint>): ((w: Tensor) => Tensor) | null {
  return c == null ? null : (w: Tensor) => c.apply(w);
}

import '../builtins';
import { type Config, type Dim, SerializationError, type Shape, type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import { withCallContext } from '../call-context';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';

/** Mask handed to a Lambda function or mask function. */
export type LambdaMask = Tensor | (Tensor | null)[] | null;

/**
 * A function a Lambda layer can run: `fn(inputs, args, context)`, where `args` are the layer's
 * `arguments` and `context` has the call's `training` flag and `mask`.
 */
export type LambdaFunction = (
  inputs: Tensor | Tensor[],
  args: Record<string, unknown>,
  context: { training: boolean; mask: LambdaMask },
) => Tensor | Tensor[];

/** Computes output shape(s) from input shape(s) (batch axis included). */
export type LambdaShapeFunction = (inputShape: Shape | Shape[]) => Shape | Shape[];

/** Computes the output mask: `fn(inputs, mask)`. */
export type LambdaMaskFunction = (inputs: Tensor | Tensor[], mask: LambdaMask) => LambdaMask;

type AnyLambdaFn = LambdaFunction | LambdaShapeFunction | LambdaMaskFunction;

const byName = new Map<string, AnyLambdaFn>();
const byFn = new Map<AnyLambdaFn, string>();

/**
 * Registers `fn` under `name` so Lambda layers using it can be saved and loaded. Configs never
 * contain code: a Lambda layer stores the function's registered name, and loading looks it up here.
 * Registering the same function again is a no-op; another function under a taken name is an error.
 */
export function registerLambdaFunction(name: string, fn: AnyLambdaFn): void {
  if (typeof name !== 'string' || name.length === 0) throw new ValueError('registerLambdaFunction: the name must be a non-empty string.');
  if (typeof fn !== 'function') throw new ValueError(`registerLambdaFunction('${name}'): expected a function, received ${String(fn)}.`);
  const existing = byName.get(name);
  if (existing === fn) return;
  if (existing != null) throw new ValueError(`registerLambdaFunction: the name '${name}' is already registered to another function.`);
  byName.set(name, fn);
  if (!byFn.has(fn)) byFn.set(fn, name);
}

/** The function registered under `name`, or null. */
export function getLambdaFunction(name: string): AnyLambdaFn | null {
  return byName.get(name) ?? null;
}

/** The name `fn` is registered under, or null. */
export function lambdaFunctionName(fn: AnyLambdaFn): string | null {
  return byFn.get(fn) ?? null;
}

export interface LambdaArgs extends LayerArgs {
  /** The function, or the name it was registered under with `registerLambdaFunction`. */
  function?: LambdaFunction | string;
  /** Output shape without the batch axis (or a list of them), or a (registered) shape function. */
  outputShape?: Dim[] | Dim[][] | LambdaShapeFunction | string | null;
  /** A fixed mask, or a (registered) mask function; null means no output mask. */
  mask?: LambdaMaskFunction | string | null;
  /** Extra JSON-serializable arguments passed to the function. */
  arguments?: Record<string, unknown> | null;
  /** Config marker: `'registered'` (Strata); Keras 2 `'lambda'` (bytecode) is refused. */
  functionType?: string;
  outputShapeType?: string;
  maskType?: string;
}

function isBytecode(spec: unknown): boolean {
  if (spec == null || typeof spec !== 'object') return false;
  return (spec as { class_name?: unknown }).class_name === '__lambda__';
}

/**
 * `keras.layers.Lambda`: wraps a function as a layer. Only functions registered by name can be
 * serialized: configs store `{function: 'name', function_type: 'registered'}` and a config holding
 * Python bytecode (`{class_name: '__lambda__'}`, or Keras 2's `function_type: 'lambda'`) is refused.
 */
export class Lambda extends Layer {
  static override className = 'Lambda';

  readonly function: LambdaFunction;
  readonly outputShapeSpec: Dim[] | Dim[][] | LambdaShapeFunction | null;
  readonly maskFn: LambdaMaskFunction | null;
  readonly arguments: Record<string, unknown>;

  constructor(fn: LambdaFunction | string, options?: Omit<LambdaArgs, 'function'>);
  constructor(args: LambdaArgs);
  constructor(...args: unknown[]) {
    const a = positional<LambdaArgs>(['function'], args);
    super(a);
    this.function = this.resolve('function', a.function, a.functionType) as LambdaFunction;
    if (this.function == null) throw new ValueError(`Lambda "${this.name}": argument \`function\` is required.`);
    const os = a.outputShape;
    if (os == null) this.outputShapeSpec = null;
    else if (Array.isArray(os)) this.outputShapeSpec = os;
    else this.outputShapeSpec = this.resolve('output_shape', os, a.outputShapeType) as LambdaShapeFunction;
    this.maskFn = a.mask == null ? null : (this.resolve('mask', a.mask, a.maskType) as LambdaMaskFunction);
    this.arguments = { ...(a.arguments ?? {}) };
    this.supportsMasking = true;
  }

  private resolve(what: string, spec: unknown, type: string | undefined): AnyLambdaFn | null {
    if (spec == null) return null;
    if (type === 'lambda' || isBytecode(spec)) {
      throw new SerializationError(
        `Lambda layer "${this.name}": its \`${what}\` is serialized Python bytecode, which Strata never loads. ` +
          `Register a JavaScript implementation with registerLambdaFunction(name, fn) and reference it by name.`,
      );
    }
    if (typeof spec === 'function') return spec as AnyLambdaFn;
    // A registered name: Strata's 'name', or Keras' serialized function {class_name: 'function', config: 'name'}.
    let name: unknown = spec;
    if (typeof spec === 'object' && (spec as { class_name?: unknown }).class_name === 'function') name = (spec as { config?: unknown }).config;
    if (typeof name !== 'string') {
      throw new SerializationError(`Lambda layer "${this.name}": cannot interpret \`${what}\` ${JSON.stringify(spec)}; expected a function or a registered name.`);
    }
    const fn = byName.get(name);
    if (fn == null) {
      throw new SerializationError(
        `Lambda layer "${this.name}": no function is registered under the name '${name}' (for \`${what}\`). Call registerLambdaFunction('${name}', fn) first.`,
      );
    }
    return fn;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): LayerOutput {
    const mask = (args.mask ?? null) as LambdaMask;
    return tidy(() => this.function(inputs, { ...this.arguments }, { training: args.training ?? false, mask }));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const spec = this.outputShapeSpec;
    const multi = Array.isArray(inputShape[0]);
    if (typeof spec === 'function') return spec(inputShape);
    const batch = (multi ? (inputShape as Shape[])[0]![0] : (inputShape as Shape)[0]) ?? null;
    if (spec != null) {
      if (Array.isArray(spec[0])) return (spec as Dim[][]).map((s) => [batch, ...s]);
      return [batch, ...(spec as Dim[])];
    }
    // Infer by running the function on zeros (unknown dims as 1), as Keras infers from a symbolic run.
    const shapes = (multi ? inputShape : [inputShape]) as Shape[];
    let out: Dim[][] = [];
    let list = false;
    tidy(() => {
      const zeros = shapes.map((s) => ops.zeros(s.map((d) => d ?? 1)));
      const y = withCallContext(false, () => this.call(multi ? zeros : zeros[0]!, { training: false }));
      list = Array.isArray(y);
      out = (Array.isArray(y) ? y : [y]).map((t) => t.shape as Dim[]);
    });
    const fixed = out.map((s) => s.map((d, i) => (i === 0 && batch == null ? null : d)));
    return list ? fixed : fixed[0]!;
  }

  override computeMask(inputs: LayerOutput, mask: LambdaMask | undefined): LambdaMask {
    return this.maskFn == null ? null : this.maskFn(inputs, mask ?? null);
  }

  private nameOf(what: string, fn: AnyLambdaFn): string {
    const name = byFn.get(fn);
    if (name == null) {
      throw new SerializationError(
        `Lambda layer "${this.name}": its \`${what}\` is not a registered function, so it cannot be serialized. Call registerLambdaFunction(name, fn).`,
      );
    }
    return name;
  }

  override getConfig(): Config {
    const config: Config = {
      ...super.getConfig(),
      function: this.nameOf('function', this.function),
      function_type: 'registered',
      arguments: JSON.parse(JSON.stringify(this.arguments)),
    };
    const os = this.outputShapeSpec;
    if (typeof os === 'function') {
      config.output_shape = this.nameOf('output_shape', os);
      config.output_shape_type = 'registered';
    } else if (os != null) {
      config.output_shape = JSON.parse(JSON.stringify(os));
    }
    if (this.maskFn != null) {
      config.mask = this.nameOf('mask', this.maskFn);
      config.mask_type = 'registered';
    }
    return config;
  }
}
registerClass('layer', Lambda, { module: 'keras.layers', className: 'Lambda' });

import {
  type Config,
  type CustomObjects,
  type DataType,
  type LearningRateScheduleLike,
  type OptimizerLike,
  type SerializedObject,
  type Tensor,
  ValueError,
  Variable,
  deserializeKerasObject,
  isTensor,
  ops,
  serializeKerasObject,
  tensor,
  tidy,
  toSnakeCase,
} from '@strata/core';
import { clipByGlobalNorm, clipByNorm } from './clipping';
import { camelizeConfig } from './config';
import { LearningRateSchedule, isLearningRateSchedule } from './schedules/learning-rate-schedule';

/** A learning rate: a number, a schedule of the step, or a function of nothing (Keras' callable). */
export type LearningRate = number | LearningRateScheduleLike | (() => number | Tensor);

/** The options every optimizer takes (Keras' base optimizer keyword arguments, camelCase). */
export interface OptimizerArgs {
  learningRate?: LearningRate;
  /** Decoupled weight decay: `w -= w * weightDecay * lr` before each update. */
  weightDecay?: number | null;
  /** Clip each gradient so that its L2 norm is at most this. */
  clipnorm?: number | null;
  /** Clip each gradient element to `[-clipvalue, clipvalue]`. */
  clipvalue?: number | null;
  /** Clip all gradients together so that their global L2 norm is at most this. */
  globalClipnorm?: number | null;
  /** Keep an exponential moving average of the weights. */
  useEma?: boolean;
  emaMomentum?: number;
  /** Overwrite the weights with their moving average every this many steps. */
  emaOverwriteFrequency?: number | null;
  /** Gradients are divided by this before the update (see `scaleLoss`). */
  lossScaleFactor?: number | null;
  /**
   * Accumulate gradients over this many `apply` calls (an integer >= 2) and update the weights
   * with their average on every N-th call only (Keras' gradient accumulation).
   */
  gradientAccumulationSteps?: number | null;
  name?: string;
}

/** The option names every optimizer accepts. */
export const OPTIMIZER_ARG_NAMES: readonly string[] = [
  'learningRate',
  'weightDecay',
  'clipnorm',
  'clipvalue',
  'globalClipnorm',
  'useEma',
  'emaMomentum',
  'emaOverwriteFrequency',
  'lossScaleFactor',
  'gradientAccumulationSteps',
  'name',
];

/** Config keys Keras/tf.keras wrote that Keras 3 ignores on load. */
const IGNORED_CONFIG_KEYS = ['decay', 'jit_compile', 'is_legacy_optimizer'];

/**
 * Splits the `(learningRate?, options?)` / `(options)` constructor forms:
 * `new Adam(1e-3)`, `new Adam(1e-3, { beta1: 0.8 })`, `new Adam({ learningRate: 1e-3 })`.
 */
export function resolveOptimizerArgs<A extends OptimizerArgs>(first: LearningRate | A | undefined, rest?: A): A {
  if (first == null) return { ...(rest ?? {}) } as A;
  if (typeof first === 'number' || typeof first === 'function' || isLearningRateSchedule(first)) {
    return { ...(rest ?? {}), learningRate: first } as A;
  }
  return { ...(first as A) };
}

/**
 * Base of keras.optimizers (Keras 3's BaseOptimizer).
 *
 * `apply(grads, variables)` builds the slot variables on the first call, then: unscales
 * (`lossScaleFactor`), clips (`clipnorm` | `clipvalue` | `globalClipnorm`), applies decoupled
 * weight decay, calls `updateStep(grad, variable, lr)` for each variable, updates the moving
 * averages (`useEma`), applies each variable's constraint and increments `iterations`. With
 * `gradientAccumulationSteps` N, the gradients are summed into accumulators and the clipping, decay
 * and update happen on every N-th call only, with their average. Everything runs on the device
 * inside `tidy`; nothing is read back to the host.
 *
 * `variables` is Keras' list: `iteration`, `learning_rate` (when the rate is a number), the moving
 * averages, the gradient accumulators, then the update rule's slot variables in creation order.
 */
export abstract class Optimizer implements OptimizerLike {
  name: string;
  weightDecay: number | null;
  clipnorm: number | null;
  globalClipnorm: number | null;
  clipvalue: number | null;
  readonly useEma: boolean;
  emaMomentum: number;
  emaOverwriteFrequency: number | null;
  lossScaleFactor: number | null;
  readonly gradientAccumulationSteps: number | null;
  built = false;

  private readonly trackedVariables: Variable[] = [];
  private readonly builtVariables: Variable[] = [];
  private readonly variableIndices = new Map<Variable, number>();
  private readonly iterationsVariable: Variable;
  private lr: Variable | LearningRateScheduleLike | (() => number | Tensor);
  private averages: Variable[] = [];
  private accumulatedGradients: Variable[] = [];
  /** Variables of the base class (iteration, learning rate, averages, accumulators): not update-rule slots. */
  private readonly baseVariables = new Set<Variable>();
  private excludedVariables = new Set<Variable>();
  private excludedPattern: RegExp | null = null;

  constructor(args: OptimizerArgs = {}) {
    if (args.learningRate == null) throw new ValueError('Optimizer: a `learningRate` is required.');
    this.name = args.name ?? toSnakeCase(new.target.name);
    this.weightDecay = args.weightDecay ?? null;
    this.clipnorm = args.clipnorm ?? null;
    this.globalClipnorm = args.globalClipnorm ?? null;
    this.clipvalue = args.clipvalue ?? null;
    this.useEma = args.useEma ?? false;
    this.emaMomentum = args.emaMomentum ?? 0.99;
    this.emaOverwriteFrequency = args.emaOverwriteFrequency ?? null;
    this.lossScaleFactor = args.lossScaleFactor ?? null;
    this.gradientAccumulationSteps = args.gradientAccumulationSteps ?? null;

    const accumulation = this.gradientAccumulationSteps;
    // Keras treats 0 like null (no accumulation); anything else must be an integer >= 2.
    if (accumulation != null && accumulation !== 0 && (!Number.isInteger(accumulation) || accumulation < 2)) {
      throw new ValueError(
        `${this.name}: \`gradientAccumulationSteps\` must be an integer >= 2. Received: gradientAccumulationSteps=${accumulation}`,
      );
    }
    if (this.useEma) {
      if (this.emaMomentum > 1 || this.emaMomentum < 0) {
        throw new ValueError(`\`emaMomentum\` must be in the range [0, 1]. Received: emaMomentum=${this.emaMomentum}`);
      }
      const f = this.emaOverwriteFrequency;
      if (f != null && (!Number.isInteger(f) || f < 1)) {
        throw new ValueError(`\`emaOverwriteFrequency\` must be an integer >= 1 or null. Received: emaOverwriteFrequency=${f}`);
      }
    }
    const clipArgs = [this.clipnorm, this.clipvalue, this.globalClipnorm].filter((a) => a != null).length;
    if (clipArgs > 1) {
      throw new ValueError(
        'Only one of `clipnorm`, `clipvalue` and `globalClipnorm` can be set. ' +
          `Received: clipnorm=${this.clipnorm}, clipvalue=${this.clipvalue}, globalClipnorm=${this.globalClipnorm}`,
      );
    }

    this.iterationsVariable = this.addVariable([], { name: 'iteration', dtype: 'int32' });
    this.baseVariables.add(this.iterationsVariable);
    const lr = args.learningRate;
    if (typeof lr === 'number') {
      this.lr = this.makeLearningRateVariable(lr);
    } else if (typeof lr === 'function' || isLearningRateSchedule(lr)) {
      this.lr = lr;
    } else {
      throw new ValueError(
        'Argument `learningRate` should be a number, a LearningRateSchedule, or a function that returns the ' +
          `learning rate. Received: learningRate=${String(lr)}`,
      );
    }
  }

  // ---------------------------------------------------------------- state

  /** Number of `apply` calls so far (an int32 scalar variable; it counts accumulation-only calls too). */
  get iterations(): Variable {
    return this.iterationsVariable;
  }

  /** The accumulation period when gradient accumulation is on (Keras treats 0 as off), else null. */
  private get accumulationSteps(): number | null {
    const n = this.gradientAccumulationSteps;
    return n != null && n !== 0 ? n : null;
  }

  /**
   * The step count the update rules see (Keras' `optimizer.iterations` property): `iterations`,
   * or with gradient accumulation the number of weight updates so far, `floor(iterations / N)`.
   * An int32 scalar; call inside `tidy`.
   */
  protected updateIterations(): Tensor {
    const n = this.accumulationSteps;
    const it = this.iterationsVariable.value;
    return n == null ? it : ops.floorDivide(it, n);
  }

  /** `updateIterations() + 1` as a float32 scalar: the 1-based step of bias corrections. Call inside `tidy`. */
  protected localStep(): Tensor {
    return ops.cast(ops.add(this.updateIterations(), 1), 'float32');
  }

  /** The optimizer's own variables: iteration, learning_rate (if a number), slots. */
  get variables(): Variable[] {
    return [...this.trackedVariables];
  }

  /** The variables the optimizer was built for, in order. */
  get trainableVariables(): Variable[] {
    return [...this.builtVariables];
  }

  /**
   * The current learning rate as a number (a schedule is evaluated at the current step). Reads
   * one scalar back from the device; meant for callbacks, not for every step.
   */
  get learningRate(): number {
    const lr = this.lr;
    if (lr instanceof Variable) return lr.dataSync()[0]!;
    if (typeof lr === 'function') return tidy(() => toNumber(lr()));
    const step = this.iterationsVariable.dataSync()[0]!;
    return tidy(() => toNumber(lr.apply(step)));
  }

  /**
   * Sets the learning rate. A number updates the learning-rate variable in place (like Keras, this
   * is refused when the optimizer was created with a schedule); a schedule or function replaces it.
   */
  set learningRate(value: LearningRate) {
    if (typeof value === 'number') {
      const current = this.lr;
      if (current instanceof Variable) {
        current.assign(value);
      } else if (isLearningRateSchedule(current)) {
        throw new ValueError(
          'This optimizer was created with a `LearningRateSchedule` object as its `learningRate` constructor ' +
            'argument, hence its learning rate is not settable. If you need the learning rate to be settable, ' +
            'you should instantiate the optimizer with a number `learningRate` argument.',
        );
      } else {
        this.lr = this.makeLearningRateVariable(value);
      }
      return;
    }
    if (typeof value !== 'function' && !isLearningRateSchedule(value)) {
      throw new ValueError(`Cannot set the learning rate to ${String(value)}.`);
    }
    const previous = this.lr;
    this.lr = value;
    if (previous instanceof Variable) {
      this.untrackVariable(previous);
      previous.dispose();
    }
  }

  /** The schedule (or function) driving the learning rate, or null when it is a number. */
  get learningRateSchedule(): LearningRateScheduleLike | (() => number | Tensor) | null {
    return this.lr instanceof Variable ? null : this.lr;
  }

  // ---------------------------------------------------------------- variables

  /** Creates a non-trainable optimizer variable (path `<optimizer name>/<name>`), tracked in `variables`. */
  addVariable(
    shape: readonly number[],
    options: { name: string; dtype?: DataType; initializer?: 'zeros' | 'ones' | number | ((shape: number[], dtype: DataType) => Tensor) },
  ): Variable {
    const dtype = options.dtype ?? 'float32';
    const init = options.initializer ?? 'zeros';
    const initializer =
      typeof init === 'function'
        ? init
        : (s: number[], d: DataType) => (init === 'zeros' ? ops.zeros(s, d) : init === 'ones' ? ops.ones(s, d) : ops.full(s, init, d));
    const v = new Variable({
      initializer,
      shape: [...shape],
      dtype,
      trainable: false,
      name: options.name,
      path: `${this.name}/${options.name}`,
    });
    this.trackedVariables.push(v);
    return v;
  }

  /** A zero-filled slot shaped like `reference`, named `<reference path with _>_<name>` as in Keras. */
  addVariableFromReference(reference: Variable, name = 'var', initializer: 'zeros' | 'ones' | number = 'zeros'): Variable {
    return this.addVariable(reference.shape, {
      name: `${reference.path.replace(/\//g, '_')}_${name}`,
      dtype: reference.dtype,
      initializer,
    });
  }

  /**
   * One slot per variable (`name` a string), or one slot per variable and name interleaved per
   * variable (`names` a list), which is the order Keras saves them in.
   */
  addOptimizerVariables(variables: readonly Variable[], name: string, initializer?: 'zeros' | 'ones' | number): Variable[];
  addOptimizerVariables(variables: readonly Variable[], names: string[], initializer?: 'zeros' | 'ones' | number): Variable[][];
  addOptimizerVariables(
    variables: readonly Variable[],
    names: string | string[],
    initializer: 'zeros' | 'ones' | number = 'zeros',
  ): Variable[] | Variable[][] {
    const list = typeof names === 'string' ? [names] : names;
    const out: Variable[][] = list.map(() => []);
    for (const v of variables) {
      for (let i = 0; i < list.length; i++) out[i]!.push(this.addVariableFromReference(v, list[i]!, initializer));
    }
    return typeof names === 'string' ? out[0]! : out;
  }

  /** Index of `variable` in the list the optimizer was built with. */
  protected variableIndex(variable: Variable): number {
    const i = this.variableIndices.get(variable);
    if (i == null) throw new ValueError(`Unknown variable: ${variable}.`);
    return i;
  }

  /**
   * Creates the slot variables for `variables`. Subclasses override it, return early when
   * `built`, and call `super.build(variables)` first.
   */
  build(variables: readonly Variable[]): void {
    // Keras' order: all moving averages, then all gradient accumulators, then the subclass slots.
    if (this.useEma) this.averages = this.addOptimizerVariables(variables, 'average');
    if (this.accumulationSteps != null) this.accumulatedGradients = this.addOptimizerVariables(variables, 'gradient_accumulator');
    for (const v of [...this.averages, ...this.accumulatedGradients]) this.baseVariables.add(v);
    for (let i = 0; i < variables.length; i++) this.variableIndices.set(variables[i]!, i);
    this.builtVariables.splice(0, this.builtVariables.length, ...variables);
    this.built = true;
  }

  /**
   * Excludes variables from weight decay (before the optimizer is built): the given variables,
   * and those whose name contains any of `varNames`.
   */
  excludeFromWeightDecay(options: { varList?: readonly Variable[]; varNames?: readonly string[] } = {}): void {
    if (this.built) {
      throw new ValueError('`excludeFromWeightDecay()` can only be configured before the optimizer is built.');
    }
    this.excludedVariables = new Set(options.varList ?? []);
    const names = [...new Set(options.varNames ?? [])];
    this.excludedPattern = names.length > 0 ? new RegExp(names.join('|')) : null;
  }

  protected useWeightDecay(variable: Variable): boolean {
    if (this.excludedVariables.has(variable)) return false;
    if (this.excludedPattern?.test(variable.name)) return false;
    return true;
  }

  // ---------------------------------------------------------------- the step

  /** The update rule for one variable; `learningRate` is a float32 scalar tensor. Runs inside `tidy`. */
  abstract updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void;

  /** `apply` with `[gradient, variable]` pairs; returns `iterations`. */
  applyGradients(gradsAndVars: readonly (readonly [Tensor | null | undefined, Variable])[]): Variable {
    this.apply(
      gradsAndVars.map((p) => p[0]),
      gradsAndVars.map((p) => p[1]),
    );
    return this.iterationsVariable;
  }

  /**
   * Applies `grads` to `variables` (same order). `variables` may be left out once the optimizer
   * is built; the first call builds it. Null gradients are skipped (with a warning).
   */
  apply(grads: readonly (Tensor | null | undefined)[], variables?: readonly Variable[]): void {
    if (grads.length === 0) return;
    let vars: Variable[];
    if (variables == null) {
      if (!this.built) {
        throw new ValueError(
          'When passing `grads` without `variables`, the optimizer must already be built on a list of variables. ' +
            'Call `optimizer.build(trainableVariables)` first.',
        );
      }
      if (grads.length !== this.builtVariables.length) {
        throw new ValueError(
          `Received a list of ${grads.length} gradients, but the optimizer is tracking ${this.builtVariables.length} trainable variables.`,
        );
      }
      vars = this.builtVariables;
    } else {
      if (variables.length !== grads.length) {
        throw new ValueError(`Received ${grads.length} gradients for ${variables.length} variables.`);
      }
      vars = [...variables];
      if (!this.built) this.build(vars);
      for (const v of vars) {
        if (!this.variableIndices.has(v)) {
          throw new ValueError(
            `Unknown variable: ${v}. This optimizer can only be called for the variables it was originally built with. ` +
              'When working with a new set of variables, you should recreate a new optimizer instance.',
          );
        }
      }
    }

    const gs: Tensor[] = [];
    const vs: Variable[] = [];
    const missing: string[] = [];
    grads.forEach((g, i) => {
      if (g == null) missing.push(vars[i]!.path);
      else {
        gs.push(g);
        vs.push(vars[i]!);
      }
    });
    if (gs.length === 0) throw new ValueError('No gradients provided for any variable.');
    if (missing.length > 0) {
      console.warn(
        `Gradients do not exist for variables ${JSON.stringify(missing)} when minimizing the loss. ` +
          'If using `model.compile()`, did you forget to provide a `loss` argument?',
      );
    }

    tidy(() => {
      let g = gs.map((x, i) => (x.dtype === vs[i]!.dtype ? x : ops.cast(x, vs[i]!.dtype)));
      const scale = this.lossScaleFactor;
      if (scale != null) g = g.map((x) => ops.divide(x, scale));
      if (this.accumulationSteps != null) {
        this.accumulateOrUpdate(g, vs, this.accumulationSteps);
      } else {
        g = this.clipGradients(g);
        const lr = this.currentLearningRate();
        this.applyWeightDecay(vs, lr);
        this.backendUpdateStep(g, vs, lr);
      }
      if (this.useEma) this.updateMovingAverages();
      for (const v of vs) if (v.constraint != null) v.assign(v.constraint(v.value));
      this.iterationsVariable.assignAdd(ops.ones([], 'int32'));
    });
  }

  /**
   * Gradient accumulation (Keras' `_backend_apply_gradients`): on every N-th call (iterations + 1
   * divisible by N) the weights are updated with `(g + accumulator) / N`, clipped and weight-decayed
   * as usual, and every accumulator is reset; on the other calls `g` is only added to its
   * accumulator. To stay on the device without a host-side branch, the update is always computed
   * and then kept or undone per variable with `where` on the step parity.
   */
  private accumulateOrUpdate(grads: Tensor[], variables: Variable[], steps: number): void {
    const isUpdate = ops.equal(ops.mod(ops.add(this.iterationsVariable.value, 1), steps), 0);
    const accs = variables.map((v) => this.accumulatedGradients[this.variableIndex(v)]!);
    const summed = grads.map((g, i) => ops.add(g, accs[i]!.value));
    // Everything an update may write: the weights (weight decay, update rule) and the rule's slots.
    const guarded = [...variables, ...this.trackedVariables.filter((v) => !this.baseVariables.has(v))];
    const before = guarded.map((v) => ops.identity(v.value));

    const averaged = this.clipGradients(summed.map((s) => ops.divide(s, steps)));
    const lr = this.currentLearningRate();
    this.applyWeightDecay(variables, lr);
    this.backendUpdateStep(averaged, variables, lr);

    for (const [i, v] of guarded.entries()) v.assign(ops.where(isUpdate, v.value, before[i]!));
    // Keras resets every accumulator on an update step, and otherwise adds to those with a gradient.
    this.accumulatedGradients.forEach((acc) => {
      const k = accs.indexOf(acc);
      const next = k >= 0 ? summed[k]! : acc.value;
      acc.assign(ops.where(isUpdate, ops.zerosLike(acc.value), next));
    });
  }

  /** Calls `updateStep` for each pair; override to batch work across variables. */
  protected backendUpdateStep(grads: Tensor[], variables: Variable[], learningRate: Tensor): void {
    for (let i = 0; i < grads.length; i++) this.updateStep(grads[i]!, variables[i]!, learningRate);
  }

  /** The learning rate for this step as a float32 scalar tensor (call inside `tidy`). */
  protected currentLearningRate(): Tensor {
    const lr = this.lr;
    if (lr instanceof Variable) return lr.value;
    if (typeof lr === 'function') return toScalar(lr());
    if (lr instanceof LearningRateSchedule) return lr.apply(this.iterationsVariable.value);
    // A schedule from elsewhere may only understand numbers: give it the step as a number.
    return toScalar(lr.apply(this.iterationsVariable.dataSync()[0]!));
  }

  protected clipGradients(grads: Tensor[]): Tensor[] {
    if (this.clipnorm != null && this.clipnorm > 0) return grads.map((g) => clipByNorm(g, this.clipnorm!));
    if (this.globalClipnorm != null && this.globalClipnorm > 0) return clipByGlobalNorm(grads, this.globalClipnorm);
    if (this.clipvalue != null && this.clipvalue > 0) {
      const c = this.clipvalue;
      return grads.map((g) => ops.clip(g, -c, c));
    }
    return grads;
  }

  protected applyWeightDecay(variables: Variable[], learningRate: Tensor): void {
    const wd = this.weightDecay;
    if (wd == null) return;
    for (const v of variables) {
      if (this.useWeightDecay(v)) v.assign(ops.subtract(v.value, ops.multiply(ops.multiply(v.value, wd), learningRate)));
    }
  }

  private updateMovingAverages(): void {
    // Keras looks at the update count here (floor(iterations / N) with gradient accumulation).
    const it = this.updateIterations();
    const momentum = ops.multiply(ops.cast(ops.notEqual(it, 0), 'float32'), this.emaMomentum);
    const oneMinus = ops.subtract(1, momentum);
    this.builtVariables.forEach((v, i) => {
      const avg = this.averages[i]!;
      avg.assign(ops.add(ops.multiply(momentum, avg.value), ops.multiply(oneMinus, v.value)));
    });
    const f = this.emaOverwriteFrequency;
    if (f != null) {
      const overwrite = ops.equal(ops.mod(ops.add(it, 1), f), 0);
      this.builtVariables.forEach((v, i) => {
        v.assign(ops.where(overwrite, this.averages[i]!.value, v.value));
      });
    }
  }

  /** The moving averages of the built variables (`useEma`), in their order; empty otherwise. */
  get modelVariablesMovingAverage(): Variable[] {
    return [...this.averages];
  }

  /** With `useEma`, overwrites `variables` with their moving averages (Keras does this after `fit`). */
  finalizeVariableValues(variables: readonly Variable[] = this.builtVariables): void {
    if (!this.useEma) return;
    if (variables.length !== this.averages.length) {
      throw new ValueError(
        `The length of model variables (${variables.length}) to override does not match the length of model variables ` +
          `stored in the optimizer (${this.averages.length}). Please check if the optimizer was called on your model.`,
      );
    }
    for (let i = 0; i < variables.length; i++) variables[i]!.assign(this.averages[i]!.value);
  }

  /** Multiplies the loss by `lossScaleFactor` (gradients are divided by it in `apply`). */
  scaleLoss(loss: Tensor): Tensor {
    return this.lossScaleFactor != null ? ops.multiply(loss, this.lossScaleFactor) : loss;
  }

  /** Frees every optimizer variable. */
  dispose(): void {
    for (const v of this.trackedVariables) v.dispose();
    this.trackedVariables.length = 0;
  }

  // ---------------------------------------------------------------- config

  getConfig(): Config {
    const lr = this.lr;
    let learningRate: unknown;
    if (lr instanceof Variable) learningRate = lr.dataSync()[0]!;
    else if (typeof lr === 'function') learningRate = this.learningRate;
    else learningRate = serializeKerasObject(lr);
    return {
      name: this.name,
      learning_rate: learningRate,
      weight_decay: this.weightDecay,
      clipnorm: this.clipnorm,
      global_clipnorm: this.globalClipnorm,
      clipvalue: this.clipvalue,
      use_ema: this.useEma,
      ema_momentum: this.emaMomentum,
      ema_overwrite_frequency: this.emaOverwriteFrequency,
      loss_scale_factor: this.lossScaleFactor,
      gradient_accumulation_steps: this.gradientAccumulationSteps,
    };
  }

  /** Rebuilds an optimizer from its (snake_case, Keras) config; `learning_rate` may be a serialized schedule. */
  static fromConfig<T extends Optimizer>(
    this: new (args: never) => T,
    config: Config,
    customObjects?: CustomObjects,
  ): T {
    const c: Config = { ...config };
    for (const k of IGNORED_CONFIG_KEYS) delete c[k];
    const lr = c['learning_rate'];
    if (lr != null && typeof lr === 'object') {
      c['learning_rate'] = deserializeKerasObject('schedule', lr as SerializedObject, customObjects);
    }
    return new this(camelizeConfig(c) as never);
  }

  toString(): string {
    return `<${this.constructor.name} name=${this.name}>`;
  }

  private makeLearningRateVariable(value: number): Variable {
    // Keras keeps a number learning rate in a float32 variable (index 1 of `variables`).
    const v = new Variable({ initializer: value, dtype: 'float32', trainable: false, name: 'learning_rate', path: `${this.name}/learning_rate` });
    this.baseVariables.add(v);
    const at = this.trackedVariables.indexOf(this.iterationsVariable);
    this.trackedVariables.splice(at + 1, 0, v);
    return v;
  }

  private untrackVariable(v: Variable): void {
    const i = this.trackedVariables.indexOf(v);
    if (i >= 0) this.trackedVariables.splice(i, 1);
  }
}

function toNumber(x: number | Tensor): number {
  return isTensor(x) ? x.dataSync()[0]! : x;
}

function toScalar(x: number | Tensor): Tensor {
  return isTensor(x) ? ops.cast(ops.reshape(x, []), 'float32') : tensor(x, [], 'float32');
}

// Shared pieces of the optimizer tests: a fixed two-variable problem, a runner for the code under
// test, and a float64 reference of Keras' base-optimizer step (clipnorm, weight decay, EMA, gradient
// accumulation) into which each test plugs its own plain-JS update rule.
import { Variable, memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import type { Optimizer } from './optimizer';

export type Vec = number[];

/**
 * Two variables (shapes [3] and [2, 2]) and six steps of gradients for each. No sum of 2 or 3
 * consecutive gradients is 0 (an accumulated 0 is ill-conditioned in float32 for Adam-like rules).
 */
export const PROBLEM = {
  paths: ['dense/bias', 'dense/kernel'],
  shapes: [[3], [2, 2]] as number[][],
  initial: [
    [0.5, -1.2, 2.0],
    [0.3, -0.7, 1.1, 0.4],
  ] as Vec[],
  grads: [
    [
      [0.1, -0.2, 0.3],
      [0.2, -0.1, 0.05, 0.3],
    ],
    [
      [0.4, 0.1, -0.5],
      [-0.4, 0.6, 0.1, -0.2],
    ],
    [
      [-0.3, 0.25, 0.15],
      [0.3, 0.2, -0.1, 0.45],
    ],
    [
      [0.05, -0.6, 0.35],
      [0.1, -0.3, 0.25, 0.05],
    ],
    [
      [0.2, 0.3, -0.1],
      [-0.25, 0.15, 0.4, -0.35],
    ],
    [
      [-0.15, 0.05, 0.45],
      [0.35, -0.45, -0.2, 0.1],
    ],
  ] as Vec[][],
};

export function makeVariables(): Variable[] {
  return PROBLEM.paths.map((path, i) => {
    const init = tensorOf(PROBLEM.initial[i]!, PROBLEM.shapes[i]!);
    const v = new Variable({ initializer: init, name: path.split('/').pop(), path });
    init.dispose();
    return v;
  });
}

function tensorOf(values: Vec, shape: number[]) {
  return tensor(values, shape);
}

/**
 * Applies the first `steps` gradient pairs of `PROBLEM` with `opt`; returns the final weights as
 * flat arrays and how many tensors the steps after the first (which builds the slots) leaked.
 */
export function runProblem(opt: Optimizer, steps: number): { values: Vec[]; leaked: number } {
  const vars = makeVariables();
  let baseline = 0;
  for (let s = 0; s < steps; s++) {
    if (s === 1) baseline = memory().numTensors;
    const gs = PROBLEM.grads[s]!.map((g, i) => tensorOf(g, PROBLEM.shapes[i]!));
    opt.apply(gs, vars);
    for (const g of gs) g.dispose();
  }
  const leaked = steps > 1 ? memory().numTensors - baseline : 0;
  const values = vars.map((v) => Array.from(v.value.dataSync()));
  for (const v of vars) v.dispose();
  return { values, leaked };
}

export interface RefContext {
  /** Keras' `optimizer.iterations` as the update rule sees it (updates so far, 0-based). */
  step: number;
  lr: number;
  /** Which variable of the problem. */
  index: number;
  shape: number[];
}

/** One variable's update in float64: mutates `w` and `slots` in place. */
export type RefRule = (w: Vec, g: Vec, slots: Record<string, Vec>, ctx: RefContext) => void;

export interface RefConfig {
  lr: number;
  rule: RefRule;
  /** Initial slots of one variable (default: none). */
  initSlots?: (shape: number[], w: Vec) => Record<string, Vec>;
  /** Called once per weight update before the per-variable rules (Nadam's momentum product). */
  beforeUpdate?: (step: number) => void;
  clipnorm?: number;
  weightDecay?: number;
  useEma?: boolean;
  emaMomentum?: number;
  gradientAccumulationSteps?: number;
}

/** Float64 reference of Keras 3's `apply` over the first `steps` steps of `PROBLEM`. */
export function reference(cfg: RefConfig, steps: number): { weights: Vec[]; averages: Vec[]; slots: Record<string, Vec>[] } {
  const weights = PROBLEM.initial.map((w) => [...w]);
  const slots = PROBLEM.shapes.map((shape, i) => cfg.initSlots?.(shape, weights[i]!) ?? {});
  const averages = weights.map((w) => w.map(() => 0));
  let accumulators = weights.map((w) => w.map(() => 0));
  const n = cfg.gradientAccumulationSteps;
  for (let it = 0; it < steps; it++) {
    const grads = PROBLEM.grads[it]!;
    const step = n ? Math.floor(it / n) : it;
    if (!n || (it + 1) % n === 0) {
      let gs = grads.map((g, i) => g.map((x, k) => (n ? (x + accumulators[i]![k]!) / n : x)));
      if (n) accumulators = weights.map((w) => w.map(() => 0));
      if (cfg.clipnorm != null) {
        const c = cfg.clipnorm;
        gs = gs.map((g) => {
          const norm = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
          return g.map((x) => (x * c) / Math.max(norm, c));
        });
      }
      if (cfg.weightDecay != null) {
        for (const w of weights) for (let k = 0; k < w.length; k++) w[k] = w[k]! - w[k]! * cfg.weightDecay * cfg.lr;
      }
      cfg.beforeUpdate?.(step);
      for (const [i, g] of gs.entries()) cfg.rule(weights[i]!, g, slots[i]!, { step, lr: cfg.lr, index: i, shape: PROBLEM.shapes[i]! });
    } else {
      accumulators = accumulators.map((a, i) => a.map((x, k) => x + grads[i]![k]!));
    }
    if (cfg.useEma) {
      const m = step === 0 ? 0 : (cfg.emaMomentum ?? 0.99);
      for (const [i, a] of averages.entries()) for (let k = 0; k < a.length; k++) a[k] = m * a[k]! + (1 - m) * weights[i]![k]!;
    }
  }
  return { weights, averages, slots };
}

/** Tolerance of the float32 results against the float64 reference. */
export const TOL = { rtol: 1e-6, atol: 1e-7 };

export const zeros = (w: Vec): Vec => w.map(() => 0);
export const fill = (w: Vec, x: number): Vec => w.map(() => x);

/** Keras' base-optimizer config entries at their defaults (after `name` and `learning_rate`). */
export const BASE_CONFIG_DEFAULTS = {
  weight_decay: null,
  clipnorm: null,
  global_clipnorm: null,
  clipvalue: null,
  use_ema: false,
  ema_momentum: 0.99,
  ema_overwrite_frequency: null,
  loss_scale_factor: null,
  gradient_accumulation_steps: null,
};

/** Names of `optimizer.variables` in order. */
export const variableNames = (opt: Optimizer): string[] => opt.variables.map((v) => v.name);

/**
 * `base^t` as Keras computes it in float32: the base rounded to float32, the power rounded to
 * float32. Bias corrections like `1 - 0.999^t` are ill-conditioned, so a float64 reference has to
 * model these two roundings to agree to 1e-6.
 */
export const pow32 = (base: number, t: number): number => Math.fround(Math.fround(base) ** t);

/**
 * The check Keras' own optimizer tests make ("correctness with golden"): x = ones(10), one step
 * with gradient 0.01 everywhere, then five steps with gradient [0.1, 0.2, ..., 1.0], comparing x
 * before each of those five steps with Keras' published values (to 5e-4, as Keras does).
 */
export function expectKerasGolden(opt: Optimizer, golden: number[][]): void {
  const x = new Variable({ initializer: Array(10).fill(1), name: 'x' });
  const first = tensor(Array(10).fill(0.01));
  const grads = tensor(Array.from({ length: 10 }, (_, i) => (i + 1) / 10));
  opt.apply([first], [x]);
  for (let i = 0; i < 5; i++) {
    expectAllClose(x.value, golden[i]!, { rtol: 5e-4, atol: 5e-4 });
    opt.apply([grads], [x]);
  }
  for (const t of [x, first, grads]) t.dispose();
}

/** `golden` for a row value repeated 10 times (Keras' `np.tile`). */
export const tiled = (rows: number[]): number[][] => rows.map((r) => Array(10).fill(r));

/** Keras' "single step" test: w = [1, 2, 3, 4], g = [1, 6, 7, 2], one step, to 1e-4. */
export function expectKerasSingleStep(opt: Optimizer, expected: number[]): void {
  const w = new Variable({ initializer: [1, 2, 3, 4], name: 'w' });
  const g = tensor([1, 6, 7, 2]);
  opt.apply([g], [w]);
  expectAllClose(w.value, expected, { rtol: 1e-4, atol: 1e-4 });
  w.dispose();
  g.dispose();
}

// Test-only: float64 reference recurrences in plain JS loops (formulas of the Keras fixtures
// README), used by the recurrent tests. Not exported from the package.
export type Mat = number[][];

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** `row @ m` for a vector and an (in, out) matrix, plus an optional bias. */
function vecmat(row: number[], m: Mat, bias?: number[]): number[] {
  const out = new Array<number>(m[0]!.length).fill(0);
  for (let i = 0; i < row.length; i++) for (let j = 0; j < out.length; j++) out[j]! += row[i]! * m[i]![j]!;
  if (bias) for (let j = 0; j < out.length; j++) out[j]! += bias[j]!;
  return out;
}

export function toMat(data: ArrayLike<number>, rows: number, cols: number): Mat {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => data[i * cols + j]!));
}

export type Step = (x: number[], states: number[][]) => [number[], number[][]];

export function simpleRnnStep(k: Mat, r: Mat, b: number[] | null): Step {
  return (x, [h]) => {
    const a = vecmat(x, k, b ?? undefined);
    const rh = vecmat(h!, r);
    const out = a.map((v, j) => Math.tanh(v + rh[j]!));
    return [out, [out]];
  };
}

export function lstmStep(k: Mat, r: Mat, b: number[] | null, u: number): Step {
  return (x, [h, c]) => {
    const xz = vecmat(x, k, b ?? undefined);
    const hz = vecmat(h!, r);
    const z = xz.map((v, j) => v + hz[j]!);
    const cNew = c!.map((cv, j) => sig(z[u + j]!) * cv + sig(z[j]!) * Math.tanh(z[2 * u + j]!));
    const hNew = cNew.map((cv, j) => sig(z[3 * u + j]!) * Math.tanh(cv));
    return [hNew, [hNew, cNew]];
  };
}

/** GRU; `b` is `[inputBias, recurrentBias]` when resetAfter, `[bias]` otherwise. */
export function gruStep(k: Mat, r: Mat, b: number[][] | null, u: number, resetAfter: boolean): Step {
  return (x, [h]) => {
    const mx = vecmat(x, k, b?.[0]);
    const out: number[] = [];
    if (resetAfter) {
      const inner = vecmat(h!, r, b?.[1]);
      for (let j = 0; j < u; j++) {
        const z = sig(mx[j]! + inner[j]!);
        const rr = sig(mx[u + j]! + inner[u + j]!);
        const hh = Math.tanh(mx[2 * u + j]! + rr * inner[2 * u + j]!);
        out.push(z * h![j]! + (1 - z) * hh);
      }
    } else {
      const inner = vecmat(h!, r);
      const rs = Array.from({ length: u }, (_, j) => sig(mx[u + j]! + inner[u + j]!));
      const rh = h!.map((v, j) => v * rs[j]!);
      const rhR = vecmat(rh, r.map((row) => row.slice(2 * u)));
      for (let j = 0; j < u; j++) {
        const z = sig(mx[j]! + inner[j]!);
        const hh = Math.tanh(mx[2 * u + j]! + rhR[j]!);
        out.push(z * h![j]! + (1 - z) * hh);
      }
    }
    return [out, [out]];
  };
}

/** Runs `step` over `x` (batch, T, f); returns every output (batch, T, u) and the final states. */
export function runReference(
  step: Step,
  x: number[][][],
  init: number[][][],
  opts: { goBackwards?: boolean; mask?: boolean[][] } = {},
): { outputs: number[][][]; states: number[][][] } {
  const outputs: number[][][] = [];
  const finals: number[][][] = [];
  x.forEach((seq, bi) => {
    let states = init.map((s) => [...s[bi]!]);
    let prev = new Array<number>(states[0]!.length).fill(0);
    const order = seq.map((_, t) => t);
    if (opts.goBackwards) order.reverse();
    const outs: number[][] = [];
    for (const t of order) {
      const [o, next] = step(seq[t]!, states);
      const keep = opts.mask == null || opts.mask[bi]![t]!;
      if (keep) {
        states = next;
        prev = o;
      }
      outs.push(prev);
    }
    outputs.push(outs);
    states.forEach((s, k) => {
      finals[k] ??= [];
      finals[k]!.push(s);
    });
  });
  return { outputs, states: finals };
}

// The training case of the backend suites: a small CNN with an Embedding -> LSTM side branch, its
// data, and a seeded `fit` that can move to another backend between epochs. It takes the layers and
// models modules as arguments (like `layerConformanceCases(L)`), so test-utils does not depend on
// @strata/layers or @strata/models, and it imports nothing from Node, so browser tests can use it.
import { type Tensor, getBackend, memory, setBackend, setRandomSeed, tensor } from '@strata/core';
import { type Tolerance, expectAllClose } from './allclose';

// biome-ignore lint/suspicious/noExplicitAny: the layers module, typed structurally by its use here.
type LayersModule = Record<string, any>;

/** What the training case needs of a compiled model (satisfied by @strata/models' Model). */
export interface TrainableModel {
  // biome-ignore lint/suspicious/noExplicitAny: the compile arguments are the models package's.
  compile(args: any): void;
  // biome-ignore lint/suspicious/noExplicitAny: Model.fit is overloaded; any keeps the check structural.
  fit(x: any, y: any, args?: any): Promise<{ history: Record<string, number[]> }>;
  getWeights(): Tensor[];
  dispose?(): void;
}

/** The models module, or anything with a functional `Model` constructor. */
export interface ModelsModule<M extends TrainableModel> {
  // biome-ignore lint/suspicious/noExplicitAny: the constructor's argument object is the models package's.
  Model: new (args: any) => M;
}

/** The epoch losses, the final weights and the backend each epoch ran on. */
export interface TrainingRun {
  loss: number[];
  weights: number[][];
  used: string[];
}

export interface TrainingCase<M extends TrainableModel> {
  /** A fresh, compiled model (Adam, sparse categorical cross-entropy) with seeded initial weights. */
  build(): M;
  /** Images [24, 8, 8, 1], token ids [24, 6] in [0, 12) and 3-class labels that depend on both. */
  data(): { x: Tensor[]; y: Tensor };
  /**
   * Builds the model on cpu, runs `beforeFit` (if given), then fits `epochs` epochs of batch 8 with
   * a fixed shuffle seed, switching to `backendAtEpoch(epoch)` (null: stay) at each epoch's start.
   * Ends on cpu, with the data and the model disposed.
   */
  train(backendAtEpoch: (epoch: number) => string | null, epochs: number, beforeFit?: (model: M) => Promise<void>): Promise<TrainingRun>;
  /**
   * How many tensors two more epochs on `backend` add once the first epoch has created the optimizer
   * slots (0 when a training step leaks nothing). Ends on cpu.
   */
  tensorsAddedByLaterEpochs(backend: string): Promise<number>;
}

const N = 24;

function uniform(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) / 2 ** 24;
  });
}

/**
 * The weights of `model` as numbers, read with `await data()` (WebGPU in Node cannot read
 * synchronously, and in Chromium on SwiftShader its synchronous read returns zeros).
 */
export async function readWeights(model: TrainableModel): Promise<number[][]> {
  const ws = model.getWeights();
  try {
    return await Promise.all(ws.map(async (w) => Array.from(await w.data())));
  } finally {
    for (const w of ws) w.dispose();
  }
}

/**
 * Throws unless `run` has the losses (default atol 1e-4, rtol 1e-3) and final weights (default
 * atol 1e-3, rtol 1e-3) of `reference`: float32 on both sides, summed in another order.
 */
export function expectSameTraining(run: TrainingRun, reference: TrainingRun, tol: { loss?: Tolerance; weights?: Tolerance } = {}): void {
  expectAllClose(run.loss, reference.loss, tol.loss ?? { atol: 1e-4, rtol: 1e-3 });
  if (run.weights.length !== reference.weights.length) {
    throw new Error(`expectSameTraining: ${run.weights.length} weights vs ${reference.weights.length} in the reference run`);
  }
  run.weights.forEach((w, i) => {
    expectAllClose(w, reference.weights[i]!, tol.weights ?? { atol: 1e-3, rtol: 1e-3 });
  });
}

/** The training case built from the layers module `L` and the models module `M`. */
export function trainingCase<M extends TrainableModel>(L: LayersModule, Models: ModelsModule<M>): TrainingCase<M> {
  function build(): M {
    // Same layer names and the same initial weights on every call.
    L.clearSession();
    setRandomSeed(1234);
    const image = L.Input({ shape: [8, 8, 1] });
    const tokens = L.Input({ shape: [6], dtype: 'int32' });
    let a = new L.Conv2D(4, 3, { padding: 'same', activation: 'relu' }).apply(image);
    a = new L.MaxPooling2D(2).apply(a);
    a = new L.DepthwiseConv2D(3, { padding: 'same', depthMultiplier: 2 }).apply(a);
    a = new L.SeparableConv2D(4, 2, { strides: 2, activation: 'relu' }).apply(a);
    a = new L.Flatten().apply(a);
    let b = new L.Embedding(12, 4).apply(tokens);
    b = new L.LSTM(5).apply(b);
    const out = new L.Dense(3, { activation: 'softmax' }).apply(new L.Concatenate().apply([a, b]));
    const model = new Models.Model({ inputs: [image, tokens], outputs: out });
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    return model;
  }

  function data(): { x: Tensor[]; y: Tensor } {
    const img = uniform(N * 8 * 8, 3).map((v) => v * 2 - 1);
    const tok = uniform(N * 6, 5).map((v) => Math.floor(v * 12));
    // The label needs both branches: the sign of the image's sum plus the parity of the first token.
    const labels = Array.from({ length: N }, (_, i) => {
      let s = 0;
      for (let j = 0; j < 64; j++) s += img[i * 64 + j]!;
      return ((s > 0 ? 1 : 0) + (tok[i * 6]! % 2)) % 3;
    });
    return {
      x: [tensor(img, [N, 8, 8, 1]), tensor(tok, [N, 6], 'int32')],
      y: tensor(labels, [N], 'int32'),
    };
  }

  async function train(backendAtEpoch: (epoch: number) => string | null, epochs: number, beforeFit?: (model: M) => Promise<void>): Promise<TrainingRun> {
    await setBackend('cpu');
    const model = build();
    const { x, y } = data();
    try {
      if (beforeFit != null) await beforeFit(model);
      const used: string[] = [];
      // A plain object with the Callback hooks fit calls: test-utils does not depend on @strata/callbacks.
      const switcher = {
        setModel() {},
        setParams() {},
        async onEpochBegin(epoch: number) {
          const name = backendAtEpoch(epoch);
          if (name != null) await setBackend(name);
          used.push(getBackend());
        },
      };
      const history = await model.fit(x, y, { epochs, batchSize: 8, verbose: 0, seed: 7, callbacks: [switcher] });
      return { loss: history.history.loss!, weights: await readWeights(model), used };
    } finally {
      for (const t of [...x, y]) t.dispose();
      model.dispose?.();
      await setBackend('cpu');
    }
  }

  async function tensorsAddedByLaterEpochs(backend: string): Promise<number> {
    await setBackend(backend);
    const model = build();
    const { x, y } = data();
    try {
      // The first epoch creates the optimizer slots; later epochs must not add anything.
      await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, seed: 1 });
      const after1 = memory().numTensors;
      await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, seed: 1 });
      return memory().numTensors - after1;
    } finally {
      for (const t of [...x, y]) t.dispose();
      model.dispose?.();
      await setBackend('cpu');
    }
  }

  return { build, data, train, tensorsAddedByLaterEpochs };
}

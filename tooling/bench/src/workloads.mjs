// The benchmark workloads. Each model is described once against a small builder interface that
// has a Strata implementation and a tfjs-layers implementation, so both sides build the same
// architecture (same layers, shapes, parameter counts: `--dry` checks this).

/** Strata's builder: Keras-style layer classes called on symbolic tensors. */
export function strataBuilder({ layers: L, models: M }) {
  return {
    side: 'strata',
    input: (shape) => M.Input({ shape }),
    conv: (x, filters, kernelSize, { strides = 1, padding = 'same', useBias = true, activation = null } = {}) =>
      new L.Conv2D(filters, kernelSize, { strides, padding, useBias, activation }).apply(x),
    depthwise: (x, { strides = 1 } = {}) => new L.DepthwiseConv2D(3, { strides, padding: 'same', useBias: false }).apply(x),
    batchNorm: (x) => new L.BatchNormalization({ epsilon: 1e-3, momentum: 0.999 }).apply(x),
    relu6: (x) => new L.ReLU({ maxValue: 6 }).apply(x),
    add: (a, b) => new L.Add().apply([a, b]),
    maxPool: (x) => new L.MaxPooling2D(2).apply(x),
    globalAvgPool: (x) => new L.GlobalAveragePooling2D().apply(x),
    flatten: (x) => new L.Flatten().apply(x),
    dense: (x, units, activation = null) => new L.Dense(units, { activation }).apply(x),
    lstm: (x, units) => new L.LSTM(units).apply(x),
    model: (inputs, outputs, name) => new M.Model({ inputs, outputs, name }),
    compile: (model) => model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' }),
  };
}

/** tfjs-layers' builder: the equivalent `tf.layers.*` factories. */
export function tfjsLayersBuilder(tfl) {
  const l = tfl.layers;
  return {
    side: 'tfjs-layers',
    input: (shape) => tfl.input({ shape }),
    conv: (x, filters, kernelSize, { strides = 1, padding = 'same', useBias = true, activation = null } = {}) =>
      l.conv2d({ filters, kernelSize, strides, padding, useBias, activation: activation ?? 'linear' }).apply(x),
    depthwise: (x, { strides = 1 } = {}) => l.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false }).apply(x),
    batchNorm: (x) => l.batchNormalization({ epsilon: 1e-3, momentum: 0.999 }).apply(x),
    relu6: (x) => l.reLU({ maxValue: 6 }).apply(x),
    add: (a, b) => l.add().apply([a, b]),
    maxPool: (x) => l.maxPooling2d({ poolSize: 2 }).apply(x),
    globalAvgPool: (x) => l.globalAveragePooling2d({}).apply(x),
    flatten: (x) => l.flatten().apply(x),
    dense: (x, units, activation = null) => l.dense({ units, activation: activation ?? 'linear' }).apply(x),
    lstm: (x, units) => l.lstm({ units }).apply(x),
    model: (inputs, outputs, name) => tfl.model({ inputs, outputs, name }),
    compile: (model) => model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' }),
  };
}

function mlp(b) {
  const x = b.input([784]);
  let h = b.dense(x, 128, 'relu');
  h = b.dense(h, 128, 'relu');
  return b.model(x, b.dense(h, 10, 'softmax'), 'mlp');
}

function cnn(b, p) {
  const x = b.input([p.size, p.size, 1]);
  let h = b.conv(x, 32, 3, { padding: 'valid', activation: 'relu' });
  h = b.maxPool(h);
  h = b.conv(h, 64, 3, { padding: 'valid', activation: 'relu' });
  h = b.maxPool(h);
  h = b.flatten(h);
  h = b.dense(h, 128, 'relu');
  return b.model(x, b.dense(h, 10, 'softmax'), 'cnn');
}

// MobileNetV2 (alpha 1): expansion t, output channels c, repeats n, first stride s.
const MOBILENET_V2_BLOCKS = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

function convBnRelu6(b, x, filters, kernelSize, strides = 1) {
  return b.relu6(b.batchNorm(b.conv(x, filters, kernelSize, { strides, useBias: false })));
}

function invertedResidual(b, x, inChannels, expansion, outChannels, strides) {
  let h = x;
  if (expansion !== 1) h = convBnRelu6(b, h, inChannels * expansion, 1);
  h = b.relu6(b.batchNorm(b.depthwise(h, { strides })));
  h = b.batchNorm(b.conv(h, outChannels, 1, { useBias: false }));
  return strides === 1 && inChannels === outChannels ? b.add(x, h) : h;
}

function mobilenetV2(b, p) {
  const x = b.input([p.size, p.size, 3]);
  let h = convBnRelu6(b, x, 32, 3, 2);
  let channels = 32;
  for (const [t, c, n, s] of MOBILENET_V2_BLOCKS) {
    for (let i = 0; i < n; i++) {
      h = invertedResidual(b, h, channels, t, c, i === 0 ? s : 1);
      channels = c;
    }
  }
  h = convBnRelu6(b, h, 1280, 1);
  h = b.globalAvgPool(h);
  return b.model(x, b.dense(h, 1000, 'softmax'), 'mobilenet_v2');
}

function lstm(b, p) {
  const x = b.input([p.timesteps, p.features]);
  const h = b.lstm(x, 64);
  return b.model(x, b.dense(h, 10, 'softmax'), 'lstm');
}

/**
 * Workload table. `full` sizes follow the issue; `quick` sizes only check that the harness runs.
 * `steps`: batches per timed fit (one epoch over steps * batch samples); `reps`: timed repetitions.
 */
export const WORKLOADS = [
  {
    id: 'mlp',
    title: (p) => `MLP 784-128-128-10 fit, batch ${p.batch}`,
    kind: 'fit',
    build: mlp,
    inputShape: () => [784],
    classes: 10,
    full: { batch: 128, steps: 20, reps: 5 },
    quick: { batch: 128, steps: 2, reps: 2 },
  },
  {
    id: 'cnn',
    title: (p) => `CNN ${p.size}x${p.size} conv32-pool-conv64-pool-dense128-dense10 fit, batch ${p.batch}`,
    kind: 'fit',
    build: cnn,
    inputShape: (p) => [p.size, p.size, 1],
    classes: 10,
    full: { batch: 128, steps: 4, reps: 3, size: 28 },
    quick: { batch: 8, steps: 1, reps: 1, size: 14 },
  },
  {
    id: 'mobilenet-b1',
    title: (p) => `MobileNetV2-style stack predict ${p.size}x${p.size}, batch ${p.batch}`,
    kind: 'predict',
    build: mobilenetV2,
    inputShape: (p) => [p.size, p.size, 3],
    full: { batch: 1, reps: 7, size: 224 },
    quick: { batch: 1, reps: 2, size: 64 },
  },
  {
    id: 'mobilenet-b8',
    title: (p) => `MobileNetV2-style stack predict ${p.size}x${p.size}, batch ${p.batch}`,
    kind: 'predict',
    build: mobilenetV2,
    inputShape: (p) => [p.size, p.size, 3],
    full: { batch: 8, reps: 5, size: 224 },
    quick: { batch: 2, reps: 1, size: 64 },
  },
  {
    id: 'lstm',
    title: (p) => `LSTM(64) over ${p.timesteps} steps (${p.features} features) + dense 10 fit, batch ${p.batch}`,
    kind: 'fit',
    build: lstm,
    inputShape: (p) => [p.timesteps, p.features],
    classes: 10,
    full: { batch: 128, steps: 2, reps: 3, timesteps: 50, features: 32 },
    quick: { batch: 16, steps: 1, reps: 1, timesteps: 10, features: 8 },
  },
];

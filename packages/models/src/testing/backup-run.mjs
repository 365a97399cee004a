// A seeded training run with BackupAndRestore, used by callbacks-integration.test.ts in a child
// process. With KILL_AT_EPOCH set, the process exits abruptly at the end of that epoch.
import { BackupAndRestore, Callback } from '@strata/callbacks';
import { ops, random, setRandomSeed, tidy } from '@strata/core';
import { Dense, Input } from '@strata/layers';
import { Sequential } from '@strata/models';
import { Adam } from '@strata/optimizers';

const [backupDir] = process.argv.slice(2);
const killAt = process.env.KILL_AT_EPOCH == null ? null : Number(process.env.KILL_AT_EPOCH);
setRandomSeed(11);
const x = tidy(() => random.normal([48, 4], 0, 1, { seed: 5 }));
const y = tidy(() => ops.sum(ops.multiply(x, [[0.5, -1, 2, 0.25]]), -1, true));
const model = new Sequential([Input({ shape: [4] }), new Dense(6, { activation: 'tanh' }), new Dense(1)]);
model.compile({ optimizer: new Adam(0.05), loss: 'mse' });

class Killer extends Callback {
  onEpochEnd(epoch) {
    if (epoch === killAt) process.exit(3);
  }
}
await model.fit(x, y, { epochs: 6, batchSize: 16, shuffle: false, verbose: 0, callbacks: [new BackupAndRestore({ backupDir }), new Killer()] });
const weights = model.getWeights();
process.stdout.write(JSON.stringify(weights.map((w) => Array.from(w.dataSync()))));

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSVLogger, Callback, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, loadCheckpoint } from '@strata/callbacks';
import { type Tensor, memory, ops, random, setRandomSeed, tidy } from '@strata/core';
import { Dense, Input, clearSession } from '@strata/layers';
import { SGD } from '@strata/optimizers';
import { expectAllClose } from '@strata/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sequential } from './sequential';

const script = fileURLToPath(new URL('./testing/backup-run.mjs', import.meta.url));

function runChild(dir: string, killAt?: number): { status: number | null; weights: number[][] | null } {
  const r = spawnSync(process.execPath, [script, dir], {
    env: { ...process.env, ...(killAt == null ? {} : { KILL_AT_EPOCH: String(killAt) }) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0 && r.status !== 3) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return { status: r.status, weights: r.status === 0 ? (JSON.parse(r.stdout) as number[][]) : null };
}

function regression(n: number): { x: Tensor; y: Tensor } {
  const x = tidy(() => random.normal([n, 3], 0, 1, { seed: 2 }));
  const y = tidy(() => ops.sum(ops.multiply(x, [[1, -2, 0.5]]), -1, true));
  return { x, y };
}

describe('callbacks driving a real model', () => {
  let dir: string;
  beforeEach(() => {
    clearSession();
    dir = mkdtempSync(join(tmpdir(), 'strata-cb-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('BackupAndRestore: a process killed after epoch 3 resumes and ends with the weights of an uninterrupted run', () => {
    const killed = runChild(join(dir, 'backup'), 2);
    expect(killed.status).toBe(3);
    const resumed = runChild(join(dir, 'backup'));
    const straight = runChild(join(dir, 'fresh'));
    expect(resumed.weights).not.toBeNull();
    expect(resumed.weights!.length).toBe(straight.weights!.length);
    resumed.weights!.forEach((w, i) => {
      expectAllClose(w, straight.weights![i]!, { atol: 1e-6 });
    });
    // A finished run deletes its backup, as Keras' delete_checkpoint=True does.
    const backup = join(dir, 'backup');
    expect(existsSync(backup) ? readdirSync(backup) : []).toEqual([]);
  }, 120_000);

  it('ModelCheckpoint (best only), ReduceLROnPlateau, EarlyStopping and CSVLogger together', async () => {
    setRandomSeed(4);
    const { x, y } = regression(64);
    const model = new Sequential([Input({ shape: [3] }), new Dense(1)]);
    model.compile({ optimizer: new SGD(0.05), loss: 'mse' });
    const lrs: number[] = [];
    class LrProbe extends Callback {
      override onEpochEnd(): void {
        lrs.push(Number((this.model.optimizer as { learningRate: number }).learningRate));
      }
    }
    const history = await model.fit(x, y, {
      epochs: 8,
      batchSize: 16,
      verbose: 0,
      validationData: [x, y],
      callbacks: [
        new ModelCheckpoint({ filepath: join(dir, 'ckpt-{epoch:02d}.weights.h5'), monitor: 'val_loss', saveBestOnly: true, saveWeightsOnly: true }),
        new ReduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 0, minDelta: 10 }),
        new EarlyStopping({ monitor: 'val_loss', patience: 100 }),
        new CSVLogger({ filename: join(dir, 'log.csv') }),
        new LrProbe(),
      ],
    });
    const losses = history.history['val_loss'] as number[];
    // The loss falls every epoch, so every epoch is a new best and is saved. With min_delta 10 the
    // first epoch improves on +inf and every later one is a plateau, so the rate halves from epoch 2.
    expect(losses.every((l, i) => i === 0 || l < losses[i - 1]!)).toBe(true);
    expectAllClose(lrs, lrs.map((_, i) => 0.05 * 0.5 ** i), { rtol: 1e-5 });
    const saved = readdirSync(dir).filter((f) => f.startsWith('ckpt-')).sort();
    expect(saved.length).toBe(8);
    expect(saved[0]).toMatch(/^ckpt-01\./);
    // The best (last) checkpoint holds the final weights.
    const last = await loadCheckpoint(join(dir, saved[saved.length - 1]!));
    const weights = model.getWeights();
    expect(last.weights.length).toBe(weights.length);
    last.weights.forEach((w, i) => {
      expectAllClose(w.tensor, weights[i]!, { atol: 1e-6 });
    });
    for (const w of [...weights, ...last.weights.map((e) => e.tensor)]) w.dispose();
    const csv = readFileSync(join(dir, 'log.csv'), 'utf8').trim().split(/\r?\n/); // Python's csv module ends rows with \r\n
    expect(csv[0]).toBe('epoch,learning_rate,loss,val_loss');
    expect(csv.length).toBe(9);
    // A second fit with the same callbacks leaves no tensors behind (the model and optimizer exist now).
    const before = memory().numTensors;
    await model.fit(x, y, {
      epochs: 2,
      verbose: 0,
      validationData: [x, y],
      callbacks: [
        new ModelCheckpoint(join(dir, 'again-{epoch}.weights.h5'), { saveBestOnly: true, saveWeightsOnly: true }),
        new ReduceLROnPlateau({ monitor: 'loss', patience: 0 }),
        new CSVLogger(join(dir, 'log.csv'), { append: true }),
      ],
    });
    expect(memory().numTensors).toBe(before);
    x.dispose();
    y.dispose();
  });

  it('fit with an EMA optimizer ends with the moving averages as weights (Keras finalize_variable_values)', async () => {
    setRandomSeed(8);
    const { x, y } = regression(32);
    const model = new Sequential([Input({ shape: [3] }), new Dense(1)]);
    const opt = new SGD(0.1, { useEma: true, emaMomentum: 0.9 });
    model.compile({ optimizer: opt, loss: 'mse' });
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false });
    const averages = opt.modelVariablesMovingAverage;
    model.trainableWeights.forEach((w, i) => {
      expectAllClose(w.value, averages[i]!.value, { atol: 0 });
    });
    x.dispose();
    y.dispose();
  });
});

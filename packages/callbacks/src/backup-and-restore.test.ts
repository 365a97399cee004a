import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError, deserializeKerasObject, lookupClass, memory, ops, tensor, tidy } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupAndRestore } from './backup-and-restore';
import { Callback } from './callback';
import { TrainableFakeModel, fakeFit, seededTarget } from './testing';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-bar-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EPOCHS = 6;
const STEPS = 4;
const SEED = 1234;

/** Independent float64 reference of the fake model's training (SGD with momentum 0.9, lr 0.1). */
function referenceTraining(epochs: number, steps: number, seed: number, w0: number) {
  let w = [w0, 10 * w0];
  let v = [0, 0];
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s < steps; s++) {
      const t = seededTarget(seed, e, s);
      v = v.map((vi, i) => 0.9 * vi + (w[i]! - t[i]!));
      w = w.map((wi, i) => wi - 0.1 * v[i]!);
    }
  }
  return w;
}

class Interrupt extends Callback {
  constructor(private readonly at: number) {
    super();
  }
  override onEpochBegin(epoch: number): void {
    if (epoch === this.at) throw new Error(`interrupted at epoch ${epoch}`);
  }
}

function weights(model: TrainableFakeModel): number[] {
  return Array.from(model.weights[0]!.dataSync());
}

describe('BackupAndRestore', () => {
  it('a run interrupted in epoch 3 and resumed ends with the weights of an uninterrupted run', async () => {
    const before = memory().numTensors;
    const backup = join(dir, 'backup');
    // Uninterrupted.
    const full = new TrainableFakeModel(0.5);
    const fullHistory = await fakeFit(full, [new BackupAndRestore(join(dir, 'other'))], { epochs: EPOCHS, steps: STEPS, seed: SEED });
    expect(fullHistory.history.loss).toHaveLength(EPOCHS);
    const expected = referenceTraining(EPOCHS, STEPS, SEED, 0.5);
    for (const [i, x] of weights(full).entries()) expect(x).toBeCloseTo(expected[i]!, 5);

    // Interrupted by an exception at the start of epoch 3 (epochs 0..2 done).
    const first = new TrainableFakeModel(0.5);
    const callback = new BackupAndRestore(backup);
    await expect(fakeFit(first, [callback, new Interrupt(3)], { epochs: EPOCHS, steps: STEPS, seed: SEED })).rejects.toThrow('interrupted at epoch 3');
    expect((await readdir(backup)).sort()).toEqual(['latest.strata-ckpt', 'training_metadata.json']);
    expect(await readFile(join(backup, 'training_metadata.json'), 'utf8')).toBe('{"epoch": 3, "batch": 0}');

    // Resumed on a fresh model (different starting weights and optimizer state).
    const resumed = new TrainableFakeModel(-7);
    const epochsRun: number[] = [];
    const spy = new (class extends Callback {
      override onEpochBegin(epoch: number): void {
        epochsRun.push(epoch);
      }
    })();
    const history = await fakeFit(resumed, [callback, spy], { epochs: EPOCHS, steps: STEPS, seed: SEED });
    expect(epochsRun).toEqual([3, 4, 5]);
    expect(history.history.loss).toHaveLength(3);
    expect(weights(resumed)).toEqual(weights(full));
    expect(Array.from(resumed.optimizer.velocity.dataSync())).toEqual(Array.from(full.optimizer.velocity.dataSync()));
    expect(resumed.optimizer.iterations.dataSync()[0]).toBe(EPOCHS * STEPS);
    // Deleted at the end of training.
    expect(await readdir(dir)).toEqual([]);
    for (const m of [full, first, resumed]) m.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('without the optimizer state the resumed run would differ (the test can fail)', async () => {
    const backup = join(dir, 'b');
    const full = new TrainableFakeModel(0.5);
    await fakeFit(full, [], { epochs: EPOCHS, steps: STEPS, seed: SEED });
    const first = new TrainableFakeModel(0.5);
    await expect(fakeFit(first, [new BackupAndRestore(backup), new Interrupt(3)], { epochs: EPOCHS, steps: STEPS, seed: SEED })).rejects.toThrow();
    const resumed = new TrainableFakeModel(-7);
    const cb = new BackupAndRestore(backup);
    await fakeFit(resumed, [cb, new (class extends Callback {
      override onTrainBegin(): void {
        // Wipe the restored momentum.
        tidy(() => resumed.optimizer.velocity.assign(ops.multiply(resumed.optimizer.velocity.value, 0)));
      }
    })()], { epochs: EPOCHS, steps: STEPS, seed: SEED });
    expect(weights(resumed)).not.toEqual(weights(full));
    for (const m of [full, first, resumed]) m.dispose();
  });

  it('backs up every saveFreq batches and keeps the backup with deleteCheckpoint false', async () => {
    const backup = join(dir, 'b');
    const model = new TrainableFakeModel(1);
    const cb = new BackupAndRestore(backup, { saveFreq: 3, deleteCheckpoint: false });
    const seen: string[] = [];
    const watch = new (class extends Callback {
      override async onTrainBatchEnd(batch: number): Promise<void> {
        const meta = await readFile(join(backup, 'training_metadata.json'), 'utf8').catch(() => 'none');
        seen.push(`${batch}:${meta}`);
      }
    })();
    await fakeFit(model, [cb, watch], { epochs: 2, steps: 4, seed: 1 });
    // Counts 1,2,3*,1 | 2,3*,1,2 : saves at epoch 0 batch 2 and epoch 1 batch 1.
    expect(seen).toEqual([
      '0:none',
      '1:none',
      '2:{"epoch": 0, "batch": 2}',
      '3:{"epoch": 0, "batch": 2}',
      '0:{"epoch": 0, "batch": 2}',
      '1:{"epoch": 1, "batch": 1}',
      '2:{"epoch": 1, "batch": 1}',
      '3:{"epoch": 1, "batch": 1}',
    ]);
    expect(await readdir(backup)).toContain('latest.strata-ckpt');
    model.dispose();
  });

  it('with doubleCheckpoint, falls back to the previous backup when the latest is corrupt', async () => {
    const backup = join(dir, 'b');
    const first = new TrainableFakeModel(0.5);
    await expect(
      fakeFit(first, [new BackupAndRestore(backup, { doubleCheckpoint: true }), new Interrupt(3)], { epochs: EPOCHS, steps: STEPS, seed: SEED }),
    ).rejects.toThrow();
    expect((await readdir(backup)).sort()).toEqual(['_latest.strata-ckpt', '_training_metadata.json', 'latest.strata-ckpt', 'training_metadata.json']);
    expect(await readFile(join(backup, '_training_metadata.json'), 'utf8')).toBe('{"epoch": 2, "batch": 0}');
    // Simulate a crash while writing the latest backup.
    const bytes = await readFile(join(backup, 'latest.strata-ckpt'));
    await writeFile(join(backup, 'latest.strata-ckpt'), bytes.subarray(0, bytes.length - 3));
    const resumed = new TrainableFakeModel(-7);
    const epochsRun: number[] = [];
    await fakeFit(resumed, [new BackupAndRestore(backup, { doubleCheckpoint: true }), new (class extends Callback {
      override onEpochBegin(epoch: number): void {
        epochsRun.push(epoch);
      }
    })()], { epochs: EPOCHS, steps: STEPS, seed: SEED });
    expect(epochsRun).toEqual([2, 3, 4, 5]);
    const full = new TrainableFakeModel(0.5);
    await fakeFit(full, [], { epochs: EPOCHS, steps: STEPS, seed: SEED });
    expect(weights(resumed)).toEqual(weights(full));
    for (const m of [full, first, resumed]) m.dispose();
  });

  it('without doubleCheckpoint a corrupt backup is an error naming the file', async () => {
    const backup = join(dir, 'b');
    const first = new TrainableFakeModel(0.5);
    await expect(fakeFit(first, [new BackupAndRestore(backup), new Interrupt(2)], { epochs: 4, steps: 2 })).rejects.toThrow();
    await writeFile(join(backup, 'latest.strata-ckpt'), 'garbage!garbage!garbage!');
    await expect(fakeFit(first, [new BackupAndRestore(backup)], { epochs: 4, steps: 2 })).rejects.toThrow(/latest\.strata-ckpt: not a Strata checkpoint/);
    first.dispose();
  });

  it("uses the model's saveWeights / loadWeights when it has both", async () => {
    const backup = join(dir, 'b');
    const calls: string[] = [];
    const model = Object.assign(new TrainableFakeModel(0.5), {
      saveWeights: async (p: string) => {
        calls.push(`save ${p}`);
        await writeFile(p, 'w');
      },
      loadWeights: async (p: string) => {
        calls.push(`load ${p}`);
      },
    });
    await expect(fakeFit(model, [new BackupAndRestore(backup), new Interrupt(1)], { epochs: 3, steps: 1 })).rejects.toThrow();
    await fakeFit(model, [new BackupAndRestore(backup)], { epochs: 3, steps: 1 });
    const w = join(backup, 'latest.weights.h5');
    expect(calls).toEqual([`save ${w}`, `load ${w}`, `save ${w}`, `save ${w}`]);
    model.dispose();
  });

  it('validates its arguments, round-trips its config and is registered', () => {
    expect(() => new BackupAndRestore('')).toThrow('Empty `backup_dir` argument passed');
    expect(() => new BackupAndRestore('d', { saveFreq: 'batch' as never })).toThrow(
      "Invalid value for argument `save_freq`. Received: save_freq=batch. Expected either 'epoch' or an integer value.",
    );
    expect(() => new BackupAndRestore('d', { saveFreq: 2.5 })).toThrow(ValueError);
    const cb = new BackupAndRestore('/tmp/x', { saveFreq: 5, doubleCheckpoint: true, deleteCheckpoint: false });
    expect(BackupAndRestore.fromConfig(cb.getConfig()).getConfig()).toEqual(cb.getConfig());
    expect(new BackupAndRestore('d').getConfig()).toEqual({ backup_dir: 'd', save_freq: 'epoch', double_checkpoint: false, delete_checkpoint: true });
    expect(lookupClass('callback', 'BackupAndRestore')).toBe(BackupAndRestore);
    expect(deserializeKerasObject('callback', { module: 'keras.callbacks', class_name: 'BackupAndRestore', config: { backup_dir: 'q' }, registered_name: null })).toBeInstanceOf(BackupAndRestore);
  });

  it('refuses an unbuilt model and a checkpoint of another shape', async () => {
    const model = Object.assign(new TrainableFakeModel(0.5), { built: false });
    await expect(fakeFit(model, [new BackupAndRestore(join(dir, 'u'))], { epochs: 1, steps: 1 })).rejects.toThrow(/you model must be built before you call `fit\(\)`/);
    model.built = true;
    const backup = join(dir, 's');
    await expect(fakeFit(model, [new BackupAndRestore(backup), new Interrupt(1)], { epochs: 2, steps: 1 })).rejects.toThrow();
    model.setValue(1);
    model.weights[0]!.dispose();
    model.weights = [tensor([1, 2, 3])];
    await expect(fakeFit(model, [new BackupAndRestore(backup)], { epochs: 2, steps: 1 })).rejects.toThrow(
      /BackupAndRestore: weight 0 \('weight_0'\) in .*latest\.strata-ckpt has shape \[2\], the model's has shape \[3\]/,
    );
    model.dispose();
  });
});

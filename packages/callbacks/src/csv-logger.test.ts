import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserializeKerasObject, lookupClass } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackList } from './callback-list';
import { CSVLogger } from './csv-logger';
import { FakeModel } from './testing';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-csv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(cb: CSVLogger, rows: Record<string, number>[], model = new FakeModel()) {
  const list = new CallbackList([cb], { model });
  await list.onTrainBegin();
  for (const [e, logs] of rows.entries()) {
    await list.onEpochBegin(e);
    await list.onEpochEnd(e, logs);
  }
  await list.onTrainEnd();
  model.dispose();
}

describe('CSVLogger', () => {
  it("writes Keras' columns (epoch, then sorted keys) and Python's float text", async () => {
    const path = join(dir, 'log.csv');
    await run(new CSVLogger(path), [
      { val_loss: 0.25, loss: 0.5, accuracy: 1 },
      { val_loss: 1e-5, loss: 0.1 + 0.2, accuracy: Number.NaN },
    ]);
    // What Python's csv module writes for the same rows (excel dialect: \r\n line ends).
    expect(await readFile(path, 'utf8')).toBe(
      'epoch,accuracy,loss,val_loss\r\n0,1.0,0.5,0.25\r\n1,nan,0.30000000000000004,1e-05\r\n',
    );
  });

  it('writes NA for missing keys, uses the separator and quotes where Python does', async () => {
    const path = join(dir, 'log.tsv');
    await run(new CSVLogger(path, { separator: '.' }), [{ loss: 2, 'a.b': 3 }, { loss: 0.5 }]);
    // The separator '.' occurs in the key 'a.b' and in every float: those fields are quoted.
    expect(await readFile(path, 'utf8')).toBe('epoch."a.b".loss\r\n0."3.0"."2.0"\r\n1.NA."0.5"\r\n');
  });

  it('adds the expected validation columns from metricsNames', async () => {
    const path = join(dir, 'v.csv');
    const model = Object.assign(new FakeModel(), { metricsNames: ['loss', 'val_loss', 'val_acc'] });
    await run(new CSVLogger(path, { separator: ';' }), [{ loss: 0.5 }], model);
    expect(await readFile(path, 'utf8')).toBe('epoch;loss;val_loss;val_acc\r\n0;0.5;NA;NA\r\n');
  });

  it('overwrites by default and appends without a second header with append', async () => {
    const path = join(dir, 'a.csv');
    await writeFile(path, 'old content\n');
    await run(new CSVLogger(path), [{ loss: 1 }]);
    expect(await readFile(path, 'utf8')).toBe('epoch,loss\r\n0,1.0\r\n');
    await run(new CSVLogger(path, { append: true }), [{ loss: 0.5 }]);
    expect(await readFile(path, 'utf8')).toBe('epoch,loss\r\n0,1.0\r\n0,0.5\r\n');
    // Appending to a missing or empty file writes the header.
    const fresh = join(dir, 'fresh.csv');
    await run(new CSVLogger(fresh, { append: true }), [{ loss: 0.5 }]);
    expect(await readFile(fresh, 'utf8')).toBe('epoch,loss\r\n0,0.5\r\n');
  });

  it('fails clearly when the file cannot be opened, round-trips its config, is registered', async () => {
    await expect(run(new CSVLogger(join(dir, 'missing-dir', 'x.csv')), [{ loss: 1 }])).rejects.toThrow(/ENOENT.*missing-dir/);
    const cb = new CSVLogger('f.csv', { separator: '\t', append: true });
    expect(CSVLogger.fromConfig(cb.getConfig()).getConfig()).toEqual(cb.getConfig());
    expect(new CSVLogger('f.csv').getConfig()).toEqual({ filename: 'f.csv', separator: ',', append: false });
    expect(lookupClass('callback', 'CSVLogger')).toBe(CSVLogger);
    expect(deserializeKerasObject('callback', { module: 'keras.callbacks', class_name: 'CSVLogger', config: { filename: 'q.csv' }, registered_name: null })).toBeInstanceOf(CSVLogger);
  });
});

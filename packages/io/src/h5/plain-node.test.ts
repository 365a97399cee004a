import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { readH5 } from './h5-file';

// The built package reads HDF5 files in plain Node, ESM and CommonJS alike: the worker thread
// that parses them starts from the bundle, and the process still exits on its own afterwards.
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const modelH5 = fixturePath('mlp', 'model.h5');

// Six bytes of model.h5 changed (see h5-worker.test.ts): libhdf5 loops forever on it.
const LOOPING = '[[2551, 48], [4040, 222], [7311, 135], [10378, 86], [12828, 76], [13563, 186]]';

const body = `
const bytes = new Uint8Array(readFileSync(${JSON.stringify(modelH5)}));
const model = await io.loadModel(bytes, { compile: false });
const out = { kernel: Array.from(model.weights[0].value.dataSync()) };
if (process.argv.includes('--looping')) {
  const bad = bytes.slice();
  for (const [at, value] of ${LOOPING}) bad[at] = value;
  const t0 = Date.now();
  const err = await io.loadModel(bad, { compile: false }).catch((e) => e);
  out.error = [err instanceof io.FormatError, err.message, Date.now() - t0];
  // The worker was replaced: the next file reads.
  out.again = (await io.loadModel(bytes, { compile: false })).weights.length;
}
console.log(JSON.stringify(out));`;

function run(args: string[]): { kernel: number[]; error?: [boolean, string, number]; again?: number } {
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] }));
}

describe('plain Node, built package', () => {
  it('ESM and CJS builds load an .h5 model through the worker, a looping file is a FormatError after 10 s, and the process exits', async () => {
    // The reference: the first Dense kernel and the number of weights, as read from the sources.
    const [kernel, count] = await readH5(new Uint8Array(readFileSync(modelH5)), 'model.h5', (root) => {
      const weights = root.requireGroup('model_weights');
      const n = weights.keys().reduce((k, layer) => k + (weights.getGroup(`${layer}/mlp/${layer}`)?.keys().length ?? 0), 0);
      return [Array.from(weights.readDataset('dense_1/mlp/dense_1/kernel')!.data as Float32Array), n] as const;
    });
    expect(kernel).toHaveLength(40);
    const esm = run([
      '--input-type=module',
      '-e',
      `import { readFileSync } from 'node:fs'; import * as io from ${JSON.stringify(join(dist, 'index.js'))};${body}`,
      '--',
      '--looping',
    ]);
    const cjs = run(['-e', `const { readFileSync } = require('node:fs'); const io = require(${JSON.stringify(join(dist, 'index.cjs'))}); (async () => {${body}})();`]);
    expect(esm.kernel).toEqual(kernel);
    expect(cjs.kernel).toEqual(kernel);
    expect(esm.error![0]).toBe(true);
    expect(esm.error![1]).toBe('<memory>: the HDF5 library did not finish parsing it in 10 s; the file is corrupt');
    expect(esm.error![2]).toBeGreaterThanOrEqual(9_900);
    expect(esm.again).toBe(count);
  }, 120_000);
});

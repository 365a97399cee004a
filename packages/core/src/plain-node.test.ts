import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// The built package must work without a bundler (plain Node ESM and CommonJS) and through one,
// gradients included.
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

const script = (load: string) => `${load}
const g = c.grad((v) => c.ops.sum(c.ops.square(v)))(c.tensor([1, 2, 3]));
const w = new c.Variable({ initializer: [[1, 2], [3, 4]] });
const x = c.tensor([[[[1], [2], [3]], [[4], [5], [6]], [[7], [8], [9]]]]);
const k = c.variableGrads(() => c.ops.sum(c.ops.conv(x, c.ops.reshape(w.value, [2, 2, 1, 1]))), [w]);
console.log(JSON.stringify([Array.from(g.dataSync()), Array.from(k.grads[0].dataSync())]));`;

describe('plain Node', () => {
  it('imports the ESM and CJS builds and differentiates', () => {
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', script(`import * as c from ${JSON.stringify(join(dist, 'index.js'))};`)], { encoding: 'utf8' });
    const cjs = execFileSync(process.execPath, ['-e', script(`const c = require(${JSON.stringify(join(dist, 'index.cjs'))});`)], { encoding: 'utf8' });
    // d/dk of sum(valid conv) = sum of the input window each tap sees.
    const expected = [[2, 4, 6], [12, 16, 24, 28]];
    expect(JSON.parse(esm)).toEqual(expected);
    expect(JSON.parse(cjs)).toEqual(expected);
  });

  it('works when bundled (the engine resolved through its "module" entry)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-bundle-'));
    try {
      const entry = join(dir, 'entry.mjs');
      writeFileSync(entry, script(`import * as c from ${JSON.stringify(join(dist, 'index.js'))};`));
      const outfile = join(dir, 'bundle.cjs');
      // A bundler reads tfjs' extension-less ESM sources; the result runs in Node here.
      await build({ entryPoints: [entry], bundle: true, format: 'cjs', platform: 'node', mainFields: ['module', 'main'], outfile, logLevel: 'silent' });
      const out = execFileSync(process.execPath, [outfile], { encoding: 'utf8' });
      expect(JSON.parse(out)).toEqual([[2, 4, 6], [12, 16, 24, 28]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

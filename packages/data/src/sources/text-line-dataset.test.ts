import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, memory } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLines, textLineDataset } from './text-line-dataset';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-lines-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('textLineDataset', () => {
  it('yields lines without endings; a final newline adds no empty line; blank lines kept', async () => {
    const a = join(dir, 'a.txt');
    writeFileSync(a, 'one\r\ntwo\n\nthré\n');
    const b = join(dir, 'b.txt');
    writeFileSync(b, 'last');
    expect(await textLineDataset([a, b]).toArray()).toEqual(['one', 'two', '', 'thré', 'last']);
  });
  it('splits lines across chunk boundaries (multi-byte characters included)', async () => {
    const p = join(dir, 'big.txt');
    const lines = Array.from({ length: 20000 }, (_, i) => `ligne-${i}-é€`);
    writeFileSync(p, `${lines.join('\n')}\n`);
    const got: string[] = [];
    for await (const l of readLines(p)) got.push(l);
    expect(got).toEqual(lines);
  });
  it('batches into string tensors without leaks', async () => {
    const p = join(dir, 'c.txt');
    writeFileSync(p, 'a\nb\nc\n');
    const before = memory().numTensors;
    const batches = await textLineDataset(p).batch(2).toArray();
    expect((batches as unknown as Tensor[]).map((t) => t.arraySync())).toEqual([['a', 'b'], ['c']]);
    for (const t of batches as unknown as Tensor[]) t.dispose();
    expect(memory().numTensors).toBe(before);
  });
  it('reads a URL through fetch', async () => {
    const server = createServer((_req, res) => {
      res.write('x1\nx');
      setTimeout(() => res.end('2\nx3'), 5);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await textLineDataset(`http://127.0.0.1:${port}/f.txt`).toArray()).toEqual(['x1', 'x2', 'x3']);
    } finally {
      server.close();
    }
  });
  it('errors name the path', async () => {
    expect(() => textLineDataset([])).toThrow(/`filenames` must be a non-empty path/);
    await expect(textLineDataset(join(dir, 'nope.txt')).toArray()).rejects.toThrow(/cannot read .*nope\.txt/);
    await expect(textLineDataset(dir).toArray()).rejects.toThrow(/not a regular file/);
  });
});

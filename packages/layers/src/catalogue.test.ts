import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as layers from './index';
import { Layer } from './layer';

const src = dirname(fileURLToPath(import.meta.url));

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testSources(join(dir, e.name)) : e.name.endsWith('.test.ts') && e.name !== 'catalogue.test.ts' ? [readFileSync(join(dir, e.name), 'utf8')] : [],
  );
}

/**
 * Every exported Keras layer class (what `pnpm -s count-layers` counts): Layer subclasses that
 * declare their own Keras class name. Abstract bases (BaseConv, Merge, RNNCell) do not.
 */
export function layerClasses(): [string, typeof Layer][] {
  return Object.entries(layers).filter(
    (entry): entry is [string, typeof Layer] =>
      typeof entry[1] === 'function' && entry[1].prototype instanceof Layer && Object.hasOwn(entry[1], 'className'),
  );
}

describe('the layer catalogue', () => {
  it('has a test that constructs every exported layer class', () => {
    const tests = testSources(src).join('\n');
    const untested = layerClasses()
      .map(([name]) => name)
      .filter((name) => !new RegExp(`new ${name}\\b|${name}\\.fromConfig\\(`).test(tests));
    expect(untested).toEqual([]);
  });

  it('registers every exported layer class under its Keras name', () => {
    for (const [name, cls] of layerClasses()) expect(cls.className, name).toBe(name);
  });
});

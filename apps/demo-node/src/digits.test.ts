import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDigits, stratifiedSplit } from './digits';

const data = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'digits.csv.gz');

describe('digits data', () => {
  it('loads 1797 8x8 images with labels 0..9', () => {
    const { images, labels } = loadDigits(data);
    expect(images).toHaveLength(1797);
    expect(images.every((im) => im.length === 64 && im.every((v) => v >= 0 && v <= 16))).toBe(true);
    expect(new Set(labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it('splits 80/20 per class, without overlap, the same way every run', () => {
    const { labels } = loadDigits(data);
    const { train, test } = stratifiedSplit(labels, 0.2);
    expect(train.length + test.length).toBe(labels.length);
    expect(new Set([...train, ...test]).size).toBe(labels.length);
    for (let c = 0; c < 10; c++) {
      const total = labels.filter((l) => l === c).length;
      const inTest = test.filter((i) => labels[i] === c).length;
      expect(Math.abs(inTest - total * 0.2)).toBeLessThanOrEqual(0.5);
    }
    expect(stratifiedSplit(labels, 0.2)).toEqual({ train, test });
    // The training order mixes classes, so a validation split from its end sees every class.
    expect(new Set(train.slice(-150).map((i) => labels[i])).size).toBe(10);
  });
});

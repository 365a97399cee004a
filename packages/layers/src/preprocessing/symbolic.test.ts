import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { CategoryEncoding, CenterCrop, Normalization, RandomFlip, RandomZoom, Rescaling, Resizing } from './index';

describe('preprocessing layers on symbolic inputs', () => {
  it('record nodes with the computeOutputShape shapes and dtypes', () => {
    const img = Input({ shape: [8, 6, 3] });
    expect(new Rescaling(1 / 255).apply(img).shape).toEqual([null, 8, 6, 3]);
    expect(new Resizing(4, 5).apply(img).shape).toEqual([null, 4, 5, 3]);
    expect(new CenterCrop(2, 2).apply(img).shape).toEqual([null, 2, 2, 3]);
    expect(new RandomFlip().apply(img).shape).toEqual([null, 8, 6, 3]);
    expect(new RandomZoom(0.1).apply(img).shape).toEqual([null, 8, 6, 3]);
    const n = new Normalization();
    expect(n.apply(img).shape).toEqual([null, 8, 6, 3]);
    expect(n.weights.map((w) => w.shape)).toEqual([[3], [3], []]); // mean, variance, count
    const ids = Input({ shape: [4] });
    expect(new CategoryEncoding(7, 'count').apply(ids).shape).toEqual([null, 7]);
  });
});

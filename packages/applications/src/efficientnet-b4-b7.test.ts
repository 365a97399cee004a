import { clearSession } from '@strata/layers';
import { describe, expect, it } from 'vitest';
import { EfficientNetB4, EfficientNetB5, EfficientNetB6, EfficientNetB7 } from './efficientnet';
import { PUBLISHED, efficientnetReference, expectEfficientNetVariant } from './efficientnet-reference';
import { paramCounts } from './testing/architecture-checks';

// The large EfficientNets take seconds each to build (B7: 66.7M parameters), so they have their
// own file; the layer reference is shared with efficientnet.test.ts.
describe('EfficientNetB4..B7', () => {
  it.each([
    ['b4', EfficientNetB4, 'efficientnetb4', 1792],
    ['b5', EfficientNetB5, 'efficientnetb5', 2048],
    ['b6', EfficientNetB6, 'efficientnetb6', 2304],
    ['b7', EfficientNetB7, 'efficientnetb7', 2560],
  ] as const)('%s: every layer (name, class, output shape, weights) as Keras; published total; headless count', async (v, fn, name, top) => {
    clearSession();
    const m = await fn({ weights: null });
    expectEfficientNetVariant(m, v, name);
    const ref = efficientnetReference(v);
    expect(m.getLayer('top_conv').weights[0]!.shape).toEqual([1, 1, ref.find((l) => l.name === 'top_conv')!.shapes[0]![2]!, top]);
    // The head is global pooling, dropout and a (top, 1000) Dense: the headless total is that much less.
    expect(paramCounts(efficientnetReference(v, { includeTop: false })).total).toBe(PUBLISHED[v]! - (top * 1000 + 1000));
    m.dispose();
  });
});

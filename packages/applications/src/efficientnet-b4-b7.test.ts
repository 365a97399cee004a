import { clearSession } from '@strata/layers';
import { describe, expect, it } from 'vitest';
import { EfficientNetB4, EfficientNetB5, EfficientNetB6, EfficientNetB7 } from './efficientnet';
import { PUBLISHED, countOf, efficientnetReference } from './efficientnet-reference';

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
    expect(m.name).toBe(name);
    const ref = efficientnetReference(v);
    const got = m.layers.map((l) => ({
      name: l.name,
      className: l.className,
      shape: [...l.inboundNodes[0]!.outputTensors[0]!.shape],
      weights: l.weights.map((w) => [...w.shape]),
    }));
    expect(got).toEqual(ref);
    expect(m.countParams()).toBe(PUBLISHED[v]);
    expect(m.getLayer('top_conv').weights[0]!.shape).toEqual([1, 1, ref.find((l) => l.name === 'top_conv')!.weights[0]![2]!, top]);
    // Headless: the same list without avg_pool / top_dropout / predictions.
    const head = ref.slice(-3);
    expect(head.map((l) => l.name)).toEqual(['avg_pool', 'top_dropout', 'predictions']);
    expect(countOf(efficientnetReference(v, { includeTop: false })).total).toBe(PUBLISHED[v]! - (top * 1000 + 1000));
    expect(m.outputs[0]!.shape).toEqual([null, 1000]);
    m.dispose();
  });
});

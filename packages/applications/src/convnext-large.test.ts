import { clearSession } from '@strata/layers';
import { describe, expect, it } from 'vitest';
import { ConvNeXtBase, ConvNeXtLarge, ConvNeXtSmall, ConvNeXtXLarge } from './convnext';
import { PUBLISHED, convnextReference } from './convnext-reference';
import { layerWeightRows, paramCounts } from './testing/architecture-checks';

// The bigger ConvNeXts take seconds each to build (XLarge: 350M parameters, 1.4 GB of float32),
// so they have their own file.
describe('ConvNeXtSmall / Base / Large / XLarge', () => {
  it.each([
    ['small', ConvNeXtSmall],
    ['base', ConvNeXtBase],
    ['large', ConvNeXtLarge],
    ['xlarge', ConvNeXtXLarge],
  ] as const)('%s: every layer (name, class, weight shapes) as Keras; published total; headless count', async (v, fn) => {
    clearSession();
    const m = await fn({ weights: null, includeTop: false, inputShape: [32, 32, 3], pooling: 'avg' });
    expect(m.name).toBe(`convnext_${v}`);
    const ref = convnextReference(v, { includeTop: false, pooling: 'avg' });
    expect(layerWeightRows(m)).toEqual(ref);
    expect(m.countParams()).toBe(paramCounts(ref).total);
    // With the head: its LayerNormalization and Dense replace the headless LayerNormalization.
    const top = convnextReference(v);
    expect(paramCounts(top).total).toBe(PUBLISHED[v]);
    expect(top.slice(0, -3)).toEqual(ref.slice(0, -2));
    m.dispose();
  }, 120000);
});

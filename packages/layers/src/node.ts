import type { KerasTensor } from '@strata/core';
import type { Layer } from './layer';

/**
 * One call of a layer on symbolic tensors: the edge of a Functional graph. `inputTensors` were
 * produced by the parent nodes' layers; `outputTensors` carry this node in their `kerasHistory`.
 */
export class Node {
  constructor(
    readonly layer: Layer,
    readonly inputTensors: KerasTensor[],
    readonly outputTensors: KerasTensor[],
    /** Keyword arguments of the call other than the inputs (e.g. `{ training: false }`). */
    readonly callArgs: Record<string, unknown>,
    /** Whether the layer was called on a list (so it gets a list back at run time). */
    readonly inputsWereList: boolean,
  ) {}

  get isInput(): boolean {
    return this.inputTensors.length === 0;
  }

  get parentNodes(): Node[] {
    return this.inputTensors.map((t) => {
      const h = t.kerasHistory!;
      return (h.operation as Layer).inboundNodes[h.nodeIndex]!;
    });
  }
}

import { type Config, type DataType, type Dim, KerasTensor, ValueError, registerClass } from '@strata/core';
import { Layer, type LayerArgs } from '../layer';
import { Node } from '../node';

export interface InputLayerArgs {
  /** Shape without the batch axis. */
  shape?: Dim[];
  batchSize?: number | null;
  /** Full shape with the batch axis (Keras `batch_shape`). */
  batchShape?: Dim[];
  batchInputShape?: Dim[];
  dtype?: DataType | null;
  name?: string;
  sparse?: boolean;
  optional?: boolean;
}

/** The entry point of a model (keras.layers.InputLayer); its output is the model's input tensor. */
export class InputLayer extends Layer {
  static override className = 'InputLayer';
  readonly batchShape: Dim[];
  readonly inputDtype: DataType;
  readonly sparse: boolean;
  readonly optional: boolean;

  constructor(args: InputLayerArgs = {}) {
    super({ name: args.name, dtype: args.dtype ?? 'float32' } as LayerArgs);
    const batchShape = args.batchShape ?? args.batchInputShape;
    if (batchShape == null && args.shape == null) {
      throw new ValueError(`InputLayer "${this.name}": pass \`shape\` (without the batch axis) or \`batchShape\`.`);
    }
    this.batchShape = batchShape != null ? [...batchShape] : [args.batchSize ?? null, ...args.shape!];
    this.inputDtype = args.dtype ?? 'float32';
    this.sparse = args.sparse ?? false;
    this.optional = args.optional ?? false;
    this.built = true;
    this.batchInputShape = this.batchShape;
    const output = new KerasTensor(this.batchShape, this.inputDtype, { name: this.name });
    const node = new Node(this, [], [output], {}, false);
    this.inboundNodes.push(node);
    output.kerasHistory = { operation: this, nodeIndex: 0, tensorIndex: 0 };
  }

  override getConfig(): Config {
    return {
      batch_shape: [...this.batchShape],
      dtype: this.inputDtype,
      sparse: this.sparse,
      ragged: false,
      name: this.name,
      optional: this.optional,
    };
  }
}
registerClass('layer', InputLayer, { module: 'keras.layers', className: 'InputLayer' });

/** `keras.Input`: a symbolic tensor to build Functional models from. */
export function Input(args: InputLayerArgs): KerasTensor {
  const layer = new InputLayer(args);
  return layer.inboundNodes[0]!.outputTensors[0]!;
}

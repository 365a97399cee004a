import {
  type Config,
  type CustomObjects,
  type Dim,
  type KerasTensor,
  type SerializedObject,
  type Shape,
  type Tensor,
  ValueError,
  deserializeKerasObject,
  isKerasTensor,
  registerClass,
  serializeKerasObject,
} from '@strata/core';
import { type CallArgs, InputLayer, Layer, type LayerArgs, type LayerOutput } from '@strata/layers';
import { Model } from './model';

export interface SequentialArgs extends LayerArgs {
  layers?: (Layer | KerasTensor)[];
}

/**
 * keras.Sequential: a plain stack of layers. Give it an input shape (an `Input()` first, or
 * `inputShape` on the first layer) to build it at once; otherwise it builds on its first call.
 */
export class Sequential extends Model {
  static override className = 'Sequential';
  private stack: Layer[] = [];
  private inputLayer: InputLayer | null = null;

  constructor(layers?: (Layer | KerasTensor)[] | SequentialArgs, args: SequentialArgs = {}) {
    const opts: SequentialArgs = Array.isArray(layers) ? { ...args, layers } : { ...(layers ?? {}) };
    const { layers: list, ...rest } = opts;
    super(rest);
    for (const layer of list ?? []) this.add(layer);
  }

  /** Appends a layer (or an `Input()` tensor as the first element). */
  add(layer: Layer | KerasTensor): void {
    if (isKerasTensor(layer)) {
      const origin = layer.kerasHistory?.operation;
      if (!(origin instanceof InputLayer)) throw new ValueError(`Sequential "${this.name}": only an Input() tensor can be added, got ${layer.name}.`);
      layer = origin;
    }
    if (!(layer instanceof Layer)) throw new ValueError(`Sequential "${this.name}": add() takes a Layer, got ${String(layer)}.`);
    if (layer instanceof InputLayer) {
      if (this.inputLayer != null || this.stack.length > 0) {
        throw new ValueError(`Sequential "${this.name}": an InputLayer can only be the first layer.`);
      }
      this.inputLayer = layer;
    } else {
      if (this.stack.some((l) => l.name === layer.name)) {
        throw new ValueError(`Sequential "${this.name}": all layers must have unique names; "${layer.name}" is already in the model.`);
      }
      if (this.stack.length === 0 && this.inputLayer == null && layer.batchInputShape != null) {
        this.inputLayer = new InputLayer({ batchShape: layer.batchInputShape, name: `${layer.name}_input` });
      }
      this.stack.push(layer);
    }
    this.graph = null;
    this.built = false;
    if (this.inputLayer != null && this.stack.length > 0) this.buildGraph(this.inputLayer.batchShape);
  }

  /** Removes the last layer. */
  pop(): Layer {
    const layer = this.stack.pop();
    if (layer == null) throw new ValueError(`Sequential "${this.name}" has no layers to pop.`);
    this.graph = null;
    this.built = false;
    if (this.inputLayer != null && this.stack.length > 0) this.buildGraph(this.inputLayer.batchShape);
    return layer;
  }

  /** The layers without the InputLayer, as in Keras. */
  override get layers(): Layer[] {
    return [...this.stack];
  }

  override get sublayers(): Layer[] {
    return this.stack;
  }

  private buildGraph(batchShape: Dim[]): void {
    // As Keras' Sequential.build: the layers are built in the model's name scope, so their weights
    // get paths `<model>/<layer>/<variable>`.
    this.openNameScope(() => this.buildLayers(batchShape));
  }

  private buildLayers(batchShape: Dim[]): void {
    this.inputLayer ??= new InputLayer({ batchShape });
    let x: KerasTensor = this.inputLayer.inboundNodes[0]!.outputTensors[0]!;
    for (const layer of this.stack) {
      const y = layer.apply(x);
      if (Array.isArray(y)) throw new ValueError(`Sequential "${this.name}": layer "${layer.name}" returned several outputs; Sequential layers must return one tensor.`);
      x = y;
    }
    this.initGraph(this.inputLayer.inboundNodes[0]!.outputTensors[0]!, x);
  }

  override build(inputShape: Shape | Shape[]): void {
    if (this.graph != null) return;
    if (Array.isArray(inputShape[0])) throw new ValueError(`Sequential "${this.name}" takes one input, got shapes for ${inputShape.length}.`);
    const shape = inputShape as Shape;
    this.buildGraph([null, ...shape.slice(1)]);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): LayerOutput {
    let x = inputs;
    for (const layer of this.stack) x = layer.apply(x as Tensor, { training: args.training }) as LayerOutput;
    return x;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    let shape = inputShape;
    for (const layer of this.stack) shape = layer.computeOutputShape(shape);
    return shape;
  }

  override getConfig(): Config {
    const layers: SerializedObject[] = [];
    if (this.inputLayer != null) layers.push(serializeKerasObject(this.inputLayer));
    for (const layer of this.stack) {
      const s = serializeKerasObject(layer);
      if (layer.buildInputShape != null) s.build_config = { input_shape: layer.buildInputShape };
      layers.push(s);
    }
    const config: Config = { name: this.name, trainable: this.trainable, layers };
    if (this.inputLayer != null) config.build_input_shape = [...this.inputLayer.batchShape];
    return config;
  }

  static override fromConfig<T extends Layer>(this: new (args: never) => T, config: Config, customObjects?: CustomObjects): T {
    const model = new Sequential({ name: config.name as string | undefined });
    const made: Layer[] = [];
    try {
      for (const spec of (config.layers as SerializedObject[]) ?? []) {
        const layer = deserializeKerasObject<Layer>('layer', spec, customObjects);
        made.push(layer);
        model.add(layer);
      }
      const buildShape = config.build_input_shape as Dim[] | undefined;
      if (!model.built && buildShape != null) model.build(buildShape);
    } catch (err) {
      // A config that fails part-way leaves no layer (and no weight) behind.
      for (const layer of made) layer.dispose();
      throw err;
    }
    if (config.trainable === false) model.trainable = false;
    return model as unknown as T;
  }
}
registerClass('layer', Sequential, { module: 'keras', className: 'Sequential' });
registerClass('model', Sequential, { module: 'keras', className: 'Sequential' });

// Test helpers (not exported from the package).
import { type Tensor, dispose, tensor } from '@strata/core';
import type { CallbackModel } from './callback';
import type { Writer } from './io';

/** A model stand-in: one weight tensor whose value the test sets, an optimizer with a number LR. */
export class FakeModel implements CallbackModel {
  stopTraining = false;
  optimizer: { learningRate: unknown } | null = { learningRate: 0.01 };
  history?: unknown;
  metrics?: { name: string; direction?: 'up' | 'down' }[];
  weights: Tensor[];
  getWeightsCalls = 0;

  constructor(value = 0) {
    this.weights = [tensor([value, value * 10])];
  }

  /** Simulates training: the weights become [v, 10v]. */
  setValue(v: number): void {
    dispose(this.weights);
    this.weights = [tensor([v, v * 10])];
  }

  value(): number {
    return this.weights[0]!.dataSync()[0]!;
  }

  getWeights(): Tensor[] {
    this.getWeightsCalls++;
    return this.weights.map((w) => w.clone());
  }

  setWeights(weights: Tensor[]): void {
    dispose(this.weights);
    this.weights = weights.map((w) => w.clone());
  }

  dispose(): void {
    dispose(this.weights);
  }
}

export function captureWriter(isTTY = false): Writer & { text: string } {
  const w = {
    text: '',
    isTTY,
    write(s: string) {
      w.text += s;
    },
  };
  return w;
}

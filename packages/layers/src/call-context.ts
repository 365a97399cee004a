// Keras propagates `training` from an outer call to the layers called inside it; this is the stack
// that does it, plus the depth used to reset per-call losses at the outermost call.
const trainingStack: (boolean | undefined)[] = [];

export function currentTraining(): boolean | undefined {
  for (let i = trainingStack.length - 1; i >= 0; i--) if (trainingStack[i] != null) return trainingStack[i];
  return undefined;
}

export function callDepth(): number {
  return trainingStack.length;
}

export function withCallContext<R>(training: boolean | undefined, fn: () => R): R {
  trainingStack.push(training);
  try {
    return fn();
  } finally {
    trainingStack.pop();
  }
}

import { type SeedGenerator, type Tensor, ValueError, formatShape } from '@strata/core';

/** A standard normal draw from the generator (Box-Muller). */
function normalDraw(gen: SeedGenerator): number {
  const u1 = Math.max(gen.nextFloat(), 1e-12);
  const u2 = gen.nextFloat();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * The log of a Gamma(alpha, 1) draw (Marsaglia-Tsang; boosted by `U^(1/alpha)` for alpha < 1).
 * Kept in log space so tiny concentrations (CutMix adds only 1e-6 to a zero factor) do not
 * underflow to 0.
 */
export function logGammaDraw(gen: SeedGenerator, alpha: number): number {
  if (alpha < 1) return logGammaDraw(gen, alpha + 1) + Math.log(Math.max(gen.nextFloat(), 1e-300)) / alpha;
  const d = alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normalDraw(gen);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = gen.nextFloat();
    if (Math.log(Math.max(u, 1e-300)) < 0.5 * z * z + d - d * v + d * Math.log(v)) return Math.log(d * v);
  }
}

/** `n` Beta(a, b) draws `X / (X + Y)`, X ~ Gamma(a), Y ~ Gamma(b), on the host from the generator (reproducible for a seeded generator). */
export function betaDraws(gen: SeedGenerator, n: number, a: number, b: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const lx = logGammaDraw(gen, a);
    const ly = logGammaDraw(gen, b);
    out[i] = 1 / (1 + Math.exp(ly - lx));
  }
  return out;
}

/**
 * Splits a mixing layer's input: images (a batch of rank 4, or one image of rank 3, which the
 * mixing layers pass through as Keras does), or `[images, labels]` (labels sharing the batch size).
 */
export function mixInputs(layer: string, inputs: Tensor | Tensor[]): { images: Tensor; labels: Tensor | null } {
  const [images, labels, ...rest] = Array.isArray(inputs) ? inputs : [inputs];
  if (images == null || rest.length > 0 || (images.rank !== 4 && images.rank !== 3)) {
    const shapes = (Array.isArray(inputs) ? inputs : [inputs]).map((t) => formatShape(t.shape)).join(', ');
    throw new ValueError(`${layer}: expected an image batch of rank 4 (or one image of rank 3), or [images, labels]. Received input shape(s) ${shapes}.`);
  }
  if (labels != null && images.rank === 4 && (labels.rank < 1 || labels.shape[0] !== images.shape[0])) {
    throw new ValueError(`${layer}: labels must share the batch size of the images. Received shapes ${formatShape(images.shape)} and ${formatShape(labels.shape)}.`);
  }
  return { images, labels: labels ?? null };
}

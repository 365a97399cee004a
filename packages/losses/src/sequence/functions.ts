import { type Tensor, type TensorLike, ValueError, convertToTensor, ops, tidy } from '@strata/core';
import { registerLossFunction } from '../loss-function-wrapper';

// A log-probability standing for "impossible". Finite, so that log-sum-exp over impossible states
// stays free of NaN (inf - inf) in values and gradients; results at this level become +Infinity.
const LOG_ZERO = -1e30;

/**
 * keras.ops.ctc_loss: the CTC negative log-likelihood per batch entry.
 *
 * `target` (B, L) holds integer labels, of which the first `targetLength[b]` are used; `output`
 * (B, T, C) holds logits (a log-softmax is applied here); only the first `outputLength[b]` steps
 * are used. `maskIndex` is the blank class. Computed by the forward (alpha) recursion in log
 * space with differentiable ops, so gradients with respect to `output` come from autodiff. An
 * alignment that cannot exist (too few steps for the labels) gives +Infinity.
 */
export function ctcLoss(
  target: TensorLike,
  output: TensorLike,
  targetLength: TensorLike,
  outputLength: TensorLike,
  maskIndex = 0,
): Tensor {
  return tidy(() => {
    const logits = convertToTensor(output);
    const labels = ops.cast(convertToTensor(target), 'int32');
    if (labels.rank !== 2 || logits.rank !== 3 || labels.shape[0] !== logits.shape[0]) {
      throw new ValueError(
        `ctc_loss: expected target of shape (batch_size, max_label_length) and output of shape ` +
          `(batch_size, max_length, num_classes) with the same batch size. Received: target.shape=[${labels.shape.join(', ')}], ` +
          `output.shape=[${logits.shape.join(', ')}]`,
      );
    }
    const [batch, steps, classes] = logits.shape as [number, number, number];
    if (!Number.isInteger(maskIndex) || maskIndex < 0 || maskIndex >= classes) {
      throw new ValueError(`ctc_loss: \`mask_index\` must be an integer in [0, ${classes}). Received: mask_index=${maskIndex}`);
    }
    const maxLabels = labels.shape[1]!;
    const states = 2 * maxLabels + 1;
    const tLen = ops.reshape(ops.cast(convertToTensor(targetLength), 'int32'), [batch]);
    const oLen = ops.reshape(ops.cast(convertToTensor(outputLength), 'int32'), [batch]);

    // Extended label sequence: blank, l1, blank, l2, ..., blank (B, S).
    const blanks = ops.full([batch, maxLabels], maskIndex, 'int32');
    const interleaved = ops.reshape(ops.stack([blanks, labels], 2), [batch, 2 * maxLabels]);
    const ext = ops.concatenate([interleaved, ops.full([batch, 1], maskIndex, 'int32')], 1);

    // Emission log-probabilities of each state at each step (B, T, S).
    const logProbs = ops.logSoftmax(logits, -1);
    const select = ops.cast(ops.oneHot(ext, classes), logits.dtype); // (B, S, C)
    const emissions = ops.matmul(logProbs, ops.transpose(select, [0, 2, 1]));

    // A label state may skip the blank before it unless it repeats the previous label.
    const stateIdx = ops.arange(0, states, 1, 'int32');
    const isLabelState = ops.equal(ops.mod(stateIdx, 2), 1);
    const prev2 =
      states > 2
        ? ops.concatenate([ops.full([batch, 2], -1, 'int32'), ops.slice(ext, [0, 0], [batch, states - 2])], 1)
        : ops.full([batch, states], -1, 'int32');
    const canSkip = ops.logicalAnd(
      ops.logicalAnd(ops.expandDims(isLabelState, 0), ops.expandDims(ops.greaterEqual(stateIdx, 2), 0)),
      ops.notEqual(ext, prev2),
    );

    const negCol = (n: number) => ops.full([batch, n], LOG_ZERO, logits.dtype);
    const shift = (a: Tensor, n: number) =>
      n >= states ? negCol(states) : ops.concatenate([negCol(n), ops.slice(a, [0, 0], [batch, states - n])], 1);
    const emissionAt = (t: number) => ops.reshape(ops.slice(emissions, [0, t, 0], [batch, 1, states]), [batch, states]);

    // alpha_0: start in the first blank or the first label.
    let alpha = ops.where(ops.expandDims(ops.less(stateIdx, 2), 0), emissionAt(0), LOG_ZERO);
    for (let t = 1; t < steps; t++) {
      const stay = alpha;
      const advance = shift(alpha, 1);
      const skip = ops.where(canSkip, shift(alpha, 2), LOG_ZERO);
      const next = ops.add(ops.logsumexp(ops.stack([stay, advance, skip], 2), 2), emissionAt(t));
      // Entries whose sequence has ended keep their last alpha.
      alpha = ops.where(ops.expandDims(ops.less(t, oLen), 1), next, alpha);
    }

    // End in the last label or the blank after it.
    const last = ops.expandDims(ops.multiply(tLen, 2), 1);
    const ends = ops.logicalOr(
      ops.equal(ops.expandDims(stateIdx, 0), last),
      ops.logicalAnd(ops.equal(ops.expandDims(stateIdx, 0), ops.subtract(last, 1)), ops.greater(last, 0)),
    );
    const logLikelihood = ops.logsumexp(ops.where(ends, alpha, LOG_ZERO), 1);

    // No alignment exists when the steps cannot hold the labels plus a blank between each repeat.
    // Decided from the labels and lengths alone, so the condition stays off the gradient path.
    const labelIdx = ops.arange(0, maxLabels, 1, 'int32');
    const repeats =
      maxLabels > 1
        ? ops.sum(
            ops.cast(
              ops.logicalAnd(
                ops.equal(labels, ops.concatenate([ops.full([batch, 1], -1, 'int32'), ops.slice(labels, [0, 0], [batch, maxLabels - 1])], 1)),
                ops.less(ops.expandDims(labelIdx, 0), ops.expandDims(tLen, 1)),
              ),
              'int32',
            ),
            1,
          )
        : ops.zeros([batch], 'int32');
    const impossible = ops.logicalOr(ops.less(oLen, ops.add(tLen, repeats)), ops.lessEqual(oLen, 0));
    return ops.where(impossible, Number.POSITIVE_INFINITY, ops.negative(logLikelihood));
  });
}

/**
 * keras.losses.ctc: CTC loss for `yTrue` (batch, max_length) integer labels padded with 0 (class 0
 * is the blank and must not be used as a label; the label length is the count of non-zero
 * entries, which must come first) and `yPred` (batch, steps, classes) logits (not softmaxed).
 * Every step of `yPred` is used.
 */
export function ctc(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const yt = convertToTensor(yTrue);
    const yp = convertToTensor(yPred);
    if (yt.rank !== 2) {
      throw new ValueError(
        `ctc: targets \`y_true\` are expected to be a tensor of shape \`(batch_size, max_length)\` in integer format. ` +
          `Received: y_true.shape=[${yt.shape.join(', ')}]`,
      );
    }
    if (yp.rank !== 3) {
      throw new ValueError(
        `ctc: logits \`y_pred\` are expected to be a tensor of shape \`(batch_size, max_length, num_classes)\`. ` +
          `Received: y_pred.shape=[${yp.shape.join(', ')}]`,
      );
    }
    const maskIndex = 0;
    const labelLength = ops.sum(ops.cast(ops.notEqual(yt, maskIndex), 'int32'), -1);
    const inputLength = ops.full([yp.shape[0]!], yp.shape[1]!, 'int32');
    return ctcLoss(yt, yp, labelLength, inputLength, maskIndex);
  });
}

registerLossFunction('ctc', ctc);

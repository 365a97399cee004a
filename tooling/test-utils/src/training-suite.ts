// The training tests every backend package runs on the training case: the seeded run on the backend
// follows the cpu trajectory, runs that switch backends between epochs end where staying on cpu
// ends, and training steps leak nothing. Imports nothing from Node, so browser tests can use it.
import { setBackend } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllClose } from './allclose';
import { type TrainableModel, type TrainingCase, type TrainingRun, expectSameTraining } from './training-case';

export interface TrainingSuiteOptions<M extends TrainableModel> {
  /** The backend under test. */
  backend: string;
  /** Epochs of every run (the loss must fall over them). */
  epochs: number;
  /** Each test's timeout in milliseconds. */
  timeout: number;
  /**
   * Runs that switch backends: the backend of each epoch (`epochs` entries). Each must end with the
   * losses and weights of staying on cpu, and its leading cpu epochs must equal those exactly.
   */
  schedules?: string[][];
  /** Runs on the built model before the run on `backend` (e.g. a warm-up); its checks may throw. */
  beforeFit?: (model: M) => Promise<void>;
  /** Said in the title of the run on `backend` (e.g. 'after a training warm-up'). */
  beforeFitTitle?: string;
}

/** The backends of a schedule in order of first use, e.g. 'cpu -> wasm -> webgpu'. */
const route = (schedule: string[]) => schedule.filter((b, i) => i === 0 || b !== schedule[i - 1]).join(' -> ');

/** Declares the training tests of `options.backend` on the training case `tc` as one describe block. */
export function describeTraining<M extends TrainableModel>(title: string, tc: TrainingCase<M>, options: TrainingSuiteOptions<M>): void {
  const { backend, epochs, timeout, schedules = [] } = options;
  for (const s of schedules) {
    if (s.length !== epochs) throw new Error(`describeTraining: schedule [${s.join(', ')}] has ${s.length} entries for ${epochs} epochs`);
  }

  describe(title, () => {
    beforeAll(async () => setBackend('cpu'));
    afterAll(async () => setBackend('cpu'));

    let onCpu: TrainingRun;

    it('the CNN + Embedding/LSTM model trains on cpu (the reference) and its loss falls', async () => {
      onCpu = await tc.train(() => 'cpu', epochs);
      expect(onCpu.used).toEqual(Array(epochs).fill('cpu'));
      expect(onCpu.loss[epochs - 1]!).toBeLessThan(onCpu.loss[0]!);
    }, timeout);

    const after = options.beforeFitTitle != null ? `, ${options.beforeFitTitle},` : '';
    it(`the same seeded run on ${backend}${after} has the same losses and final weights`, async () => {
      const run = await tc.train(() => backend, epochs, options.beforeFit);
      expect(run.used).toEqual(Array(epochs).fill(backend));
      expectSameTraining(run, onCpu);
      expect(run.loss[epochs - 1]!).toBeLessThan(run.loss[0]!);
    }, timeout);

    for (const schedule of schedules) {
      it(`switching ${route(schedule)} between epochs of fit ends with the weights of staying on cpu`, async () => {
        const run = await tc.train((epoch) => schedule[epoch]!, epochs);
        expect(run.used).toEqual(schedule);
        // Until the first switch both runs computed the same thing on the same backend.
        const firstOff = schedule.findIndex((b) => b !== 'cpu');
        const sameUntil = firstOff === -1 ? epochs : firstOff;
        expectAllClose(run.loss.slice(0, sameUntil), onCpu.loss.slice(0, sameUntil), { atol: 0, rtol: 0 });
        expectSameTraining(run, onCpu);
      }, timeout);
    }

    it(`training steps on ${backend} leak no tensors`, async () => {
      expect(await tc.tensorsAddedByLaterEpochs(backend)).toBe(0);
    }, timeout);
  });
}

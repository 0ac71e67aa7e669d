import { type BatchComputation, computeBatch } from './compute-batch.ts';

/** A piscina worker thread's task: one slice of a batch, with the default forecaster. */
export default function computeSlice(task: BatchComputation) {
  return computeBatch(task);
}

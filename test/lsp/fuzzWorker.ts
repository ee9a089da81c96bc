/**
 * Runs engine fuzz cases in a worker thread, reporting before each case, so the test
 * can tell a hang (no report for a long time) from slowness and name the case that hung:
 * a synchronous endless loop would otherwise stop mocha's own timeout from firing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runEngineCase } from './fuzzEngine';
import { corpus } from './mutate';

export interface WorkerInput {
  readonly seed: number;
  readonly count: number;
}

export type WorkerMessage =
  | { readonly type: 'start'; readonly seed: number }
  | { readonly type: 'done'; readonly cases: number; readonly findings: number; readonly files: number }
  | { readonly type: 'failed'; readonly seed: number; readonly message: string };

const { seed, count } = workerData as WorkerInput;
const files = corpus();
let findings = 0;
for (let i = 0; i < count; i++) {
  parentPort!.postMessage({ type: 'start', seed: seed + i } satisfies WorkerMessage);
  try {
    findings += runEngineCase(files, seed + i).findings;
  } catch (error) {
    parentPort!.postMessage({
      type: 'failed',
      seed: seed + i,
      message: (error as Error).message,
    } satisfies WorkerMessage);
  }
}
parentPort!.postMessage({ type: 'done', cases: count, findings, files: files.length } satisfies WorkerMessage);

/** A sweep of four runs as the comparison API describes it, shared by the compare tests. */
import type { CompareResponse, ComparedRun, HistoryResponse } from '@ferry/core';

const LOSS = { 'r-a': [0.9, 0.5, 0.41], 'r-b': [0.8, 0.3, 0.32], 'r-c': [1.1, 0.7, 0.6], 'r-d': [0.95, 0.2, 0.25] } as const;
const ACCURACY = { 'r-a': 0.81, 'r-b': 0.9, 'r-c': 0.7, 'r-d': 0.88 } as const;
export const RUN_IDS = ['r-a', 'r-b', 'r-c', 'r-d'] as const;

function run(id: (typeof RUN_IDS)[number], index: number): ComparedRun {
  const loss = LOSS[id];
  return {
    id,
    pipeline: 'train_pipeline',
    createdAt: `2026-12-02T01:0${index}:00.000Z`,
    sweepId: 's-1',
    sweepIndex: index,
    parameters: { epochs: index < 2 ? 2 : 3, learning_rate: index % 2 ? 0.2 : 0.1, n_samples: 200 },
    metrics: [
      { stepName: 'train', name: 'loss', count: 3, last: loss[2], lastStep: 2, min: Math.min(...loss), max: Math.max(...loss), mean: (loss[0] + loss[1] + loss[2]) / 3 },
      { stepName: 'evaluate', name: 'accuracy', count: 1, last: ACCURACY[id], lastStep: 0, min: ACCURACY[id], max: ACCURACY[id], mean: ACCURACY[id] },
    ],
    job: { target: 'local', state: 'succeeded', jobIds: { train: String(1000 + index) }, exitCode: 0, queueWaitSeconds: 0.01 * (index + 1), durationSeconds: 2 + index },
  };
}

export function sweepComparison(): CompareResponse {
  return {
    runs: RUN_IDS.map(run),
    parameters: ['epochs', 'learning_rate', 'n_samples'],
    differingParameters: ['epochs', 'learning_rate'],
    metrics: [
      { name: 'loss', goal: 'lower', reducer: 'min' },
      { name: 'accuracy', goal: 'higher', reducer: 'max' },
    ],
    unrecorded: ['node', 'retries'],
  };
}

/** Every point of every run: three loss points and one accuracy point each. */
export function sweepHistory(): HistoryResponse {
  return {
    x: 'step',
    x0: 0,
    x1: 2,
    width: 600,
    series: RUN_IDS.flatMap((id) => [
      { runId: id, stepName: 'train', name: 'loss', count: 3, complete: true, step: [0, 1, 2], time: [100, 101, 102], value: [...LOSS[id]] },
      { runId: id, stepName: 'evaluate', name: 'accuracy', count: 1, complete: true, step: [0], time: [103], value: [ACCURACY[id]] },
    ]),
  };
}

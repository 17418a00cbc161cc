import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ComparedRun, JobFacts } from '@ferry/core';
import { describeComparison, type CompareView } from './compare.js';

function view(jobs: JobFacts[]): CompareView {
  const runs: ComparedRun[] = jobs.map((job, index) => ({ id: `r-${index}`, pipeline: 'train', createdAt: '2026-12-02T00:00:00.000Z', parameters: {}, metrics: [], job }));
  return { runs, parameters: [], differingParameters: [], metrics: [], unrecorded: [], shownParameters: [] };
}

const done = { state: 'succeeded', jobIds: {}, exitCode: 0 } as const;

test('ferry compare shows where each run went: place, node and retries', () => {
  const text = describeComparison(view([
    { ...done, target: 'k8s', place: 'namespace ml-team', node: 'kwok-node-0', retries: 1 },
    { ...done, target: 'hpc', place: 'partition gpu', node: 'gpu01, gpu02', retries: 0 },
  ]));
  const [header, ...rows] = text.trimEnd().split('\n').map((line) => line.split(/\s{2,}/));
  assert.deepEqual(header, ['RUN', 'STATE', 'TARGET', 'PLACE', 'GPUS', 'WAIT', 'DURATION', 'EXIT', 'NODE', 'RETRIES']);
  assert.match(text, /^r-0\s+✓ succeeded\s+k8s\s+namespace ml-team\s+0\s+kwok-node-0\s+1$/m);
  assert.match(text, /^r-1\s+✓ succeeded\s+hpc\s+partition gpu\s+0\s+gpu01, gpu02\s+0$/m);
  assert.equal(rows.length, 2);
});

test('ferry compare leaves out the place of local runs, and node and retries where no run has them', () => {
  const local = describeComparison(view([{ ...done, target: 'local', node: 'laptop', retries: 0 }]));
  assert.deepEqual(local.split('\n')[0]!.split(/\s{2,}/), ['RUN', 'STATE', 'TARGET', 'GPUS', 'WAIT', 'DURATION', 'EXIT', 'NODE', 'RETRIES']);
  const older = describeComparison(view([{ ...done, target: 'local' }]));
  assert.deepEqual(older.split('\n')[0]!.split(/\s{2,}/), ['RUN', 'STATE', 'TARGET', 'GPUS', 'WAIT', 'DURATION', 'EXIT']);
});

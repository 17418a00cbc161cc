/**
 * Metrics logged through another library's files on a REAL Slurm (the dev
 * cluster): the runtime turns them into metrics.jsonl on the compute node and
 * the one batched poll brings them back. The step writes Lightning's CSVLogger
 * format with plain Python (the cluster's environment has only numpy); each
 * library's reader is tested on the real library's files in
 * shared/core/runtime/tests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Run } from '../../run.js';
import type { RunEngine } from '../engine.js';
import { pipeline, testHome, waitForFinalRun, type TestHome } from '../testing.js';
import { cleanUpRuns, openClusterEngine, skipWithoutCluster as skip, slurmTarget } from './real-cluster-testing.js';

describe('library metrics on the dev Slurm cluster', { skip, concurrency: false }, () => {
  let home: TestHome;
  let engine: RunEngine;

  before(async () => {
    home = testHome();
    engine = await openClusterEngine(home, { slurm: slurmTarget() });
  });

  after(async () => {
    const runs = await engine.listRuns({ limit: 100 });
    await engine.close();
    cleanUpRuns(runs);
    home.cleanup();
  });

  test('a Lightning-style metrics.csv written by the step arrives through the Slurm poll', async () => {
    const spec = pipeline('csv_logging', [
      {
        name: 'train',
        code: [
          'import os',
          'os.makedirs("lightning_logs/version_0", exist_ok=True)',
          'with open("lightning_logs/version_0/metrics.csv", "w") as file:',
          '    file.write("epoch,step,train_loss\\n")',
          '    for step in range(3):',
          '        file.write("0,%d,%s\\n" % (step, 1.0 / (step + 1)))',
          '        file.flush()',
          '        time.sleep(1)',
        ].join('\n'),
      },
    ]);
    const submitted = await engine.submit({ notebookPath: home.notebookPath, spec, target: 'slurm', mode: 'script', parameters: {} as Run['parameters'] });
    const run = await waitForFinalRun(engine, submitted.id, 120_000);
    assert.equal(run.state, 'succeeded', JSON.stringify(run.steps, null, 2));
    const metrics = await engine.getMetrics(run.id);
    const loss = metrics.find((series) => series.stepName === 'train' && series.name === 'train_loss');
    assert.deepEqual(loss?.points.map((point) => [point.step, point.value]), [[0, 1], [1, 0.5], [2, 1 / 3]]);
  });
});

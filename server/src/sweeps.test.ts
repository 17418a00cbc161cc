/**
 * Sweeps through the HTTP API and the `ferry` command line, against a real
 * server process running the points on the local target: one run per point,
 * grouped by the sweep id in `ferry runs` and in the API (`?sweep=`), bad
 * values refused before anything is staged.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sweepState, type FerryClient, type SweepResponse } from '@ferry/core';
import { ferryPaths } from '@ferry/core/node';
import { examplePath, ferry, rejection, startServer, testHome, waitFor, type ServerProcess, type TestHome } from './testing/harness.js';

async function finished(client: FerryClient, id: string): Promise<SweepResponse> {
  return waitFor(`sweep ${id} to finish`, async () => {
    const sweep = await client.sweep(id);
    return ['succeeded', 'failed', 'cancelled'].includes(sweepState(sweep.runs)) ? sweep : undefined;
  }, 120_000);
}

describe('sweeps', () => {
  let home: TestHome;
  let server: ServerProcess;

  before(async () => {
    home = testHome();
    server = await startServer(home);
  });
  after(async () => {
    await server?.stop();
    home?.cleanup();
  });

  test('ferry run --sweep: four runs grouped by their sweep in `ferry runs`, each with its own parameters and log', async () => {
    const result = ferry(home, [
      'run', 'examples/train_pipeline.ipynb', '--sweep', 'learning_rate=0.1,0.5', '--sweep', 'epochs=2,3', '-p', 'n_samples=100', '--max-parallel', '2', '--wait', '--json',
    ]);
    assert.equal(result.status, 0, result.stderr);
    const { sweep, runs } = JSON.parse(result.stdout) as SweepResponse;
    assert.deepEqual([sweep.size, sweep.maxParallel], [4, 2]);
    assert.deepEqual(runs.map((run) => [run.sweepIndex, run.state, run.parameters.learning_rate, run.parameters.epochs, run.parameters.n_samples]), [
      [0, 'succeeded', 0.1, 2, 100],
      [1, 'succeeded', 0.1, 3, 100],
      [2, 'succeeded', 0.5, 2, 100],
      [3, 'succeeded', 0.5, 3, 100],
    ]);

    const listed = ferry(home, ['runs']);
    assert.equal(listed.status, 0, listed.stderr);
    const rows = listed.stdout.split('\n').filter((line) => line.includes(sweep.id));
    assert.deepEqual(rows.map((row) => row.split(/\s+/)[0]), runs.map((run) => run.id), 'every point listed, in index order');
    assert.deepEqual(rows.map((row) => /#(\d)/.exec(row)?.[1]), ['0', '1', '2', '3']);
    assert.match(listed.stdout.split('\n')[0]!, /\bSWEEP\b/);

    const filtered = JSON.parse(ferry(home, ['runs', '--sweep', sweep.id, '--json']).stdout) as { id: string }[];
    assert.deepEqual(filtered.map((run) => run.id), runs.map((run) => run.id));

    // Each point is a run like any other: its own log shows its own epochs.
    const log = ferry(home, ['logs', runs[3]!.id, 'train']);
    assert.match(log.stdout, /epoch 2: loss/);
    assert.doesNotMatch(log.stdout, /epoch 3:/);

    const status = ferry(home, ['status', sweep.id]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`sweep ${sweep.id}  train_pipeline on local \\(script\\)  ✓ succeeded`));
    assert.match(status.stdout, /4 points, a grid, at most 2 at once: 4 succeeded/);
    assert.match(status.stdout, /#\s+RUN\s+STATE\s+learning_rate\s+epochs\s+DURATION\s+loss/);
  });

  test('an int parameter given 0.5 is refused, naming the parameter and the value; nothing is staged', () => {
    const before = runDirs();
    const result = ferry(home, ['run', 'examples/train_pipeline.ipynb', '--sweep', 'epochs=2,0.5']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /parameter error: .*--sweep epochs=2,0\.5: parameter `epochs` expects int, got '0\.5'/);
    assert.deepEqual(runDirs(), before);
    const usage = ferry(home, ['run', 'examples/train_pipeline.ipynb', '--sweep', 'epochs=2,3', '--sample', 'many']);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--sample must be a whole number, got 'many'/);
  });

  function runDirs(): string[] {
    try {
      return readdirSync(ferryPaths(home.env).runsDir).sort();
    } catch {
      return [];
    }
  }

  test('the API: typed axes, a seeded sample, ?sweep= grouping, cancel of one point and of the sweep', async () => {
    const { client } = server;
    const request = {
      notebookPath: examplePath('papermill_report.ipynb'),
      axes: [{ parameter: 'terms', range: { low: 3, high: 9, scale: 'linear' as const } }],
      sample: 3,
      seed: 11,
    };
    const first = await client.submitSweep(request);
    assert.deepEqual([first.sweep.sample, first.sweep.seed, first.runs.length], [3, 11, 3]);
    const again = await client.submitSweep(request);
    assert.deepEqual(again.runs.map((run) => run.parameters), first.runs.map((run) => run.parameters), 'the same seed, the same points');
    await finished(client, first.sweep.id);
    await finished(client, again.sweep.id);
    assert.deepEqual((await client.runs({ sweep: again.sweep.id })).map((run) => run.id), again.runs.map((run) => run.id));
    assert.deepEqual((await client.sweeps()).slice(0, 2).map((sweep) => sweep.id), [again.sweep.id, first.sweep.id]);

    const bad = await rejection(client.submitSweep({ notebookPath: examplePath('papermill_report.ipynb'), axes: [{ parameter: 'terms', values: [1, 0.5] }] }));
    assert.deepEqual([bad.category, bad.location?.parameter], ['parameter', 'terms']);
    assert.match(bad.message, /^axes\[0\]: parameter `terms` expects int, got 0\.5$/);
    const malformed = await rejection(client.submitSweep({ notebookPath: examplePath('papermill_report.ipynb'), axisStrings: 'terms=1' as unknown as string[] }));
    assert.deepEqual([malformed.category, malformed.message], ['request', 'axisStrings must be an array of strings']);
    assert.equal((await rejection(client.sweep('s-20200101-000000-000000'))).category, 'not-found');

    // A slow sweep: one point cancelled alone, then the sweep.
    const slow = await client.submitSweep({
      notebookPath: examplePath('parallel_branches.ipynb'),
      axisStrings: ['count=10,20,30'],
      parameterStrings: { work_seconds: '20' },
      maxParallel: 1,
    });
    const one = await client.cancel(slow.runs[0]!.id);
    assert.equal(one.state, 'cancelled');
    const all = await client.cancelSweep(slow.sweep.id);
    assert.deepEqual(all.runs.map((run) => run.state), ['cancelled', 'cancelled', 'cancelled']);
    assert.equal(sweepState(all.runs), 'cancelled');
    assert.equal((await rejection(client.cancelSweep(slow.sweep.id))).category, 'conflict');
  });
});

/**
 * The HTTP API, against a real server process running real steps on the local
 * target with the example notebooks.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isFinalRunState, type FerryClient, type Run } from '@ferry/core';
import { ferryPaths } from '@ferry/core/node';
import { examplePath, rejection, startServer, testHome, waitFor, type ServerProcess, type TestHome } from './testing/harness.js';
import { codeCell, writeNotebook } from './testing/notebooks.js';

async function finished(client: FerryClient, id: string): Promise<Run> {
  return waitFor(`run ${id} to finish`, async () => {
    const run = await client.run(id);
    return isFinalRunState(run.state) ? run : undefined;
  }, 120_000);
}

describe('the Ferry server', () => {
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

  test('publishes its port and token in a file only the user can read', () => {
    const mode = statSync(ferryPaths(home.env).discoveryFile).mode & 0o777;
    assert.equal(mode, 0o600);
  });

  test('refuses requests without the token, with a typed 401', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      const response = await fetch(`${server.url}/api/runs`, { headers });
      assert.equal(response.status, 401);
      const body = (await response.json()) as { error: { category: string; message: string } };
      assert.equal(body.error.category, 'auth');
      assert.match(body.error.message, /token/);
    }
  });

  test('lists the local target', async () => {
    const targets = await server.client.targets();
    assert.ok(targets.some((t) => t.name === 'local' && t.type === 'local'));
  });

  test('compiles a notebook by path and by content', async () => {
    const { spec } = await server.client.compile({ notebookPath: examplePath('train_pipeline.ipynb') });
    assert.deepEqual(spec.steps.map((s) => s.name), ['prepare', 'train', 'evaluate']);
    const notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', source: 'x = 1', metadata: {}, outputs: [], execution_count: null }] };
    const inline = await server.client.compile({ notebook, fileName: 'scratch.ipynb' });
    assert.equal(inline.spec.name, 'scratch');
  });

  test('runs the Kale-style example: parameters applied, values passed, metrics recorded, logs served', async () => {
    const submitted = await server.client.submit({
      notebookPath: examplePath('train_pipeline.ipynb'),
      parameterStrings: { epochs: '4', n_samples: '250' },
    });
    assert.deepEqual(submitted.parameters.epochs, 4);
    const run = await finished(server.client, submitted.id);
    assert.equal(run.state, 'succeeded', JSON.stringify(run.steps));
    assert.deepEqual(run.steps.map((s) => [s.name, s.state, s.exitCode]), [
      ['prepare', 'succeeded', 0],
      ['train', 'succeeded', 0],
      ['evaluate', 'succeeded', 0],
    ]);

    // n_samples=250 → an 80/20 split of 200 and 50, printed by `prepare`.
    const prepare = await server.client.log(run.id, 'prepare');
    assert.match(prepare.data, /prepared 200 training and 50 test samples/);
    // `train` saw epochs=4 and `evaluate` used the weights `train` saved.
    const train = await server.client.log(run.id, 'train');
    assert.match(train.data, /epoch 3: loss/);
    assert.doesNotMatch(train.data, /epoch 4:/);

    const { series } = await server.client.metrics(run.id);
    const loss = series.find((s) => s.stepName === 'train' && s.name === 'loss');
    assert.deepEqual(loss?.points.map((p) => p.step), [0, 1, 2, 3]);
    const accuracy = series.find((s) => s.stepName === 'evaluate' && s.name === 'test_accuracy');
    assert.equal(accuracy?.points.length, 1);
    assert.ok(accuracy!.points[0]!.value > 0.8, `test accuracy ${accuracy!.points[0]!.value}`);
  });

  test('runs independent branches of the example at the same time, and their join after both', async () => {
    const submitted = await server.client.submit({
      notebookPath: examplePath('parallel_branches.ipynb'),
      parameterStrings: { work_seconds: '1.5', count: '200' },
    });
    const run = await finished(server.client, submitted.id);
    assert.equal(run.state, 'succeeded', JSON.stringify(run.steps));
    const span = (name: string) => {
      const step = run.steps.find((s) => s.name === name)!;
      return { start: Date.parse(step.startedAt!), end: Date.parse(step.finishedAt!) };
    };
    const mean = span('mean_branch');
    const spread = span('spread_branch');
    const report = span('report');
    assert.ok(mean.start < spread.end && spread.start < mean.end, `branches did not overlap: ${JSON.stringify({ mean, spread })}`);
    assert.ok(report.start >= Math.max(mean.end, spread.end), 'report started before both branches finished');
    const log = await server.client.log(run.id, 'report');
    assert.match(log.data, /'count': 200/);
  });

  test('reads a log by byte range and from the end', async () => {
    const run = await server.client.submit({ notebookPath: examplePath('papermill_report.ipynb'), parameterStrings: { greeting: 'héllo wörld ✓' } });
    await finished(server.client, run.id);
    const whole = await server.client.log(run.id, 'main');
    assert.match(whole.data, /héllo wörld ✓/);
    const tail = await server.client.log(run.id, 'main', { offset: -20 });
    assert.equal(tail.nextOffset, whole.size);
    assert.ok(whole.data.endsWith(tail.data));
    const first = await server.client.log(run.id, 'main', { offset: 0, maxBytes: 8 });
    assert.equal(first.offset, 0);
    assert.ok(first.nextOffset <= 8);
    assert.ok(whole.data.startsWith(first.data));
  });

  test('streams a step log live until the step ends', async () => {
    const run = await server.client.submit({
      notebookPath: examplePath('train_pipeline.ipynb'),
      parameterStrings: { epochs: '3' },
    });
    let text = '';
    let end: string | undefined;
    for await (const event of server.client.followLog(run.id, 'train')) {
      if (event.type === 'log') text += event.chunk.data;
      else end = event.state;
    }
    assert.equal(end, 'succeeded');
    assert.match(text, /epoch 0: loss[\s\S]*epoch 2: loss/);
  });

  test('streams metrics: the recorded points first, then the end', async () => {
    const run = await server.client.submit({ notebookPath: examplePath('papermill_report.ipynb'), parameterStrings: { terms: '6' } });
    const values: number[] = [];
    for await (const event of server.client.followMetrics(run.id)) {
      if (event.type === 'metrics' && event.name === 'value') values.push(...event.points.map((p) => p.value));
    }
    assert.deepEqual(values, [0, 1, 1, 2, 3, 5]);
  });

  test('rejects a wrong parameter type before anything runs', async () => {
    const before = (await server.client.runs()).length;
    const error = await rejection(
      server.client.submit({ notebookPath: examplePath('train_pipeline.ipynb'), parameterStrings: { epochs: 'ten' } }),
    );
    assert.equal(error.category, 'parameter');
    assert.equal(error.location?.parameter, 'epochs');
    assert.match(error.message, /int/);
    assert.match(error.message, /ten/);
    assert.equal((await server.client.runs()).length, before);
  });

  test('a bad notebook is refused with its location, and nothing is staged or run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-bad-'));
    const cell = codeCell;
    const cases = [
      { name: 'cycle', cells: [cell('a = 1', ['step:a', 'after:b']), cell('b = 2', ['step:b', 'after:a'])], category: 'pipeline' },
      { name: 'unknown-tag', cells: [cell('a = 1', ['step:a', 'gpu-please'])], category: 'tag' },
      { name: 'shell-name', cells: [cell('a = 1', ['step:$(touch pwned)'])], category: 'tag' },
    ];
    const runsDir = ferryPaths(home.env).runsDir;
    const before = { runs: (await server.client.runs()).length, dirs: readdirSync(runsDir).length };
    for (const bad of cases) {
      const file = writeNotebook(bad.name, bad.cells, dir);
      const error = await rejection(server.client.submit({ notebookPath: file }));
      assert.equal(error.category, bad.category, `${bad.name}: ${error.message}`);
      assert.equal(error.location?.file, file);
      assert.equal(typeof error.location?.cell, 'number', `${bad.name} names no cell`);
    }
    assert.equal((await server.client.runs()).length, before.runs);
    assert.equal(readdirSync(runsDir).length, before.dirs);
    assert.equal(existsSync(join(dir, 'pwned')), false);
  });

  test('answers unknown runs and missing notebooks with typed errors', async () => {
    const missingRun = await rejection(server.client.run('r-nope'));
    assert.equal(missingRun.category, 'not-found');
    const missingNotebook = await rejection(server.client.submit({ notebookPath: examplePath('no-such.ipynb') }));
    assert.equal(missingNotebook.category, 'notebook');
    assert.match(missingNotebook.location?.file ?? '', /no-such\.ipynb/);
    const relative = await rejection(server.client.submit({ notebookPath: 'examples/train_pipeline.ipynb' }));
    assert.equal(relative.category, 'request');
  });

  test('cancels a running run and kills its step', async () => {
    const run = await server.client.submit({
      notebookPath: examplePath('parallel_branches.ipynb'),
      parameterStrings: { work_seconds: '60' },
    });
    await waitFor('a branch to start', async () => {
      const current = await server.client.run(run.id);
      return current.steps.some((s) => s.name.endsWith('_branch') && s.state === 'running') || undefined;
    });
    const cancelled = await server.client.cancel(run.id);
    const final = isFinalRunState(cancelled.state) ? cancelled : await finished(server.client, run.id);
    assert.equal(final.state, 'cancelled');
    for (const step of final.steps.filter((s) => s.name.endsWith('_branch'))) assert.equal(step.state, 'cancelled');
    assert.equal(final.steps.find((s) => s.name === 'report')?.state, 'cancelled');
    const again = await rejection(server.client.cancel(run.id));
    assert.equal(again.category, 'conflict');
  });
});

describe('a restarted server', () => {
  test('finishes a run that was running when the old server stopped', async () => {
    const home = testHome();
    try {
      const first = await startServer(home);
      const run = await first.client.submit({
        notebookPath: examplePath('parallel_branches.ipynb'),
        parameterStrings: { work_seconds: '2' },
      });
      await waitFor('a branch to start', async () => {
        const current = await first.client.run(run.id);
        return current.steps.some((s) => s.state === 'running' && s.name.endsWith('_branch')) || undefined;
      });
      await first.stop();

      const second = await startServer(home);
      try {
        const done = await finished(second.client, run.id);
        assert.equal(done.state, 'succeeded', JSON.stringify(done.steps));
        assert.deepEqual(done.steps.map((s) => s.state), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
        const report = await second.client.log(run.id, 'report');
        assert.match(report.data, /summary \{'mean': /);
      } finally {
        await second.stop();
      }
    } finally {
      home.cleanup();
    }
  });
});

/** The runs model against a real Ferry server: snapshot, live changes, selection, limit. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Run } from '@ferry/core';
import { examplePath, startServer, testHome, waitFor, type ServerProcess, type TestHome } from '../../../server/dist/testing/harness.js';
import { RunsModel } from './runs-model.js';

describe('RunsModel', () => {
  let home: TestHome;
  let server: ServerProcess;
  before(async () => {
    home = testHome();
    server = await startServer(home);
  });
  after(async () => {
    await server.stop();
    home.cleanup();
  });

  test('lists existing runs, then shows a run another client starts, live, until it succeeds', async () => {
    const earlier = await server.client.submit({ notebookPath: examplePath('train_pipeline.ipynb'), parameters: { epochs: 2 } });
    const model = new RunsModel(server.client);
    let changes = 0;
    model.changed.connect(() => (changes += 1));
    model.start();
    try {
      await waitFor('the snapshot', () => model.get(earlier.id));
      assert.equal(model.connection.state, 'live');

      // As the CLI would: a different client submits; no reload, no polling.
      const other = await server.client.submit({ notebookPath: examplePath('train_pipeline.ipynb'), parameters: { epochs: 3 } });
      const finished = await waitFor('the new run to succeed in the model', () => {
        const run = model.get(other.id);
        return run?.state === 'succeeded' ? run : undefined;
      });
      assert.deepEqual(finished.steps.map((step) => [step.name, step.state]), [
        ['prepare', 'succeeded'],
        ['train', 'succeeded'],
        ['evaluate', 'succeeded'],
      ]);
      assert.equal(model.runs[0]!.id, other.id, 'newest first');
      assert.ok(changes > 3, 'views were told about the changes');
    } finally {
      model.dispose();
    }
  });

  test('an unreachable server is reported as offline, with the reason', async () => {
    const { FerryClient } = await import('@ferry/core');
    const model = new RunsModel(new FerryClient({ baseUrl: 'http://127.0.0.1:9' }), { retryDelaysMs: [50] });
    model.start();
    try {
      const status = await waitFor('offline', () => (model.connection.state === 'offline' ? model.connection : undefined));
      assert.match(status.error, /cannot reach the Ferry server/);
    } finally {
      model.dispose();
    }
  });
});

describe('RunsModel without a connection', () => {
  const idle = { runs: async () => [], runEvents: async function* () {} };
  const run = (id: string, createdAt: string): Run =>
    ({ id, createdAt, pipeline: 'p', notebookPath: '/n.ipynb', target: 'local', mode: 'script', state: 'running', parameters: {}, runDir: '/r', steps: [] }) as Run;

  test('keeps the newest runs up to the limit, and the selected one beyond it', () => {
    const model = new RunsModel(idle, { limit: 2 });
    model.upsert(run('a', '2026-01-01T00:00:00Z'));
    model.select('a');
    model.upsert(run('b', '2026-01-02T00:00:00Z'));
    model.upsert(run('c', '2026-01-03T00:00:00Z'));
    assert.deepEqual(model.runs.map((r) => r.id), ['c', 'b', 'a']);
    model.select(undefined);
    model.upsert(run('d', '2026-01-04T00:00:00Z'));
    assert.deepEqual(model.runs.map((r) => r.id), ['d', 'c']);
  });

  test('an answer that arrives after newer events does not take a run backwards', () => {
    const model = new RunsModel(idle);
    const running = { ...run('a', '2026-01-01T00:00:00Z'), steps: [{ name: 's', state: 'running', logOffset: 0, metricsOffset: 0 }] } as Run;
    const queuedAnswer = { ...running, state: 'queued', steps: [{ ...running.steps[0]!, state: 'queued' }] } as Run;
    const cancelledAnswer = { ...running, state: 'cancelled', steps: [{ ...running.steps[0]!, state: 'cancelled' }] } as Run;
    model.upsert(running);
    model.upsert(queuedAnswer);
    assert.equal(model.get('a')!.steps[0]!.state, 'running');
    model.upsert(cancelledAnswer);
    assert.equal(model.get('a')!.state, 'cancelled');
  });

  test('announces a new selection once', () => {
    const model = new RunsModel(idle);
    const seen: Array<string | undefined> = [];
    model.selectionChanged.connect((_, id) => seen.push(id));
    model.select('x');
    model.select('x');
    model.select(undefined);
    assert.deepEqual(seen, ['x', undefined]);
  });

  test('Ctrl+click adds runs to the selection and takes them out; Shift+click selects a range; a plain click one run again', () => {
    const model = new RunsModel(idle);
    for (const [id, day] of [['a', 1], ['b', 2], ['c', 3], ['d', 4]] as const) model.upsert(run(id, `2026-01-0${day}T00:00:00Z`));
    model.select('c');
    model.toggleSelected('a');
    assert.deepEqual(model.selectedIds, ['c', 'a'], 'in list order, newest first');
    assert.equal(model.selectedId, 'c', 'the open run stays open');
    model.toggleSelected('a');
    assert.deepEqual(model.selectedIds, ['c']);
    model.selectRange('a');
    assert.deepEqual(model.selectedIds, ['c', 'b', 'a']);
    model.select('d');
    assert.deepEqual(model.selectedIds, ['d']);
  });

  test('selected runs stay beyond the limit', () => {
    const model = new RunsModel(idle, { limit: 1 });
    model.upsert(run('a', '2026-01-01T00:00:00Z'));
    model.select('a');
    model.upsert(run('b', '2026-01-02T00:00:00Z'));
    model.toggleSelected('b');
    model.upsert(run('c', '2026-01-03T00:00:00Z'));
    assert.deepEqual(model.runs.map((r) => r.id), ['c', 'b', 'a']);
  });
});

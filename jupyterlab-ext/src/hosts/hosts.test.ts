/** The in-page hosts against a real Ferry server, spoken to as a @ferry/ui view speaks. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WEBVIEW_PROTOCOL_VERSION, type HostToViewMessage } from '@ferry/core';
import { examplePath, startServer, testHome, waitFor, type ServerProcess, type TestHome } from '../../../server/dist/testing/harness.js';
import { lateMetricNotebook } from '../../../server/dist/testing/notebooks.js';
import { CompareHost } from './compare-host.js';
import { LogHost } from './log-host.js';
import { MetricsHost } from './metrics-host.js';

describe('in-page view hosts', () => {
  let home: TestHome;
  let server: ServerProcess;
  let runId: string;
  before(async () => {
    home = testHome();
    server = await startServer(home);
    runId = (await server.client.submit({ notebookPath: examplePath('train_pipeline.ipynb'), parameters: { epochs: 4 } })).id;
  });
  after(async () => {
    await server.stop();
    home.cleanup();
  });

  function listen(host: LogHost | MetricsHost | CompareHost): HostToViewMessage[] {
    const received: HostToViewMessage[] = [];
    host.onMessage((message) => received.push(message));
    return received;
  }

  test('the log host answers ready with the tail, streams the rest, and ends with the step’s state', async () => {
    const host = new LogHost(server.client, runId, 'prepare');
    const received = listen(host);
    host.postMessage({ type: 'ready', view: 'log', protocol: WEBVIEW_PROTOCOL_VERSION });
    try {
      await waitFor('log/end', () => received.find((m) => m.type === 'log/end'));
      assert.equal(received[0]!.type, 'log/init');
      const text = received.map((m) => (m.type === 'log/init' || m.type === 'log/append' ? m.chunk.data : '')).join('');
      assert.match(text, /prepared 320 training and 80 test samples/);
      assert.deepEqual(received.at(-1), { type: 'log/end', state: 'succeeded' });
      // Chunks follow each other without gaps or repeats.
      const chunks = received.flatMap((m) => (m.type === 'log/init' || m.type === 'log/append' ? [m.chunk] : []));
      chunks.slice(1).forEach((chunk, i) => assert.equal(chunk.offset, chunks[i]!.nextOffset));
    } finally {
      host.dispose();
    }
  });

  test('the log host pages earlier bytes on request, and refuses another protocol version', async () => {
    const host = new LogHost(server.client, runId, 'prepare');
    const received = listen(host);
    host.postMessage({ type: 'log/loadEarlier', before: 10 });
    const page = await waitFor('log/page', () => received.find((m) => m.type === 'log/page'));
    assert.deepEqual(page.type === 'log/page' && [page.chunk.offset, page.chunk.nextOffset], [0, 10]);
    host.postMessage({ type: 'ready', view: 'log', protocol: WEBVIEW_PROTOCOL_VERSION + 1 });
    assert.equal(received.at(-1)!.type, 'error');
    host.dispose();
  });

  test('the metrics host sends every point of the run, then its end', async () => {
    await waitFor('the run to finish', async () => ((await server.client.run(runId)).state === 'succeeded' ? true : undefined));
    const host = new MetricsHost(server.client, runId, 'train 4 epochs');
    const received = listen(host);
    host.postMessage({ type: 'ready', view: 'metrics', protocol: WEBVIEW_PROTOCOL_VERSION });
    try {
      await waitFor('metrics/end', () => received.find((m) => m.type === 'metrics/end'));
      assert.deepEqual(received[0], { type: 'metrics/init', runs: [{ runId, label: 'train 4 epochs', series: [] }] });
      const loss = received.flatMap((m) => (m.type === 'metrics/append' && m.name === 'loss' ? m.points : []));
      assert.deepEqual(loss.map((p) => p.step), [0, 1, 2, 3]);
    } finally {
      host.dispose();
    }
  });

  test('the compare host sends the table, streams the runs’ points as they are logged, and answers history requests', async () => {
    const submit = (epochs: number) => server.client.submit({ notebookPath: examplePath('train_pipeline.ipynb'), parameters: { epochs } });
    const ids = [(await submit(3)).id, (await submit(5)).id];
    const host = new CompareHost(server.client, ids);
    const received = listen(host);
    host.postMessage({ type: 'ready', view: 'compare', protocol: WEBVIEW_PROTOCOL_VERSION });
    try {
      const ended = (id: string) => received.some((m) => m.type === 'compare/run' && m.runId === id && m.state === 'succeeded');
      await waitFor('both runs to end in the view', () => (ids.every(ended) ? true : undefined), 120_000);
      const init = received[0]!;
      assert.equal(init.type, 'compare/init');
      assert.deepEqual(init.type === 'compare/init' && init.compare.runs.map((run) => run.id), ids);
      assert.deepEqual(init.type === 'compare/init' && init.compare.differingParameters, ['epochs']);

      // Opened while the runs started: every loss point came live, each delta continuing where the last ended.
      const live = new Map<string, number[]>();
      for (const m of received) {
        if (m.type !== 'compare/points' || m.name !== 'loss') continue;
        const held = live.get(m.runId) ?? [];
        assert.equal(m.from, held.length, 'no gap, nothing twice');
        live.set(m.runId, [...held, ...m.step]);
      }
      assert.deepEqual(live.get(ids[0]!), [0, 1, 2]);
      assert.deepEqual(live.get(ids[1]!), [0, 1, 2, 3, 4]);

      // A run that ends brings the table again, with its final state.
      const table = received.filter((m) => m.type === 'compare/table').at(-1);
      assert.ok(table?.type === 'compare/table');
      assert.deepEqual(table.compare.runs.map((run) => run.job.state), ['succeeded', 'succeeded']);

      host.postMessage({ type: 'compare/history', request: 7, metrics: ['loss'], width: 800, x: 'step' });
      const answer = await waitFor('the history', () => received.find((m) => m.type === 'compare/history'));
      assert.ok(answer.type === 'compare/history');
      assert.equal(answer.request, 7, 'answers the request it was asked');
      assert.deepEqual(answer.history.series.map((series) => [series.runId, series.name, series.count]), [
        [ids[0], 'loss', 3],
        [ids[1], 'loss', 5],
      ]);
    } finally {
      host.dispose();
    }
  });

  test('a metric a run starts logging while the comparison is open gets its column before the run ends', async () => {
    const id = (await server.client.submit({ notebookPath: lateMetricNotebook() })).id;
    await waitFor('the first loss point', async () => ((await server.client.compare([id])).metrics.length > 0 ? true : undefined));
    const host = new CompareHost(server.client, [id]);
    const received = listen(host);
    host.postMessage({ type: 'ready', view: 'compare', protocol: WEBVIEW_PROTOCOL_VERSION });
    try {
      const ended = await waitFor('the run to end in the view', () => received.findIndex((m) => m.type === 'compare/run') + 1 || undefined, 120_000);
      const init = received[0]!;
      assert.deepEqual(init.type === 'compare/init' && init.compare.metrics.map((metric) => metric.name), ['loss'], 'accuracy was not logged yet');
      const refreshed = received.slice(0, ended - 1).find((m) => m.type === 'compare/table' && m.compare.metrics.some((metric) => metric.name === 'accuracy'));
      assert.ok(refreshed?.type === 'compare/table', 'a table with accuracy came before the run ended');
      assert.equal(refreshed.compare.runs[0]!.job.state, 'running');
    } finally {
      host.dispose();
    }
  });
});

/**
 * A metric a run starts logging while a comparison of it is watched: against
 * a real server and a real local run, the compare stream delivers the new
 * metric's points while the run still runs, and the comparison read at that
 * moment already has its column (what the IDE views refresh their table
 * from, so that the metric's chart and column appear before the run ends).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, testHome, waitFor, type ServerProcess, type TestHome } from './testing/harness.js';
import { lateMetricNotebook } from './testing/notebooks.js';

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

test('a metric first logged after the stream opened arrives, with its comparison column, before the run ends', async () => {
  const { client } = server;
  const run = await client.submit({ notebookPath: lateMetricNotebook() });
  const opened = await waitFor('the first loss point', async () => {
    const compared = await client.compare([run.id]);
    return compared.runs[0]!.metrics.length > 0 ? compared : undefined;
  });
  assert.deepEqual(opened.metrics.map((metric) => metric.name), ['loss'], 'accuracy is not logged yet');

  const seen: string[] = [];
  let accuracyColumn: { state: string; metrics: string[]; count: number | undefined } | undefined;
  for await (const event of client.followCompare([run.id], [])) {
    seen.push(event.type === 'points' ? `points ${event.name}` : event.type);
    if (event.type === 'points' && event.name === 'accuracy' && !accuracyColumn) {
      const compared = await client.compare([run.id]);
      accuracyColumn = {
        state: compared.runs[0]!.job.state,
        metrics: compared.metrics.map((metric) => metric.name).sort(),
        count: compared.runs[0]!.metrics.find((metric) => metric.name === 'accuracy')?.count,
      };
    }
    if (event.type === 'end') break;
  }
  assert.ok(accuracyColumn, `accuracy's points came on the stream (${seen.join(', ')})`);
  assert.equal(accuracyColumn.state, 'running', 'the run was still running when they came');
  assert.deepEqual(accuracyColumn.metrics, ['accuracy', 'loss'], 'the comparison read then has the new column');
  assert.ok(accuracyColumn.count! >= 1, 'and its reduced value');
  assert.ok(seen.indexOf('points accuracy') < seen.indexOf('run'), `accuracy before the run's end: ${seen.join(', ')}`);
});

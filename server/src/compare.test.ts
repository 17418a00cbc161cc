/**
 * Comparing runs through the HTTP API and `ferry compare`, against a real
 * server process running real runs on the local target: the differing
 * parameters are the only ones shown by default, the metric columns reduce
 * each run's series as the user would by hand, and a run still logging
 * delivers its new points as deltas.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { FerryError, isFinalRunState, type CompareStreamEvent, type FerryClient, type Run } from '@ferry/core';
import type { CompareView } from './cli/commands/compare.js';
import { examplePath, ferry, startServer, testHome, waitFor, type ServerProcess, type TestHome } from './testing/harness.js';
import { codeCell, writeNotebook } from './testing/notebooks.js';

async function finished(client: FerryClient, id: string): Promise<Run> {
  return waitFor(`run ${id} to finish`, async () => {
    const run = await client.run(id);
    return isFinalRunState(run.state) ? run : undefined;
  }, 120_000);
}

/** A one-step notebook that logs `loss` every 0.3 s for `points` steps. */
function slowLogger(): string {
  return writeNotebook('slow_logger', [
    codeCell('import time\nfrom ferry import log_metric', ['imports']),
    codeCell('points = 12  # how many points to log', ['parameters']),
    codeCell('for i in range(points):\n    log_metric("loss", 1.0 / (i + 1), step=i)\n    time.sleep(0.3)', ['step:train']),
  ]);
}

describe('comparing runs', () => {
  let home: TestHome;
  let server: ServerProcess;
  let runs: Run[];

  before(async () => {
    home = testHome();
    server = await startServer(home);
    const submitted = [];
    for (const [epochs, learningRate] of [['3', '0.5'], ['5', '0.5'], ['3', '0.1']] as const) {
      submitted.push(
        await server.client.submit({
          notebookPath: examplePath('train_pipeline.ipynb'),
          parameterStrings: { epochs, learning_rate: learningRate, n_samples: '120' },
        }),
      );
    }
    runs = [];
    for (const run of submitted) runs.push(await finished(server.client, run.id));
    assert.deepEqual(runs.map((run) => run.state), ['succeeded', 'succeeded', 'succeeded']);
  });
  after(async () => {
    await server?.stop();
    home?.cleanup();
  });

  test('the compare endpoint: differing parameters, reduced metrics equal to the points, job facts', async () => {
    const { client } = server;
    const compared = await client.compare(runs.map((run) => run.id));
    assert.deepEqual(compared.runs.map((run) => run.id), runs.map((run) => run.id));
    assert.deepEqual(compared.differingParameters, ['epochs', 'learning_rate']);
    assert.deepEqual(compared.parameters, ['epochs', 'learning_rate', 'n_samples', 'seed']);
    assert.deepEqual(compared.metrics, [
      { name: 'loss', reducer: 'min', goal: 'lower' },
      { name: 'train_accuracy', reducer: 'max', goal: 'higher' },
      { name: 'test_accuracy', reducer: 'max', goal: 'higher' },
      { name: 'weight_norm', reducer: 'last' },
    ]);
    for (const run of compared.runs) {
      const points = (await client.metrics(run.id)).series.find((series) => series.name === 'loss')!.points;
      const loss = run.metrics.find((metric) => metric.name === 'loss')!;
      assert.equal(loss.count, run.parameters.epochs);
      assert.equal(loss.min, Math.min(...points.map((p) => p.value)));
      assert.equal(loss.last, points.at(-1)!.value);
      assert.equal(run.job.target, 'local');
      assert.equal(run.job.state, 'succeeded');
      assert.deepEqual(Object.keys(run.job.jobIds), ['prepare', 'train', 'evaluate']);
      assert.ok(run.job.durationSeconds! > 0 && run.job.queueWaitSeconds! >= 0);
      assert.equal(run.job.failedStep, undefined);
    }
    assert.deepEqual(compared.unrecorded, []);

    const history = await client.compareHistory({ runs: runs.map((run) => run.id), metrics: ['loss', 'train_accuracy'], width: 400 });
    assert.deepEqual([history.x, history.x0, history.x1], ['step', 0, 4]);
    assert.deepEqual(history.series.map((series) => [series.runId, series.name, series.step.length, series.complete]), [
      [runs[0]!.id, 'loss', 3, true],
      [runs[0]!.id, 'train_accuracy', 3, true],
      [runs[1]!.id, 'loss', 5, true],
      [runs[1]!.id, 'train_accuracy', 5, true],
      [runs[2]!.id, 'loss', 3, true],
      [runs[2]!.id, 'train_accuracy', 3, true],
    ]);

    await assert.rejects(client.compare([runs[0]!.id, 'r-20990101-000000-000000']), (error: unknown) => {
      return error instanceof FerryError && error.category === 'not-found' && /no run with id "r-20990101-000000-000000"/.test(error.message);
    });
    await assert.rejects(client.compareHistory({ runs: [runs[0]!.id], metrics: ['nope'], width: 10 }), /has a metric named 'nope'/);
  });

  test('ferry compare: only the differing parameters by default, every one with --all, the reduced metric columns', async () => {
    const ids = runs.map((run) => run.id);
    const result = ferry(home, ['compare', ...ids]);
    assert.equal(result.status, 0, result.stderr);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    assert.deepEqual(header!.split(/\s{2,}/), [
      'RUN', 'epochs', 'learning_rate', 'loss (min)', 'train_accuracy (max)', 'test_accuracy (max)', 'weight_norm (last)', 'STATE', 'TARGET', 'GPUS', 'WAIT', 'DURATION', 'EXIT', 'NODE', 'RETRIES',
    ]);
    assert.equal(rows.length, 3);
    const json = JSON.parse(ferry(home, ['compare', ...ids, '--json']).stdout) as CompareView;
    assert.deepEqual(json.shownParameters, ['epochs', 'learning_rate']);
    rows.forEach((row, index) => {
      const cells = row.split(/\s{2,}/);
      const run = json.runs[index]!;
      assert.equal(cells[0], run.id);
      assert.deepEqual(cells.slice(1, 3), [String(run.parameters.epochs), String(run.parameters.learning_rate)]);
      const loss = run.metrics.find((metric) => metric.name === 'loss')!;
      assert.equal(Number(cells[3]!.replace(' *', '')).toPrecision(5), loss.min!.toPrecision(5));
      // Local steps ran on this machine, never started again, and a local target has no place in a cluster.
      assert.deepEqual([run.job.node, run.job.retries, run.job.place], [hostname(), 0, undefined]);
      assert.deepEqual(cells.slice(-2), [hostname(), '0']);
    });
    // The lowest loss is marked best: the run that trained longest at the higher rate.
    const best = rows.findIndex((row) => row.split(/\s{2,}/)[3]!.endsWith(' *'));
    assert.equal(json.runs[best]!.id, runs[1]!.id);

    const all = ferry(home, ['compare', ...ids, '--all']);
    assert.match(all.stdout.split('\n')[0]!, /^RUN\s+epochs\s+learning_rate\s+n_samples\s+seed\s+loss \(min\)/);
    const lastLoss = ferry(home, ['compare', ...ids, '--metric', 'loss:last', '--json']);
    assert.deepEqual((JSON.parse(lastLoss.stdout) as CompareView).metrics[0], { name: 'loss', reducer: 'last', goal: 'lower' });

    const unknown = ferry(home, ['compare', ids[0]!, 'r-20990101-000000-000000']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /not-found error: no run with id "r-20990101-000000-000000"/);
    const badMetric = ferry(home, ['compare', ids[0]!, '--metric', 'loss:median']);
    assert.equal(badMetric.status, 2);
    assert.match(badMetric.stderr, /REDUCER one of last, min, max, mean, got 'loss:median'/);
    const noSuchMetric = ferry(home, ['compare', ids[0]!, '--metric', 'bleu:max']);
    assert.match(noSuchMetric.stderr, /--metric bleu: no such metric in these runs \(metrics: loss, train_accuracy, test_accuracy, weight_norm\)/);
  });

  test('while a run logs, the delta stream delivers its new points, contiguous per series, until it ends', async () => {
    const { client } = server;
    // The CLI runs above blocked this process (spawnSync): let it see the idle connections the server closed meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const run = await client.submit({ notebookPath: slowLogger() });
    await waitFor('the first points', async () => ((await client.compare([run.id])).runs[0]!.metrics[0]?.count ?? 0) >= 1 || undefined);
    const deltas: Array<CompareStreamEvent & { type: 'points' }> = [];
    let ended: CompareStreamEvent | undefined;
    for await (const event of client.followCompare([run.id], ['loss'])) {
      if (event.type === 'points') deltas.push(event);
      if (event.type === 'end') {
        ended = event;
        break;
      }
    }
    assert.ok(ended, 'the stream ends when the run does');
    assert.ok(deltas.length >= 2, `${deltas.length} deltas while the run logged`);
    for (let i = 1; i < deltas.length; i++) assert.equal(deltas[i]!.from, deltas[i - 1]!.from + deltas[i - 1]!.step.length, 'no point skipped or repeated');
    const last = deltas.at(-1)!;
    assert.equal(last.from + last.step.length, 12);
    assert.deepEqual(last.step.at(-1), 11);
    assert.equal(last.value.at(-1), 1 / 12);
    const history = await client.compareHistory({ runs: [run.id], metrics: ['loss'], width: 100 });
    assert.equal(history.series[0]!.count, 12);
    assert.deepEqual(history.series[0]!.step.slice(deltas[0]!.from), deltas.flatMap((delta) => delta.step));
  });
});

/** The engine on the real local target: real Python steps run by the real runtime. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { FerryError } from '../errors.js';
import type { Run } from '../run.js';
import { RunEngine } from './engine.js';
import type { LogEvent, MetricsEvent, RunChangeEvent, WarningEvent } from './events.js';
import { killLeftovers, openEngine, pipeline, stepOf, submit, testHome, waitFor, waitForFinalRun, type TestHome } from './testing.js';

let home: TestHome;
let engine: RunEngine;
const runs: Run[] = [];

before(async () => {
  home = testHome();
  engine = await openEngine(home);
});
afterEach(async () => killLeftovers(await engine.listRuns({ limit: 100 })));
after(async () => {
  await engine.close();
  home.cleanup();
});

async function run(spec: Parameters<typeof submit>[2], parameters: Parameters<typeof submit>[3] = {}): Promise<Run> {
  const submitted = await submit(engine, home, spec, parameters);
  runs.push(submitted);
  return waitForFinalRun(engine, submitted.id);
}

async function log(runId: string, step: string): Promise<string> {
  return (await engine.readLog(runId, step, 0, 1 << 20)).data.toString('utf8');
}

test('values flow between steps, parameters apply, metrics are stored, and listeners hear it all', async () => {
  const changes: RunChangeEvent[] = [];
  const metrics: MetricsEvent[] = [];
  const logs: LogEvent[] = [];
  const onChange = (event: RunChangeEvent) => changes.push(event);
  const onMetrics = (event: MetricsEvent) => metrics.push(event);
  const onLog = (event: LogEvent) => logs.push(event);
  engine.on('change', onChange).on('metrics', onMetrics).on('log', onLog);

  const spec = pipeline(
    'flow',
    [
      { name: 'prepare', code: 'rows = [base * i for i in range(3)]\nprint("prepared", len(rows), "rows")', outputs: ['rows'] },
      {
        name: 'train',
        code: 'print("rows are", rows, "with lr", lr)\nfor epoch in range(3):\n    ferry.log_metric("loss", 1 / (epoch + 1))\nferry.log_metric("weird", float("nan"))\naccuracy = 0.75',
        dependsOn: ['prepare'],
        inputs: [{ name: 'rows', from: 'prepare' }],
        metrics: ['accuracy'],
      },
    ],
    { base: 1, lr: 0.1 },
  );
  const finished = await run(spec, { base: 10 });
  engine.off('change', onChange).off('metrics', onMetrics).off('log', onLog);

  assert.equal(finished.state, 'succeeded');
  assert.deepEqual(finished.parameters, { base: 10, lr: 0.1 });
  assert.deepEqual(finished.steps.map((step) => [step.name, step.state, step.exitCode]), [['prepare', 'succeeded', 0], ['train', 'succeeded', 0]]);
  assert.match(await log(finished.id, 'prepare'), /prepared 3 rows/);
  assert.match(await log(finished.id, 'train'), /rows are \[0, 10, 20\] with lr 0.1/);

  const series = await engine.getMetrics(finished.id);
  assert.deepEqual(series.map((s) => [s.stepName, s.name, s.points.map((p) => [p.step, p.value])]), [
    ['train', 'accuracy', [[0, 0.75]]],
    ['train', 'loss', [[0, 1], [1, 0.5], [2, 1 / 3]]],
    ['train', 'weird', [[0, NaN]]],
  ]);

  const forRun = <T extends { runId: string }>(events: T[]) => events.filter((event) => event.runId === finished.id);
  assert.deepEqual(
    forRun(changes).map((change) => `${change.step ?? 'run'}:${change.state}`),
    ['run:queued', 'prepare:queued', 'prepare:running', 'run:running', 'prepare:succeeded', 'train:queued', 'train:running', 'train:succeeded', 'run:succeeded'],
  );
  assert.equal(changes.at(-1)!.run.state, 'succeeded');
  assert.equal(forRun(metrics).flatMap((event) => event.points).length, 5);
  const trainLogs = forRun(logs).filter((event) => event.step === 'train');
  assert.equal(trainLogs.at(-1)!.size, Buffer.byteLength(await log(finished.id, 'train')));
  assert.equal(stepOf(finished, 'train').logOffset, trainLogs.at(-1)!.size);
});

test('steps run in the notebook\'s directory with FERRY_RUN_ID and FERRY_STEP set', async () => {
  const spec = pipeline('env', [{ name: 'where', code: 'import os\nprint("cwd", os.getcwd())\nprint("ids", os.environ["FERRY_RUN_ID"], os.environ["FERRY_STEP"])' }]);
  const finished = await run(spec);
  const text = await log(finished.id, 'where');
  assert.ok(text.includes(`cwd ${home.notebookPath.replace(/\/pipeline\.ipynb$/, '')}\n`), text);
  assert.ok(text.includes(`ids ${finished.id} where\n`), text);
});

test('a failing step fails the run; downstream steps are skipped with a reason, independent ones still run', async () => {
  const spec = pipeline('fails', [
    { name: 'prepare', code: 'raise ValueError("bad input row 7")' },
    { name: 'train', code: 'print("never")', dependsOn: ['prepare'] },
    { name: 'report', code: 'print("never either")', dependsOn: ['train'] },
    { name: 'side', code: 'print("side branch ran")' },
    { name: 'quits', code: 'import sys\nsys.exit(3)' },
  ]);
  const finished = await run(spec);
  assert.equal(finished.state, 'failed');
  const prepare = stepOf(finished, 'prepare');
  assert.deepEqual([prepare.state, prepare.exitCode], ['failed', 1]);
  assert.match(prepare.reason!, /ValueError: bad input row 7/);
  assert.match(await log(finished.id, 'prepare'), /ValueError: bad input row 7/);
  assert.deepEqual([stepOf(finished, 'train').state, stepOf(finished, 'train').reason], ['skipped', 'upstream step "prepare" failed']);
  assert.deepEqual([stepOf(finished, 'report').state, stepOf(finished, 'report').reason], ['skipped', 'upstream step "train" was skipped']);
  assert.equal(stepOf(finished, 'side').state, 'succeeded');
  assert.deepEqual([stepOf(finished, 'quits').state, stepOf(finished, 'quits').exitCode], ['failed', 3]);
});

test('a step process killed from outside fails with a reason, and the run with it', async () => {
  const spec = pipeline('killed', [{ name: 'victim', code: 'print("ready", flush=True)\ntime.sleep(60)' }]);
  const submitted = await submit(engine, home, spec);
  const running = await waitFor('the step to be running', async () => {
    const current = await engine.getRun(submitted.id);
    return stepOf(current, 'victim').state === 'running' && (await log(submitted.id, 'victim')).includes('ready') ? current : undefined;
  });
  process.kill(-Number(stepOf(running, 'victim').jobId), 'SIGKILL');
  const finished = await waitForFinalRun(engine, submitted.id);
  assert.equal(finished.state, 'failed');
  assert.match(stepOf(finished, 'victim').reason!, /killed by SIGKILL without reporting|exited without reporting/);
});

test('logs are served by byte range, so clients can page through them', async () => {
  const spec = pipeline('pages', [{ name: 'chatty', code: 'for i in range(1000):\n    print(f"line {i:04d}")' }]);
  const finished = await run(spec);
  const whole = await log(finished.id, 'chatty');
  assert.equal(whole.length, 1000 * 10);
  const page = await engine.readLog(finished.id, 'chatty', 5000, 20);
  assert.deepEqual([page.offset, page.size, page.data.toString()], [5000, 10000, 'line 0500\nline 0501\n']);
  const past = await engine.readLog(finished.id, 'chatty', 20000, 20);
  assert.deepEqual([past.data.length, past.size], [0, 10000]);
  assert.equal((await engine.readLog(finished.id, 'chatty', 0, 0)).data.length, 0);
});

test('unknown runs, steps and targets are "not-found" errors that name them', async () => {
  const isNotFound = (pattern: RegExp) => (error: unknown) => error instanceof FerryError && error.category === 'not-found' && pattern.test(error.message);
  await assert.rejects(engine.getRun('r-20000101-000000-000000'), isNotFound(/r-20000101-000000-000000/));
  await assert.rejects(engine.getMetrics('r-nope'), isNotFound(/r-nope/));
  const [first] = runs;
  await assert.rejects(engine.readLog(first!.id, 'nope', 0, 10), isNotFound(/no step "nope" \(steps: prepare, train\)/));
  const spec = pipeline('t', [{ name: 'a', code: 'pass' }]);
  await assert.rejects(
    engine.submit({ notebookPath: home.notebookPath, spec, target: 'gpu-cluster', mode: 'script', parameters: {} }),
    isNotFound(/no target named "gpu-cluster" \(configured: local\)/),
  );
});

test('targets() describes the configured targets', () => {
  assert.deepEqual(engine.targets(), [{ name: 'local', type: 'local', description: 'this machine, 4 steps at once' }]);
});

test('notebook mode runs the step in a kernel and keeps the executed notebook', async () => {
  const spec = pipeline('nb', [{ name: 'cells', code: 'value = 6 * 7\nprint("value is", value)' }]);
  const submitted = await engine.submit({ notebookPath: home.notebookPath, spec, target: 'local', mode: 'notebook', parameters: {} });
  const finished = await waitForFinalRun(engine, submitted.id);
  assert.equal(finished.state, 'succeeded', stepOf(finished, 'cells').reason);
  assert.match(await log(finished.id, 'cells'), /value is 42/);
  assert.ok(existsSync(join(finished.runDir, 'steps', 'cells', 'executed.ipynb')));
});

test('a malformed metrics line is skipped with a warning; the points around it are kept', async () => {
  const warnings: WarningEvent[] = [];
  const onWarning = (warning: WarningEvent) => warnings.push(warning);
  engine.on('warning', onWarning);
  const code = [
    'import os',
    'ferry.log_metric("loss", 1.0)',
    'with open(os.path.join(ferry.run_dir(), "steps", ferry.step_name(), "metrics.jsonl"), "a") as f:',
    '    f.write("this is not json\\n")',
    'ferry.log_metric("loss", 0.5)',
  ].join('\n');
  const finished = await run(pipeline('garbage', [{ name: 'noisy', code }]));
  engine.off('warning', onWarning);
  assert.equal(finished.state, 'succeeded');
  assert.deepEqual((await engine.getMetrics(finished.id))[0]!.points.map((point) => point.value), [1, 0.5]);
  assert.deepEqual(
    warnings.filter((warning) => warning.runId === finished.id).map((warning) => [warning.step, warning.message.replace(/\(not JSON.*\)/, '(not JSON)')]),
    [['noisy', 'skipped a malformed line of metrics.jsonl (not JSON): this is not json']],
  );
});

test('a python that cannot be started fails the step with a reason that names it', async () => {
  const other = testHome();
  const broken = await RunEngine.open({
    paths: other.paths,
    config: { targets: { local: { type: 'local', python: '/nonexistent/bin/python3', maxParallel: 1 } } },
    pollIntervalMs: 50,
  });
  try {
    const submitted = await submit(broken, other, pipeline('nopython', [{ name: 'a', code: 'pass' }, { name: 'b', code: 'pass', dependsOn: ['a'] }]));
    const finished = await waitForFinalRun(broken, submitted.id);
    assert.equal(finished.state, 'failed');
    assert.match(stepOf(finished, 'a').reason!, /could not start \/nonexistent\/bin\/python3: .*ENOENT/);
    assert.equal(stepOf(finished, 'b').state, 'skipped');
  } finally {
    await broken.close();
    other.cleanup();
  }
});

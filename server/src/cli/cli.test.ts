/** The `ferry` command line, run as a user runs it, against the real server it starts. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { examplePath, ferry, testHome, type TestHome } from '../testing/harness.js';
import { codeCell, writeNotebook } from '../testing/notebooks.js';

function notebook(cells: Array<{ source: string; tags?: string[] }>): string {
  return writeNotebook('failing', cells.map((c) => codeCell(c.source, c.tags)));
}

describe('ferry CLI', () => {
  let home: TestHome;
  before(() => {
    home = testHome();
  });
  after(() => {
    ferry(home, ['server', 'stop']);
    home.cleanup();
  });

  test('compile --json prints the pipeline spec', () => {
    const result = ferry(home, ['compile', 'examples/parallel_branches.ipynb', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const spec = JSON.parse(result.stdout);
    assert.deepEqual(
      spec.steps.map((s: { name: string; dependsOn: string[] }) => [s.name, s.dependsOn]),
      [
        ['load', []],
        ['mean_branch', ['load']],
        ['spread_branch', ['load']],
        // `report` uses `samples` itself, so it depends on `load` too.
        ['report', ['load', 'mean_branch', 'spread_branch']],
      ],
    );
    assert.deepEqual(spec.parameters.map((p: { name: string; type: string }) => [p.name, p.type]), [
      ['count', 'int'],
      ['work_seconds', 'float'],
    ]);
  });

  test('a malformed config.json: the command says what is wrong and where, not only that the server exited', () => {
    const broken = testHome();
    try {
      writeFileSync(join(broken.dir, 'config.json'), JSON.stringify({ targets: { hpc: { type: 'slurm', host: 'h', partiton: 'gpu' } } }));
      const result = ferry(broken, ['runs']);
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /config\.json/);
      assert.match(result.stderr, /unknown key "partiton"/);
    } finally {
      broken.cleanup();
    }
  });

  test('compile names the file and cell of a bad notebook', () => {
    const file = notebook([{ source: 'x = 1', tags: ['step:a;rm -rf ~'] }]);
    const result = ferry(home, ['compile', file]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /failing\.ipynb/);
    assert.match(result.stderr, /cell 0/);
  });

  test('run --wait --json starts the server, runs, and prints the finished run', () => {
    const result = ferry(home, ['run', 'examples/papermill_report.ipynb', '-p', 'terms=7', '-p', 'greeting=hi', '--wait', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const run = JSON.parse(result.stdout);
    assert.equal(run.state, 'succeeded');
    assert.deepEqual(run.steps.map((s: { name: string; state: string; exitCode: number }) => [s.name, s.state, s.exitCode]), [
      ['main', 'succeeded', 0],
    ]);
    assert.equal(run.parameters.terms, 7);

    const logs = ferry(home, ['logs', run.id]);
    assert.equal(logs.status, 0, logs.stderr);
    assert.match(logs.stdout, /hi \[0\.0, 1\.0, 1\.0, 2\.0, 3\.0, 5\.0, 8\.0\]/);
    const [log] = JSON.parse(ferry(home, ['logs', run.id, 'main', '--json']).stdout);
    assert.equal(log.step, 'main');
    assert.equal(log.size, Buffer.byteLength(log.data));

    const metrics = JSON.parse(ferry(home, ['metrics', run.id, '--json']).stdout);
    const values = metrics.series.find((s: { name: string }) => s.name === 'value');
    assert.equal(values.points.length, 7);

    const runs = JSON.parse(ferry(home, ['runs', '--json']).stdout);
    assert.ok(runs.some((r: { id: string }) => r.id === run.id));
    const status = ferry(home, ['status', run.id]);
    assert.match(status.stdout, /main\s+✓ succeeded/);
  });

  test('run --wait shows steps, states and final metrics, and --follow streams logs', () => {
    const result = ferry(home, ['run', examplePath('train_pipeline.ipynb'), '-p', 'epochs=3', '--wait', '--follow']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /\[train\] epoch 2: loss/);
    assert.match(result.stdout, /evaluate\s+✓ succeeded/);
    assert.match(result.stdout, /evaluate\s+test_accuracy\s+0\.\d+/);
  });

  test('a wrong parameter type fails naming the parameter, its type and the value', () => {
    for (const value of ['ten', '1; import os']) {
      const result = ferry(home, ['run', 'examples/papermill_report.ipynb', '-p', `terms=${value}`]);
      assert.equal(result.status, 2);
      assert.match(result.stderr, /terms/);
      assert.match(result.stderr, /int/);
      assert.ok(result.stderr.includes(value), result.stderr);
    }
  });

  test('a failing step makes the run fail and the command exit non-zero', () => {
    const file = notebook([
      { source: 'value = 41', tags: ['step:first'] },
      { source: 'raise ValueError(f"bad value {value}")', tags: ['step:second'] },
      { source: 'print(value)', tags: ['step:third', 'after:second'] },
    ]);
    const result = ferry(home, ['run', file, '--wait', '--json']);
    assert.equal(result.status, 1, result.stderr);
    const run = JSON.parse(result.stdout);
    assert.equal(run.state, 'failed');
    const states = Object.fromEntries(run.steps.map((s: { name: string; state: string }) => [s.name, s.state]));
    assert.deepEqual(states, { first: 'succeeded', second: 'failed', third: 'skipped' });
    assert.equal(run.steps.find((s: { name: string }) => s.name === 'second').exitCode, 1);
    const log = ferry(home, ['logs', run.id, 'second']);
    assert.match(log.stdout, /ValueError: bad value 41/);
  });

  test('targets, targets test, and an unknown command', () => {
    assert.match(ferry(home, ['targets']).stdout, /local\s+local/);
    const checked = ferry(home, ['targets', 'test', 'local', '--json']);
    assert.equal(checked.status, 0, checked.stderr);
    const result = JSON.parse(checked.stdout);
    assert.equal(result.ok, true);
    const python = result.checks.find((c: { name: string }) => c.name === 'python');
    assert.match(python.detail, /Python 3\.\d+\.\d+/);
    const missing = ferry(home, ['targets', 'test', 'nowhere']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no target named "nowhere"/);
    const unknown = ferry(home, ['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  });
});

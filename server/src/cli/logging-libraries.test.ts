/**
 * A notebook that logs only through MLflow, DVCLive and TensorBoard, run on the
 * local target: its metrics show up in `ferry metrics`, and the notebook's
 * parameters are recorded as the run's parameters without being passed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { examplePath, ferry, python, testHome, type TestHome } from '../testing/harness.js';

const libraries = ['mlflow', 'dvclive', 'tensorboardX'];
const missing = libraries.filter((name) => spawnSync(python, ['-c', `import ${name}`]).status !== 0);

interface Series {
  name: string;
  step: string;
  points: Array<{ step: number; value: number; time: number }>;
}

describe('metrics logged through other libraries', { skip: missing.length > 0 && `${python} lacks ${missing.join(', ')} (scripts/python-env.sh installs them)` }, () => {
  let home: TestHome;
  let workDir: string;
  before(() => {
    home = testHome();
    // A copy: the libraries write their files next to the notebook (its directory is the step's working directory).
    workDir = mkdtempSync(join(tmpdir(), 'ferry-logging-'));
    copyFileSync(examplePath('logging_libraries.ipynb'), join(workDir, 'logging_libraries.ipynb'));
  });
  after(() => {
    ferry(home, ['server', 'stop']);
    home.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });

  test('MLflow, DVCLive and TensorBoard points arrive with their steps and values', () => {
    const notebook = join(workDir, 'logging_libraries.ipynb');
    const result = ferry(home, ['run', notebook, '-p', 'epochs=4', '--wait', '--json']);
    assert.equal(result.status, 0, result.stderr + result.stdout);
    const run = JSON.parse(result.stdout);
    assert.equal(run.state, 'succeeded');
    // Injected parameters are the run's parameters: the one given and the notebook's default.
    assert.deepEqual(run.parameters, { epochs: 4, learning_rate: 0.4 });

    const metrics = JSON.parse(ferry(home, ['metrics', run.id, '--json']).stdout) as { series: Series[] };
    const curve = (name: string) => {
      const series = metrics.series.find((s) => s.name === name);
      assert.ok(series, `no ${name} series among ${metrics.series.map((s) => s.name).join(', ')}`);
      return series.points.map((p) => [p.step, p.value]);
    };
    const expected = (scale: number) => [0, 1, 2, 3].map((epoch) => [epoch, scale * Math.exp(-0.4 * epoch)]);
    const close = (actual: number[][], wanted: number[][]) => {
      assert.equal(actual.length, wanted.length, JSON.stringify(actual));
      actual.forEach(([step, value], i) => {
        assert.equal(step, wanted[i]![0]);
        assert.ok(Math.abs(value! - wanted[i]![1]!) < 1e-6, `${value} ≉ ${wanted[i]![1]} at step ${step}`);
      });
    };
    close(curve('mlflow_loss'), expected(1));
    close(curve('dvclive_loss'), expected(2));
    close(curve('tensorboard_loss'), expected(3)); // float32 in the event file
    // MLflow wrote into the run's directory, not next to the notebook.
    assert.ok(!existsSync(join(workDir, 'mlruns')) && !existsSync(join(workDir, 'mlflow.db')));
  });
});

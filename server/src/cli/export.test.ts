/** `ferry export`, run as a user runs it: where the pipeline goes, and what bad input gets. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { examplePath, ferry, testHome, type TestHome } from '../testing/harness.js';

describe('ferry export', () => {
  let home: TestHome;
  let out: string;
  before(() => {
    home = testHome();
    out = mkdtempSync(join(tmpdir(), 'ferry-export-cli-'));
  });
  after(() => {
    home.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  const train = examplePath('train_pipeline.ipynb');

  test('without -o the pipeline goes to stdout: --json gives the Argo Workflow as JSON', () => {
    const result = ferry(home, ['export', train, '--format', 'argo', '--image', 'python:3.12', '--pvc', 'team-runs', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const workflow = JSON.parse(result.stdout);
    assert.equal(workflow.kind, 'Workflow');
    assert.deepEqual(workflow.spec.volumes, [{ name: 'ferry-runs', persistentVolumeClaim: { claimName: 'team-runs' } }]);
    assert.deepEqual(workflow.spec.arguments.parameters.map((p: { name: string }) => p.name), ['epochs', 'learning_rate', 'n_samples', 'seed']);
  });

  test('-o FILE writes the whole pipeline, replaces an older one, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(out, 'written-'));
    const file = join(dir, 'train.yaml');
    writeFileSync(file, 'an older export\n');
    const result = ferry(home, ['export', train, '--format', 'kfp', '--image', 'python:3.12', '-o', file]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `wrote ${file}: Kubeflow Pipelines pipeline train_pipeline, 3 steps, 4 parameters\n`);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# Kubeflow Pipelines pipeline train_pipeline/);
    assert.match(text, /\n---\nplatforms:\n {2}kubernetes:\n/);
    assert.match(text, /\nschemaVersion: "2\.1\.0"\n/);
    assert.deepEqual(readdirSync(dir), ['train.yaml']);
  });

  test('no --image: says what the image is for, exit 2, nothing written', () => {
    const file = join(out, 'no-image.yaml');
    const result = ferry(home, ['export', train, '--format', 'kfp', '-o', file]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^ferry: missing --image: the container image the steps run in/);
    assert.match(result.stderr, /usage: ferry export NOTEBOOK --format kfp\|argo --image IMAGE/);
    assert.deepEqual(readdirSync(out).filter((name) => name.startsWith('no-image')), []);
  });

  test('an unknown or missing --format: exit 2, naming the formats', () => {
    const unknown = ferry(home, ['export', train, '--format', 'airflow', '--image', 'python:3.12']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown format 'airflow': kfp \(Kubeflow Pipelines v2\) or argo \(Argo Workflows\)/);
    assert.equal(unknown.stdout, '');
    const missing = ferry(home, ['export', train, '--image', 'python:3.12']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing --format \(kfp or argo\)/);
  });

  test('an -o path that cannot be written: exit 73, saying why, and nothing left behind', () => {
    const missingDir = join(out, 'no-such-dir', 'train.yaml');
    const result = ferry(home, ['export', train, '--format', 'argo', '--image', 'python:3.12', '-o', missingDir]);
    assert.equal(result.status, 73);
    assert.equal(result.stderr, `ferry: cannot write ${missingDir}: its directory does not exist\n`);

    const dir = mkdtempSync(join(out, 'target-'));
    const directory = join(dir, 'train.yaml');
    mkdirSync(directory);
    const onDirectory = ferry(home, ['export', train, '--format', 'argo', '--image', 'python:3.12', '-o', directory]);
    assert.equal(onDirectory.status, 73);
    assert.equal(onDirectory.stderr, `ferry: cannot write ${directory}: it is a directory\n`);
    assert.deepEqual(readdirSync(dir), ['train.yaml']);
    assert.deepEqual(readdirSync(directory), []);
  });

  test('a claim name Kubernetes would refuse, an unknown mode, a missing notebook: exit 2 with the reason', () => {
    const claim = ferry(home, ['export', train, '--format', 'kfp', '--image', 'python:3.12', '--pvc', 'My_Claim']);
    assert.equal(claim.status, 2);
    assert.match(claim.stderr, /"My_Claim" is not a PersistentVolumeClaim name/);
    const mode = ferry(home, ['export', train, '--format', 'kfp', '--image', 'python:3.12', '--mode', 'batch']);
    assert.equal(mode.status, 2);
    assert.match(mode.stderr, /--mode is script or notebook, not 'batch'/);
    const notebook = ferry(home, ['export', join(out, 'absent.ipynb'), '--format', 'kfp', '--image', 'python:3.12']);
    assert.equal(notebook.status, 2);
    assert.match(notebook.stderr, /notebook not found/);
  });
});

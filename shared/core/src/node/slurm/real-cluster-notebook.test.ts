/**
 * A notebook-mode step's executed notebook read back over SSH from a REAL
 * Slurm (the dev cluster), through the engine as the server reads it.
 *
 * Where the cluster's step environment has nbclient and ipykernel, the step
 * runs in a kernel on the compute node and its own notebook is read back.
 * The dev cluster's environment has only numpy: there the step fails
 * (notebook mode needs those packages), the engine says it failed before its
 * notebook ran, and the read is checked on a notebook the test writes into
 * the step's directory over the ssh CLI — the same path and the same SSH
 * read, on a file Ferry did not write.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FerryError } from '../../errors.js';
import type { Run } from '../../run.js';
import type { RunEngine } from '../engine.js';
import { shellQuote } from '../remote/command-runner.js';
import { pipeline, stepOf, testHome, waitForFinalRun, type TestHome } from '../testing.js';
import { cleanUpRuns, cluster, onCluster, openClusterEngine, skipWithoutCluster as skip, slurmTarget } from './real-cluster-testing.js';

/** Whether the step environment on the cluster can run notebook mode. */
function clusterHasNotebookPackages(): boolean {
  const [answer] = onCluster(`${cluster!.setup.join('; ')}; ${shellQuote(cluster!.python)} -c 'import nbclient, nbformat, ipykernel' 2>/dev/null && echo yes || echo no`);
  return answer === 'yes';
}

/** Writes `data` to `path` on the cluster over the ssh CLI (not through Ferry). */
function writeOnCluster(path: string, data: Buffer): void {
  execFileSync('ssh', ['-F', cluster!.sshConfigFile, cluster!.sshHostAlias, `cat > ${shellQuote(path)}`], { input: data });
}

/** An executed notebook as nbformat writes one: a printed line, non-ASCII text, and a 2 MB plot. */
function stagedNotebook(): Buffer {
  const plot = Buffer.alloc(1536 * 1024, 7).toString('base64');
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [
      {
        cell_type: 'code',
        id: 'c0',
        execution_count: 1,
        metadata: { ferry: { role: 'step', cell: 0 } },
        source: 'print("value is", 6 * 7)',
        outputs: [
          { output_type: 'stream', name: 'stdout', text: 'value is 42 — ✓\n' },
          { output_type: 'display_data', metadata: {}, data: { 'image/png': plot } },
        ],
      },
    ],
  };
  return Buffer.from(JSON.stringify(notebook, null, 1) + '\n');
}

describe('executed notebooks on the dev Slurm cluster', { skip, concurrency: false }, () => {
  let home: TestHome;
  let engine: RunEngine;
  /** The first test's run, whose step directory the second one uses. */
  let notebookRun: Run | undefined;

  before(async () => {
    home = testHome();
    engine = await openClusterEngine(home, { slurm: slurmTarget() });
  });

  after(async () => {
    const runs = await engine.listRuns({ limit: 100 });
    await engine.close();
    cleanUpRuns(runs);
    home.cleanup();
  });

  test('the executed notebook of a notebook-mode step is read over SSH', async () => {
    const spec = pipeline('nb_on_slurm', [{ name: 'cells', code: 'print("value is", 6 * 7)' }]);
    const submitted = await engine.submit({ notebookPath: home.notebookPath, spec, target: 'slurm', mode: 'notebook', parameters: {} as Run['parameters'] });
    const run = await waitForFinalRun(engine, submitted.id, 180_000);
    notebookRun = run;

    if (clusterHasNotebookPackages()) {
      assert.equal(run.state, 'succeeded', JSON.stringify(run.steps, null, 2));
      const notebook = JSON.parse((await engine.readExecutedNotebook(run.id, 'cells')).toString('utf8')) as { nbformat: number; cells: Array<{ outputs?: Array<{ text?: string | string[] }> }> };
      assert.equal(notebook.nbformat, 4);
      const printed = notebook.cells.flatMap((cell) => cell.outputs ?? []).map((output) => [output.text ?? ''].flat().join('')).join('');
      assert.match(printed, /value is 42/);
      return;
    }

    // No nbclient/ipykernel there: the step fails before a notebook exists, and the engine says so.
    assert.equal(run.state, 'failed');
    assert.match(stepOf(run, 'cells').reason ?? '', /notebook mode needs nbformat, nbclient and ipykernel/);
    await assert.rejects(engine.readExecutedNotebook(run.id, 'cells'), (error: unknown) => {
      assert.ok(error instanceof FerryError && error.category === 'not-found', String(error));
      assert.match(error.message, /step "cells" of run .* has no executed notebook: it failed before its notebook ran/);
      return true;
    });

    const staged = stagedNotebook();
    writeOnCluster(posix.join(run.runDir, 'steps', 'cells', 'executed.ipynb'), staged);
    const read = await engine.readExecutedNotebook(run.id, 'cells');
    assert.equal(read.length, staged.length);
    assert.ok(read.equals(staged), 'the bytes read over SSH are the bytes on the cluster');
  });

  test('a link in the step directory to a file outside the run directory is not followed', async () => {
    const run = notebookRun;
    assert.ok(run, 'the first test left a run');
    const notebook = posix.join(run.runDir, 'steps', 'cells', 'executed.ipynb');
    // A secret beside the run directory, and the notebook replaced by a link to it.
    const secret = posix.join(posix.dirname(run.runDir), `${run.id}.secret`);
    onCluster(`echo secret > ${shellQuote(secret)} && ln -sf ${shellQuote(secret)} ${shellQuote(notebook)}`);
    try {
      await assert.rejects(engine.readExecutedNotebook(run.id, 'cells'), (error: unknown) => {
        assert.ok(error instanceof FerryError && error.category === 'request', String(error));
        assert.match(error.message, /leads outside the run directory/);
        return true;
      });
    } finally {
      onCluster(`rm -f -- ${shellQuote(secret)}`);
    }
  });
});

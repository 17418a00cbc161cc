/**
 * A notebook-mode step's executed notebook, served by a real server process
 * from the local target and saved by the real `ferry notebook` command.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { isFinalRunState, type ExecutedNotebook, type FerryClient, type Run } from '@ferry/core';
import { examplePath, ferryBin, python, rejection, startServer, testHome, waitFor, type CliResult, type ServerProcess, type TestHome } from './testing/harness.js';

/**
 * The real `ferry` command line, run without blocking this process: the
 * client's kept-alive connections must see the server close them meanwhile,
 * or its next request goes out on a dead socket.
 */
function ferry(home: TestHome, args: string[], options: { cwd: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ferryBin, ...args], { env: home.env, cwd: options.cwd, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

async function finished(client: FerryClient, id: string): Promise<Run> {
  return waitFor(`run ${id} to finish`, async () => {
    const run = await client.run(id);
    return isFinalRunState(run.state) ? run : undefined;
  }, 180_000);
}

/** The text a cell's stream outputs carry (what the step printed while the cell ran). */
function printed(cell: ExecutedNotebook['cells'][number]): string {
  return (cell.outputs ?? [])
    .filter((output) => output.output_type === 'stream')
    .map((output) => (Array.isArray(output.text) ? output.text.join('') : String(output.text)))
    .join('');
}

/** nbformat's own validator, in the steps' Python: the file is a notebook Jupyter opens. */
async function validateWithNbformat(file: string): Promise<void> {
  await promisify(execFile)(python, ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', file]);
}

describe('executed notebooks', () => {
  let home: TestHome;
  let server: ServerProcess;
  let run: Run;
  let beforeItRan: Error | undefined;

  before(async () => {
    home = testHome();
    server = await startServer(home);
    const submitted = await server.client.submit({
      notebookPath: examplePath('train_pipeline.ipynb'),
      mode: 'notebook',
      parameterStrings: { epochs: '3', n_samples: '250' },
    });
    // `evaluate` waits on two steps that each start a kernel: it has not run yet.
    beforeItRan = await rejection(server.client.executedNotebook(submitted.id, 'evaluate'));
    run = await finished(server.client, submitted.id);
    assert.equal(run.state, 'succeeded', JSON.stringify(run.steps));
  });
  after(async () => {
    await server?.stop();
    home?.cleanup();
  });

  test('the API serves each step its executed notebook, with the outputs the step printed', async () => {
    const prepare = await server.client.executedNotebook(run.id, 'prepare');
    assert.equal(prepare.nbformat, 4);
    const roles = prepare.cells.map((cell) => (cell.metadata.ferry as { role?: string } | undefined)?.role);
    assert.deepEqual([...new Set(roles)], ['setup', 'prelude', 'parameters', 'step', 'finish']);
    // n_samples=250 → an 80/20 split, printed by the step's second cell, in that cell's outputs.
    const split = prepare.cells.find((cell) => printed(cell).includes('prepared 200 training and 50 test samples'));
    assert.ok(split, 'a cell of prepare printed the split');
    assert.equal((split.metadata.ferry as { role: string }).role, 'step');
    assert.match(prepare.cells.find((cell) => cell.metadata.tags?.toString().includes('injected-parameters'))!.source.toString(), /n_samples = 250/);

    const train = await server.client.executedNotebook(run.id, 'train');
    const trained = train.cells.map(printed).join('');
    for (const epoch of [0, 1, 2]) assert.match(trained, new RegExp(`epoch ${epoch}\\b`));
    // The same lines the step's log has: the notebook holds this run's outputs.
    const evaluated = (await server.client.executedNotebook(run.id, 'evaluate')).cells.map(printed).join('');
    const accuracy = /test accuracy [01]\.\d{3}/.exec(evaluated)?.[0];
    assert.ok(accuracy, evaluated);
    assert.ok((await server.client.log(run.id, 'evaluate')).data.includes(accuracy), 'the log printed the same accuracy');
  });

  test('the route answers with the notebook file itself, typed as a notebook', async () => {
    const response = await fetch(`${server.url}/api/runs/${run.id}/steps/prepare/notebook`, { headers: { authorization: `Bearer ${server.token}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/x-ipynb\+json/);
    const onDisk = readFileSync(join(run.runDir, 'steps', 'prepare', 'executed.ipynb'));
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), onDisk);
  });

  test('ferry notebook saves a valid notebook, and never over a file without --force', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ferry-notebook-cli-'));
    const saved = await ferry(home, ['notebook', run.id, 'train'], { cwd });
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stdout, /wrote train\.executed\.ipynb \(\d+ cells\)/);
    const file = join(cwd, 'train.executed.ipynb');
    await validateWithNbformat(file);
    const notebook = JSON.parse(readFileSync(file, 'utf8')) as ExecutedNotebook;
    assert.match(notebook.cells.map(printed).join(''), /epoch 2\b/);

    writeFileSync(file, 'my own notes');
    const refused = await ferry(home, ['notebook', run.id, 'train'], { cwd });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /train\.executed\.ipynb exists; pass --force to overwrite it/);
    assert.equal(readFileSync(file, 'utf8'), 'my own notes');

    const forced = await ferry(home, ['notebook', run.id, 'train', '--force'], { cwd });
    assert.equal(forced.status, 0, forced.stderr);
    await validateWithNbformat(file);

    const named = await ferry(home, ['notebook', run.id, 'evaluate', '-o', 'eval.ipynb'], { cwd });
    assert.equal(named.status, 0, named.stderr);
    await validateWithNbformat(join(cwd, 'eval.ipynb'));
  });

  test('a step that has not run yet has no notebook, and the error says so', () => {
    assert.equal(beforeItRan?.message.includes('step "evaluate" of run'), true, beforeItRan?.message);
    assert.match(beforeItRan!.message, /has no executed notebook: it (has not started yet|is still running)/);
    assert.equal((beforeItRan as { category?: string }).category, 'not-found');
  });

  test('a script-mode run has no executed notebook, and the API and the CLI say why', async () => {
    const script = await finished(server.client, (await server.client.submit({ notebookPath: examplePath('papermill_report.ipynb') })).id);
    assert.equal(script.state, 'succeeded');
    const error = await rejection(server.client.executedNotebook(script.id, 'main'));
    assert.equal(error.category, 'not-found');
    assert.match(error.message, /ran in script mode, which keeps no executed notebook; run it with --mode notebook/);
    const cli = await ferry(home, ['notebook', script.id, 'main'], { cwd: mkdtempSync(join(tmpdir(), 'ferry-notebook-cli-')) });
    assert.equal(cli.status, 2);
    assert.match(cli.stderr, /script mode/);
  });

  test('an unknown step, or a step name that tries to leave the run directory, is a 404 naming the steps', async () => {
    for (const step of ['nope', '../../../etc', 'prepare/../../spec.json']) {
      const error = await rejection(server.client.executedNotebook(run.id, step));
      assert.equal(error.category, 'not-found', error.message);
      assert.match(error.message, /has no step .* \(steps: prepare, train, evaluate\)/);
    }
  });
});

/**
 * `ferry export` output, checked two ways. The platforms' own Python
 * packages validate it (validate_export.py, in the project's Python:
 * kfp-pipeline-spec, kfp-kubernetes and the kfp SDK, the Argo Workflows
 * SDK). And it runs as the platform would run it: the stage task, then
 * every step's container command in DAG order, placeholders filled in the
 * way KFP and Argo fill them, with the real step runtime and a temporary
 * directory standing in for the volume.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileNotebookText } from '../compiler/index.js';
import { FerryError } from '../errors.js';
import { readExportRuntime } from '../node/export-file.js';
import { PYTHON } from '../node/testing.js';
import type { JsonValue, PipelineSpec } from '../spec.js';
import { argoWorkflow, exportPipeline, kfpPipeline, type ExportedFile, type ExportFormat } from './index.js';

// dist/export/ → the repository root
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const validator = join(repoRoot, 'shared/core/src/export/validate_export.py');
const examples = readdirSync(join(repoRoot, 'examples')).filter((file) => file.endsWith('.ipynb')).sort();
const FORMATS: ExportFormat[] = ['kfp', 'argo'];

let runtime: ExportedFile[];
let scratch: string;
before(async () => {
  runtime = await readExportRuntime();
  scratch = mkdtempSync(join(tmpdir(), 'ferry-export-test-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

const compileExample = (notebook: string) => compileNotebookText(readFileSync(join(repoRoot, 'examples', notebook), 'utf8'), notebook);

/** A notebook with every parameter type, resources, Kale labels, and a step named like the stage task. */
function everythingNotebook(): PipelineSpec {
  const cell = (source: string, tags: string[] = []) => ({ cell_type: 'code', source, metadata: { tags }, outputs: [], execution_count: null });
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      cell('import json', ['imports']),
      cell(
        [
          'count = 3  # how many',
          'rate = 0.5',
          'flag = False',
          'greeting = "hello {{name}}"  # braces are data',
          'ratios = [0.5, 2]',
          'config = {"depth": 3}',
          'maybe = None',
        ].join('\n'),
        ['parameters'],
      ),
      cell(
        'seen = {"count": count, "rate": rate, "flag": flag, "greeting": greeting, "ratios": ratios, "config": config, "maybe": maybe}\nprint("SEEN " + json.dumps(seen))',
        ['step:load_data', 'gpus:1', 'cpus:0.5', 'mem:512M', 'time:90m', 'label:team:ml', 'annotation:example.org/note:from-ferry'],
      ),
      cell('print("AGAIN " + json.dumps(seen["ratios"]))', ['step:ferry_stage']),
    ],
  };
  return compileNotebookText(JSON.stringify(notebook), 'everything.ipynb');
}

/** Writes the YAML and JSON of each spec, then runs the validator on all of them in one process. */
function validate(format: ExportFormat, specs: PipelineSpec[]): void {
  const files: string[] = [];
  for (const spec of specs) {
    for (const syntax of ['yaml', 'json'] as const) {
      const file = join(scratch, `${spec.name}.${format}.${syntax}`);
      writeFileSync(file, exportPipeline(spec, { format, syntax, image: 'python:3.12', runtime }));
      files.push(file);
    }
  }
  const result = spawnSync(PYTHON, [validator, format, ...files], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `${validator} refused the ${format} output:\n${result.stderr}${result.error?.message ?? ''}`);
  assert.equal(result.stdout.match(/^valid /gm)?.length, specs.length, result.stdout);
}

// --- Playing the exported pipeline as the platform runs it --------------------------

interface Container {
  command: string[];
  args: string[];
}

interface StepRun {
  task: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs each task's command once its upstream tasks succeeded; stops at the first failure, as a DAG does. */
function playDag(tasks: Array<{ name: string; after: string[]; container: Container }>, fill: (word: string) => string, cwd: string): StepRun[] {
  const done = new Set<string>();
  const runs: StepRun[] = [];
  const pending = [...tasks];
  while (pending.length) {
    const index = pending.findIndex((task) => task.after.every((upstream) => done.has(upstream)));
    assert.ok(index >= 0, `no task can start: ${pending.map((task) => task.name).join(', ')} wait on each other`);
    const [task] = pending.splice(index, 1);
    const [program, ...rest] = [...task!.container.command, ...task!.container.args].map(fill);
    // The image's python3 is this project's Python here.
    const result = spawnSync(program === 'python3' ? PYTHON : program!, rest, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    runs.push({ task: task!.name, status: result.status, stdout: result.stdout, stderr: result.stderr });
    if (result.status !== 0) break;
    done.add(task!.name);
  }
  return runs;
}

type Document = { [key: string]: JsonValue };
const at = (value: JsonValue | undefined, ...path: Array<string | number>): JsonValue => {
  let here = value;
  for (const key of path) here = (here as Document | JsonValue[])[key as never];
  return here as JsonValue;
};

/** Argo: `{{workflow.uid}}` and `{{workflow.parameters.NAME}}` filled in from the submitted values or the defaults. */
function playArgo(spec: PipelineSpec, values: Record<string, string>, volume: string): StepRun[] {
  const workflow = argoWorkflow(spec, { image: 'python:3.12', mountPath: volume, runtime });
  const templates = at(workflow, 'spec', 'templates') as Document[];
  const entry = templates.find((template) => template['name'] === at(workflow, 'spec', 'entrypoint'))!;
  const defaults = Object.fromEntries(((at(workflow, 'spec', 'arguments', 'parameters') ?? []) as Document[]).map((p) => [p['name'], p['value']]));
  const tasks = (at(entry, 'dag', 'tasks') as Document[]).map((task) => ({
    name: task['name'] as string,
    after: (task['dependencies'] ?? []) as string[],
    container: templates.find((template) => template['name'] === task['template'])!['container'] as unknown as Container,
  }));
  const fill = (word: string) =>
    word.replaceAll('{{workflow.uid}}', 'run-1').replace(/\{\{workflow\.parameters\.([^}]+)\}\}/g, (_, name: string) => values[name] ?? (defaults[name] as string));
  return playDag(tasks, fill, mkdtempSync(join(scratch, 'workdir-')));
}

/** KFP: `{{$.pipeline_job_uuid}}` and `{{$.inputs.parameters['NAME']}}`, values rendered as KFP renders them (numbers without `.0`, JSON for lists and structs). */
function playKfp(spec: PipelineSpec, values: Record<string, JsonValue>, volume: string): StepRun[] {
  const { pipelineSpec } = kfpPipeline(spec, { image: 'python:3.12', mountPath: volume, runtime });
  const inputs = (at(pipelineSpec, 'root', 'inputDefinitions', 'parameters') ?? {}) as Record<string, Document>;
  const render = (value: JsonValue) => (typeof value === 'string' ? value : JSON.stringify(value));
  const dagTasks = at(pipelineSpec, 'root', 'dag', 'tasks') as Record<string, Document>;
  const tasks = Object.entries(dagTasks).map(([name, task]) => {
    const component = at(pipelineSpec, 'components', at(task, 'componentRef', 'name') as string);
    return {
      name,
      after: (task['dependentTasks'] ?? []) as string[],
      container: at(pipelineSpec, 'deploymentSpec', 'executors', at(component, 'executorLabel') as string, 'container') as unknown as Container,
    };
  });
  const fill = (word: string) =>
    word
      .replaceAll('{{$.pipeline_job_uuid}}', 'run-1')
      .replace(/\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}/g, (_, name: string) => render(name in values ? values[name]! : inputs[name]!['defaultValue']!));
  return playDag(tasks, fill, mkdtempSync(join(scratch, 'workdir-')));
}

const runDir = (volume: string) => join(volume, 'runs', 'run-1');
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as JsonValue;
const failures = (runs: StepRun[]) => runs.filter((run) => run.status !== 0).map((run) => `${run.task} exited ${run.status}:\n${run.stderr}`).join('\n');

// --- Tests ---------------------------------------------------------------------------

describe('ferry export: validated by the platforms\' packages', () => {
  for (const format of FORMATS) {
    test(`every example notebook, as ${format} (YAML and JSON)`, () => {
      assert.ok(examples.length >= 4, 'expected the example notebooks');
      validate(format, examples.map(compileExample));
    });
  }

  test('every parameter type, resources, labels and a step named like the stage task, in both formats', () => {
    const spec = everythingNotebook();
    for (const format of FORMATS) validate(format, [spec]);

    const { pipelineSpec, platformSpec } = kfpPipeline(spec, { image: 'python:3.12', runtime });
    const types = at(pipelineSpec, 'root', 'inputDefinitions', 'parameters') as Record<string, Document>;
    assert.deepEqual(Object.fromEntries(Object.entries(types).map(([name, p]) => [name, p['parameterType']])), {
      count: 'NUMBER_INTEGER', rate: 'NUMBER_DOUBLE', flag: 'BOOLEAN', greeting: 'STRING', ratios: 'LIST', config: 'STRUCT', maybe: 'STRING',
    });
    assert.deepEqual(types['config']!['defaultValue'], { depth: 3 });
    assert.equal(types['count']!['description'], 'how many');
    const tasks = at(pipelineSpec, 'root', 'dag', 'tasks') as Record<string, Document>;
    assert.deepEqual(Object.keys(tasks), ['ferry-stage', 'load-data', 'ferry-stage-2']);
    assert.deepEqual(tasks['ferry-stage-2']!['dependentTasks'], ['load-data']);
    assert.deepEqual(at(pipelineSpec, 'deploymentSpec', 'executors', 'exec-load-data', 'container', 'resources', 'accelerator'), {
      type: 'nvidia.com/gpu', count: '1', resourceType: 'nvidia.com/gpu', resourceCount: '1',
    });
    assert.equal(at(pipelineSpec, 'deploymentSpec', 'executors', 'exec-load-data', 'container', 'resources', 'resourceCpuLimit'), '500m');
    assert.equal(at(pipelineSpec, 'deploymentSpec', 'executors', 'exec-load-data', 'container', 'resources', 'resourceMemoryLimit'), '512Mi');
    const loadData = at(platformSpec, 'platforms', 'kubernetes', 'deploymentSpec', 'executors', 'exec-load-data') as Document;
    assert.equal(loadData['activeDeadlineSeconds'], 90 * 60);
    assert.deepEqual(loadData['podMetadata'], { labels: { team: 'ml' }, annotations: { 'example.org/note': 'from-ferry' } });

    const workflow = argoWorkflow(spec, { image: 'python:3.12', claimName: 'team-volume', runtime });
    const parameters = at(workflow, 'spec', 'arguments', 'parameters') as Document[];
    assert.deepEqual(parameters.map((p) => [p['name'], p['value']]), [
      ['count', '3'], ['rate', '0.5'], ['flag', 'false'], ['greeting', 'hello {{name}}'], ['ratios', '[0.5,2]'], ['config', '{"depth":3}'], ['maybe', 'None'],
    ]);
    assert.deepEqual(parameters[2]!['enum'], ['true', 'false']);
    const template = (at(workflow, 'spec', 'templates') as Document[]).find((t) => t['name'] === 'load-data')!;
    assert.deepEqual(at(template, 'container', 'resources'), { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '500m', memory: '512Mi', 'nvidia.com/gpu': '1' } });
    assert.equal(template['activeDeadlineSeconds'], '5400');
    assert.deepEqual(at(workflow, 'spec', 'volumes'), [{ name: 'ferry-runs', persistentVolumeClaim: { claimName: 'team-volume' } }]);
  });
});

describe('ferry export: runs as the platform runs it', () => {
  for (const format of FORMATS) {
    test(`${format}: train_pipeline with epochs=5 stages its run directory, then prepare → train → evaluate pass their values on the volume`, () => {
      const volume = mkdtempSync(join(scratch, 'volume-'));
      const spec = compileExample('train_pipeline.ipynb');
      const runs = format === 'kfp' ? playKfp(spec, { epochs: 5, learning_rate: 0.25 }, volume) : playArgo(spec, { epochs: '5', learning_rate: '0.25' }, volume);
      assert.equal(failures(runs), '');
      assert.deepEqual(runs.map((run) => run.task), ['ferry-stage', 'prepare', 'train', 'evaluate']);
      assert.deepEqual(readJson(join(runDir(volume), 'params.json')), { epochs: 5, learning_rate: 0.25, n_samples: 400, seed: 7 });
      assert.deepEqual(readJson(join(runDir(volume), 'spec.json')), spec);
      for (const step of ['prepare', 'train', 'evaluate']) assert.equal(at(readJson(join(runDir(volume), 'steps', step, 'status.json')), 'state'), 'succeeded');
      const losses = readFileSync(join(runDir(volume), 'steps', 'train', 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { name: string; step: number })
        .filter((point) => point.name === 'loss');
      assert.deepEqual(losses.map((point) => point.step), [0, 1, 2, 3, 4]);
      assert.ok(existsSync(join(runDir(volume), 'artifacts', 'train', 'weights.pkl')), 'train saved its weights for evaluate');
    });
  }

  test('argo: values typed into the workflow reach the steps with their types, braces and all', () => {
    const volume = mkdtempSync(join(scratch, 'volume-'));
    const runs = playArgo(
      everythingNotebook(),
      { count: ' 1_000.0 ', rate: '1e-3', flag: 'Yes', greeting: '{{workflow.name}} $(rm -rf ~)', ratios: '[1, 2.5]', config: '{"depth": {"max": 4}}', maybe: '[null]' },
      volume,
    );
    assert.equal(failures(runs), '');
    const seen = runs.find((run) => run.task === 'load-data')!.stdout.match(/^SEEN (.*)$/m)?.[1];
    assert.deepEqual(JSON.parse(seen ?? 'null'), {
      count: 1000, rate: 0.001, flag: true, greeting: '{{workflow.name}} $(rm -rf ~)', ratios: [1, 2.5], config: { depth: { max: 4 } }, maybe: [null],
    });
    assert.match(runs.find((run) => run.task === 'ferry-stage-2')!.stdout, /^AGAIN \[1, 2\.5\]$/m);
  });

  test('kfp: the defaults reach the steps with their types', () => {
    const volume = mkdtempSync(join(scratch, 'volume-'));
    const runs = playKfp(everythingNotebook(), {}, volume);
    assert.equal(failures(runs), '');
    assert.deepEqual(readJson(join(runDir(volume), 'params.json')), {
      count: 3, rate: 0.5, flag: false, greeting: 'hello {{name}}', ratios: [0.5, 2], config: { depth: 3 }, maybe: null,
    });
  });

  test('a value that is not of its parameter\'s type stops the run at the stage task, naming the parameter', () => {
    const volume = mkdtempSync(join(scratch, 'volume-'));
    const runs = playArgo(compileExample('train_pipeline.ipynb'), { epochs: 'ten' }, volume);
    assert.deepEqual(runs.map((run) => [run.task, run.status]), [['ferry-stage', 2]]);
    assert.match(runs[0]!.stderr, /parameter epochs expects int, got 'ten'/);
    assert.equal(existsSync(join(runDir(volume), 'params.json')), false);
  });
});

describe('ferry export: bad input', () => {
  const spec = () => compileExample('train_pipeline.ipynb');
  const refusal = (run: () => unknown): FerryError => {
    try {
      run();
    } catch (error) {
      assert.ok(error instanceof FerryError, String(error));
      return error;
    }
    assert.fail('the export was not refused');
  };

  test('no image, or one with spaces: a request error on the image', () => {
    for (const image of ['', 'python 3.12']) {
      const error = refusal(() => exportPipeline(spec(), { format: 'argo', image, runtime }));
      assert.equal(error.category, 'request');
      assert.deepEqual(error.location, { field: 'image' });
      assert.match(error.message, /container image reference/);
    }
  });

  test('a claim name Kubernetes would refuse', () => {
    const error = refusal(() => exportPipeline(spec(), { format: 'kfp', image: 'python:3.12', claimName: 'Team_Volume', runtime }));
    assert.deepEqual(error.location, { field: 'claimName' });
    assert.match(error.message, /"Team_Volume" is not a PersistentVolumeClaim name/);
  });

  test('an unknown format', () => {
    const error = refusal(() => exportPipeline(spec(), { format: 'airflow' as ExportFormat, image: 'python:3.12', runtime }));
    assert.match(error.message, /unknown export format "airflow"; formats: kfp, argo/);
  });

  test('a label value Kubernetes would refuse names its step', () => {
    const bad = spec();
    bad.steps[1] = { ...bad.steps[1]!, labels: { team: 'machine learning' } };
    for (const format of FORMATS) {
      const error = refusal(() => exportPipeline(bad, { format, image: 'python:3.12', runtime }));
      assert.equal(error.category, 'tag');
      assert.deepEqual(error.location, { step: 'train' });
      assert.match(error.message, /label `team` has the value `machine learning`/);
    }
  });

  test('argo: an annotation with "{{" and a parameter name Argo refuses', () => {
    const annotated = spec();
    annotated.steps[0] = { ...annotated.steps[0]!, annotations: { note: 'see {{workflow.name}}' } };
    assert.match(refusal(() => argoWorkflow(annotated, { image: 'python:3.12', runtime })).message, /annotation `note` contains "\{\{"/);
    const renamed = spec();
    renamed.parameters[0] = { ...renamed.parameters[0]!, name: 'époques' };
    const error = refusal(() => argoWorkflow(renamed, { image: 'python:3.12', runtime }));
    assert.equal(error.category, 'parameter');
    assert.equal(error.location?.parameter, 'époques');
  });
});

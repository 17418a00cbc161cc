import type { V1Job, V1PodTemplateSpec } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FerryError } from '../../errors.js';
import type { JsonValue, PipelineSpec, Resources, StepSpec } from '../../spec.js';
import { stepNameKey } from '../../tags/index.js';
import type { KubernetesTargetConfig } from '../config.js';
import { parseKubernetesTarget } from './target-config.js';
import { isDnsLabel, isLabelValue } from './object-names.js';
import {
  ANNOTATION,
  CONFIG_MAP_LIMIT,
  LABEL,
  POINTS_LIST_KEY,
  readRuntimeFiles,
  runConfigMap,
  stepJob,
  stepJobName,
  stepLabelValue,
  sweepConfigMap,
  sweepJob,
  type RuntimeFiles,
} from './manifests.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const spec = JSON.parse(readFileSync(join(repoRoot, 'shared/core/golden/train_pipeline.spec.json'), 'utf8')) as PipelineSpec;
const parameters = Object.fromEntries(spec.parameters.map((parameter) => [parameter.name, parameter.default])) as Record<string, JsonValue>;
const RUN_ID = 'r-20250101-120000-abcdef';
const SWEEP_ID = 's-20250101-120000-fedcba';
const run = { id: RUN_ID, mode: 'script' as const, spec, parameters };
const runtime: RuntimeFiles = { 'ferry_runtime.py': '# runtime\n' };

/** The defaults of a target named `lab`, as the config parser makes them. */
const config: KubernetesTargetConfig = parseKubernetesTarget('lab', { type: 'kubernetes', image: 'python:3.12-slim' }, 'config.json', {});

/** The pipeline with one step renamed (and every reference to it). */
function withStep(step: Partial<StepSpec>): { spec: PipelineSpec; step: StepSpec } {
  const changed = { ...spec.steps[0]!, ...step };
  return { spec: { ...spec, steps: [changed, ...spec.steps.slice(1)] }, step: changed };
}

function jobFor(step: Partial<StepSpec>, target: KubernetesTargetConfig = config): V1Job {
  const changed = withStep(step);
  return stepJob({ ...run, spec: changed.spec }, changed.step, target, 'lab');
}

function podOf(job: V1Job): V1PodTemplateSpec {
  return job.spec!.template;
}

function errorOf(action: () => unknown): FerryError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof FerryError, `expected a FerryError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

describe('Job names', () => {
  const long = 'a'.repeat(63);
  const names = [
    'train', 'Train_Data', '_private', 'trailing_', 'trailing-', 'x', long, `${'a'.repeat(62)}b`, `${'a'.repeat(30)}`, `${'a'.repeat(31)}`,
    `${'a'.repeat(22)}_z`, 'A1', '_', '__x__',
  ];

  test('every step gets a DNS label of at most 63 characters, the same each time', () => {
    for (const name of names) {
      for (const owner of [RUN_ID, SWEEP_ID]) {
        const jobName = stepJobName(owner, name);
        assert.ok(isDnsLabel(jobName), `${JSON.stringify(jobName)} (step ${name}) is not a DNS label`);
        assert.ok(jobName.startsWith(`ferry-${owner}-`), jobName);
        assert.equal(stepJobName(owner, name), jobName);
      }
    }
  });

  test('names that fit stay readable; long and odd ones get a hash', () => {
    assert.equal(stepJobName(RUN_ID, 'Train_Data'), `ferry-${RUN_ID}-train-data`);
    assert.match(stepJobName(RUN_ID, long), new RegExp(`^ferry-${RUN_ID}-a{23}-[0-9a-f]{8}$`));
    assert.match(stepJobName(RUN_ID, 'trailing_'), new RegExp(`^ferry-${RUN_ID}-trailing--[0-9a-f]{8}$`));
  });

  test('steps the compiler tells apart get different Job names', () => {
    const distinct = [...new Map(names.map((name) => [stepNameKey(name), name])).values()];
    const jobNames = distinct.map((name) => stepJobName(RUN_ID, name));
    assert.equal(new Set(jobNames).size, distinct.length, jobNames.join('\n'));
  });

  test('the step label is a valid label value, the exact name itself when it can be', () => {
    for (const name of names) assert.ok(isLabelValue(stepLabelValue(name)), `${stepLabelValue(name)} (step ${name})`);
    assert.equal(stepLabelValue('Train_Data'), 'Train_Data');
    assert.notEqual(stepLabelValue('_private'), stepLabelValue('private'));
    const job = jobFor({ name: '_private' });
    assert.equal(job.metadata!.annotations![ANNOTATION.step], '_private');
    assert.equal(job.metadata!.labels![LABEL.step], stepLabelValue('_private'));
    assert.deepEqual(podOf(job).spec!.containers[0]!.command!.slice(-4), ['--step', '_private', '--mode', 'script']);
  });

  test('an id that is not Ferry\'s never becomes a name', () => {
    assert.equal(errorOf(() => stepJobName('r-1; rm -rf /', 'train')).category, 'internal');
  });
});

describe('the run\'s ConfigMap', () => {
  test('holds the runtime, the staged files under flat keys, and files.json mapping keys to paths', () => {
    const map = runConfigMap(run, runtime, config, 'lab');
    const data = map.data!;
    const files = JSON.parse(data['files.json']!) as Record<string, string>;
    assert.deepEqual(Object.values(files).sort(), ['params.json', 'spec.json']);
    const byPath = Object.fromEntries(Object.entries(files).map(([key, path]) => [path, data[key]!]));
    assert.deepEqual(JSON.parse(byPath['spec.json']!), spec);
    assert.deepEqual(JSON.parse(byPath['params.json']!), parameters);
    assert.equal(data['ferry_runtime.py'], runtime['ferry_runtime.py']);
    assert.ok(Object.keys(data).every((key) => /^[-._a-zA-Z0-9]+$/.test(key)), 'ConfigMap keys hold no "/"');
  });

  test('carries the real runtime and its companions', async () => {
    const real = await readRuntimeFiles();
    assert.ok(real['ferry_runtime.py']!.includes('--run-dir'));
    assert.ok('ferry_log_sources.py' in real && 'ferry_tfevents.py' in real);
    assert.deepEqual(Object.keys(runConfigMap(run, real, config, 'lab').data!).filter((key) => key.endsWith('.py')).sort(), Object.keys(real).sort());
  });

  test('a run too large for a ConfigMap is refused with the size, the limit and the largest files', () => {
    const big = { ...run, parameters: { ...parameters, table: 'x'.repeat(CONFIG_MAP_LIMIT) } };
    const error = errorOf(() => runConfigMap(big, runtime, config, 'lab'));
    assert.equal(error.category, 'target');
    assert.match(error.message, /the files of run r-20250101-120000-abcdef take 1\.0\d MiB, more than the 1008\.0 KiB a Kubernetes ConfigMap can carry \(1\.00 MiB/);
    assert.match(error.message, /the largest: params\.json \(1\.00 MiB\), spec\.json \([\d.]+ KiB\)/);
    // Just under the budget still fits.
    const fits = { ...run, parameters: { ...parameters, table: 'x'.repeat(900 * 1024) } };
    assert.ok(runConfigMap(fits, runtime, config, 'lab').data);
  });

  test('a sweep stores what its points share once, and lists each point\'s run id and files by index', () => {
    const points = [0.1, 0.2].map((rate, index) => ({ id: `r-20250101-120000-00000${index}`, spec, parameters: { ...parameters, learning_rate: rate } }));
    const map = sweepConfigMap({ id: SWEEP_ID }, points, runtime, config, 'lab');
    const list = JSON.parse(map.data![POINTS_LIST_KEY]!) as { runId: string; files: Record<string, string> }[];
    assert.deepEqual(list.map((point) => point.runId), points.map((point) => point.id));
    const keyOf = (index: number, path: string) => Object.entries(list[index]!.files).find(([, each]) => each === path)![0];
    assert.equal(keyOf(0, 'spec.json'), keyOf(1, 'spec.json'));
    assert.notEqual(keyOf(0, 'params.json'), keyOf(1, 'params.json'));
    assert.equal((JSON.parse(map.data![keyOf(1, 'params.json')]!) as Record<string, JsonValue>).learning_rate, 0.2);
    const job = sweepJob({ id: SWEEP_ID, mode: 'script' }, points, spec, spec.steps[1]!, config, 'lab');
    assert.deepEqual(JSON.parse(job.metadata!.annotations![ANNOTATION.points]!), list.map((point) => point.runId));
  });
});

describe('step pods', () => {
  const full: KubernetesTargetConfig = {
    ...config,
    serviceAccount: 'steps',
    imagePullSecrets: ['creds'],
    podLabels: { team: 'ml' },
    podAnnotations: { 'sidecar.istio.io/inject': 'false' },
  };
  const jobs: [string, V1Job][] = [
    ...spec.steps.map((step): [string, V1Job] => [`step ${step.name}`, stepJob(run, step, full, 'lab')]),
    ['a step with GPUs', jobFor({ resources: { gpus: 1, timeMinutes: 5 } }, config)],
    ...spec.steps.map((step): [string, V1Job] => [`sweep step ${step.name}`, sweepJob({ id: SWEEP_ID, mode: 'notebook', maxParallel: 1 }, [{ id: RUN_ID }], spec, step, full, 'lab')]),
  ];

  test('every pod template meets the Pod Security "restricted" profile and mounts no service account token', () => {
    for (const [what, job] of jobs) {
      const pod = podOf(job).spec!;
      assert.equal(pod.securityContext?.runAsNonRoot, true, what);
      assert.ok((pod.securityContext?.runAsUser ?? 0) > 0, what);
      assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', what);
      assert.equal(pod.automountServiceAccountToken, false, what);
      assert.equal(pod.restartPolicy, 'Never', what);
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        assert.deepEqual(container.securityContext, {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
        }, `${what}, container ${container.name}`);
      }
      assert.ok(pod.volumes!.every((volume) => volume.hostPath === undefined), what);
      assert.equal(job.spec!.suspend, true, what);
    }
  });

  test('Ferry\'s labels are on the Job and its pods, with the target\'s and the steps\' own beside them', () => {
    const job = jobFor({ labels: { 'kale/tier': 'gpu' }, annotations: { note: 'any: text' } }, full);
    for (const labels of [job.metadata!.labels!, podOf(job).metadata!.labels!]) {
      assert.equal(labels[LABEL.run], RUN_ID);
      assert.equal(labels[LABEL.target], 'lab');
      assert.equal(labels[LABEL.component], 'step');
    }
    assert.equal(podOf(job).metadata!.labels!.team, 'ml');
    assert.equal(podOf(job).metadata!.labels!['kale/tier'], 'gpu');
    assert.deepEqual(podOf(job).metadata!.annotations, { 'sidecar.istio.io/inject': 'false', note: 'any: text' });
  });

  test('resources map to requests and limits; GPUs are a limit', () => {
    const resourcesOf = (resources: Resources) => podOf(jobFor({ resources })).spec!.containers[0]!.resources;
    assert.deepEqual(resourcesOf({ cpus: 0.5, memoryMiB: 1000.5 }), { requests: { cpu: '500m', memory: '1001Mi' }, limits: { cpu: '500m', memory: '1001Mi' } });
    assert.deepEqual(resourcesOf({ cpus: 4, gpus: 2 }), { requests: { cpu: '4' }, limits: { cpu: '4', 'nvidia.com/gpu': '2' } });
    assert.deepEqual(resourcesOf({ gpus: 1 }), { limits: { 'nvidia.com/gpu': '1' } });
    assert.equal(resourcesOf({}), undefined);
  });

  test('the step\'s time limit is the pod\'s deadline', () => {
    assert.equal(podOf(jobFor({ resources: { timeMinutes: 1.5 } })).spec!.activeDeadlineSeconds, 90);
    assert.equal(podOf(jobFor({ resources: { timeMinutes: 120 } })).spec!.activeDeadlineSeconds, 7200);
    assert.equal(podOf(jobFor({ resources: {} })).spec!.activeDeadlineSeconds, undefined);
  });

  test('a sweep runs at most maxParallel points at once, and each index fails on its own', () => {
    const points = [0, 1, 2].map((index) => ({ id: `r-20250101-120000-00000${index}` }));
    const limited = sweepJob({ id: SWEEP_ID, mode: 'script', maxParallel: 2 }, points, spec, spec.steps[0]!, config, 'lab').spec!;
    assert.equal(limited.completionMode, 'Indexed');
    assert.equal(limited.completions, 3);
    assert.equal(limited.parallelism, 2);
    assert.equal(limited.maxFailedIndexes, undefined);
    assert.equal(limited.podFailurePolicy!.rules.find((rule) => rule.onExitCodes)?.action, 'FailIndex');
    assert.equal(sweepJob({ id: SWEEP_ID, mode: 'script' }, points, spec, spec.steps[0]!, config, 'lab').spec!.parallelism, 3);
    assert.equal(sweepJob({ id: SWEEP_ID, mode: 'script', maxParallel: 10 }, points, spec, spec.steps[0]!, config, 'lab').spec!.parallelism, 3);
  });

  test('the target\'s env cannot replace Ferry\'s variables', () => {
    const error = errorOf(() => jobFor({}, { ...config, env: { HOME: '/root' } }));
    assert.match(error.message, /"env" sets HOME, which Ferry sets itself/);
    const env = podOf(jobFor({}, { ...config, env: { TOKENIZERS_PARALLELISM: 'false' } })).spec!.containers[0]!.env!;
    assert.deepEqual(env.find((variable) => variable.name === 'TOKENIZERS_PARALLELISM'), { name: 'TOKENIZERS_PARALLELISM', value: 'false' });
    assert.equal(env.find((variable) => variable.name === 'FERRY_STDOUT_RECORDS')?.value, '1');
  });

  test('a step\'s label tag Kubernetes would refuse, or one of Ferry\'s keys, is an error naming the step', () => {
    const bad = errorOf(() => jobFor({ name: 'prep', labels: { tier: 'has spaces' } }));
    assert.equal(bad.category, 'pipeline');
    assert.equal(bad.location?.step, 'prep');
    assert.match(bad.message, /step "prep": the label tag "tier:has spaces" has a value Kubernetes refuses/);
    assert.match(errorOf(() => jobFor({ labels: { 'ferry.dev/run': 'other' } })).message, /sets ferry\.dev\/run, which Ferry sets itself/);
    assert.match(errorOf(() => jobFor({ annotations: { 'bad key!': 'x' } })).message, /annotation tag .* has a key Kubernetes refuses/);
  });
});

/**
 * Everything the Kubernetes target generates, for the train_pipeline example
 * spec (shared/core/golden/train_pipeline.spec.json), against golden files in
 * shared/core/golden/kubernetes/: the run's ConfigMap, each step's Job, the
 * artifacts claim, a sweep's ConfigMap and Indexed Job. Each object is also
 * read through @kubernetes/client-node's models (generated from the API's
 * OpenAPI schema), which drop any field the API does not have: a misspelt
 * field fails here, not on a cluster.
 * A change shows up as a diff to review; to accept it:
 *   npx tsc -b && FERRY_UPDATE_GOLDEN=1 node --test shared/core/dist/node/kubernetes/golden.test.js
 */
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertGolden } from '../golden-files.js';
import type { JsonValue, PipelineSpec } from '../../spec.js';
import type { KubernetesTargetConfig } from '../config.js';
import { parseKubernetesTarget } from './target-config.js';
import { artifactsClaim, runConfigMap, stepJob, sweepConfigMap, sweepJob, type RuntimeFiles } from './manifests.js';

// dist/node/kubernetes/ → the repository root
const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const goldenDir = join(repoRoot, 'shared/core/golden/kubernetes');

const spec = JSON.parse(readFileSync(join(repoRoot, 'shared/core/golden/train_pipeline.spec.json'), 'utf8')) as PipelineSpec;
const parameters = Object.fromEntries(spec.parameters.map((parameter) => [parameter.name, parameter.default])) as Record<string, JsonValue>;
const run = { id: 'r-20250101-120000-abcdef', mode: 'script' as const, spec, parameters };
/** Stand-ins for the runtime's files: their text is the runtime's business, not the manifests'. */
const runtime: RuntimeFiles = {
  'ferry_runtime.py': '# ferry_runtime.py\n',
  'ferry_log_sources.py': '# ferry_log_sources.py\n',
  'ferry_tfevents.py': '# ferry_tfevents.py\n',
};

/** A cluster with everything set. */
const config: KubernetesTargetConfig = {
  type: 'kubernetes',
  kubeconfig: '~/.kube/config',
  context: 'lab',
  namespace: 'ml-team',
  image: 'registry.example.org/ml/train:1.4',
  python: '/opt/conda/bin/python',
  serviceAccount: 'ferry-steps',
  imagePullSecrets: ['registry-creds'],
  nodeSelector: { 'node.kubernetes.io/instance-type': 'g5.xlarge' },
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, { key: 'spot', operator: 'Equal', value: 'true', effect: 'NoExecute', tolerationSeconds: 300 }],
  env: { HF_HOME: '/ferry/home/hf', OMP_NUM_THREADS: '2' },
  storage: { claim: 'ml-artifacts', size: '50Gi', storageClass: 'fast-rwx', accessModes: ['ReadWriteMany'] },
  backoffLimit: 2,
  podAnnotations: { 'sidecar.istio.io/inject': 'false' },
  podLabels: { team: 'ml' },
  runAsUser: 2000,
};
/** The plainest cluster: defaults only. */
const plain: KubernetesTargetConfig = parseKubernetesTarget('lab', { type: 'kubernetes', image: 'python:3.12-slim' }, 'config.json', {});

/** A 3-point sweep over the learning rate, at most 2 points at once. */
const sweep = { id: 's-20250101-120000-fedcba', mode: 'script' as const, maxParallel: 2 };
const points = [0.1, 0.2, 0.5].map((rate, index) => ({
  id: `r-20250101-120000-00000${index}`,
  spec,
  parameters: { ...parameters, learning_rate: rate },
}));
const train = spec.steps[1]!;

const generated: Record<string, { type: string; object: unknown }> = {
  'train_pipeline.configmap.json': { type: 'V1ConfigMap', object: runConfigMap(run, runtime, config, 'lab') },
  ...Object.fromEntries(spec.steps.map((step) => [`train_pipeline.${step.name}.job.json`, { type: 'V1Job', object: stepJob(run, step, config, 'lab') }])),
  'train_pipeline.plain.train.job.json': { type: 'V1Job', object: stepJob(run, train, plain, 'lab') },
  // Fractional CPUs and memory, GPUs, a time limit of 61 minutes; notebook mode; a Kale label and annotation.
  'train_pipeline.gpu-train.job.json': {
    type: 'V1Job',
    object: stepJob(
      { ...run, mode: 'notebook' },
      { ...train, resources: { gpus: 2, cpus: 1.5, memoryMiB: 1000.5, timeMinutes: 61 }, labels: { 'kale.example/tier': 'gpu' }, annotations: { 'kale.example/note': 'any text: allowed' } },
      plain,
      'lab',
    ),
  },
  'train_pipeline.sweep.configmap.json': { type: 'V1ConfigMap', object: sweepConfigMap(sweep, points, runtime, config, 'lab') },
  'train_pipeline.sweep.train.job.json': { type: 'V1Job', object: sweepJob(sweep, points, spec, train, config, 'lab') },
  'claim.json': { type: 'V1PersistentVolumeClaim', object: artifactsClaim(config, 'lab') },
  'claim.plain.json': { type: 'V1PersistentVolumeClaim', object: artifactsClaim(plain, 'lab') },
};

describe('golden files of the Kubernetes target (train_pipeline)', () => {
  for (const [name, { type, object }] of Object.entries(generated)) {
    test(name, () => {
      // JSON drops the fields the models set to undefined: what is left is what the API would read.
      const known = JSON.parse(JSON.stringify(ObjectSerializer.serialize(ObjectSerializer.deserialize(object, type, ''), type, ''))) as unknown;
      assert.deepEqual(known, object, `${name} has fields a ${type} does not have: the "-" lines`);
      const actual = JSON.stringify(object, null, 2) + '\n';
      assertGolden(join(goldenDir, name), actual, import.meta.url);
    });
  }

  test('every golden file is generated by this test', () => {
    const stale = readdirSync(goldenDir).filter((file) => file.endsWith('.json') && !(file in generated));
    assert.deepEqual(stale, [], 'golden files nothing generates any more');
  });
});

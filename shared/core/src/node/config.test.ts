import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FerryError, formatError } from '../errors.js';
import { loadConfig } from './config.js';

const root = mkdtempSync(join(tmpdir(), 'ferry-config-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

function configFile(content: unknown): { configFile: string } {
  const file = join(root, `config-${files++}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return { configFile: file };
}

function loadError(content: unknown): FerryError {
  const paths = configFile(content);
  try {
    loadConfig(paths, {});
  } catch (error) {
    assert.ok(error instanceof FerryError);
    assert.equal(error.category, 'request');
    assert.equal(error.location?.file, paths.configFile);
    return error;
  }
  assert.fail('expected loadConfig to throw');
}

test('a missing file means one local target with defaults', () => {
  const config = loadConfig({ configFile: join(root, 'absent.json') }, {});
  assert.deepEqual(config, { targets: { local: { type: 'local', python: 'python3', maxParallel: Math.max(1, availableParallelism()) } } });
});

test('FERRY_PYTHON is the default python', () => {
  const config = loadConfig({ configFile: join(root, 'absent.json') }, { FERRY_PYTHON: '/opt/py/bin/python' });
  assert.equal(config.targets.local!.python, '/opt/py/bin/python');
});

test('configured targets are read, and local is added when not configured', () => {
  const config = loadConfig(configFile({ targets: { box: { type: 'local', python: '/usr/bin/python3.12', maxParallel: 2 } } }), {});
  assert.deepEqual(config.targets.box, { type: 'local', python: '/usr/bin/python3.12', maxParallel: 2 });
  assert.equal(config.targets.local!.type, 'local');
});

test('a configured local target replaces the default one', () => {
  const config = loadConfig(configFile({ targets: { local: { type: 'local', maxParallel: 1 } } }), {});
  assert.deepEqual(config.targets.local, { type: 'local', python: 'python3', maxParallel: 1 });
});

test('an unknown key names the target and the key, and lists the valid keys', () => {
  const error = loadError({ targets: { local: { type: 'local', pyhton: 'python3' } } });
  assert.equal(error.location?.field, 'targets.local.pyhton');
  assert.match(error.message, /target "local".*unknown key "pyhton"; valid keys: type, python, maxParallel/);
  assert.match(formatError(error.toJSON()), /config-\d+\.json, targets\.local\.pyhton: /);
});

test('an unknown target type lists the valid types', () => {
  const error = loadError({ targets: { gpu: { type: 'slurmm' } } });
  assert.equal(error.location?.field, 'targets.gpu.type');
  assert.match(error.message, /target "gpu": unknown type "slurmm"; valid types: local, slurm/);
});

test('an unknown top-level key and bad values are refused', () => {
  assert.match(loadError({ target: {} }).message, /unknown key "target"; valid keys: targets/);
  assert.match(loadError({ targets: { local: { type: 'local', maxParallel: 0 } } }).message, /"maxParallel" must be a whole number/);
  assert.match(loadError({ targets: { local: { type: 'local', python: '' } } }).message, /"python" must be a non-empty string/);
  assert.match(loadError('{ "targets": ').message, /not valid JSON/);
  assert.match(loadError([]).message, /must hold a JSON object/);
});

test('a slurm target: defaults filled in, every key read', () => {
  const minimal = loadConfig(configFile({ targets: { hpc: { type: 'slurm', host: 'login1' } } }), {});
  assert.deepEqual(minimal.targets.hpc, { type: 'slurm', host: 'login1', workdir: '~/ferry', python: 'python3', setup: [], local: false });
  const full = {
    type: 'slurm',
    host: 'login.hpc.example.org',
    user: 'alice',
    port: 2222,
    identityFile: '~/.ssh/id_hpc',
    sshConfigFile: '/etc/ferry/ssh_config',
    knownHostsFile: '~/.ssh/known_hosts_hpc',
    proxyJump: 'alice@bastion',
    workdir: '/scratch/alice/ferry',
    partition: 'gpu',
    account: 'proj42',
    qos: 'normal',
    python: '/opt/py/bin/python3',
    setup: ['module load python/3.11', 'source ~/venv/bin/activate'],
    container: { image: '/images/torch.sif', runtime: 'singularity', bind: ['/scratch'] },
    local: true,
  };
  assert.deepEqual(loadConfig(configFile({ targets: { hpc: full } }), {}).targets.hpc, full);
  const container = loadConfig(configFile({ targets: { hpc: { type: 'slurm', host: 'h', container: { image: 'docker://python:3.12' } } } }), {});
  assert.deepEqual(container.targets.hpc, {
    type: 'slurm', host: 'h', workdir: '~/ferry', python: 'python3', setup: [], local: false,
    container: { image: 'docker://python:3.12', runtime: 'apptainer', bind: [] },
  });
});

test('a slurm target refuses unknown keys with the list of valid ones, and bad values', () => {
  const unknown = loadError({ targets: { hpc: { type: 'slurm', host: 'h', partiton: 'gpu' } } });
  assert.equal(unknown.location?.field, 'targets.hpc.partiton');
  assert.match(unknown.message, /unknown key "partiton"; valid keys: type, host, user, port, .*partition, account, qos, python, setup, container, local/);
  assert.match(loadError({ targets: { hpc: { type: 'slurm' } } }).message, /needs "host"/);
  // On the login node itself there is nothing to connect to.
  assert.equal(loadConfig(configFile({ targets: { hpc: { type: 'slurm', local: true } } }), {}).targets.hpc?.type, 'slurm');
  assert.match(loadError({ targets: { hpc: { type: 'slurm', host: 'h', port: 0 } } }).message, /"port" must be a TCP port/);
  assert.match(loadError({ targets: { hpc: { type: 'slurm', host: 'h', workdir: '~bob/ferry' } } }).message, /"workdir" must be absolute or start with "~\/"/);
  assert.match(loadError({ targets: { hpc: { type: 'slurm', host: 'h', partition: 'a\nb' } } }).message, /"partition" must be a partition name on one line/);
  assert.match(loadError({ targets: { hpc: { type: 'slurm', host: 'h', setup: 'module load x' } } }).message, /"setup" must be a list of shell lines/);
  assert.match(loadError({ targets: { hpc: { type: 'slurm', host: 'h', container: { image: 'x.sif', runtim: 'docker' } } } }).message, /unknown container key "runtim"; valid keys: image, runtime, bind/);
  assert.match(loadError({ targets: { hpc: { type: 'slurm', host: 'h', container: { image: 'x.sif', runtime: 'docker' } } } }).message, /"container.runtime" must be "apptainer" or "singularity"/);
  assert.match(loadError({ targets: { hpc: { type: 'slurm', host: 'h', local: 'yes' } } }).message, /"local" must be true/);
});

test('a kubernetes target: defaults filled in, every key read', () => {
  const minimal = loadConfig(configFile({ targets: { lab: { type: 'kubernetes', image: 'python:3.12-slim' } } }), {});
  assert.deepEqual(minimal.targets.lab, {
    type: 'kubernetes', kubeconfig: '~/.kube/config', namespace: 'default', image: 'python:3.12-slim', python: 'python3',
    imagePullSecrets: [], nodeSelector: {}, tolerations: [], env: {},
    storage: { claim: 'ferry-lab-artifacts', size: '10Gi', accessModes: ['ReadWriteOnce'] },
    backoffLimit: 1, podAnnotations: {}, podLabels: {}, runAsUser: 1000,
  });
  const fromEnv = loadConfig(configFile({ targets: { GPU_lab: { type: 'kubernetes', image: 'i' } } }), { KUBECONFIG: '/etc/kube/a.yaml:/etc/kube/b.yaml' });
  assert.equal(fromEnv.targets.GPU_lab?.type === 'kubernetes' && fromEnv.targets.GPU_lab.kubeconfig, '/etc/kube/a.yaml:/etc/kube/b.yaml');
  assert.equal(fromEnv.targets.GPU_lab?.type === 'kubernetes' && fromEnv.targets.GPU_lab.storage.claim, 'ferry-gpu-lab-artifacts');
  const full = {
    type: 'kubernetes',
    kubeconfig: '~/.kube/lab.yaml',
    context: 'lab-admin@lab',
    namespace: 'ml-team',
    image: 'registry.example.org/ml/train:1.4',
    python: '/opt/conda/bin/python',
    serviceAccount: 'ferry-steps',
    imagePullSecrets: ['registry-creds'],
    nodeSelector: { 'node.kubernetes.io/instance-type': 'g5.xlarge' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, { key: 'spot', operator: 'Equal', value: 'true', effect: 'NoExecute', tolerationSeconds: 60 }],
    env: { HF_HOME: '/ferry/home/hf' },
    storage: { claim: 'ml-artifacts', size: '50Gi', storageClass: '', accessModes: ['ReadWriteMany'] },
    backoffLimit: 0,
    podAnnotations: { 'sidecar.istio.io/inject': 'false' },
    podLabels: { team: 'ml' },
    runAsUser: 2000,
  };
  assert.deepEqual(loadConfig(configFile({ targets: { lab: full } }), {}).targets.lab, full);
});

test('a kubernetes target refuses unknown keys and values Kubernetes would refuse, naming the field', () => {
  const k8s = (extra: Record<string, unknown>, name = 'lab') => loadError({ targets: { [name]: { type: 'kubernetes', image: 'i', ...extra } } });
  const unknown = k8s({ namespce: 'ml' });
  assert.equal(unknown.location?.field, 'targets.lab.namespce');
  assert.match(unknown.message, /unknown key "namespce"; valid keys: type, kubeconfig, context, namespace, image, python, .*runAsUser/);
  assert.match(loadError({ targets: { lab: { type: 'kubernetes' } } }).message, /"image" is needed/);
  assert.match(k8s({ namespace: 'ML_Team' }).message, /"namespace" must be a Kubernetes name: lower-case letters/);
  assert.match(k8s({}, 'my lab').message, /the name of a Kubernetes target goes into labels/);
  assert.match(k8s({ storage: { size: 'ten' } }).message, /"storage.size" must be a size like "10Gi"/);
  assert.match(k8s({ storage: { claim: 'x', sise: '1Gi' } }).message, /unknown storage key "sise"; valid keys: claim, size, storageClass, accessModes/);
  assert.match(k8s({ storage: { accessModes: ['ReadOnlyMany'] } }).message, /"storage.accessModes" must be a non-empty list of ReadWriteOnce, ReadWriteMany, ReadWriteOncePod/);
  assert.match(k8s({}, 'a.-b').message, /set "storage.claim"/);
  const home = k8s({ env: { HOME: '/root' } });
  assert.equal(home.location?.field, 'targets.lab.env.HOME');
  assert.match(home.message, /"env": "HOME" is set by Ferry itself in every step's container and cannot be replaced/);
  assert.match(k8s({ env: { '1X': 'a' } }).message, /"1X" must be a variable name/);
  assert.match(k8s({ env: { X: 1 } }).message, /the value of "X" must be a string/);
  assert.match(k8s({ podLabels: { 'ferry.dev/run': 'x' } }).message, /"ferry.dev\/run" is a key Ferry sets itself/);
  assert.match(k8s({ podLabels: { team: 'machine learning' } }).message, /the value of "team" must be a label value/);
  assert.match(k8s({ nodeSelector: { 'bad key!': 'x' } }).message, /"bad key!" must be a key/);
  assert.match(k8s({ imagePullSecrets: ['Creds'] }).message, /"imagePullSecrets": "Creds" is not a secret name/);
  assert.match(k8s({ runAsUser: 0 }).message, /"runAsUser" must be a whole number ≥ 1 \(steps never run as root, so not 0\)/);
  assert.match(k8s({ backoffLimit: -1 }).message, /"backoffLimit" must be a whole number ≥ 0/);
  const toleration = k8s({ tolerations: [{ operator: 'Equal', value: 'x' }] });
  assert.equal(toleration.location?.field, 'targets.lab.tolerations[0].operator');
  assert.match(toleration.message, /without a key, the operator must be "Exists"/);
  assert.match(k8s({ tolerations: [{ key: 'a', operator: 'Exists', value: 'x' }] }).message, /with the operator "Exists", give no value/);
  assert.match(k8s({ tolerations: [{ key: 'a', effect: 'NoSchedule', tolerationSeconds: 5 }] }).message, /"tolerationSeconds" applies to the effect "NoExecute" only/);
  assert.match(k8s({ tolerations: [{ key: 'a', efect: 'NoSchedule' }] }).message, /unknown toleration key "efect"/);
  assert.match(k8s({ tolerations: [{ key: 'a', effect: 'NoRun' }] }).message, /"tolerations\[0\].effect" must be one of NoSchedule, PreferNoSchedule, NoExecute/);
});

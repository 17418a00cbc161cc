// Writes the test FERRY_HOME's config.json: the local target, a Slurm target
// on the dev cluster when its cluster.json exists (as the core's
// real-cluster tests configure it), and a Kubernetes target on the dev
// control plane when its cluster.json (FERRY_DEV_K8S) exists, in a namespace
// of these tests' own that kubernetes.spec.ts creates and deletes.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const [file, python, clusterFile, k8sFile] = process.argv.slice(2);
const targets = { local: { type: 'local', python, maxParallel: 4 } };
if (clusterFile && existsSync(clusterFile)) {
  const cluster = JSON.parse(readFileSync(clusterFile, 'utf8'));
  targets.slurm = {
    type: 'slurm',
    host: cluster.sshHostAlias,
    sshConfigFile: cluster.sshConfigFile,
    workdir: '~/ferry',
    partition: cluster.defaultPartition,
    account: cluster.account,
    python: cluster.python,
    setup: cluster.setup,
    local: false,
  };
}
if (k8sFile && existsSync(k8sFile)) {
  const k8s = JSON.parse(readFileSync(k8sFile, 'utf8'));
  targets.kubernetes = {
    type: 'kubernetes',
    kubeconfig: k8s.kubeconfig,
    namespace: `ferry-e2e-jlab-${randomBytes(4).toString('hex')}`,
    image: 'python:3.12-slim',
    storage: { claim: 'ferry-e2e-artifacts', size: '1Gi', accessModes: ['ReadWriteOnce'] },
    // kwok's fake node runs each step's pod 3 s, starting it at once (kwokPace in the core's real-k8s-testing.ts).
    podAnnotations: kwokPace(3),
  };
}
writeFileSync(file, JSON.stringify({ targets }, null, 2) + '\n', { mode: 0o600 });

function kwokPace(seconds) {
  const stages = { 'pod-create': '100ms', 'pod-init-container-running': '100ms', 'pod-init-container-completed': '100ms', 'pod-ready': '100ms', 'pod-complete': `${seconds}s` };
  return Object.fromEntries(
    Object.entries(stages).flatMap(([stage, delay]) => [[`${stage}.stage.kwok.x-k8s.io/delay`, delay], [`${stage}.stage.kwok.x-k8s.io/jitter-delay`, delay]]),
  );
}

/**
 * The dev Kubernetes control plane (scripts/dev-k8s.sh) as the workbench
 * test sees it: through the cluster's own kubectl, independent of Ferry's
 * client (jupyterlab-ext/ui-tests/tests/kubernetes-witness.ts is its twin
 * for the Galata test). A namespace of the test's own enforcing Pod Security
 * "restricted", a volume for the target's artifacts claim (the cluster has
 * no storage provisioner), kwok's pace for the step pods, and the pods'
 * logs: kwok's fake node runs nothing, so the test writes each pod's log
 * (kubelet's CRI format) into a file kwok serves through a Logs object.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** cluster.json, as scripts/dev-k8s.sh writes it. */
export interface DevK8s {
  kubeconfig: string;
  namespace: string;
  kubectl: string;
}

const clusterFile = process.env.FERRY_DEV_K8S;
export const devK8s = clusterFile && existsSync(clusterFile) ? (JSON.parse(readFileSync(clusterFile, 'utf8')) as DevK8s) : undefined;
/** Why the Kubernetes scenario cannot run here, or undefined. */
export const devK8sUnavailable = devK8s
  ? undefined
  : clusterFile
    ? `FERRY_DEV_K8S names ${clusterFile}, which does not exist; start the dev cluster with: bash scripts/dev-k8s.sh up`
    : 'no dev Kubernetes control plane (FERRY_DEV_K8S unset); start one with `bash scripts/dev-k8s.sh up` and set FERRY_DEV_K8S=/var/lib/ferry-dev-k8s/cluster.json';

/**
 * Pod annotations pacing kwok's stages (as the core's real-k8s-testing.ts
 * sets them): a pod starts within a fraction of a second and runs `seconds`
 * before it completes, instead of kwok's random 1-6 s per stage.
 */
export function kwokPace(seconds: number): Record<string, string> {
  const stage = (name: string, delay: string) => ({ [`${name}.stage.kwok.x-k8s.io/delay`]: delay, [`${name}.stage.kwok.x-k8s.io/jitter-delay`]: delay });
  return {
    ...stage('pod-create', '100ms'),
    ...stage('pod-init-container-running', '100ms'),
    ...stage('pod-init-container-completed', '100ms'),
    ...stage('pod-ready', '100ms'),
    ...stage('pod-complete', `${seconds}s`),
  };
}

/** What the cluster says of a step's pod. */
export interface PodFacts {
  name: string;
  step: string;
  run: string;
  phase: string;
}

export class K8sWitness {
  readonly claim = 'ferry-e2e-artifacts';
  /** The pods' log files, made with the namespace. */
  private logDir = '';
  private serving = false;

  constructor(
    readonly cluster: DevK8s,
    readonly namespace: string,
  ) {}

  /** The namespace, and a volume bound up front to the artifacts claim Ferry will create in it. */
  async createNamespace(): Promise<void> {
    this.logDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-k8s-logs-'));
    await this.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: this.namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
    });
    await this.create({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `${this.namespace}-${this.claim}`, labels: { 'ferry-e2e': this.namespace } },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: '',
        // kwok mounts nothing: what backs the volume does not matter.
        hostPath: { path: join(this.logDir, 'volume') },
        claimRef: { namespace: this.namespace, name: this.claim },
      },
    });
  }

  /** A kubernetes target entry of config.json on this namespace. */
  target(paceSeconds: number): Record<string, unknown> {
    return {
      type: 'kubernetes',
      kubeconfig: this.cluster.kubeconfig,
      namespace: this.namespace,
      image: 'python:3.12-slim',
      storage: { claim: this.claim, size: '1Gi', accessModes: ['ReadWriteOnce'] },
      podAnnotations: kwokPace(paceSeconds),
    };
  }

  async pods(): Promise<PodFacts[]> {
    const list = JSON.parse(await this.kubectl(['get', 'pods', '-n', this.namespace, '-o', 'json'])) as {
      items: Array<{ metadata: { name: string; labels?: Record<string, string> }; status?: { phase?: string } }>;
    };
    return list.items.map(({ metadata: { name, labels = {} }, status }) => ({
      name,
      step: labels['ferry.dev/step'] ?? '',
      run: labels['ferry.dev/run'] ?? '',
      phase: status?.phase ?? '',
    }));
  }

  /** The parameters a run's pods were given: params.json in the run's ConfigMap of code (files.json names its key). */
  async runParameters(runId: string): Promise<Record<string, unknown>> {
    const list = JSON.parse(await this.kubectl(['get', 'configmaps', '-n', this.namespace, '-l', `ferry.dev/run=${runId}`, '-o', 'json'])) as {
      items: Array<{ data: Record<string, string> }>;
    };
    const data = list.items[0]?.data ?? {};
    const files = JSON.parse(data['files.json'] ?? '{}') as Record<string, string>;
    const key = Object.keys(files).find((name) => files[name] === 'params.json');
    return JSON.parse(key === undefined ? '{}' : data[key]!) as Record<string, unknown>;
  }

  /**
   * Serves each step pod of the namespace the log `lines(pod)` as soon as
   * the pod exists, until the returned function is called; `served` lists
   * the pods it served, in order.
   */
  serveLogs(lines: (pod: PodFacts) => string[]): { served: PodFacts[]; stop: () => void } {
    const served: PodFacts[] = [];
    this.serving = true;
    const loop = async () => {
      while (this.serving) {
        try {
          for (const pod of await this.pods()) {
            if (!pod.step || served.some((seen) => seen.name === pod.name)) continue;
            await this.serveLog(pod.name, lines(pod));
            served.push(pod);
          }
        } catch {
          // The API server was busy for a moment: the next round tries again.
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    void loop();
    return { served, stop: () => (this.serving = false) };
  }

  /** The step container's log of `pod`: a file in kubelet's CRI log format that kwok reads and follows. */
  private async serveLog(pod: string, lines: readonly string[]): Promise<void> {
    const file = join(this.logDir, `${pod}.log`);
    const stamp = () => new Date().toISOString().replace('Z', '000000Z');
    writeFileSync(file, lines.map((line) => `${stamp()} stdout F ${line}\n`).join(''));
    await this.create({
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Logs',
      metadata: { name: pod, namespace: this.namespace },
      spec: { logs: [{ containers: ['step'], logsFile: file, follow: true }] },
    });
  }

  async cleanUp(): Promise<void> {
    this.serving = false;
    await this.kubectl(['delete', 'persistentvolume', '-l', `ferry-e2e=${this.namespace}`, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    await this.kubectl(['delete', 'namespace', this.namespace, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    if (this.logDir) rmSync(this.logDir, { recursive: true, force: true });
  }

  private create(object: unknown): Promise<string> {
    return this.kubectl(['create', '-f', '-'], JSON.stringify(object));
  }

  /** kubectl on the dev cluster; its stdout, or an error with its stderr. */
  private kubectl(args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.cluster.kubectl, ['--kubeconfig', this.cluster.kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')}: ${err.trim() || `exit ${code}`}`))));
      child.stdin.end(input ?? '');
    });
  }
}

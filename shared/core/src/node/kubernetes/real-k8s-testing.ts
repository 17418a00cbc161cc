/**
 * What the tests against the dev Kubernetes control plane
 * (scripts/dev-k8s.sh) share: its description, an admin client (the
 * witness, independent of Ferry's own view), a namespace per test file that
 * enforces Pod Security "restricted", and kwok's levers: a Stage that fails a
 * step's pods with an exit code, and pod logs served from files the test
 * writes (kwok's Logs objects, in kubelet's CRI log format). Not part of the API.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import type { KubernetesTargetConfig } from '../config.js';
import { parseKubernetesTarget } from './target-config.js';

/** cluster.json, as scripts/dev-k8s.sh writes it (docs/kubernetes.md). */
export interface DevK8s {
  kubeconfig: string;
  namespace: string;
  kubectl: string;
}

const clusterFile = process.env.FERRY_DEV_K8S;
export const devK8s = clusterFile ? (JSON.parse(readFileSync(clusterFile, 'utf8')) as DevK8s) : undefined;
/** For `describe(..., { skip })`: false, or why the tests cannot run here. */
export const skipWithoutK8s = devK8s ? false : 'no dev Kubernetes control plane (FERRY_DEV_K8S unset); start one with: bash scripts/dev-k8s.sh up';

/**
 * Pod annotations pacing kwok's stages: a pod is created, scheduled and
 * started within a fraction of a second, then runs `seconds` before it
 * completes (kwok's own defaults add up to 1-6 s per stage, at random).
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

/** The artifacts claim of the test targets (provideClaim backs it). */
export const TEST_CLAIM = 'ferry-test-artifacts';

export class K8sWitness {
  readonly kubeConfig = new KubeConfig();
  readonly core: CoreV1Api;
  readonly batch: BatchV1Api;
  readonly custom: CustomObjectsApi;
  private readonly logDir = mkdtempSync(join(tmpdir(), 'ferry-k8s-logs-'));
  private readonly stages: string[] = [];

  constructor(readonly namespace: string) {
    this.kubeConfig.loadFromFile(devK8s!.kubeconfig);
    this.core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.batch = this.kubeConfig.makeApiClient(BatchV1Api);
    this.custom = this.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** A fresh namespace that enforces Pod Security "restricted", as production clusters do. */
  async createNamespace(): Promise<void> {
    await this.core.createNamespace({
      body: { metadata: { name: this.namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } } },
    });
    await this.provideClaim(TEST_CLAIM);
  }

  /**
   * A volume for the target's artifacts claim, bound to it up front: the dev
   * cluster has no storage provisioner, and pods of an unbound claim are
   * never scheduled (kwok mounts nothing, so what backs it does not matter).
   */
  async provideClaim(claim: string): Promise<void> {
    await this.core.createPersistentVolume({
      body: {
        metadata: { name: `${this.namespace}-${claim}`.slice(0, 253), labels: { 'ferry-test': this.namespace } },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: '',
          hostPath: { path: join(this.logDir, 'volume') },
          claimRef: { namespace: this.namespace, name: claim },
        },
      },
    });
  }

  async cleanUp(): Promise<void> {
    await this.core.deleteCollectionPersistentVolume({ labelSelector: `ferry-test=${this.namespace}` }).catch(() => undefined);
    for (const name of this.stages) await this.custom.deleteClusterCustomObject({ group: 'kwok.x-k8s.io', version: 'v1alpha1', plural: 'stages', name }).catch(() => undefined);
    await this.core.deleteNamespace({ name: this.namespace }).catch(() => undefined);
    rmSync(this.logDir, { recursive: true, force: true });
  }

  /** A Kubernetes target on this namespace of the dev control plane. */
  target(overrides: Partial<KubernetesTargetConfig> = {}): KubernetesTargetConfig {
    const defaults = parseKubernetesTarget('test', { type: 'kubernetes', image: 'python:3.12-slim' }, 'config.json', {});
    return {
      ...defaults,
      kubeconfig: devK8s!.kubeconfig,
      namespace: this.namespace,
      storage: { ...defaults.storage, claim: TEST_CLAIM, size: '1Gi' },
      backoffLimit: 0,
      podAnnotations: kwokPace(1),
      ...overrides,
    };
  }

  async jobs(selector: string): Promise<V1Job[]> {
    return (await this.batch.listNamespacedJob({ namespace: this.namespace, labelSelector: selector })).items;
  }

  async pods(selector: string): Promise<V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector })).items;
  }

  /**
   * kwok fails the pods of `step` (in this namespace; of a sweep, only those
   * of completion index `index` when given) with `exitCode` instead of
   * completing them: what a step raising an exception looks like to the Job
   * controller.
   */
  async failStep(step: string, exitCode: number, index?: number): Promise<() => Promise<void>> {
    const name = `ferry-test-fail-${this.namespace}-${step}${index === undefined ? '' : `-${index}`}`.toLowerCase().replaceAll('_', '-').slice(0, 63);
    this.stages.push(name);
    await this.custom.createClusterCustomObject({
      group: 'kwok.x-k8s.io',
      version: 'v1alpha1',
      plural: 'stages',
      body: {
        apiVersion: 'kwok.x-k8s.io/v1alpha1',
        kind: 'Stage',
        metadata: { name },
        spec: {
          resourceRef: { apiGroup: 'v1', kind: 'Pod' },
          selector: {
            matchExpressions: [
              { key: '.metadata.namespace', operator: 'In', values: [this.namespace] },
              { key: '.metadata.labels["ferry.dev/step"]', operator: 'In', values: [step] },
              ...(index === undefined ? [] : [{ key: '.metadata.labels["batch.kubernetes.io/job-completion-index"]', operator: 'In', values: [String(index)] }]),
              { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
              { key: '.status.phase', operator: 'In', values: ['Running'] },
            ],
          },
          weight: 100000,
          delay: { durationMilliseconds: 1000 },
          next: {
            statusTemplate: [
              '{{ $now := Now }}',
              'phase: Failed',
              'containerStatuses:',
              '{{ range $index, $item := .spec.containers }}',
              '- image: {{ $item.image | Quote }}',
              '  name: {{ $item.name | Quote }}',
              '  ready: false',
              '  restartCount: 0',
              '  started: false',
              '  state:',
              '    terminated:',
              `      exitCode: ${exitCode}`,
              '      finishedAt: {{ $now | Quote }}',
              '      reason: Error',
              '      startedAt: {{ $now | Quote }}',
              '{{ end }}',
            ].join('\n'),
          },
        },
      },
    });
    return async () => {
      await this.custom.deleteClusterCustomObject({ group: 'kwok.x-k8s.io', version: 'v1alpha1', plural: 'stages', name });
    };
  }

  /**
   * Serves `lines` as the step container's log of `pod` (kwok reads the file
   * as kubelet would, and follows it); returns a function appending more.
   */
  async serveLog(pod: string, lines: readonly string[], container = 'step'): Promise<(more: readonly string[]) => void> {
    const file = join(this.logDir, `${pod}.log`);
    const cri = (texts: readonly string[]) => texts.map((text) => `${new Date().toISOString().replace('Z', '000000Z')} stdout F ${text}\n`).join('');
    writeFileSync(file, cri(lines));
    await this.custom.createNamespacedCustomObject({
      group: 'kwok.x-k8s.io',
      version: 'v1alpha1',
      namespace: this.namespace,
      plural: 'logs',
      body: { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata: { name: pod, namespace: this.namespace }, spec: { logs: [{ containers: [container], logsFile: file, follow: true }] } },
    });
    return (more) => appendFileSync(file, cri(more));
  }
}

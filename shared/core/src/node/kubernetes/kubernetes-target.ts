/**
 * The Kubernetes target: each step a batch/v1 Job, all of a run's Jobs
 * created at once, suspended, with the DAG in their annotations; the poll
 * releases (un-suspends) the Jobs whose upstream Jobs completed, from what
 * the cluster says alone, so a restarted server, or a second one, carries a
 * run on. Step code travels in a ConfigMap, values between steps on the
 * target's artifacts claim. Pod logs stream into the run's local directory
 * (log-mirror.ts), which is where Ferry reads logs and metrics from.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthorizationV1Api, BatchV1Api, CoreV1Api, V1Job, V1Pod } from '@kubernetes/client-node';
import type { TargetCheck } from '../../api/contract.js';
import { FerryError } from '../../errors.js';
import type { Run, RunWithSpec } from '../../run.js';
import type { KubernetesTargetConfig } from '../config.js';
import { BackoffPollPolicy, type BackoffOptions } from '../slurm/poll-policy.js';
import { checkRunFilePath } from '../targets/run-files.js';
import { logFile, metricsFile, readRange } from '../targets/step-files.js';
import type { ActiveStep, LogRange, StartOutcome, StepObservation, Target } from '../targets/target.js';
import { jobStep, jobStepState, jobsToRelease } from './job-state.js';
import { LogMirror, type FollowPodLog, type ReadPodLog } from './log-mirror.js';
import { ANNOTATION, artifactsClaim, LABEL, readRuntimeFiles, runConfigMap, stepJob, type RuntimeFiles } from './manifests.js';
import { permissionsCheck } from './rbac.js';

export interface KubeClients {
  batch: BatchV1Api;
  core: CoreV1Api;
  authorization: AuthorizationV1Api;
  /** Follows a pod's step container log (pod-logs.ts). */
  followLog: (namespace: string) => FollowPodLog;
  /** Reads a pod's whole step container log once ('' when it serves none). */
  readLog: (namespace: string) => ReadPodLog;
  /** The API server answers (its version), the namespace exists. */
  check(): Promise<TargetCheck[]>;
  /** Who the kubeconfig says we are, and which server: for messages. */
  describe(): string;
  close(): void;
}

export interface KubernetesTargetOptions {
  /** Where runs' local directories go (logs and metrics as they stream). */
  runsDir: string;
  connect(): KubeClients;
  /** The monitor's rhythm: each poll is two list calls (Jobs, pods). Default 1 s to 15 s. */
  poll?: BackoffOptions;
  /** How long cancel waits for the Jobs to be gone. Default 30 s. */
  cancelWaitMs?: number;
}

const NOT_FOUND = 404;
const CONFLICT = 409;

export class KubernetesTarget implements Target {
  readonly type = 'kubernetes';
  readonly description: string;
  readonly submitsWholeDag = true;
  readonly pollPolicy: BackoffPollPolicy;
  private clients?: KubeClients;
  private runtime?: Promise<RuntimeFiles>;
  private readonly mirrors = new Map<string, LogMirror>();
  private claimReady = false;
  private activity?: () => void;

  constructor(
    readonly name: string,
    private readonly config: KubernetesTargetConfig,
    private readonly options: KubernetesTargetOptions,
  ) {
    this.pollPolicy = new BackoffPollPolicy({ minMs: 1_000, maxMs: 15_000, ...options.poll });
    this.description = `Kubernetes namespace ${config.namespace}${config.context ? ` (context ${config.context})` : ''}, image ${config.image}`;
  }

  onActivity(listener: () => void): void {
    this.activity = listener;
  }

  private get kube(): KubeClients {
    return (this.clients ??= this.options.connect());
  }

  /** Reachability and version, the namespace, then each permission Ferry needs (as the kubeconfig's user). */
  async check(): Promise<TargetCheck[]> {
    const checks = await this.kube.check();
    if (!checks.every((check) => check.ok || check.optional)) return checks;
    return [...checks, await permissionsCheck(this.kube.authorization, this.config.namespace, this.kube.describe())];
  }

  runDir(runId: string): string {
    return join(this.options.runsDir, runId);
  }

  /** The artifacts claim (once per target) and the run's ConfigMap of code. */
  async stage(run: RunWithSpec): Promise<void> {
    await mkdir(this.runDir(run.id), { recursive: true });
    await this.ensureClaim();
    this.runtime ??= readRuntimeFiles();
    const configMap = runConfigMap({ id: run.id, spec: run.spec, parameters: run.parameters }, await this.runtime, this.config, this.name);
    await ignoring(CONFLICT, () => this.kube.core.createNamespacedConfigMap({ namespace: this.config.namespace, body: configMap }), `creating ConfigMap ${configMap.metadata!.name}`);
  }

  private async ensureClaim(): Promise<void> {
    if (this.claimReady) return;
    const claim = artifactsClaim(this.config, this.name);
    const name = claim.metadata!.name!;
    const found = await ignoring(NOT_FOUND, () => this.kube.core.readNamespacedPersistentVolumeClaim({ name, namespace: this.config.namespace }), `reading claim ${name}`);
    if (!found) await ignoring(CONFLICT, () => this.kube.core.createNamespacedPersistentVolumeClaim({ namespace: this.config.namespace, body: claim }), `creating claim ${name}`);
    this.claimReady = true;
  }

  /**
   * Creates the Jobs of the given steps, suspended, then releases those with
   * nothing left to wait for. A step whose upstream step succeeded in an
   * earlier attempt (a resumed run) does not wait for it: only upstream steps
   * started now are in its `depends-on`.
   */
  async start(run: RunWithSpec, steps: string[]): Promise<Record<string, StartOutcome>> {
    const starting = new Set(steps);
    const outcomes: Record<string, StartOutcome> = {};
    for (const step of run.spec.steps.filter((each) => starting.has(each.name))) {
      const job = stepJob(run, step, this.config, this.name);
      job.metadata!.annotations![ANNOTATION.dependsOn] = JSON.stringify(step.dependsOn.filter((upstream) => starting.has(upstream)));
      try {
        await ignoring(CONFLICT, () => this.kube.batch.createNamespacedJob({ namespace: this.config.namespace, body: job }), `creating Job ${job.metadata!.name}`);
      } catch (error) {
        // Nothing half-done: the Jobs created so far go again.
        await this.deleteJobs(Object.values(outcomes).flatMap((outcome) => (outcome.ok ? [outcome.jobId] : []))).catch(() => undefined);
        throw error;
      }
      outcomes[step.name] = { ok: true, jobId: job.metadata!.name!, state: 'queued' };
    }
    await this.release(await this.runJobs(run.id));
    return outcomes;
  }

  /** One list of the target's Jobs and one of their pods for all active steps; releases what may run now. */
  async poll(active: ActiveStep[]): Promise<StepObservation[]> {
    if (active.length === 0) return [];
    const selector = `${LABEL.target}=${this.name}`;
    const namespace = this.config.namespace;
    const [jobs, pods] = await Promise.all([
      call(() => this.kube.batch.listNamespacedJob({ namespace, labelSelector: selector }), 'listing Jobs'),
      call(() => this.kube.core.listNamespacedPod({ namespace, labelSelector: selector }), 'listing pods'),
    ]);
    const jobsByName = new Map(jobs.items.map((job) => [job.metadata!.name!, job]));
    const runs = new Set(active.map((step) => step.runId));
    for (const runId of runs) await this.release(jobs.items.filter((job) => job.metadata?.labels?.[LABEL.run] === runId));
    return Promise.all(active.map((step) => this.observe(step, jobsByName.get(step.jobId), newestPod(pods.items, step.jobId))));
  }

  private async observe(step: ActiveStep, job: V1Job | undefined, pod: V1Pod | undefined): Promise<StepObservation> {
    const seen = jobStepState(job, pod);
    const key = `${step.runId}/${step.step}`;
    let mirror = this.mirrors.get(key);
    const podName = pod?.metadata?.name;
    if (podName && pod.status?.phase !== 'Pending' && mirror?.pod !== podName) {
      mirror?.stop();
      mirror = new LogMirror(podName, { log: logFile(step.runDir, step.step), metrics: metricsFile(step.runDir, step.step) }, this.kube.followLog(this.config.namespace));
      this.mirrors.set(key, mirror);
    }
    const ended = seen.state === 'succeeded' || seen.state === 'failed' || seen.state === 'cancelled';
    const podEnded = pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';
    // Once the pod ended, its whole log is read once more; the monitor hears when that is done.
    if (mirror && (ended || podEnded)) void mirror.finish(this.kube.readLog(this.config.namespace)).then(() => this.activity?.());
    // A step ends once its log is kept: the Job may be cleaned up (with its pod) right after.
    const logKept = !mirror || mirror.finished;
    const state = ended && !logKept ? 'running' : seen.state;
    if (ended && logKept) this.mirrors.delete(key);
    const status = mirror?.status;
    const reason = seen.state === 'failed' && status?.error?.message ? `${status.error.type ?? 'Error'}: ${status.error.message}` : seen.reason;
    const [log, metrics] = await Promise.all([
      readRange(logFile(step.runDir, step.step), 0, 0),
      readRange(metricsFile(step.runDir, step.step), step.metricsOffset, 1 << 20),
    ]);
    return {
      runId: step.runId,
      step: step.step,
      state,
      ...(seen.exitCode !== undefined && state === seen.state && { exitCode: seen.exitCode }),
      ...(reason !== undefined && state === 'failed' && { reason }),
      ...(seen.startedAt && { startedAt: seen.startedAt }),
      ...(seen.finishedAt && state === seen.state && { finishedAt: seen.finishedAt }),
      logSize: log.size,
      metrics: { data: metrics.data, size: metrics.size },
    };
  }

  /** Un-suspends the run's Jobs whose upstream Jobs completed. */
  private async release(runJobs: readonly V1Job[]): Promise<void> {
    for (const job of jobsToRelease(runJobs)) {
      await ignoring(
        NOT_FOUND,
        () =>
          this.kube.batch.patchNamespacedJob(
            { name: job.metadata!.name!, namespace: this.config.namespace, body: [{ op: 'replace', path: '/spec/suspend', value: false }] },
          ),
        `releasing Job ${job.metadata!.name} (step ${jobStep(job)})`,
      );
      job.spec!.suspend = false;
    }
  }

  private async runJobs(runId: string): Promise<V1Job[]> {
    const list = await call(() => this.kube.batch.listNamespacedJob({ namespace: this.config.namespace, labelSelector: `${LABEL.run}=${runId}` }), 'listing Jobs');
    return list.items;
  }

  cancel(run: Run, steps: string[]): Promise<void> {
    return this.cancelRuns([{ run, steps }]);
  }

  /** Deletes the steps' Jobs with their pods (background propagation) and waits until the Jobs are gone. */
  async cancelRuns(runs: { run: Run; steps: string[] }[]): Promise<void> {
    const names = runs.flatMap(({ run, steps }) => run.steps.filter((step) => steps.includes(step.name) && step.jobId).map((step) => step.jobId!));
    await this.deleteJobs(names);
    const deadline = Date.now() + (this.options.cancelWaitMs ?? 30_000);
    for (;;) {
      const left = await Promise.all(names.map((name) => ignoring(NOT_FOUND, () => this.kube.batch.readNamespacedJob({ name, namespace: this.config.namespace }), `reading Job ${name}`)));
      if (left.every((job) => job === undefined) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async deleteJobs(names: readonly string[]): Promise<void> {
    await Promise.all(
      names.map((name) =>
        ignoring(NOT_FOUND, () => this.kube.batch.deleteNamespacedJob({ name, namespace: this.config.namespace, propagationPolicy: 'Background' }), `deleting Job ${name}`),
      ),
    );
  }

  async readLog(run: Run, step: string, offset: number, maxBytes: number): Promise<LogRange> {
    return readRange(logFile(run.runDir, step), offset, maxBytes);
  }

  async readRunFile(run: Run, relativePath: string): Promise<Buffer> {
    const path = checkRunFilePath(relativePath);
    throw new FerryError(
      'not-found',
      `${path} of run ${run.id} is on the artifacts volume ${this.config.storage.claim} in namespace ${this.config.namespace}, which Ferry does not read from outside the cluster`,
    );
  }

  async dispose(): Promise<void> {
    for (const mirror of this.mirrors.values()) mirror.stop();
    this.mirrors.clear();
    this.clients?.close();
    this.clients = undefined;
  }
}

/** The newest pod of a Job (a retried step has several). */
function newestPod(pods: readonly V1Pod[], jobName: string): V1Pod | undefined {
  return pods
    .filter((pod) => pod.metadata?.labels?.['job-name'] === jobName || pod.metadata?.labels?.['batch.kubernetes.io/job-name'] === jobName)
    .sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')))[0];
}

/** An API call whose failure becomes a FerryError saying what was being done. */
async function call<T>(request: () => Promise<T>, doing: string): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new FerryError('target', `Kubernetes: ${doing}: ${apiMessage(error)}`);
  }
}

/** As `call`, but an answer with status `ignored` (404, 409) is undefined instead of an error. */
async function ignoring<T>(ignored: number, request: () => Promise<T>, doing: string): Promise<T | undefined> {
  try {
    return await request();
  } catch (error) {
    if ((error as { code?: number }).code === ignored) return undefined;
    throw new FerryError('target', `Kubernetes: ${doing}: ${apiMessage(error)}`);
  }
}

function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string; code?: number };
      if (status.message) return `${status.code ?? ''} ${status.message}`.trim();
    } catch {
      // not a Status object
    }
  }
  return (error as Error).message;
}

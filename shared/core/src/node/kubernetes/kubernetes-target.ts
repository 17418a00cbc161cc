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
import { VersionApi, type V1Job, type V1Pod } from '@kubernetes/client-node';
import type { TargetCheck } from '../../api/contract.js';
import { FerryError } from '../../errors.js';
import type { Run, RunWithSpec } from '../../run.js';
import type { Sweep } from '../../sweeps/sweep.js';
import type { KubernetesTargetConfig } from '../config.js';
import { BackoffPollPolicy, type BackoffOptions } from '../slurm/poll-policy.js';
import { checkRunFilePath } from '../targets/run-files.js';
import { logFile, metricsFile, readRange } from '../targets/step-files.js';
import type { ActiveStep, LogRange, StartOutcome, StepObservation, Target } from '../targets/target.js';
import { jobPlacement, jobStep, jobStepState, jobsToRelease } from './job-state.js';
import { describeKubeLocation, kubeCall, kubeCallUnless, kubeError, type KubeClients } from './kube-client.js';
import { LogMirror, type FollowPodLog, type ReadPodLog } from './log-mirror.js';
import { ANNOTATION, artifactsClaim, LABEL, readRuntimeFiles, runConfigMap, STEP_CONTAINER, stepJob, type RuntimeFiles } from './manifests.js';
import { followPodLog, readPodLog } from './pod-logs.js';
import { permissionsCheck } from './rbac.js';
import { Reflector } from './reflector.js';
import { activeSweepJobs, isPointJobId, observePoint, SweepObjects } from './sweep-jobs.js';

export interface KubernetesTargetOptions {
  /** Where runs' local directories go (logs and metrics as they stream). */
  runsDir: string;
  connect(): KubeClients;
  /** The monitor's rhythm: polls read the watched Jobs and pods, asking the API nothing. Default 1 s to 15 s. */
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
  private warn?: (message: string) => void;
  private watched?: { jobs: Reflector<V1Job>; pods: Reflector<V1Pod> };

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

  onWarning(listener: (message: string) => void): void {
    this.warn = listener;
  }

  private get kube(): KubeClients {
    return (this.clients ??= this.options.connect());
  }

  /** Reachability and version, the namespace, then each permission Ferry needs (as the kubeconfig's user). */
  async check(): Promise<TargetCheck[]> {
    let kube: KubeClients;
    try {
      kube = this.kube;
    } catch (error) {
      return [{ name: 'kubeconfig', ok: false, detail: (error as Error).message, fix: 'set "kubeconfig" and "context" in the target, or $KUBECONFIG' }];
    }
    const where = describeKubeLocation(kube.location);
    let server: TargetCheck;
    try {
      const version = await kube.kubeConfig.makeApiClient(VersionApi).getCode();
      server = { name: 'API server', ok: true, detail: `${where}: Kubernetes ${version.gitVersion}` };
    } catch (error) {
      return [{ name: 'API server', ok: false, detail: kubeError(error, 'asking its version', kube.location).message, fix: 'check the kubeconfig, its context and that the API server is reachable from here' }];
    }
    const namespace = this.config.namespace;
    let namespaceCheck: TargetCheck;
    try {
      await kube.core.readNamespace({ name: namespace });
      namespaceCheck = { name: 'namespace', ok: true, detail: namespace };
    } catch (error) {
      const missing = (error as { code?: number }).code === 404;
      namespaceCheck = missing
        ? { name: 'namespace', ok: false, detail: `namespace ${namespace} does not exist`, fix: `create it (kubectl create namespace ${namespace}) or set "namespace" in the target` }
        : { name: 'namespace', ok: true, optional: true, detail: `${namespace} (not readable by this user; Ferry does not need to)` };
    }
    const user = kube.kubeConfig.getCurrentUser()?.name ?? 'the context\'s user';
    return [server, namespaceCheck, await permissionsCheck(kube.authorization, namespace, user)];
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
    await this.ignoring(CONFLICT, () => this.kube.core.createNamespacedConfigMap({ namespace: this.config.namespace, body: configMap }), `creating ConfigMap ${configMap.metadata!.name}`);
  }

  private async ensureClaim(): Promise<void> {
    if (this.claimReady) return;
    const claim = artifactsClaim(this.config, this.name);
    const name = claim.metadata!.name!;
    const found = await this.ignoring(NOT_FOUND, () => this.kube.core.readNamespacedPersistentVolumeClaim({ name, namespace: this.config.namespace }), `reading claim ${name}`);
    if (!found) await this.ignoring(CONFLICT, () => this.kube.core.createNamespacedPersistentVolumeClaim({ namespace: this.config.namespace, body: claim }), `creating claim ${name}`);
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
        await this.ignoring(CONFLICT, () => this.kube.batch.createNamespacedJob({ namespace: this.config.namespace, body: job }), `creating Job ${job.metadata!.name}`);
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

  /**
   * The target's Jobs and pods as the watch keeps them (reflector.ts: one
   * list, then a watch; a change makes the monitor poll at once): a poll asks
   * the API server nothing, however many steps run. It releases what may run now.
   */
  async poll(active: ActiveStep[]): Promise<StepObservation[]> {
    if (active.length === 0) return [];
    const { jobs, pods } = await this.watching();
    const jobsByName = new Map(jobs.list().map((job) => [job.metadata!.name!, job]));
    const runs = new Set(active.map((step) => step.runId));
    for (const runId of runs) await this.release(jobs.list().filter((job) => job.metadata?.labels?.[LABEL.run] === runId));
    for (const sweepJobs of activeSweepJobs(active, jobs.list())) await this.release(sweepJobs);
    return Promise.all(
      active.map((step) => {
        const point = observePoint(step.jobId, jobsByName, pods.list());
        return point ? this.observe(step, undefined, point.pod, point.seen) : this.observe(step, jobsByName.get(step.jobId), newestPod(pods.list(), step.jobId));
      }),
    );
  }

  /** The reflectors of this target's Jobs and pods, started on first use and synced. */
  private async watching(): Promise<{ jobs: Reflector<V1Job>; pods: Reflector<V1Pod> }> {
    if (!this.watched) {
      const namespace = encodeURIComponent(this.config.namespace);
      const common = { kubeConfig: this.kube.kubeConfig, labelSelector: `${LABEL.target}=${this.name}` };
      const jobs = new Reflector<V1Job>({ ...common, path: `/apis/batch/v1/namespaces/${namespace}/jobs` });
      const pods = new Reflector<V1Pod>({ ...common, path: `/api/v1/namespaces/${namespace}/pods` });
      for (const reflector of [jobs, pods] as Reflector<V1Job | V1Pod>[]) {
        for (const event of ['add', 'update', 'delete'] as const) reflector.on(event, () => this.activity?.());
        reflector.on('failure', ({ error, retryInMs }) => this.warn?.(`Kubernetes target "${this.name}": watching failed (${error.message}); trying again in ${Math.round(retryInMs / 1000)} s`));
        reflector.start();
      }
      this.watched = { jobs, pods };
    }
    await Promise.all([this.watched.jobs.waitForSync(), this.watched.pods.waitForSync()]);
    return this.watched;
  }

  private async observe(step: ActiveStep, job: V1Job | undefined, pod: V1Pod | undefined, seen = jobStepState(job, pod)): Promise<StepObservation> {
    const key = `${step.runId}/${step.step}`;
    let mirror = this.mirrors.get(key);
    const podName = pod?.metadata?.name;
    if (podName && pod.status?.phase !== 'Pending' && mirror?.pod !== podName) {
      mirror?.stop();
      mirror = new LogMirror(podName, { log: logFile(step.runDir, step.step), metrics: metricsFile(step.runDir, step.step) }, this.podLogFollower());
      this.mirrors.set(key, mirror);
    }
    const ended = seen.state === 'succeeded' || seen.state === 'failed' || seen.state === 'cancelled';
    const podEnded = pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';
    // Once the pod ended, its whole log is read once more; the monitor hears when that is done.
    if (mirror && (ended || podEnded) && !mirror.finishing) void mirror.finish(this.podLogReader()).then(() => this.activity?.());
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
      ...jobPlacement(job, pod),
      logSize: log.size,
      metrics: { data: metrics.data, size: metrics.size },
    };
  }

  /** A pod's step container log, followed (pod-logs.ts resumes it across dropped connections without loss or repeats). */
  private podLogFollower(): FollowPodLog {
    return async (pod, onText, signal) => {
      let writing = Promise.resolve();
      const follower = followPodLog(this.kube, { namespace: this.config.namespace, pod, container: STEP_CONTAINER }, {
        onLine: (line) => {
          writing = writing.then(() => onText(`${line}\n`));
        },
      });
      if (signal.aborted) follower.stop();
      else signal.addEventListener('abort', () => follower.stop(), { once: true });
      await follower.done;
      await writing;
    };
  }

  /** A pod's whole step container log ('' when it serves none: a container that never started). */
  private podLogReader(): ReadPodLog {
    return async (pod) => {
      try {
        const lines = await readPodLog(this.kube, { namespace: this.config.namespace, pod, container: STEP_CONTAINER });
        return lines.map((line) => `${line}\n`).join('');
      } catch (error) {
        if (/HTTP 400/.test((error as Error).message)) return '';
        throw error;
      }
    };
  }

  /** Un-suspends the run's Jobs whose upstream Jobs completed. */
  private async release(runJobs: readonly V1Job[]): Promise<void> {
    for (const job of jobsToRelease(runJobs)) {
      await this.ignoring(
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
    const list = await this.call(() => this.kube.batch.listNamespacedJob({ namespace: this.config.namespace, labelSelector: `${LABEL.run}=${runId}` }), 'listing Jobs');
    return list.items;
  }

  /** The sweep's ConfigMap (every point's files, points.json) and the artifacts claim. */
  async stageSweep(sweep: Sweep, points: RunWithSpec[]): Promise<void> {
    await Promise.all(points.map((point) => mkdir(this.runDir(point.id), { recursive: true })));
    await this.ensureClaim();
    await this.sweepObjects().stage(sweep, points, await (this.runtime ??= readRuntimeFiles()));
  }

  /** One suspended Indexed Job per step (index i: point i), then releases the roots; each point's step is `<Job>#<i>`. */
  async startSweep(sweep: Sweep, points: RunWithSpec[]): Promise<Record<string, Record<string, StartOutcome>>> {
    const { jobs, outcomes } = await this.sweepObjects().start(sweep, points, await (this.runtime ??= readRuntimeFiles()));
    await this.release(jobs);
    return outcomes;
  }

  private sweepObjects(): SweepObjects {
    return new SweepObjects(this.kube, this.config, this.name);
  }

  cancel(run: Run, steps: string[]): Promise<void> {
    return this.cancelRuns([{ run, steps }]);
  }

  /** Deletes the steps' Jobs with their pods (background propagation) and waits until the Jobs are gone. */
  async cancelRuns(runs: { run: Run; steps: string[] }[]): Promise<void> {
    const jobIds = runs.flatMap(({ run, steps }) => run.steps.filter((step) => steps.includes(step.name) && step.jobId).map((step) => step.jobId!));
    // A sweep's Job goes once every one of its points is finished or cancelled (sweep-jobs.ts).
    const names = [...jobIds.filter((jobId) => !isPointJobId(jobId)), ...(await this.sweepObjects().cancelPoints(jobIds.filter(isPointJobId)))];
    await this.deleteJobs(names);
    const deadline = Date.now() + (this.options.cancelWaitMs ?? 30_000);
    for (;;) {
      const left = await Promise.all(names.map((name) => this.ignoring(NOT_FOUND, () => this.kube.batch.readNamespacedJob({ name, namespace: this.config.namespace }), `reading Job ${name}`)));
      if (left.every((job) => job === undefined) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async deleteJobs(names: readonly string[]): Promise<void> {
    await Promise.all(
      names.map((name) =>
        this.ignoring(NOT_FOUND, () => this.kube.batch.deleteNamespacedJob({ name, namespace: this.config.namespace, propagationPolicy: 'Background' }), `deleting Job ${name}`),
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

  /** An API call whose failure becomes a FerryError saying what was being done, and where. */
  private call<T>(request: () => Promise<T>, doing: string): Promise<T> {
    return kubeCall(() => this.kube.location, doing, request);
  }

  /** As `call`, but an answer with status `ignored` (404, 409) is undefined instead of an error. */
  private ignoring<T>(ignored: number, request: () => Promise<T>, doing: string): Promise<T | undefined> {
    return kubeCallUnless(ignored, () => this.kube.location, doing, request);
  }

  async dispose(): Promise<void> {
    for (const mirror of this.mirrors.values()) mirror.stop();
    this.mirrors.clear();
    await Promise.all([this.watched?.jobs.stop(), this.watched?.pods.stop()]);
    this.watched = undefined;
    this.clients = undefined;
  }
}

/** The newest pod of a Job (a retried step has several). */
function newestPod(pods: readonly V1Pod[], jobName: string): V1Pod | undefined {
  return pods
    .filter((pod) => pod.metadata?.labels?.['job-name'] === jobName || pod.metadata?.labels?.['batch.kubernetes.io/job-name'] === jobName)
    .sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')))[0];
}

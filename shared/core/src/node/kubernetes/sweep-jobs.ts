/**
 * A sweep on the Kubernetes target: one ConfigMap for all its points and one
 * Indexed Job per step (step-job.ts `sweepJob`), created suspended with the
 * DAG in their annotations like a run's. Completion index i runs point i of
 * the ConfigMap's points.json; Ferry knows point i's step as
 * `<Job name>#<i>`, its state from the Job's completed and failed indexes and
 * the pod of index i.
 *
 * Releasing. A step's Job is released once each upstream step's Job has
 * finished every index: Complete, or Failed with some indexes completed
 * (job-state.ts). Kubernetes cannot hold back single indexes, so a point
 * whose upstream step failed (or was refused) still gets a pod for the step:
 * the runtime refuses to run it, because the upstream step's status.json in
 * that point's run directory does not say succeeded, and exits with
 * EXIT_UPSTREAM_NOT_SUCCEEDED; the pod failure policy fails that index alone.
 * Ferry has by then recorded the point's step as skipped (its upstream step
 * failed), so the refusal only keeps the step from running without inputs.
 *
 * Cancelling. Kubernetes cannot stop one index of a Job either. Cancelling
 * points records their indexes on each Job (the `ferry.dev/cancelled-points`
 * annotation); a Job whose every index is finished or cancelled (the whole
 * sweep cancelled, or every point skipped) is deleted with its pods. Until
 * then the indexes of a point cancelled on its own run to their end, and
 * Ferry no longer watches them.
 */
import type { V1ConfigMap, V1Job, V1Pod } from '@kubernetes/client-node';
import { FerryError } from '../../errors.js';
import type { RunWithSpec } from '../../run.js';
import type { Sweep } from '../../sweeps/sweep.js';
import type { KubernetesTargetConfig } from '../config.js';
import type { ActiveStep, StartOutcome } from '../targets/target.js';
import { pendingReason, type JobStepState } from './job-state.js';
import { JobIndexes } from './job-indexes.js';
import { httpStatusOf, kubeCall, kubeCallUnless, kubeError, type KubeClients } from './kube-client.js';
import { ANNOTATION, LABEL, POINTS_LIST_KEY, STEP_CONTAINER, sweepConfigMap, sweepJob, type RuntimeFiles, type SweepPointFiles } from './manifests.js';

/** The runtime's exit code for a point's step it did not run: an upstream step did not succeed in that point (ferry_runtime.py). */
export const EXIT_UPSTREAM_NOT_SUCCEEDED = 3;

const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
const NOT_FOUND = 404;
const CONFLICT = 409;
/** What the API server answers when a JSON patch's `test` fails: the Job changed since it was read. */
const UNPROCESSABLE = 422;

/** A point's step: its sweep Job and completion index. */
export interface PointJob {
  jobName: string;
  index: number;
}

export function pointJobId({ jobName, index }: PointJob): string {
  return `${jobName}#${index}`;
}

/** The Job and index of a point's job id; undefined for a run's (a plain Job name). */
export function parsePointJobId(jobId: string): PointJob | undefined {
  const match = /^([a-z0-9-]+)#(0|[1-9]\d{0,8})$/.exec(jobId);
  return match ? { jobName: match[1]!, index: Number(match[2]) } : undefined;
}

export const isPointJobId = (jobId: string) => parsePointJobId(jobId) !== undefined;

/** The points in completion-index order: the order of the ConfigMap and of every Job of the sweep. */
function inIndexOrder(points: readonly RunWithSpec[]): RunWithSpec[] {
  return [...points].sort((a, b) => (a.sweepIndex ?? 0) - (b.sweepIndex ?? 0) || a.id.localeCompare(b.id));
}

/** What a poll says of one point's step, or undefined when `jobId` is a run's. */
export function observePoint(jobId: string, jobsByName: ReadonlyMap<string, V1Job>, pods: readonly V1Pod[]): { pod: V1Pod | undefined; seen: JobStepState } | undefined {
  const point = parsePointJobId(jobId);
  if (!point) return undefined;
  const pod = newestPodOfIndex(pods, point);
  return { pod, seen: pointStepState(jobsByName.get(point.jobName), point.index, pod) };
}

function newestPodOfIndex(pods: readonly V1Pod[], { jobName, index }: PointJob): V1Pod | undefined {
  return pods
    .filter((pod) => {
      const meta = pod.metadata;
      const job = meta?.labels?.['batch.kubernetes.io/job-name'] ?? meta?.labels?.['job-name'];
      return job === jobName && (meta?.labels?.[COMPLETION_INDEX] ?? meta?.annotations?.[COMPLETION_INDEX]) === String(index);
    })
    .sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')))[0];
}

const iso = (time: Date | string | undefined) => (time === undefined ? undefined : new Date(time).toISOString());

/** One point's step from its sweep Job (undefined: deleted) and the newest pod of its index. */
export function pointStepState(job: V1Job | undefined, index: number, pod: V1Pod | undefined): JobStepState {
  if (!job) return { state: 'cancelled', reason: 'its Job was deleted from the cluster' };
  const name = job.metadata?.name ?? '';
  const container = pod?.status?.containerStatuses?.find((status) => status.name === STEP_CONTAINER);
  const terminated = container?.state?.terminated;
  const startedAt = iso(pod?.status?.startTime ?? container?.state?.running?.startedAt ?? terminated?.startedAt);
  const finishedAt = iso(terminated?.finishedAt);
  const times = { ...(startedAt && { startedAt }), ...(finishedAt && { finishedAt }) };
  if (JobIndexes.parse(job.status?.completedIndexes, `Job ${name}: status.completedIndexes`).has(index)) return { state: 'succeeded', exitCode: 0, ...times };
  if (JobIndexes.parse(job.status?.failedIndexes, `Job ${name}: status.failedIndexes`).has(index)) {
    const exitCode = terminated?.exitCode;
    return { state: 'failed', ...(exitCode !== undefined && { exitCode }), reason: indexFailure(exitCode, pod), ...times };
  }
  const ended = job.status?.conditions?.find((each) => (each.type === 'Complete' || each.type === 'Failed') && each.status === 'True');
  if (ended) return { state: 'failed', reason: `its Job ended (${[ended.reason, ended.message].filter(Boolean).join(': ') || ended.type}) without running this point`, ...times };
  if (job.spec?.suspend) return { state: 'queued', reason: 'waiting for its upstream steps to finish in every point of the sweep' };
  const phase = pod?.status?.phase;
  // A pod that ended is still a running step until the Job controller has counted its index.
  if (phase === 'Running' || phase === 'Succeeded' || phase === 'Failed') return { state: 'running', ...(startedAt && { startedAt }) };
  if (pod) return { state: 'queued', reason: pendingReason(pod) };
  return { state: 'queued', reason: `waiting for a free slot: the sweep runs at most ${job.spec?.parallelism ?? 1} points at once` };
}

function indexFailure(exitCode: number | undefined, pod: V1Pod | undefined): string {
  if (pod?.status?.reason === 'DeadlineExceeded') return "it ran past its time limit (the step's time resource)";
  if (exitCode === EXIT_UPSTREAM_NOT_SUCCEEDED) return 'not run: an upstream step did not succeed in this point';
  if (exitCode !== undefined) return `the step exited with code ${exitCode}`;
  return pod?.status?.reason ? `its pod failed: ${[pod.status.reason, pod.status.message].filter(Boolean).join(': ')}` : 'its pod failed';
}

/** The Jobs of each sweep with an active point, one list per sweep: what the poll releases from. */
export function activeSweepJobs(active: readonly ActiveStep[], jobs: readonly V1Job[]): V1Job[][] {
  const byName = new Map(jobs.map((job) => [job.metadata?.name, job]));
  const sweeps = new Set(active.flatMap((step) => {
    const point = parsePointJobId(step.jobId);
    const sweep = point && byName.get(point.jobName)?.metadata?.labels?.[LABEL.sweep];
    return sweep ? [sweep] : [];
  }));
  return [...sweeps].map((sweep) => jobs.filter((job) => job.metadata?.labels?.[LABEL.sweep] === sweep));
}

/** The API calls of a sweep: its ConfigMap, its Jobs, cancelling its points. */
export class SweepObjects {
  constructor(
    private readonly kube: KubeClients,
    private readonly config: KubernetesTargetConfig,
    private readonly targetName: string,
  ) {}

  private get namespace(): string {
    return this.config.namespace;
  }

  /** The ConfigMap of every point (points.json in completion-index order). */
  async stage(sweep: Sweep, points: readonly RunWithSpec[], runtime: RuntimeFiles): Promise<void> {
    const configMap = this.configMap(sweep, inIndexOrder(points), runtime);
    await this.ignoring(CONFLICT, () => this.kube.core.createNamespacedConfigMap({ namespace: this.namespace, body: configMap }), `creating ConfigMap ${configMap.metadata!.name}`);
  }

  /**
   * One suspended Indexed Job per step over the given points, and each
   * point's outcome per step. Jobs an earlier attempt created for the same
   * points are taken over; a failure deletes the Jobs this call created.
   */
  async start(sweep: Sweep, points: readonly RunWithSpec[], runtime: RuntimeFiles): Promise<{ jobs: V1Job[]; outcomes: Record<string, Record<string, StartOutcome>> }> {
    if (points.length === 0) return { jobs: [], outcomes: {} };
    const ordered = inIndexOrder(points);
    await this.matchConfigMap(sweep, ordered, runtime);
    const spec = ordered[0]!.spec;
    const jobs: V1Job[] = [];
    const created: string[] = [];
    try {
      for (const step of spec.steps) {
        const job = sweepJob(sweep, ordered, spec, step, this.config, this.targetName);
        const name = job.metadata!.name!;
        const made = await this.ignoring(CONFLICT, () => this.kube.batch.createNamespacedJob({ namespace: this.namespace, body: job }), `creating Job ${name}`);
        if (made) created.push(name);
        jobs.push(made ?? (await this.existingJob(job)));
      }
    } catch (error) {
      await this.delete(created).catch(() => undefined);
      throw error;
    }
    const outcomes = Object.fromEntries(
      ordered.map((point, index) => [
        point.id,
        Object.fromEntries(jobs.map((job) => [job.metadata!.annotations![ANNOTATION.step]!, { ok: true, jobId: pointJobId({ jobName: job.metadata!.name!, index }), state: 'queued' } as const])),
      ]),
    );
    return { jobs, outcomes };
  }

  private configMap(sweep: Sweep, ordered: readonly RunWithSpec[], runtime: RuntimeFiles): V1ConfigMap {
    return sweepConfigMap(sweep, ordered.map((point) => ({ id: point.id, spec: point.spec, parameters: point.parameters })), runtime, this.config, this.targetName);
  }

  /**
   * The ConfigMap lists exactly the points about to start, in their order. It
   * lists every staged point; when one was cancelled before the sweep started,
   * it is made anew for the rest (no Job of the sweep uses it yet).
   */
  private async matchConfigMap(sweep: Sweep, ordered: readonly RunWithSpec[], runtime: RuntimeFiles): Promise<void> {
    const wanted = this.configMap(sweep, ordered, runtime);
    const name = wanted.metadata!.name!;
    const found = await this.ignoring(NOT_FOUND, () => this.kube.core.readNamespacedConfigMap({ name, namespace: this.namespace }), `reading ConfigMap ${name}`);
    if (found && samePoints(found, ordered)) return;
    if (found) await this.ignoring(NOT_FOUND, () => this.kube.core.deleteNamespacedConfigMap({ name, namespace: this.namespace }), `deleting ConfigMap ${name}`);
    await this.call(() => this.kube.core.createNamespacedConfigMap({ namespace: this.namespace, body: wanted }), `creating ConfigMap ${name}`);
  }

  /** The Job an earlier attempt created, if it runs the same points. */
  private async existingJob(job: V1Job): Promise<V1Job> {
    const name = job.metadata!.name!;
    const existing = await this.call(() => this.kube.batch.readNamespacedJob({ name, namespace: this.namespace }), `reading Job ${name}`);
    const points = (each: V1Job) => each.metadata?.annotations?.[ANNOTATION.points];
    if (points(existing) !== points(job) || existing.metadata?.deletionTimestamp) {
      throw new FerryError('target', `Job ${name} already exists in namespace ${this.namespace} for other points, or is being deleted; delete it (kubectl delete job ${name}) and start the sweep again`);
    }
    return existing;
  }

  /**
   * Records the points' indexes as cancelled on their Jobs; the names of the
   * Jobs whose every index is now finished or cancelled, which are to go.
   */
  async cancelPoints(jobIds: readonly string[]): Promise<string[]> {
    const byJob = new Map<string, number[]>();
    for (const point of jobIds.map(parsePointJobId)) if (point) byJob.set(point.jobName, [...(byJob.get(point.jobName) ?? []), point.index]);
    const done: string[] = [];
    for (const [name, indexes] of byJob) if (await this.cancelIndexes(name, indexes)) done.push(name);
    return done;
  }

  /** True when every index of the Job is finished or cancelled (or the Job is gone). */
  private async cancelIndexes(name: string, indexes: readonly number[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const job = await this.ignoring(NOT_FOUND, () => this.kube.batch.readNamespacedJob({ name, namespace: this.namespace }), `reading Job ${name}`);
      if (!job) return true;
      const cancelled = [...new Set([...cancelledPoints(job), ...indexes])].sort((a, b) => a - b);
      if (allIndexesDone(job, cancelled)) return true;
      const patch = [
        // Another cancel may have recorded its points since the read: then read again.
        { op: 'test', path: '/metadata/resourceVersion', value: job.metadata!.resourceVersion },
        { op: 'add', path: `/metadata/annotations/${ANNOTATION.cancelledPoints.replace('/', '~1')}`, value: JSON.stringify(cancelled) },
      ];
      try {
        await this.kube.batch.patchNamespacedJob({ name, namespace: this.namespace, body: patch });
        return false;
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === NOT_FOUND) return true;
        if (status !== UNPROCESSABLE || attempt >= 5) throw kubeError(error, `recording cancelled points on Job ${name}`, this.kube.location);
      }
    }
  }

  async delete(names: readonly string[]): Promise<void> {
    await Promise.all(
      names.map((name) => this.ignoring(NOT_FOUND, () => this.kube.batch.deleteNamespacedJob({ name, namespace: this.namespace, propagationPolicy: 'Background' }), `deleting Job ${name}`)),
    );
  }

  private call<T>(request: () => Promise<T>, doing: string): Promise<T> {
    return kubeCall(() => this.kube.location, doing, request);
  }

  /** As `call`, but an answer with status `ignored` (404, 409) is undefined instead of an error. */
  private ignoring<T>(ignored: number, request: () => Promise<T>, doing: string): Promise<T | undefined> {
    return kubeCallUnless(ignored, () => this.kube.location, doing, request);
  }
}

function samePoints(configMap: V1ConfigMap, ordered: readonly RunWithSpec[]): boolean {
  try {
    const listed = JSON.parse(configMap.data?.[POINTS_LIST_KEY] ?? 'null') as SweepPointFiles[];
    return Array.isArray(listed) && listed.length === ordered.length && listed.every((point, index) => point?.runId === ordered[index]!.id);
  } catch {
    return false;
  }
}

function cancelledPoints(job: V1Job): number[] {
  try {
    const parsed = JSON.parse(job.metadata?.annotations?.[ANNOTATION.cancelledPoints] ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter((index): index is number => Number.isInteger(index)) : [];
  } catch {
    return [];
  }
}

function allIndexesDone(job: V1Job, cancelled: readonly number[]): boolean {
  const name = job.metadata?.name ?? '';
  const completed = JobIndexes.parse(job.status?.completedIndexes, `Job ${name}: status.completedIndexes`);
  const failed = JobIndexes.parse(job.status?.failedIndexes, `Job ${name}: status.failedIndexes`);
  const gone = new Set(cancelled);
  for (let index = 0; index < (job.spec?.completions ?? 0); index++) {
    if (!completed.has(index) && !failed.has(index) && !gone.has(index)) return false;
  }
  return true;
}

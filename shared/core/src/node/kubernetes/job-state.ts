/**
 * What a step's Job and its pod say about the step, in Ferry's states. The
 * Job's conditions decide the end (Complete / Failed, set by the Job
 * controller with its pod failure policy); the pod says whether it runs yet
 * and why it waits, and its container's exit code why it failed.
 */
import type { V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import { JobIndexes } from './job-indexes.js';

export interface JobStepState {
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  exitCode?: number;
  reason?: string;
  /** ISO-8601 UTC. */
  startedAt?: string;
  finishedAt?: string;
}

const iso = (time: Date | string | undefined) => (time === undefined ? undefined : new Date(time).toISOString());

function condition(job: V1Job, type: string): V1JobCondition | undefined {
  return job.status?.conditions?.find((each) => each.type === type && each.status === 'True');
}

/** The state of a step from its Job (undefined: the Job is gone) and its newest pod. */
export function jobStepState(job: V1Job | undefined, pod: V1Pod | undefined): JobStepState {
  if (!job) return { state: 'cancelled', reason: 'its Job was deleted from the cluster' };
  const startedAt = iso(job.status?.startTime);
  const terminated = pod?.status?.containerStatuses?.find((status) => status.state?.terminated)?.state?.terminated;
  const complete = condition(job, 'Complete');
  if (complete) {
    return { state: 'succeeded', exitCode: 0, ...(startedAt && { startedAt }), finishedAt: iso(job.status?.completionTime ?? complete.lastTransitionTime)! };
  }
  const failed = condition(job, 'Failed');
  if (failed) {
    const exitCode = terminated?.exitCode;
    return {
      state: 'failed',
      ...(exitCode !== undefined && { exitCode }),
      reason: failureReason(failed, exitCode),
      ...(startedAt && { startedAt }),
      ...(failed.lastTransitionTime && { finishedAt: iso(failed.lastTransitionTime)! }),
    };
  }
  if (job.spec?.suspend) return { state: 'queued', reason: 'waiting for its upstream steps' };
  // A pod that ended is still a running step until the Job controller has ruled on it.
  if (pod?.status?.phase === 'Running' || pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed') return { state: 'running', ...(startedAt && { startedAt }) };
  return { state: 'queued', reason: pendingReason(pod), ...(startedAt && { startedAt }) };
}

/**
 * Where a step's pod was placed, and how often its Job started a new pod
 * after one failed: every failed pod counts but the last one of a Job that
 * failed for good, which nothing followed. `job` is absent for a sweep point,
 * whose Indexed Job counts the failures of all its points together.
 */
export function jobPlacement(job: V1Job | undefined, pod: V1Pod | undefined): { node?: string; retries?: number } {
  const node = pod?.spec?.nodeName;
  const failedPods = job?.status?.failed ?? 0;
  const retries = job && Math.max(0, failedPods - (condition(job, 'Failed') && failedPods > 0 ? 1 : 0));
  return { ...(node && { node }), ...(retries !== undefined && { retries }) };
}

function failureReason(failed: V1JobCondition, exitCode: number | undefined): string {
  switch (failed.reason) {
    case 'DeadlineExceeded':
      return "it ran past its time limit (the step's time resource)";
    case 'PodFailurePolicy':
      return exitCode !== undefined ? `the step exited with code ${exitCode}` : (failed.message ?? 'its pod failed');
    case 'BackoffLimitExceeded':
      return `its pod failed too many times${exitCode !== undefined ? ` (last exit code ${exitCode})` : ''}`;
    default:
      return [failed.reason, failed.message].filter(Boolean).join(': ') || 'its Job failed';
  }
}

/** Why a pod is not running yet, from its conditions and container states (Unschedulable, ImagePullBackOff...). */
export function pendingReason(pod: V1Pod | undefined): string {
  if (!pod) return 'waiting for its pod to be created';
  const waiting = pod.status?.containerStatuses?.find((status) => status.state?.waiting?.reason)?.state?.waiting;
  if (waiting) return [waiting.reason, waiting.message].filter(Boolean).join(': ');
  const unscheduled = pod.status?.conditions?.find((each) => each.type === 'PodScheduled' && each.status === 'False');
  if (unscheduled) return [unscheduled.reason, unscheduled.message].filter(Boolean).join(': ');
  return `pod ${pod.metadata?.name ?? ''} is ${pod.status?.phase ?? 'pending'}`.replace('  ', ' ');
}

/** The step name a Job runs (the annotation holds it exactly; the label may be altered to fit). */
export function jobStep(job: V1Job): string | undefined {
  return job.metadata?.annotations?.['ferry.dev/step'];
}

/** Upstream step names of a Job, from its annotation. */
export function jobDependsOn(job: V1Job): string[] {
  try {
    const parsed = JSON.parse(job.metadata?.annotations?.['ferry.dev/depends-on'] ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter((name): name is string => typeof name === 'string') : [];
  } catch {
    return [];
  }
}

export const isJobComplete = (job: V1Job) => condition(job, 'Complete') !== undefined;

/**
 * Whether the Jobs downstream of this one may start: it completed; or, a
 * sweep's Indexed Job, it finished every index with some of them completed
 * (the points whose index failed are refused by the runtime: sweep-jobs.ts).
 */
function letsDownstreamStart(job: V1Job): boolean {
  if (isJobComplete(job)) return true;
  if (job.spec?.completionMode !== 'Indexed' || !condition(job, 'Failed')) return false;
  return JobIndexes.parse(job.status?.completedIndexes, `Job ${job.metadata?.name ?? ''}: status.completedIndexes`).size > 0;
}

/**
 * The suspended Jobs of one run (or one sweep) whose upstream steps' Jobs
 * have all completed: what to release now. Everything comes from the Jobs themselves
 * (the DAG is in their annotations), so any Ferry server, restarted or on
 * another machine, releases the same Jobs.
 */
export function jobsToRelease(runJobs: readonly V1Job[]): V1Job[] {
  const byStep = new Map(runJobs.flatMap((job) => (jobStep(job) !== undefined ? [[jobStep(job)!, job] as const] : [])));
  return runJobs.filter(
    (job) =>
      job.spec?.suspend === true &&
      !job.metadata?.deletionTimestamp &&
      jobDependsOn(job).every((upstream) => {
        const upstreamJob = byStep.get(upstream);
        return upstreamJob !== undefined && letsDownstreamStart(upstreamJob);
      }),
  );
}

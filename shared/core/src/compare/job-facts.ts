/** The scheduler side of a run, as a comparison shows it: from the run, its spec and its state history. */
import type { JobFacts } from '../api/compare-contract.js';
import type { RunWithSpec, StateChange } from '../run.js';

/** Facts no target records yet: absent for every run until one does. */
export const UNRECORDED_JOB_FACTS: ReadonlyArray<keyof JobFacts> = [];

// Slurm's OUT_OF_MEMORY, Python's MemoryError, the kernel's OOM killer (exit 137 reported as "Killed"), CUDA's allocator.
const OOM_PATTERN = /OUT_OF_MEMORY|MemoryError|out of memory|oom[- _]?kill/i;

export interface JobFactsContext {
  /** What a run still going is measured up to; default: the current time. */
  now?: Date;
  /** Where in the cluster the run's target sends work (`targetPlace`); absent for a target without such a place. */
  place?: string;
}

export function jobFacts(run: RunWithSpec, changes: readonly StateChange[], { now = new Date(), place }: JobFactsContext = {}): JobFacts {
  const gpus = Math.max(0, ...run.spec.steps.map((step) => step.resources.gpus ?? 0));
  const jobIds: Record<string, string> = {};
  for (const step of run.steps) if (step.jobId !== undefined) jobIds[step.name] = step.jobId;
  const failed = run.steps.find((step) => step.state === 'failed');
  const ended = [...run.steps].filter((step) => step.finishedAt !== undefined).sort((a, b) => a.finishedAt!.localeCompare(b.finishedAt!)).at(-1);
  const exitCode = failed?.exitCode ?? ended?.exitCode;
  const firstStart = earliest(run.steps.map((step) => step.startedAt).concat(changes.filter((change) => change.step && change.state === 'running').map((change) => change.at)));
  const end = run.finishedAt ?? (run.state === 'running' ? now.toISOString() : undefined);
  // Steps that never started (waiting, skipped) say nothing about where the run went.
  const nodes = [...new Set(run.steps.flatMap((step) => (step.node !== undefined ? [step.node] : [])))];
  const retried = run.steps.filter((step) => step.retries !== undefined);
  return {
    target: run.target,
    state: run.state,
    ...(place !== undefined && { place }),
    ...(gpus > 0 && { gpus }),
    jobIds,
    ...(exitCode !== undefined && { exitCode }),
    ...(failed && { failedStep: failed.name }),
    ...(failed?.reason && { failureReason: failed.reason }),
    ...(failed && { oom: OOM_PATTERN.test(failed.reason ?? '') }),
    ...(firstStart && { queueWaitSeconds: seconds(run.createdAt, firstStart) }),
    ...(firstStart && end && { durationSeconds: seconds(firstStart, end) }),
    ...(nodes.length > 0 && { node: nodes.join(', ') }),
    ...(retried.length > 0 && { retries: retried.reduce((sum, step) => sum + step.retries!, 0) }),
  };
}

function earliest(times: ReadonlyArray<string | undefined>): string | undefined {
  return times.filter((time): time is string => time !== undefined).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

function seconds(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

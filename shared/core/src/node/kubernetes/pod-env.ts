/**
 * The environment of a step's container: Ferry's own variables, which the
 * runtime and the way Ferry reads a pod's log depend on, then the target's
 * `env`, which may add variables but never replace Ferry's.
 */
import type { V1EnvVar } from '@kubernetes/client-node';
import { FerryError } from '../../errors.js';

/** $HOME: an emptyDir, since the image's root file system is read-only. */
export const HOME_DIR = '/ferry/home';

/** The variable the Job controller sets to a pod's completion index in an Indexed Job. */
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** Every name Ferry sets in a step's container, for a run's Job or a sweep's. */
export const FERRY_ENV_NAMES: readonly string[] = [
  'FERRY_STDOUT_RECORDS', 'PYTHONUNBUFFERED', 'HOME', 'FERRY_RUN_ID', 'FERRY_SWEEP_ID', 'FERRY_STEP', COMPLETION_INDEX_ENV,
];

/** Who the pod runs for: one run, or every point of a sweep (the point from the completion index). */
export type PodOwner = { runId: string } | { sweepId: string };

export function stepEnv(owner: PodOwner, step: string, userEnv: Record<string, string>): V1EnvVar[] {
  const ferry: V1EnvVar[] = [
    // Metrics and the final status come back through the pod's log as records (the volume is not readable from outside).
    { name: 'FERRY_STDOUT_RECORDS', value: '1' },
    { name: 'PYTHONUNBUFFERED', value: '1' },
    { name: 'HOME', value: HOME_DIR },
    ...('runId' in owner
      ? [{ name: 'FERRY_RUN_ID', value: owner.runId }]
      : [
          { name: 'FERRY_SWEEP_ID', value: owner.sweepId },
          // The Job controller adds it too; declared here so `$(JOB_COMPLETION_INDEX)` in the arguments visibly has a source.
          { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
        ]),
    { name: 'FERRY_STEP', value: step },
  ];
  const taken = Object.keys(userEnv).find((name) => FERRY_ENV_NAMES.includes(name));
  if (taken !== undefined) {
    throw new FerryError('request', `the target's "env" sets ${taken}, which Ferry sets itself in every step's container; remove it`, { field: `env.${taken}` });
  }
  return [...ferry, ...Object.entries(userEnv).map(([name, value]) => ({ name, value }))];
}

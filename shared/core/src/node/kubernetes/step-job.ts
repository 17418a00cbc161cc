/**
 * One step as a batch/v1 Job, created suspended: Ferry creates every Job of a
 * run at once and resumes each when its upstream steps have succeeded, so a
 * run's whole DAG is on the cluster (labels and annotations) from the start.
 *
 * A sweep runs each step as ONE Indexed Job over all its points: completion
 * index i runs point i, and the runtime finds the point's run id and files
 * in the sweep's ConfigMap (points.json) from the index.
 */
import type { V1Job, V1PodFailurePolicyRule } from '@kubernetes/client-node';
import { FerryError } from '../../errors.js';
import type { RunWithSpec } from '../../run.js';
import type { PipelineSpec, StepMode, StepSpec } from '../../spec.js';
import type { Sweep } from '../../sweeps/sweep.js';
import { STEP_NAME_PATTERN } from '../../tags/index.js';
import type { KubernetesTargetConfig } from '../config.js';
import { RUN_ID_PATTERN } from '../store/run-id.js';
import { ANNOTATION, ferryLabels } from './labels.js';
import { codeConfigMapName, stepJobName } from './object-names.js';
import { COMPLETION_INDEX_ENV } from './pod-env.js';
import { CODE_DIR, podTemplate, STEP_CONTAINER } from './pod-template.js';

/** The run directory in a run's step container. */
export const RUN_DIR = '/ferry/run';
/** Every run directory, in a sweep's step container. */
export const RUNS_DIR = '/ferry/runs';

/** What a step Job needs of a run. */
export type JobRun = Pick<RunWithSpec, 'id' | 'mode' | 'spec'>;

export function stepJob(run: JobRun, step: StepSpec, config: KubernetesTargetConfig, targetName: string): V1Job {
  checkStep(run.spec, step);
  const labels = ferryLabels({ run: run.id }, targetName, 'step', step.name);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: stepJobName(run.id, step.name), namespace: config.namespace, labels, annotations: dagAnnotations(run.spec, step) },
    spec: {
      suspend: true,
      backoffLimit: config.backoffLimit,
      podFailurePolicy: { rules: failureRules('FailJob') },
      template: podTemplate({
        owner: { runId: run.id },
        step,
        configMap: codeConfigMapName(run.id),
        runtimeArgs: ['--stage-from', CODE_DIR, '--run-dir', RUN_DIR, ...stepArgs(step, run.mode)],
        run: { mountPath: RUN_DIR, subPath: `runs/${run.id}` },
        workingDir: RUN_DIR,
        labels,
      }, config),
    },
  };
}

/** What a sweep's Job needs of the sweep. */
export type JobSweep = Pick<Sweep, 'id' | 'mode' | 'maxParallel'>;

/**
 * Step `step` of every given point, as one Indexed Job: index i runs
 * `points[i]` (the order of the sweep's ConfigMap). At most the sweep's
 * maxParallel points run at once; a point that fails fails its index only.
 */
export function sweepJob(sweep: JobSweep, points: readonly Pick<RunWithSpec, 'id'>[], spec: PipelineSpec, step: StepSpec, config: KubernetesTargetConfig, targetName: string): V1Job {
  checkStep(spec, step);
  if (points.length === 0) throw new FerryError('internal', `sweep ${sweep.id} has no points to run`);
  const badId = points.find((point) => !RUN_ID_PATTERN.test(point.id));
  if (badId !== undefined) throw new FerryError('internal', `not a run id: ${JSON.stringify(badId.id)}`);
  const labels = ferryLabels({ sweep: sweep.id }, targetName, 'step', step.name);
  const parallelism = Math.min(sweep.maxParallel ?? points.length, points.length);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: stepJobName(sweep.id, step.name),
      namespace: config.namespace,
      labels,
      annotations: { ...dagAnnotations(spec, step), [ANNOTATION.points]: JSON.stringify(points.map((point) => point.id)) },
    },
    spec: {
      suspend: true,
      completionMode: 'Indexed',
      completions: points.length,
      parallelism,
      backoffLimitPerIndex: config.backoffLimit,
      podFailurePolicy: { rules: failureRules('FailIndex') },
      template: podTemplate({
        owner: { sweepId: sweep.id },
        step,
        configMap: codeConfigMapName(sweep.id),
        // Kubernetes puts the pod's index in for $(JOB_COMPLETION_INDEX); the runtime picks the point's run directory under --runs-dir.
        runtimeArgs: ['--stage-from', CODE_DIR, '--sweep-point', `$(${COMPLETION_INDEX_ENV})`, '--runs-dir', RUNS_DIR, ...stepArgs(step, sweep.mode)],
        run: { mountPath: RUNS_DIR, subPath: 'runs' },
        labels,
      }, config),
    },
  };
}

function stepArgs(step: StepSpec, mode: StepMode): string[] {
  return ['--step', step.name, '--mode', mode];
}

/** The DAG, on every Job: enough to rebuild the run from the cluster alone. */
function dagAnnotations(spec: PipelineSpec, step: StepSpec): Record<string, string> {
  return {
    [ANNOTATION.pipeline]: spec.name,
    [ANNOTATION.step]: step.name,
    [ANNOTATION.dependsOn]: JSON.stringify(step.dependsOn),
    [ANNOTATION.steps]: JSON.stringify(spec.steps.map((each) => each.name)),
  };
}

/**
 * A pod pushed off its node (eviction, preemption, a drained node) is run
 * again without counting against backoffLimit; a step that exited non-zero
 * failed on its own (its exception, a bad input) and would fail again, so
 * the Job (a sweep: that point's index) fails at once.
 */
function failureRules(onStepFailure: 'FailJob' | 'FailIndex'): V1PodFailurePolicyRule[] {
  return [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: onStepFailure, onExitCodes: { containerName: STEP_CONTAINER, operator: 'NotIn', values: [0] } },
  ];
}

function checkStep(spec: PipelineSpec, step: StepSpec): void {
  if (!STEP_NAME_PATTERN.test(step.name)) throw new FerryError('pipeline', `not a valid step name: ${JSON.stringify(step.name)}`, { step: step.name });
  if (!spec.steps.some((each) => each.name === step.name)) {
    throw new FerryError('internal', `step ${JSON.stringify(step.name)} is not a step of pipeline ${spec.name}`, { step: step.name });
  }
}

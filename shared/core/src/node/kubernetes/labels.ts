/**
 * The labels and annotations Ferry puts on its Kubernetes objects. Labels
 * let Ferry find a run's objects with one selector; the annotations on each
 * Job carry the pipeline's DAG, so a run can be rebuilt from the cluster
 * alone (after Ferry's own store was lost, or from another machine).
 */
import { stepLabelValue } from './object-names.js';

export const LABEL = {
  name: 'app.kubernetes.io/name',
  managedBy: 'app.kubernetes.io/managed-by',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  run: 'ferry.dev/run',
  sweep: 'ferry.dev/sweep',
  step: 'ferry.dev/step',
  target: 'ferry.dev/target',
} as const;

export const ANNOTATION = {
  /** JSON array of the step's upstream step names. */
  dependsOn: 'ferry.dev/depends-on',
  pipeline: 'ferry.dev/pipeline',
  /** JSON array of every step name of the run. */
  steps: 'ferry.dev/steps',
  /** The exact step name (the label may have had to be changed to be a label value). */
  step: 'ferry.dev/step',
  /** A sweep's Job: JSON array of the points' run ids, by completion index. */
  points: 'ferry.dev/points',
  /** A sweep's Job: JSON array of the completion indexes whose points were cancelled (sweep-jobs.ts). */
  cancelledPoints: 'ferry.dev/cancelled-points',
} as const;

export type Component = 'step' | 'code' | 'artifacts';

/** Whose an object is: one run's, one sweep's, or the target's (the artifacts claim, shared by its runs). */
export type Owner = { run: string } | { sweep: string } | { target: string };

export function ferryLabels(owner: Owner, targetName: string, component: Component, step?: string): Record<string, string> {
  return {
    [LABEL.name]: 'ferry',
    [LABEL.managedBy]: 'ferry',
    ...('run' in owner && { [LABEL.instance]: owner.run }),
    ...('sweep' in owner && { [LABEL.instance]: owner.sweep }),
    [LABEL.component]: component,
    ...('run' in owner && { [LABEL.run]: owner.run }),
    ...('sweep' in owner && { [LABEL.sweep]: owner.sweep }),
    ...(step !== undefined && { [LABEL.step]: stepLabelValue(step) }),
    [LABEL.target]: targetName,
  };
}

const FERRY_KEYS: readonly string[] = [...Object.values(LABEL), ...Object.values(ANNOTATION)];

/** A key Ferry sets or may set later (`ferry.dev/...`): labels and annotations from users may not take it. */
export function isFerryKey(key: string): boolean {
  return FERRY_KEYS.includes(key) || key.startsWith('ferry.dev/');
}

/**
 * The DAG rules, as pure functions of a run's current step states: which
 * waiting steps may start, which can never run, and when the run is done.
 * The engine applies the decisions; keeping them pure keeps them testable
 * and identical for every target.
 */
import { isFinalStepState, type Run, type RunState, type StepState } from '../run.js';
import type { PipelineSpec } from '../spec.js';

export interface RunPlan {
  /** Waiting steps whose dependencies all succeeded, in spec order. */
  ready: string[];
  /** Waiting steps that can never run, with the reason naming the upstream step. */
  skip: { step: string; reason: string }[];
}

const BLOCKING: Partial<Record<StepState, string>> = {
  failed: 'failed',
  cancelled: 'was cancelled',
  skipped: 'was skipped',
};

export function planRun(run: Run, spec: PipelineSpec): RunPlan {
  const states = new Map(run.steps.map((step) => [step.name, step.state]));
  const plan: RunPlan = { ready: [], skip: [] };
  // spec.steps is topologically ordered, so a skip cascades downstream in one pass.
  for (const step of spec.steps) {
    if (states.get(step.name) !== 'waiting') continue;
    const blocker = step.dependsOn.find((upstream) => BLOCKING[states.get(upstream)!] !== undefined);
    if (blocker) {
      plan.skip.push({ step: step.name, reason: `upstream step "${blocker}" ${BLOCKING[states.get(blocker)!]}` });
      states.set(step.name, 'skipped');
    } else if (step.dependsOn.every((upstream) => states.get(upstream) === 'succeeded')) {
      plan.ready.push(step.name);
    }
  }
  return plan;
}

/** The run's final state once every step is final; undefined while any step is not. */
export function runOutcome(run: Run): RunState | undefined {
  if (!run.steps.every((step) => isFinalStepState(step.state))) return undefined;
  if (run.steps.some((step) => step.state === 'failed')) return 'failed';
  if (run.steps.some((step) => step.state === 'cancelled' || step.state === 'skipped')) return 'cancelled';
  return 'succeeded';
}

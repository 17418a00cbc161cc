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

export interface PlanOptions {
  /**
   * The target chains steps itself (Target.submitsWholeDag): a waiting step is
   * ready once its upstream steps are started or ready, and a started step
   * whose upstream step can no longer succeed is skipped too (the caller
   * cancels its job).
   */
  wholeDag?: boolean;
}

export function planRun(run: Run, spec: PipelineSpec, options: PlanOptions = {}): RunPlan {
  const states = new Map(run.steps.map((step) => [step.name, step.state]));
  const plan: RunPlan = { ready: [], skip: [] };
  const skippable: StepState[] = options.wholeDag ? ['waiting', 'queued'] : ['waiting'];
  const satisfied: StepState[] = options.wholeDag ? ['succeeded', 'queued', 'running'] : ['succeeded'];
  // spec.steps is topologically ordered, so a skip (or readiness) cascades downstream in one pass.
  for (const step of spec.steps) {
    const state = states.get(step.name)!;
    if (!skippable.includes(state)) continue;
    const blocker = step.dependsOn.find((upstream) => BLOCKING[states.get(upstream)!] !== undefined);
    if (blocker) {
      plan.skip.push({ step: step.name, reason: `upstream step "${blocker}" ${BLOCKING[states.get(blocker)!]}` });
      states.set(step.name, 'skipped');
    } else if (state === 'waiting' && step.dependsOn.every((upstream) => satisfied.includes(states.get(upstream)!))) {
      plan.ready.push(step.name);
      states.set(step.name, 'queued');
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

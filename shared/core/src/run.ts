/** Runs and step runs as the store keeps them and the API returns them. */
import type { JsonValue, PipelineSpec, StepMode } from './spec.js';

export type StepState =
  | 'waiting' // upstream steps have not finished
  | 'queued' // handed to the target, not started yet
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'skipped'; // an upstream step failed or was cancelled

export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const FINAL_STEP_STATES: readonly StepState[] = ['succeeded', 'failed', 'cancelled', 'skipped'];
export const FINAL_RUN_STATES: readonly RunState[] = ['succeeded', 'failed', 'cancelled'];

export function isFinalStepState(state: StepState): boolean {
  return FINAL_STEP_STATES.includes(state);
}

export function isFinalRunState(state: RunState): boolean {
  return FINAL_RUN_STATES.includes(state);
}

export interface StepRun {
  name: string;
  state: StepState;
  /** The backend's id: a pid locally, a Slurm job id, a Kubernetes Job name. */
  jobId?: string;
  exitCode?: number;
  /** Why a step waits, failed or was skipped, in words. */
  reason?: string;
  startedAt?: string;
  finishedAt?: string;
  /** The machine it ran on, and how often it was started again; absent where the target does not say. */
  node?: string;
  retries?: number;
  /** Bytes of the step log / metrics file already read by the monitor. */
  logOffset: number;
  metricsOffset: number;
}

export interface Run {
  id: string;
  /** Pipeline name (notebook file name without extension). */
  pipeline: string;
  /** Absolute path of the notebook the run was compiled from. */
  notebookPath: string;
  target: string;
  mode: StepMode;
  state: RunState;
  parameters: Record<string, JsonValue>;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Where the run's files live on the target. */
  runDir: string;
  /** The sweep this run is a point of, and its index there (0-based); absent for a run of its own. */
  sweepId?: string;
  sweepIndex?: number;
  steps: StepRun[];
}

/** A run together with the spec it was compiled to. */
export interface RunWithSpec extends Run {
  spec: PipelineSpec;
}

export interface MetricPoint {
  /** The step the user passed to log_metric, or a per-series counter. */
  step: number;
  value: number;
  /** Unix time in seconds. */
  time: number;
}

export interface MetricSeries {
  /** The pipeline step that logged it. */
  stepName: string;
  name: string;
  points: MetricPoint[];
}

export interface StateChange {
  runId: string;
  /** Absent for changes of the run as a whole. */
  step?: string;
  state: StepState | RunState;
  reason?: string;
  at: string;
}

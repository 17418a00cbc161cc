/** Rows as SQLite returns them, and their conversion to the API's types. */
import type { JsonValue, StepMode } from '../../spec.js';
import type { MetricSeries, Run, RunState, StateChange, StepRun, StepState } from '../../run.js';
import type { Sweep, SweepDefinition } from '../../sweeps/sweep.js';

export interface RunRow {
  id: string;
  pipeline: string;
  notebook_path: string;
  target: string;
  mode: string;
  state: string;
  parameters: string;
  spec: string;
  run_dir: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  sweep_id: string | null;
  sweep_index: number | null;
}

export interface SweepRow {
  id: string;
  pipeline: string;
  notebook_path: string;
  target: string;
  mode: string;
  definition: string;
  size: number;
  created_at: string;
}

export interface StepRow {
  run_id: string;
  name: string;
  position: number;
  state: string;
  job_id: string | null;
  exit_code: number | null;
  reason: string | null;
  started_at: string | null;
  finished_at: string | null;
  node: string | null;
  retries: number | null;
  log_offset: number;
  metrics_offset: number;
}

export interface StateChangeRow {
  run_id: string;
  step: string | null;
  state: string;
  reason: string | null;
  at: string;
}

export interface MetricRow {
  step_name: string;
  name: string;
  step: number;
  value: number | null;
  time: number;
}

export function toRun(row: RunRow, steps: StepRow[]): Run {
  return withoutNulls({
    id: row.id,
    pipeline: row.pipeline,
    notebookPath: row.notebook_path,
    target: row.target,
    mode: row.mode as Run['mode'],
    state: row.state as RunState,
    parameters: JSON.parse(row.parameters) as Record<string, JsonValue>,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    runDir: row.run_dir,
    sweepId: row.sweep_id,
    sweepIndex: row.sweep_index,
    steps: steps.map(toStepRun),
  });
}

export function toSweep(row: SweepRow): Sweep {
  const definition = JSON.parse(row.definition) as SweepDefinition;
  return {
    id: row.id,
    pipeline: row.pipeline,
    notebookPath: row.notebook_path,
    target: row.target,
    mode: row.mode as StepMode,
    createdAt: row.created_at,
    size: row.size,
    ...definition,
  };
}

export function toStepRun(row: StepRow): StepRun {
  return withoutNulls({
    name: row.name,
    state: row.state as StepState,
    jobId: row.job_id,
    exitCode: row.exit_code,
    reason: row.reason,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    node: row.node,
    retries: row.retries,
    logOffset: row.log_offset,
    metricsOffset: row.metrics_offset,
  });
}

export function toStateChange(row: StateChangeRow): StateChange {
  return withoutNulls({
    runId: row.run_id,
    step: row.step,
    state: row.state as StateChange['state'],
    reason: row.reason,
    at: row.at,
  });
}

/** Groups rows already ordered by series into series. */
export function toMetricSeries(rows: MetricRow[]): MetricSeries[] {
  const series: MetricSeries[] = [];
  let current: MetricSeries | undefined;
  for (const row of rows) {
    if (!current || current.stepName !== row.step_name || current.name !== row.name) {
      current = { stepName: row.step_name, name: row.name, points: [] };
      series.push(current);
    }
    current.points.push({ step: row.step, value: row.value ?? Number.NaN, time: row.time });
  }
  return series;
}

/** The API leaves unknown fields out rather than sending nulls. */
type NullsToOptional<T> = { [K in keyof T as null extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as null extends T[K] ? K : never]?: Exclude<T[K], null>;
};

function withoutNulls<T extends object>(value: T): NullsToOptional<T> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== null) out[key] = field;
  return out as NullsToOptional<T>;
}

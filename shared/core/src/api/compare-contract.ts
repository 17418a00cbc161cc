/**
 * The comparison part of the HTTP API: runs side by side (parameters,
 * reduced metrics, job facts), metric histories downsampled to a chart's
 * width, and live deltas of those histories. Re-exported by contract.ts.
 */
import type { JsonValue } from '../spec.js';
import type { RunState } from '../run.js';

/** How a series is summed up in one number. */
export type MetricReducer = 'last' | 'min' | 'max' | 'mean';
export const METRIC_REDUCERS: readonly MetricReducer[] = ['last', 'min', 'max', 'mean'];

/** Which direction is better; absent when the name does not tell. */
export type MetricGoal = 'lower' | 'higher';

/** One series of one run reduced to numbers. NaN points count in `count` but not in min/max/mean. */
export interface ReducedMetric {
  stepName: string;
  name: string;
  count: number;
  last: number;
  /** The step of the last point. */
  lastStep: number;
  /** Absent when every point is NaN. */
  min?: number;
  max?: number;
  mean?: number;
}

/**
 * What the scheduler side of a run looked like. A fact the store does not
 * hold for this run is absent; `CompareResponse.unrecorded` names the facts
 * no target records yet.
 */
export interface JobFacts {
  target: string;
  state: RunState;
  /** Where in the cluster the target sends work: "partition gpu" (Slurm), "namespace ml-team" (Kubernetes); absent locally. */
  place?: string;
  /** GPUs the most demanding step asked for (`gpus:` tags). */
  gpus?: number;
  /** Backend job id per started step (pid, Slurm job id, Kubernetes Job). */
  jobIds: Record<string, string>;
  /** Exit code of the failed step, or of the last step that ended. */
  exitCode?: number;
  /** The first failed step and why it failed, in words. */
  failedStep?: string;
  failureReason?: string;
  /** The failure was the step running out of memory (Slurm OUT_OF_MEMORY, Python MemoryError, a kernel OOM kill). */
  oom?: boolean;
  /** From submission until the first step started. */
  queueWaitSeconds?: number;
  /** From the first step's start until the run ended (or until now, while it runs). */
  durationSeconds?: number;
  /** The nodes the steps ran on, distinct, joined with ", ". */
  node?: string;
  /** How often the backend started a step again, summed over the steps that say. */
  retries?: number;
}

export interface ComparedRun {
  id: string;
  pipeline: string;
  createdAt: string;
  sweepId?: string;
  sweepIndex?: number;
  parameters: Record<string, JsonValue>;
  metrics: ReducedMetric[];
  job: JobFacts;
}

/** A metric column of the comparison: its name, the goal guessed from the name and the reducer that follows from it. */
export interface MetricColumn {
  name: string;
  goal?: MetricGoal;
  reducer: MetricReducer;
}

/** `GET /api/compare?run=A&run=B...`: the runs in the order asked. */
export interface CompareResponse {
  runs: ComparedRun[];
  /** Every parameter name of any of the runs, in first-seen order. */
  parameters: string[];
  /** The parameters whose values are not all equal (a parameter missing from some run differs). */
  differingParameters: string[];
  /** Every metric name of any of the runs, in first-seen order. */
  metrics: MetricColumn[];
  /** Job facts no target records yet, so absent for every run. */
  unrecorded: Array<keyof JobFacts>;
}

/** The x axis of a history: the logged step, or wall time (Unix seconds). */
export type HistoryAxis = 'step' | 'time';

/**
 * `GET /api/compare/history?run=A&run=B&metric=loss&width=800[&x=step|time][&x0=..&x1=..]`:
 * each matching series downsampled onto one grid of `width` buckets over
 * [x0, x1] (default: the extent of all the series), so runs with different
 * step grids line up. Per bucket the first, last, lowest and highest point
 * are kept (a spike survives), at most 4 × width points per series; a
 * sub-range asked for again (a zoom) comes at full resolution for that width.
 */
export interface HistoryRequest {
  runs: string[];
  metrics: string[];
  width: number;
  x?: HistoryAxis;
  x0?: number;
  x1?: number;
}

/** Points as parallel arrays: compact in JSON, and what chart libraries take. */
export interface HistorySeries {
  runId: string;
  stepName: string;
  name: string;
  /** Points in the series when it was read: the cursor its live deltas continue from. */
  count: number;
  /** True when these are all the points in the range (nothing was dropped). */
  complete: boolean;
  step: number[];
  time: number[];
  /** NaN is sent as null (JSON has no NaN). */
  value: Array<number | null>;
}

export interface HistoryResponse {
  x: HistoryAxis;
  /** The range the buckets cover; absent when no series has a point. */
  x0?: number;
  x1?: number;
  width: number;
  series: HistorySeries[];
}

/**
 * `GET /api/compare/events?run=A&metric=loss...`: points appended to the
 * selected series after the stream opened, per series, in order. `from` is
 * the series' point count before these points: a client that holds a
 * history with `count` c appends the points from index c − from on.
 */
export type CompareStreamEvent =
  | { type: 'points'; runId: string; stepName: string; name: string; from: number; step: number[]; time: number[]; value: Array<number | null> }
  | { type: 'run'; runId: string; state: RunState }
  | { type: 'end' };

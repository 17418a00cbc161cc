/** What a RunEngine tells its listeners (the server turns these into server-sent events). */
import type { Run, StateChange } from '../run.js';
import type { NewMetricPoint } from './store/run-store.js';

/** A state change of a run or one of its steps, with the run as it is now. */
export interface RunChangeEvent extends StateChange {
  run: Run;
}

/** A step's log grew: bytes `offset` to `size` are new and readable with readLog. */
export interface LogEvent {
  runId: string;
  step: string;
  offset: number;
  size: number;
}

/** Points a step logged, already stored. */
export interface MetricsEvent {
  runId: string;
  stepName: string;
  points: NewMetricPoint[];
}

/** Something went wrong that is not a step's failure: a malformed metrics line, a poll that failed. */
export interface WarningEvent {
  message: string;
  runId?: string;
  step?: string;
  target?: string;
}

/**
 * A target was asked about its active steps: 'full' (the scheduler and every
 * step's files) or 'light' (only the files of steps a client watches). For
 * observers that measure the load Ferry puts on a cluster.
 */
export interface PollEvent {
  target: string;
  kind: 'full' | 'light';
  steps: number;
}

export interface RunEngineEvents {
  change: [RunChangeEvent];
  log: [LogEvent];
  metrics: [MetricsEvent];
  warning: [WarningEvent];
  poll: [PollEvent];
}

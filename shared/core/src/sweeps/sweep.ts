/**
 * Parameter sweeps: one pipeline run once per point of a grid or of a random
 * sample over parameter ranges. Each point is an ordinary run (its own id,
 * parameters, logs and metrics) that also carries the sweep's id and its
 * index in the sweep, so clients can group and compare the points.
 */
import type { Run, RunState } from '../run.js';
import type { JsonValue, StepMode } from '../spec.js';

/** A numeric range of an int or float parameter. */
export interface SweepRange {
  low: number;
  high: number;
  /** `log`: geometric spacing in a grid, log-uniform draws in a sample (both ends > 0). */
  scale: 'linear' | 'log';
  /** Points of a grid over the range, both ends included; absent when the range is sampled. */
  count?: number;
}

/** One swept parameter: the values it takes, or a range. */
export type SweepAxis = { parameter: string; values: JsonValue[] } | { parameter: string; range: SweepRange };

/** How the points of a sweep are chosen. */
export interface SweepDefinition {
  axes: SweepAxis[];
  /** Draw this many random points over the axes; absent: every point of the grid (the axes' product). */
  sample?: number;
  /** The seed of the sample (chosen at random when none was given, and kept so the sample can be drawn again). */
  seed?: number;
  /** Points that may run at once; absent: as many as the target allows. */
  maxParallel?: number;
}

/** A sweep as the store keeps it and the API returns it; its points are runs with `sweepId` set. */
export interface Sweep extends SweepDefinition {
  /** `s-20261122-221530-ab12cd`. */
  id: string;
  pipeline: string;
  notebookPath: string;
  target: string;
  mode: StepMode;
  createdAt: string;
  /** Number of points (runs), indexed 0 to size - 1. */
  size: number;
}

/** Most points one sweep may have (Slurm's default MaxArraySize is 1001: array indices 0 to 1000). */
export const MAX_SWEEP_POINTS = 1000;

export const SWEEP_ID_PATTERN = /^s-\d{8}-\d{6}-[0-9a-f]{6}$/;

export function isSweepId(id: string): boolean {
  return SWEEP_ID_PATTERN.test(id);
}

/**
 * The state of a sweep, from its points: queued while none has started,
 * running while any is not final, then succeeded when all did, failed when
 * any failed, else cancelled.
 */
export function sweepState(points: readonly Pick<Run, 'state'>[]): RunState {
  const states = new Set(points.map((point) => point.state));
  if (states.has('running') || (states.has('queued') && states.size > 1)) return 'running';
  if (states.has('queued')) return 'queued';
  if (states.has('failed')) return 'failed';
  if (states.has('cancelled')) return 'cancelled';
  return 'succeeded';
}

/** How many points are in each state. */
export function sweepCounts(points: readonly Pick<Run, 'state'>[]): Partial<Record<RunState, number>> {
  const counts: Partial<Record<RunState, number>> = {};
  for (const point of points) counts[point.state] = (counts[point.state] ?? 0) + 1;
  return counts;
}

/** The names of the swept parameters, in axis order. */
export function sweptParameters(sweep: Pick<SweepDefinition, 'axes'>): string[] {
  return sweep.axes.map((axis) => axis.parameter);
}
